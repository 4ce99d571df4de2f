import { ActionType, CountType, LifecyclePolicyDocument, LifecycleRuleDocument, LIMITS, StorageClass, TagStatus } from './types';

/** A sentence saying what a rule does, used as its description when it has none. */
function describeRule(rule: LifecycleRuleDocument): string {
  const s = rule.selection;
  const verb = rule.action.type === ActionType.TRANSITION ? 'Archive' : 'Expire';
  const list = s.tagPatternList ?? s.tagPrefixList?.map((p) => `${p}*`);
  const which = s.tagStatus === TagStatus.UNTAGGED ? 'untagged images'
    : s.tagStatus === TagStatus.ANY ? 'images'
      : `images tagged ${(list ?? []).join(' and ')}`;
  const where = (s.storageClass ?? StorageClass.STANDARD) === StorageClass.ARCHIVE ? 'archived ' : '';
  switch (s.countType) {
    case CountType.IMAGE_COUNT_MORE_THAN: return `Keep the newest ${s.countNumber} ${where}${which}; ${verb.toLowerCase()} older ones`;
    case CountType.SINCE_IMAGE_PUSHED: return `${verb} ${where}${which} pushed more than ${s.countNumber} days ago`;
    case CountType.SINCE_IMAGE_PULLED: return `${verb} ${where}${which} not pulled for more than ${s.countNumber} days`;
    default: return `${verb} ${which} archived more than ${s.countNumber} days ago`;
  }
}

/**
 * Renders the policy text ECR stores: rules ordered by priority, fields in ECR's order, absent fields left out
 * (ECR rejects `null`), and a generated description on every rule without one, which also keeps a one-rule policy
 * above ECR's 100-character minimum.
 */
export function renderPolicyDocument(policy: LifecyclePolicyDocument): LifecyclePolicyDocument {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority).map((r): LifecycleRuleDocument => {
    const s = r.selection;
    return {
      rulePriority: r.rulePriority,
      description: r.description ?? describeRule(r),
      selection: {
        tagStatus: s.tagStatus,
        ...(s.tagPrefixList !== undefined ? { tagPrefixList: s.tagPrefixList } : {}),
        ...(s.tagPatternList !== undefined ? { tagPatternList: s.tagPatternList } : {}),
        ...(s.storageClass !== undefined ? { storageClass: s.storageClass } : {}),
        countType: s.countType,
        ...(s.countUnit !== undefined ? { countUnit: s.countUnit } : {}),
        countNumber: s.countNumber,
      },
      action: {
        type: r.action.type,
        ...(r.action.targetStorageClass !== undefined ? { targetStorageClass: r.action.targetStorageClass } : {}),
      },
    };
  });
  return { rules };
}

/** Problems with the length of a rendered policy text (ECR: 100 to 30,720 characters). */
export function policyTextProblems(text: string): string[] {
  if (text.length < LIMITS.minPolicyTextLength) {
    return [`policy: text: got ${text.length} characters; ECR needs at least ${LIMITS.minPolicyTextLength}. Add rule descriptions.`];
  }
  if (text.length > LIMITS.maxPolicyTextLength) {
    return [`policy: text: got ${text.length} characters; ECR allows at most ${LIMITS.maxPolicyTextLength}. Shorten descriptions or merge rules with tag patterns.`];
  }
  return [];
}
