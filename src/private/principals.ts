import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { propProblem } from './errors';
import { resolvedOnly } from './tokens';
import { accountIdProblems, organizationIdProblems, organizationPathProblems, principalArnPatternProblems } from '../repository/validation';

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
