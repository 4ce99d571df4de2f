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
  /**
   * What describe-images reports as `imageSizeInBytes`; only carried through to the results, for the bytes a policy frees.
   * @default - unknown
   */
  readonly sizeInBytes?: number;
}

/** One acted-on image, in the shape of GetLifecyclePolicyPreview's previewResults (times in epoch ms). */
export interface PreviewResultRecord {
  readonly imageDigest: string;
  readonly imageTags: readonly string[];
  readonly imagePushedAt: number;
  readonly action: { readonly type: 'EXPIRE' | 'TRANSITION'; readonly targetStorageClass?: 'ARCHIVE' };
  readonly appliedRulePriority: number;
  readonly storageClass: 'STANDARD' | 'ARCHIVE';
  /** The image's `sizeInBytes`, which GetLifecyclePolicyPreview does not report. */
  readonly imageSizeInBytes?: number;
}

export interface PreviewRecord {
  readonly previewResults: PreviewResultRecord[];
  readonly summary: {
    readonly expiringImageTotalCount: number;
    readonly transitioningImageTotalCounts?: { readonly targetStorageClass: 'ARCHIVE'; readonly imageTotalCount: number }[];
  };
}

/** The storage class an image is in for rule selection; an image being restored is in neither and is never acted on. */
function storageClassOf(image: ImageRecord): StorageClass | undefined {
  if (image.status === 'ACTIVE') return StorageClass.STANDARD;
  if (image.status === 'ARCHIVED') return StorageClass.ARCHIVE;
  return undefined;
}

/** Time that orders images for `imageCountMoreThan`: a restored image counts from its activation. */
function orderingTime(image: ImageRecord): number {
  return image.activatedAt ?? image.pushedAt;
}

/** Time `sinceImagePulled` measures from: the later of last pull and last restore, else the push. */
function lastUseTime(image: ImageRecord): number {
  const pulled = image.pulledAt;
  const activated = image.activatedAt;
  if (pulled === undefined) return activated ?? image.pushedAt;
  return activated !== undefined && activated > pulled ? activated : pulled;
}

/** A predicate deciding whether a rule's selection includes an image's tags. */
function selectionMatcher(rule: LifecycleRuleDocument): (tags: readonly string[]) => boolean {
  const s = rule.selection;
  if (s.tagStatus === TagStatus.ANY) return () => true;
  if (s.tagStatus === TagStatus.UNTAGGED) return (tags) => tags.length === 0;
  if (s.tagPrefixList) {
    const prefixes = s.tagPrefixList;
    return (tags) => tags.length > 0 && prefixes.every((pre) => tags.some((t) => t.startsWith(pre)));
  }
  const globs = (s.tagPatternList ?? []).map(compileGlob);
  return (tags) => tags.length > 0 && globs.every((g) => tags.some((t) => globMatches(g, t)));
}

// Byte order of typed-array views of the host (big-endian on s390x).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Positions `0..key.length-1` ordered by `key` ascending, ties by `digestAt(position)` ascending, then by position.
 * Normalizes `key` in place (-0 to +0). An LSD radix sort, one byte a pass, over the keys' IEEE-754 bytes read in an
 * unsigned order (sign bit flipped, negatives inverted): linear, with no comparator calls, where a comparator sort over
 * a million image objects takes seconds. Bytes are read through a Uint8Array view, so no bit operators are needed.
 */
