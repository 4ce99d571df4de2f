import { resolve, sep } from 'path';
import type { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** How a received value is shown in messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON writes NaN and the infinities as null.
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

/** How a received duration is shown in messages: in words, or as written when it has no words (NaN). */
export function showDuration(duration: Duration): string {
  return duration.toHumanString() || duration.toString();
}

/** One problem with one prop: `prop 'x': got 'y'; <what is allowed>. <how to fix>` */
export function propProblem(prop: string, value: unknown, rule: string): string {
  return `prop '${prop}': got ${show(value)}; ${rule}`;
}

/** Each value that appears more than once in `values`, reported once: "is listed twice. Remove the duplicate." */
export function repeatedProblems(prop: string, values: readonly unknown[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))].map((v) => propProblem(prop, v, 'is listed twice. Remove the duplicate.'));
}

/**
 * Reports the problems of a construct's props when the app synthesizes, together with every other construct's, so a
 * user sees every mistake of the app at once, each as `[construct path] problem`.
 */
export function reportProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const reported = [...problems];
  scope.node.addValidation({ validate: () => reported });
}

/**
 * Throws every problem at once, prefixed with the construct path, for a method whose result depends on its arguments
 * (an image URI): the stack trace starts at the user's call.
 */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const path = scope.node.path;
  throw userError(problems.length === 1 ? `[${path}] ${problems[0]}` : `[${path}] ${problems.length} problems:\n  ${problems.join('\n  ')}`);
}

// The folder of this library's code (src/ in this repository, lib/ in the package): private/ is one level down.
const LIBRARY_ROOT = resolve(__dirname, '..');

/**
 * An error for a mistake of the caller whose stack trace starts at the caller's line, as aws-cdk-lib's own
 * validation errors do: the leading frames of this library (a file the package ships compiled only, then the public
 * method that checked its input) are trimmed. A trace that holds nothing but library frames is kept whole.
 */
export function userError(message: string): Error {
  const limit = Error.stackTraceLimit;
  // The frames trimmed below do not count against the limit the user set.
  Error.stackTraceLimit = limit + 20;
  const error = new Error(message);
  Error.captureStackTrace(error, userError);
  Error.stackTraceLimit = limit;
  const lines = (error.stack ?? '').split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  if (firstFrame < 0) return error;
  const frames = lines.slice(firstFrame);
  const ours = (line: string) => frameFile(line)?.startsWith(`${LIBRARY_ROOT}${sep}`) ?? false;
  const user = frames.findIndex((line) => !ours(line));
  if (user <= 0) return error;
  error.stack = [...lines.slice(0, firstFrame), ...frames.slice(user, user + limit)].join('\n');
  return error;
}

/** The file of one V8 stack frame (`    at fn (/path/file.js:1:2)` or `    at /path/file.js:1:2`). */
function frameFile(line: string): string | undefined {
  return /\(?((?:[A-Za-z]:)?[^():]+):\d+:\d+\)?$/.exec(line.trim())?.[1];
}
