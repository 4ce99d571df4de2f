import { Token } from 'aws-cdk-lib';

/** The values synth can check: unresolved tokens are only known at deploy time. */
export function resolvedOnly(values: readonly string[]): string[] {
  return values.filter((v) => !Token.isUnresolved(v));
}
