import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { propProblem } from './errors';
import { resolvedOnly } from './tokens';
import {
  accountIdProblems, lambdaFunctionArnProblems, organizationIdProblems, organizationPathProblems, principalArnPatternProblems,
} from '../repository/validation';

/** Principals for a resource policy: the problems of the values given, and the principal, made once there are none. */
export interface ResourcePolicyPrincipal {
  readonly problems: string[];
  readonly principal: () => iam.IPrincipal;
}

/**
 * The principals of some accounts: each whole account, or with `patterns` only the principals whose ARN matches
 * (`aws:PrincipalArn`). The accounts are the principals and the ARN a condition, because a role named as a principal
 * must exist when the policy is set, and workload roles are created after the registry.
 */
export function accountsPrincipal(accountIds: readonly string[], patterns?: readonly string[]): ResourcePolicyPrincipal {
  const problems = [
    ...(accountIds.length === 0 ? [propProblem('accountIds', accountIds, 'name at least one account.')] : []),
    ...resolvedOnly(accountIds).flatMap((id) => accountIdProblems('accountIds', id)),
    ...(patterns !== undefined && patterns.length === 0 ? [propProblem('principalArnPatterns', patterns, 'name at least one pattern, or omit the option to admit the whole accounts.')] : []),
    ...resolvedOnly(patterns ?? []).flatMap((p) => principalArnPatternProblems('principalArnPatterns', p, accountIds)),
  ];
  const principal = () => {
    const accounts = new iam.CompositePrincipal(...accountIds.map((id) => new iam.AccountPrincipal(id)));
    return patterns ? accounts.withConditions({ ArnLike: { 'aws:PrincipalArn': [...patterns] } }) : accounts;
  };
  return { principal, problems };
}

/** The principals of an organization, or with `paths` of some of its organizational units (`aws:PrincipalOrgPaths`). */
export function organizationPrincipal(organizationId: string, paths?: readonly string[]): ResourcePolicyPrincipal {
  const problems = [
    ...(Token.isUnresolved(organizationId) ? [] : organizationIdProblems('organizationId', organizationId)),
    ...(paths !== undefined && paths.length === 0 ? [propProblem('organizationPaths', paths, 'name at least one path or omit the option.')] : []),
    ...resolvedOnly(paths ?? []).flatMap((p) => {
      const format = organizationPathProblems('organizationPaths', p);
      if (format.length > 0 || Token.isUnresolved(organizationId) || p.startsWith(`${organizationId}/`)) return format;
      return [propProblem('organizationPaths', p, `does not start with the organization id '${organizationId}/'. Use paths of that organization.`)];
    }),
  ];
  const principal = () => (paths
    ? new iam.OrganizationPrincipal(organizationId).withConditions({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [...paths] } })
    : new iam.OrganizationPrincipal(organizationId));
  return { principal, problems };
}

/**
 * The principals a repository policy admits for Lambda functions (Lambda's cross-account container image policy): the
 * Lambda service for those functions (`aws:sourceArn`: the functions given, or every function of the accounts given
 * in the repository's region, the only one Lambda runs images from), and the functions' accounts other than the
 * repository's own, without which another account's functions fail when Lambda re-fetches the image.
 */
export function lambdaPrincipals(repositoryStack: Stack, accountIdsGiven?: readonly string[], functionArnsGiven?: readonly string[]) {
  const accountIds = accountIdsGiven ?? [];
  const functionArns = functionArnsGiven ?? [];
  const problems = [
    ...(accountIds.length + functionArns.length === 0 ? [propProblem('accountIds', accountIdsGiven,
      "give 'accountIds' or 'functionArns': an unconditioned Lambda service principal would let any account's functions pull.")] : []),
    ...resolvedOnly(accountIds).flatMap((id) => accountIdProblems('accountIds', id)),
    ...resolvedOnly(functionArns).flatMap((arn) => lambdaFunctionArnProblems('functionArns', arn)),
  ];
  const principals = (): iam.IPrincipal[] => {
    const stack = repositoryStack;
    const sourceArns = [...functionArns, ...accountIds.map((id) => `arn:${stack.partition}:lambda:${stack.region}:${id}:function:*`)];
    const service = new iam.ServicePrincipal('lambda.amazonaws.com').withConditions({ StringLike: { 'aws:sourceArn': sourceArns } });
    const accountOf = (arn: string) => (Token.isUnresolved(arn) ? undefined : arn.split(':')[4]);
    const otherAccounts = [...new Set([...accountIds, ...functionArns.map(accountOf)])]
      .filter((id): id is string => id !== undefined && Token.compareStrings(id, stack.account) !== TokenComparison.SAME);
    return otherAccounts.length === 0 ? [service] : [service, accountsPrincipal(otherAccounts).principal()];
  };
  return { problems, principals };
}

/**
 * The problems of the account ids of the account principals in `principal` (inside composites and conditions too),
 * resolved ones only: `new iam.AccountPrincipal('12345')` would otherwise become `arn:aws:iam::12345:root`.
 */
export function accountPrincipalProblems(prop: string, principal: iam.IPrincipal): string[] {
  return accountPrincipalIds(principal).filter((id) => !Token.isUnresolved(id)).flatMap((id) => accountIdProblems(prop, id));
}

function accountPrincipalIds(principal: iam.IPrincipal): string[] {
  if (principal instanceof iam.AccountPrincipal) return [String(principal.accountId)];
  if (principal instanceof iam.CompositePrincipal) return principal.principals.flatMap(accountPrincipalIds);
  // PrincipalWithConditions and SessionTagsPrincipal wrap another principal (a protected field).
  const wrapped = (principal as unknown as { readonly wrapped?: iam.IPrincipal }).wrapped;
  return wrapped === undefined ? [] : accountPrincipalIds(wrapped);
}

/**
 * The problems of a statement for a repository policy (a repository's or a creation template's): it takes no
 * `Resource` (the policy applies to its repository), it must name principals (SetRepositoryPolicy refuses a statement
 * without), and its account principals need valid ids.
 */
export function repositoryPolicyStatementProblems(statement: iam.PolicyStatement): string[] {
  const json = statement.toStatementJson() as { Principal?: unknown; NotPrincipal?: unknown };
  return [
    ...(statement.resources.length > 0
      ? [propProblem('statement.resources', statement.resources, 'a repository policy applies to its repository and takes no Resource. Remove the resources.')] : []),
    ...(json.Principal === undefined && json.NotPrincipal === undefined
      ? [propProblem('statement.principals', [], 'a repository policy statement names the principals it admits. Add principals.')] : []),
    ...statement.principals.flatMap((principal) => accountPrincipalProblems('statement.principals', principal)),
  ];
}

/** A grant that adds nothing: what a grant with invalid input returns, its problems reported at synthesis. */
export function noGrant(scope: IConstruct): iam.Grant {
  return iam.Grant.drop(new iam.UnknownPrincipal({ resource: scope }), 'the grant has invalid input, reported when the app synthesizes');
}
