import { Resource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { propProblem } from './errors';

/** Whether two accounts are one (as far as synth can tell: two unresolved accounts count as one, as CDK's grants do). */
export function isSameAccount(account: string, other: string | undefined): boolean {
  return other !== undefined && [TokenComparison.SAME, TokenComparison.BOTH_UNRESOLVED].includes(Token.compareStrings(account, other));
}

/**
 * An imported repository of another account that `scope`'s role is to push to: across accounts IAM needs the
 * repository's policy to admit the role as well as the role's own policy, and an imported repository's policy cannot
 * be written from here, so every push would be denied.
 */
export function pushTargetProblems(scope: IConstruct, prop: string, repository: ecr.IRepository): string[] {
  const account = Stack.of(scope).account;
  if (Resource.isOwnedResource(repository) || Token.compareStrings(repository.env.account, account) !== TokenComparison.DIFFERENT) return [];
  return [propProblem(prop, repository.node.path, `is an imported repository of account ${repository.env.account}, and the role pushing to it is in ${account}: `
    + "a push across accounts also needs the repository's policy to admit the role, which cannot be written for an imported repository. "
    + `Push to a repository of ${account} and replicate it to ${repository.env.account} (RegistryReplication), or push from a stack of ${repository.env.account}.`)];
}