function orderByKey(key: Float64Array, digestAt: (position: number) => string): Uint32Array {
  const n = key.length;
  let order = new Uint32Array(n);
  for (let p = 0; p < n; p++) order[p] = p;
  if (n < 2) return order;
  for (let p = 0; p < n; p++) key[p] += 0; // -0 becomes +0, which it equals
  const raw = new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
  // The d-th least significant byte of p's key, as an unsigned sort digit.
  const digit = (p: number, d: number) => {
    const v = raw[LITTLE_ENDIAN ? 8 * p + d : 8 * p + 7 - d];
    if (raw[LITTLE_ENDIAN ? 8 * p + 7 : 8 * p] >= 128) return 255 - v;
    return d === 7 ? v + 128 : v;
  };
  const counts = new Uint32Array(8 * 256); // all eight byte histograms, in one pass
  for (let p = 0; p < n; p++) for (let d = 0; d < 8; d++) counts[256 * d + digit(p, d)]++;
  let spare = new Uint32Array(n);
  for (let d = 0; d < 8; d++) {
    const base = 256 * d;
    if (counts[base + digit(0, d)] === n) continue; // every key has this byte: the pass would move nothing
    for (let v = 0, sum = 0; v < 256; v++) {
      const c = counts[base + v];
      counts[base + v] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const p = order[j];
      spare[counts[base + digit(p, d)]++] = p;
    }
    [order, spare] = [spare, order];
  }
  // Equal keys keep position order; put each run in digest order (runs are rare and short with millisecond times).
  for (let j = 0, end = 1; j < n; j = end++) {
    while (end < n && key[order[end]] === key[order[j]]) end++;
    if (end - j < 2) continue;
    const run = Array.from(order.subarray(j, end)).sort((a, b) => {
      const da = digestAt(a);
      const db = digestAt(b);
      return da < db ? -1 : da > db ? 1 : a - b;
    });
    order.set(run, j);
  }
  return order;
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
 * Ties are broken deterministically: `imageCountMoreThan` keeps images newest first by `orderingTime`, then digest
 * ascending; results are ordered by applied rule priority, then push time, then digest.
 */
export function simulatePolicy(policy: LifecyclePolicyDocument, images: readonly ImageRecord[], now: number): PreviewRecord {
  const n = images.length;
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const classes = [StorageClass.STANDARD, StorageClass.ARCHIVE];
  const rulesOf = classes.map((cls) => rules.flatMap((r, index) => ((r.selection.storageClass ?? StorageClass.STANDARD) === cls ? [index] : [])));
  const matchers = rules.map(selectionMatcher);
  const counts = rules.map((r) => r.selection.countType === CountType.IMAGE_COUNT_MORE_THAN);
  const countSelected = counts.map((c) => (c ? new Uint8Array(n) : undefined)); // images each count rule selects
  const hasCountRule = counts.includes(true);
  const ordering = new Float64Array(hasCountRule ? n : 0); // -orderingTime: newest first is ascending
  const classOf = new Int8Array(n).fill(-1); // index into `classes`
  const claimedBy = new Int32Array(n).fill(-1); // index into `rules` of the first rule of the image's class selecting it
  const actedBy = new Int32Array(n).fill(-1);

  // One pass over the images, each read once while in cache (reading them rule by rule costs a cache miss per rule).
  // The first rule selecting an image claims it and is the only rule that may act on it; a count rule acts later, once
  // the newest-first order is known, and needs its selection of images that earlier rules claimed too.
  for (let i = 0; i < n; i++) {
    const image = images[i];
    const cls = storageClassOf(image);
    const c = cls === StorageClass.STANDARD ? 0 : cls === StorageClass.ARCHIVE ? 1 : -1;
    if (c < 0 || rulesOf[c].length === 0) continue;
    classOf[i] = c;
    if (hasCountRule) ordering[i] = -orderingTime(image);
    const tags = image.imageTags;
    let claimer = -1;
    for (const r of rulesOf[c]) {
      if (claimer >= 0 && !counts[r]) continue;
      if (!matchers[r](tags)) continue;
      if (counts[r]) countSelected[r]![i] = 1;
      if (claimer >= 0) continue;
      claimer = r;
      if (!counts[r] && isOld(rules[r], image, now)) actedBy[i] = r;
    }
    claimedBy[i] = claimer;
  }

  // imageCountMoreThan: walk the class newest first, keeping the first countNumber selected images.
  classes.forEach((_cls, c) => {
    const countRules = rulesOf[c].filter((r) => counts[r]);
    if (countRules.length === 0) return;
    let size = 0;
    for (let i = 0; i < n; i++) if (classOf[i] === c) size++;
    const members = new Uint32Array(size);
    const key = new Float64Array(size);
    for (let i = 0, p = 0; i < n; i++) {
      if (classOf[i] !== c) continue;
      members[p] = i;
      key[p++] = ordering[i];
    }
    const newest = orderByKey(key, (p) => images[members[p]].imageDigest);
    for (const r of countRules) {
      const selected = countSelected[r]!;
      const keep = rules[r].selection.countNumber;
      let seen = 0;
      for (let j = 0; j < size; j++) {
        const i = members[newest[j]];
        if (selected[i] && ++seen > keep && claimedBy[i] === r) actedBy[i] = r;
      }
    }
  });

  // Results are built in input order, which reads the image objects in memory order (in output order every read would
  // be a cache miss), then arranged: by push time and digest in one sort, then by rule priority in a stable counting pass.
  let actedCount = 0;
  for (let i = 0; i < n; i++) if (actedBy[i] >= 0) actedCount++;
  const built: PreviewResultRecord[] = [];
  const pushKey = new Float64Array(actedCount);
  const ruleOf = new Int32Array(actedCount);
  let transitioning = 0;
  for (let i = 0; i < n; i++) {
    const r = actedBy[i];
    if (r < 0) continue;
    const result = previewResult(images[i], rules[r]);
    if (result.action === TRANSITION_ACTION) transitioning++;
    pushKey[built.length] = result.imagePushedAt;
    ruleOf[built.length] = r;
    built.push(result);
  }
  const byPush = orderByKey(pushKey, (k) => built[k].imageDigest);
  // Rules sharing a priority (an invalid policy) share a bucket, so their results interleave by push time.
  const bucket = rules.map((r) => rules.findIndex((q) => q.rulePriority === r.rulePriority));
  const next = new Uint32Array(rules.length + 1); // first output slot of each bucket
  for (let k = 0; k < actedCount; k++) next[bucket[ruleOf[k]] + 1]++;
  for (let b = 0; b < rules.length; b++) next[b + 1] += next[b];
  const slotOf = new Uint32Array(actedCount); // output slot -> position in `built`
  for (const k of byPush) slotOf[next[bucket[ruleOf[k]]]++] = k;
  const previewResults: PreviewResultRecord[] = [];
  for (const k of slotOf) previewResults.push(built[k]);
  return withSummary(previewResults, transitioning);
}

// Shared by all results (frozen, so sharing is safe): an action object per result was a third of a large preview's allocations.
const TRANSITION_ACTION = Object.freeze({ type: 'TRANSITION', targetStorageClass: 'ARCHIVE' } as const);
const EXPIRE_ACTION = Object.freeze({ type: 'EXPIRE' } as const);

function previewResult(image: ImageRecord, rule: LifecycleRuleDocument): PreviewResultRecord {
  return {
    imageDigest: image.imageDigest,
    imageTags: image.imageTags,
    imagePushedAt: image.pushedAt,
    action: rule.action.type === ActionType.TRANSITION ? TRANSITION_ACTION : EXPIRE_ACTION,
    appliedRulePriority: rule.rulePriority,
    storageClass: storageClassOf(image) === StorageClass.ARCHIVE ? 'ARCHIVE' : 'STANDARD',
    imageSizeInBytes: image.sizeInBytes,
  };
}

/**
 * Whether some rule can ever expire a tagged image: one selecting `tagged` or `any` images whose action is expire. A
 * policy without one keeps every tagged image forever, however many are pushed.
 */
export function expiresTaggedImages(policy: LifecyclePolicyDocument): boolean {
  return policy.rules.some((r) => r.selection.tagStatus !== TagStatus.UNTAGGED && r.action.type === ActionType.EXPIRE);
}

function withSummary(previewResults: PreviewResultRecord[], transitioning: number): PreviewRecord {
  return {
    previewResults,
    summary: {
      expiringImageTotalCount: previewResults.length - transitioning,
      ...(transitioning > 0 ? { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE' as const, imageTotalCount: transitioning }] } : {}),
    },
  };
}
