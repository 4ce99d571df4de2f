import { IConstruct } from 'constructs';

/** How a received value is shown in messages. */
export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** One problem with one prop: `prop 'x': got 'y'; <what is allowed>. <how to fix>` */
export function propProblem(prop: string, value: unknown, rule: string): string {
  return `prop '${prop}': got ${show(value)}; ${rule}`;
}

/** Throws every problem at once, prefixed with the construct path, so the stack trace points at the user's line. */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const path = scope.node.path;
  throw new Error(problems.length === 1 ? `[${path}] ${problems[0]}` : `[${path}] ${problems.length} problems:\n  ${problems.join('\n  ')}`);
}
