import { Annotations, Resource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { propProblem } from './errors';

/** Whether two accounts are one (as far as synth can tell: two unresolved accounts count as one, as CDK's grants do). */
export function isSameAccount(account: string, other: string | undefined): boolean {
  return other !== undefined && [TokenComparison.SAME, TokenComparison.BOTH_UNRESOLVED].includes(Token.compareStrings(account, other));
}

/** The id to acknowledge the cross-account push warning with. */
export const CROSS_ACCOUNT_PUSH_WARNING = 'cdk-ecr-platform:crossAccountPushTarget';

/**
 * Warns when `scope`'s role is to push to an imported repository of another account: across accounts IAM needs the
 * repository's policy to admit the role as well as the role's own policy, and an imported repository's policy cannot be
 * written from here. A warning, not an error: the policy may be managed where the repository lives, and then the push
 * works (acknowledge it).
 */
export function warnOnCrossAccountPushTarget(scope: IConstruct, prop: string, repository: ecr.IRepository): void {
  const account = Stack.of(scope).account;
  if (Resource.isOwnedResource(repository) || Token.compareStrings(repository.env.account, account) !== TokenComparison.DIFFERENT) return;
  Annotations.of(scope).addWarningV2(CROSS_ACCOUNT_PUSH_WARNING, propProblem(prop, repository.node.path, `is an imported repository of account ${repository.env.account}, `
    + `and the role pushing to it is in ${account}: a push across accounts also needs the repository's policy to admit the role, which cannot be `
    + `written for an imported repository. Push to a repository of ${account} and replicate it to ${repository.env.account} (RegistryReplication), `
    + `push from a stack of ${repository.env.account}, or, if the repository's policy admits this role where it is managed, acknowledge '${CROSS_ACCOUNT_PUSH_WARNING}'.`));
}
