import { compileGlob, globMatches } from './glob';
import { ActionType, CountType, DAY_MS, LifecyclePolicyDocument, LifecycleRuleDocument, StorageClass, TagStatus } from './types';

/** ECR's image status as DescribeImages reports it. */
export type ImageStatusName = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

/** One image as the simulator sees it; times in epoch milliseconds. */
export interface ImageRecord {
  readonly imageDigest: string;
  readonly imageTags: readonly string[];
  readonly pushedAt: number;
  readonly pulledAt?: number;
  readonly archivedAt?: number;
  readonly activatedAt?: number;
  readonly status: ImageStatusName;
}

/** One acted-on image, in the shape of GetLifecyclePolicyPreview's previewResults (times in epoch ms). */
export interface PreviewResultRecord {
  readonly imageDigest: string;
  readonly imageTags: readonly string[];
  readonly imagePushedAt: number;
  readonly action: { readonly type: 'EXPIRE' | 'TRANSITION'; readonly targetStorageClass?: 'ARCHIVE' };
  readonly appliedRulePriority: number;
  readonly storageClass: 'STANDARD' | 'ARCHIVE';
}

export interface PreviewRecord {
  readonly previewResults: PreviewResultRecord[];
  readonly summary: {
    readonly expiringImageTotalCount: number;
    readonly transitioningImageTotalCounts?: { readonly targetStorageClass: 'ARCHIVE'; readonly imageTotalCount: number }[];
  };
}

/** The storage class an image is in for rule selection; an image being restored is in neither and is never acted on. */
export function storageClassOf(image: ImageRecord): StorageClass | undefined {
  if (image.status === 'ACTIVE') return StorageClass.STANDARD;
  if (image.status === 'ARCHIVED') return StorageClass.ARCHIVE;
  return undefined;
}

/** Time that orders images for `imageCountMoreThan`: a restored image counts from its activation. */
export function orderingTime(image: ImageRecord): number {
  return image.activatedAt ?? image.pushedAt;
}

/** Time `sinceImagePulled` measures from: the later of last pull and last restore, else the push. */
export function lastUseTime(image: ImageRecord): number {
  const pulled = image.pulledAt;
  const activated = image.activatedAt;
  if (pulled === undefined) return activated ?? image.pushedAt;
  return activated !== undefined && activated > pulled ? activated : pulled;
}

/** Deterministic newest-first order: ordering time descending, then digest ascending. */
export function newestFirst(a: ImageRecord, b: ImageRecord): number {
  return orderingTime(b) - orderingTime(a) || (a.imageDigest < b.imageDigest ? -1 : a.imageDigest > b.imageDigest ? 1 : 0);
}

/** A predicate deciding whether a rule's selection includes an image's tags. */
export function selectionMatcher(rule: LifecycleRuleDocument): (tags: readonly string[]) => boolean {
  const s = rule.selection;
  if (s.tagStatus === TagStatus.ANY) return () => true;
  if (s.tagStatus === TagStatus.UNTAGGED) return (tags) => tags.length === 0;
  if (s.tagPrefixList) {
    const prefixes = s.tagPrefixList;
    return (tags) => prefixes.every((pre) => tags.some((t) => t.startsWith(pre)));
  }
  const globs = (s.tagPatternList ?? []).map(compileGlob);
  return (tags) => tags.length > 0 && globs.every((g) => tags.some((t) => globMatches(g, t)));
}

/** Whether an image is old enough for a `since*` rule at `now`. */
function isOld(rule: LifecycleRuleDocument, image: ImageRecord, now: number): boolean {
  const limit = rule.selection.countNumber * DAY_MS;
  switch (rule.selection.countType) {
    case CountType.SINCE_IMAGE_PUSHED: return now - image.pushedAt > limit;
    case CountType.SINCE_IMAGE_PULLED: return now - lastUseTime(image) > limit;
    case CountType.SINCE_IMAGE_TRANSITIONED: return image.archivedAt !== undefined && now - image.archivedAt > limit;
    default: return false;
  }
}

/**
 * Predicts what ECR's lifecycle evaluation does to `images` at `now`, following the documented algorithm:
 * per storage class, rules apply in ascending priority; an image selected by a higher-priority rule is never acted on
 * by a lower one (even when the higher rule left it alone), but `imageCountMoreThan` still counts it; each image gets
 * at most one action. The policy must be valid (see `validatePolicyDocument`).
 */
export function simulatePolicy(policy: LifecyclePolicyDocument, images: readonly ImageRecord[], now: number): PreviewRecord {
  const actedBy = new Int32Array(images.length).fill(-1);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);

  for (const cls of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
    const classRules = rules.filter((r) => (r.selection.storageClass ?? StorageClass.STANDARD) === cls);
    if (classRules.length === 0) continue;
    const members: number[] = [];
    for (let i = 0; i < images.length; i++) if (storageClassOf(images[i]) === cls) members.push(i);
    const claimed = new Uint8Array(images.length);
    let newest: number[] | undefined;

    classRules.forEach((rule) => {
      const ruleIndex = rules.indexOf(rule);
      const selects = selectionMatcher(rule);
      if (rule.selection.countType === CountType.IMAGE_COUNT_MORE_THAN) {
        newest ??= [...members].sort((a, b) => newestFirst(images[a], images[b]));
        let seen = 0;
        for (const i of newest) {
          if (!selects(images[i].imageTags)) continue;
          seen++;
          if (seen > rule.selection.countNumber && !claimed[i]) actedBy[i] = ruleIndex;
          claimed[i] = 1;
        }
      } else {
        for (const i of members) {
          // A claimed image can be neither acted on nor claimed again, so it need not be matched.
          if (claimed[i] || !selects(images[i].imageTags)) continue;
          claimed[i] = 1;
          if (isOld(rule, images[i], now)) actedBy[i] = ruleIndex;
        }
      }
    });
  }

  const acted: number[] = [];
  for (let i = 0; i < images.length; i++) if (actedBy[i] >= 0) acted.push(i);
  acted.sort((a, b) => rules[actedBy[a]].rulePriority - rules[actedBy[b]].rulePriority
    || images[a].pushedAt - images[b].pushedAt
    || (images[a].imageDigest < images[b].imageDigest ? -1 : 1));
  return toPreview(acted.map((i) => ({ image: images[i], rule: rules[actedBy[i]] })));
}

/** Builds the preview (result list and summary) from (image, rule) pairs already in output order. */
export function toPreview(actions: readonly { image: ImageRecord; rule: LifecycleRuleDocument }[]): PreviewRecord {
  let expiring = 0;
  let transitioning = 0;
  const previewResults = actions.map(({ image, rule }): PreviewResultRecord => {
    const transition = rule.action.type === ActionType.TRANSITION;
    if (transition) transitioning++; else expiring++;
    return {
      imageDigest: image.imageDigest,
      imageTags: image.imageTags,
      imagePushedAt: image.pushedAt,
      action: transition ? { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' } : { type: 'EXPIRE' },
      appliedRulePriority: rule.rulePriority,
      storageClass: storageClassOf(image) === StorageClass.ARCHIVE ? 'ARCHIVE' : 'STANDARD',
    };
  });
  return {
    previewResults,
    summary: {
      expiringImageTotalCount: expiring,
      ...(transitioning > 0 ? { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE' as const, imageTotalCount: transitioning }] } : {}),
    },
  };
}
