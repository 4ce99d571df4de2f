import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from './acknowledge';
import { managedPolicyGrantee } from './managed-policy-grantee';

/** The id of the policy under the role; construct ids are public API, keep it. */
const POLICY_ID = 'EcrAccessPolicy';
const LOGIN_REASON = 'ecr:GetAuthorizationToken (registry login) has no resource scope; it is the only statement of this '
  + 'policy on "*", and every repository action in it is scoped to repository ARNs';

/** The library's policy behind each grantee it hands out, so grants can acknowledge findings where they land. */
const policies = new WeakMap<iam.IPrincipal, iam.ManagedPolicy>();

/**
 * The customer managed policy, owned by this library, where ECR grants to `role` land: one per role, attached like
 * CDK's default policy (the policy names the role, so repository policies may name the role without a cycle). Its
 * only statement on `*` is the registry login, which this library acknowledges there and nowhere else; and the
 * compliance packs find no inline policy (NIST 800-53, HIPAA and PCI reject those).
 */
function ecrAccessPolicy(role: iam.Role): iam.ManagedPolicy {
  const existing = role.node.tryFindChild(POLICY_ID);
  if (existing) return existing as iam.ManagedPolicy;
  const policy = new iam.ManagedPolicy(role, POLICY_ID, {
    description: 'Amazon ECR access granted by cdk-ecr-platform',
    document: new iam.PolicyDocument({ minimize: true }),
  });
  policy.attachToRole(role);
  acknowledge(policy, LOGIN_REASON, 'AwsSolutions-IAM5[Resource::*]');
  return policy;
}

/**
 * The grantee ECR grants use: for a role this app creates, one whose statements land in the role's ECR access
 * policy; anything else (imported roles, users, service principals, a grantee from here) stays as it is.
 */
export function ecrGrantee(grantee: iam.IGrantable): iam.IGrantable {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role)) return grantee;
  const policy = ecrAccessPolicy(principal);
  const adapted = managedPolicyGrantee(principal, policy);
  policies.set(adapted.grantPrincipal, policy);
  return adapted;
}

/** The library's policy a grantee from `ecrGrantee` writes to, if it is one. */
export function libraryPolicyOf(grantee: iam.IGrantable): iam.ManagedPolicy | undefined {
  return policies.get(grantee.grantPrincipal);
}
