import { IConstruct } from 'constructs';

/** How a received value is shown in messages. */
export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** One problem with one prop: `prop 'x': got 'y'; <what is allowed>. <how to fix>` */
export function propProblem(prop: string, value: unknown, rule: string): string {
  return `prop '${prop}': got ${show(value)}; ${rule}`;
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
 * (a grant, an image URI): the stack trace points at the user's call.
 */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const path = scope.node.path;
  throw new Error(problems.length === 1 ? `[${path}] ${problems[0]}` : `[${path}] ${problems.length} problems:\n  ${problems.join('\n  ')}`);
}
