import { Token, TokenComparison } from 'aws-cdk-lib';

/** Whether two accounts are one (as far as synth can tell: two unresolved accounts count as one, as CDK's grants do). */
export function isSameAccount(account: string, other: string | undefined): boolean {
  return other !== undefined && [TokenComparison.SAME, TokenComparison.BOTH_UNRESOLVED].includes(Token.compareStrings(account, other));
}
