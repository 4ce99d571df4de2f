import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { maxLengthIn } from './cfn-length';

/**
 * IAM's limit on a managed policy: "The size of each managed policy cannot exceed 6,144 characters", whitespace not
 * counted (IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const MAX_MANAGED_POLICY_LENGTH = 6_144;
/** Managed policies attached to one role: 10 by default, 20 at most with a quota increase (same page; AWS Knowledge Center "iam-increase-policy-size"). */
export const DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;
export const MAX_MANAGED_POLICIES_PER_ROLE = 20;

/** The longest value some tokens (repository ARNs) can resolve to, by token. */
const maxLengths = new Map<string, number>();

/** Records the longest value `token` (for example a repository's ARN) can resolve to, for measuring policies that name it. */
export function noteMaxLength(token: string, maxLength: number): void {
  maxLengths.set(token, maxLength);
}

/**
 * The most characters the minimized policy document of `statements` can have in `stack` once CloudFormation has
 * substituted its references, written without whitespace (as IAM counts). Statements are copied, never frozen.
 */
export function maxPolicyLength(stack: Stack, statements: readonly iam.PolicyStatement[]): number {
  const document = new iam.PolicyDocument({ minimize: true, statements: statements.map((s) => s.copy()) });
  const known = new Map<string, number>();
  for (const resource of new Set(statements.flatMap((s) => s.resources))) {
    const max = maxLengths.get(resource);
    if (max !== undefined) known.set(JSON.stringify(stack.resolve(resource)), max);
  }
  return maxLengthIn(stack, stack.toJsonString(document), known.size === 0 ? undefined : (reference) => known.get(JSON.stringify(reference)));
}
