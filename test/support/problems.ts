import { App } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * What synthesizing the app of `scope` reports about its props, as the CDK CLI prints it after "Validation failed
 * with the following errors:": one `[construct path] problem` per line, joined by newlines; '' when it synthesizes.
 */
export function synthesisProblems(scope: IConstruct): string {
  const app = scope.node.root as App;
  try {
    app.synth({ force: true });
    return '';
  } catch (e) {
    const error = e as Error;
    if (error.name !== 'ValidationFailedWithErrors') throw error;
    return error.message.split('\n').slice(1).map((line) => line.replace(/^ {2}/, '')).join('\n');
  }
}

/** The problems of one construct, as `synthesisProblems` lists them. */
export function problemsOf(path: string, ...problems: string[]): string {
  return problems.map((p) => `[${path}] ${p}`).join('\n');
}
