import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from './acknowledge';
import { propProblem } from './errors';
import { managedPolicyGrantee } from './managed-policy-grantee';
import { DEFAULT_MANAGED_POLICIES_PER_ROLE, MAX_MANAGED_POLICIES_PER_ROLE, MAX_MANAGED_POLICY_LENGTH, maxPolicyLength } from './policy-size';

/** The id of the policy under the role; construct ids are public API, keep it. */
const POLICY_ID = 'EcrAccessPolicy';
const LOGIN_REASON = 'ecr:GetAuthorizationToken (registry login) has no resource scope; it is the only statement of this '
  + 'policy on "*", and every repository action in it is scoped to repository ARNs';

/** The library's policy behind each grantee it hands out, so grants can acknowledge findings where they land. */
const policies = new WeakMap<iam.IPrincipal, iam.ManagedPolicy>();

/** One of a role's ECR access policies, with its statements and a bound on its length. */
interface Part {
  readonly policy: iam.ManagedPolicy;
  readonly statements: iam.PolicyStatement[];
  length: number;
}
/** A role's ECR access policies: the first, then those it was split into, in the order the grants came. */
const partsOf = new WeakMap<iam.Role, Part[]>();
/** The part that holds a statement already, by its JSON (a repeated login statement adds nothing there). */
const placedOf = new WeakMap<iam.Role, Map<string, Part>>();

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
  partsOf.set(role, [{ policy, statements: [], length: 0 }]);
  placedOf.set(role, new Map());
  policy.node.addValidation({ validate: () => sizeProblems(role) });
  return policy;
}

/**
 * Where a statement granted to `role` lands: the last of its ECR access policies while that stays within IAM's 6,144
 * characters at the longest its references can resolve to, else a new one. The new ones are children of the first
 * (`Part2`, `Part3`, ...), so every acknowledgment on the first applies to them too; the split depends only on the
 * order of the grants, so it is the same at every synthesis.
 */
function place(role: iam.Role, statement: iam.PolicyStatement): iam.ManagedPolicy {
  const parts = partsOf.get(role)!;
  const placed = placedOf.get(role)!;
  const json = JSON.stringify(Stack.of(role).resolve(statement.toStatementJson()));
  const holder = placed.get(json);
  if (holder) return remember(holder, statement);
  const last = parts[parts.length - 1];
  const stack = Stack.of(last.policy);
  const alone = maxPolicyLength(stack, [statement]);
  // A cheap bound first (merging statements only shortens them); the exact minimized length near the limit.
  if (last.statements.length === 0 || last.length + alone <= MAX_MANAGED_POLICY_LENGTH) {
    last.length += alone;
    return remember(last, statement, placed, json);
  }
  const together = maxPolicyLength(stack, [...last.statements, statement]);
  if (together <= MAX_MANAGED_POLICY_LENGTH) {
    last.length = together;
    return remember(last, statement, placed, json);
  }
  const policy = new iam.ManagedPolicy(parts[0].policy, `Part${parts.length + 1}`, {
    description: `Amazon ECR access granted by cdk-ecr-platform (part ${parts.length + 1})`,
    document: new iam.PolicyDocument({ minimize: true }),
  });
  policy.attachToRole(role);
  const part: Part = { policy, statements: [], length: alone };
  parts.push(part);
  return remember(part, statement, placed, json);
}

function remember(part: Part, statement: iam.PolicyStatement, placed?: Map<string, Part>, json?: string): iam.ManagedPolicy {
  part.statements.push(statement);
  if (placed && json) placed.set(json, part);
  return part.policy;
}

/** Each policy of `role` measured again as synthesized (references to other stacks included), and their number. */
function sizeProblems(role: iam.Role): string[] {
  const parts = partsOf.get(role)!;
  const problems = parts.flatMap(({ policy, statements }) => {
    const length = maxPolicyLength(Stack.of(policy), statements);
    return length > MAX_MANAGED_POLICY_LENGTH
      ? [propProblem('statements', `${length} characters`, `the ECR access policy ${policy.node.path} of role ${role.node.path} can resolve to `
        + `${length.toLocaleString('en-US')} characters without whitespace, and IAM takes at most `
        + `${MAX_MANAGED_POLICY_LENGTH.toLocaleString('en-US')} per managed policy; one statement alone is over. `
        + 'Grant by a wildcard name prefix (iam.Grant.addToPrincipal with a repository ARN ending in \'team/*\'), or on fewer repositories.')]
      : [];
  });
  const arns = Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).managedPolicyArns);
  const others = Array.isArray(arns) ? arns.length : 0;
  const total = parts.length + others;
  if (total > MAX_MANAGED_POLICIES_PER_ROLE && !Token.isUnresolved(total)) {
    problems.push(propProblem('managedPolicies', total, `role ${role.node.path} would have ${parts.length} ECR access policies (each within IAM's `
      + `${MAX_MANAGED_POLICY_LENGTH.toLocaleString('en-US')} characters) and ${others} other managed policies, and IAM attaches at most ${MAX_MANAGED_POLICIES_PER_ROLE} `
      + `to a role (${DEFAULT_MANAGED_POLICIES_PER_ROLE} unless the account's quota was raised). `
      + 'Grant by a wildcard name prefix (iam.Grant.addToPrincipal with a repository ARN ending in \'team/*\'), or on fewer repositories.'));
  }
  return problems;
}

/**
 * The grantee ECR grants use: for a role this app creates, one whose statements land in the role's ECR access
 * policy; anything else (imported roles, users, service principals, a grantee from here) stays as it is.
 */
export function ecrGrantee(grantee: iam.IGrantable): iam.IGrantable {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role)) return grantee;
  const policy = ecrAccessPolicy(principal);
  const adapted = managedPolicyGrantee(principal, (statement) => place(principal, statement));
  policies.set(adapted.grantPrincipal, policy);
  return adapted;
}

/** The library's policy a grantee from `ecrGrantee` writes to, if it is one. */
export function libraryPolicyOf(grantee: iam.IGrantable): iam.ManagedPolicy | undefined {
  return policies.get(grantee.grantPrincipal);
}
