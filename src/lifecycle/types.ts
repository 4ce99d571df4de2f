import { clip, showValue } from './show';

/**
 * Which images a rule selects by their tags (`selection.tagStatus`).
 */
export enum TagStatus {
  /** Images with at least one tag; the rule must name a tag prefix list or a tag pattern list. */
  TAGGED = 'tagged',
  /** Images without any tag; the rule names no tag list. */
  UNTAGGED = 'untagged',
  /** Every image; the rule names no tag list and must be the last rule of its storage class. */
  ANY = 'any',
}

/**
 * ECR storage classes that lifecycle rules select from and transition to.
 */
export enum StorageClass {
  /** Active images that can be pulled (the default for a rule's selection). */
  STANDARD = 'standard',
  /** Archived images: cheaper storage, not pullable until restored, 90-day minimum storage duration. */
  ARCHIVE = 'archive',
}

/**
 * How a rule counts images (`selection.countType`).
 */
export enum CountType {
  /** Keep the newest `countNumber` selected images; act on the rest. No unit. */
  IMAGE_COUNT_MORE_THAN = 'imageCountMoreThan',
  /** Act on images pushed more than `countNumber` days ago. */
  SINCE_IMAGE_PUSHED = 'sinceImagePushed',
  /** Act on images not pulled for more than `countNumber` days (transition to archive only). */
  SINCE_IMAGE_PULLED = 'sinceImagePulled',
  /** Act on archived images archived more than `countNumber` days ago (expire only, at least 90). */
  SINCE_IMAGE_TRANSITIONED = 'sinceImageTransitioned',
}

/**
 * What a rule does to the images it counts (`action.type`).
 */
export enum ActionType {
  /** Delete the image. */
  EXPIRE = 'expire',
  /** Move the image to another storage class (`targetStorageClass: archive`). */
  TRANSITION = 'transition',
}

/**
 * The selection of one lifecycle rule, exactly as ECR's policy JSON spells it.
 */
export interface LifecycleRuleSelection {
  /** Which images the rule selects by tag state. */
  readonly tagStatus: TagStatus;
  /**
   * Tag prefixes; every prefix must match some tag of the image.
   * @default - none (required for `tagged` unless `tagPatternList` is given)
   */
  readonly tagPrefixList?: string[];
  /**
   * Tag patterns with `*` wildcards (at most 4 per pattern); every pattern must match some tag of the image.
   * @default - none (required for `tagged` unless `tagPrefixList` is given)
   */
  readonly tagPatternList?: string[];
  /**
   * Storage class the rule selects from.
   * @default StorageClass.STANDARD
   */
  readonly storageClass?: StorageClass;
  /** How the rule counts images. */
  readonly countType: CountType;
  /**
   * Unit of `countNumber`: `days` for the `since*` count types, absent for `imageCountMoreThan`.
   * @default - none
   */
  readonly countUnit?: string;
  /** Image count or number of days; a positive integer. */
  readonly countNumber: number;
}

/**
 * The action of one lifecycle rule, exactly as ECR's policy JSON spells it.
 */
export interface LifecycleRuleAction {
  /** Expire or transition. */
  readonly type: ActionType;
  /**
   * Target storage class of a transition: only `archive` exists.
   * @default - none (required for `transition`)
   */
  readonly targetStorageClass?: StorageClass;
}

/**
 * One rule of an ECR lifecycle policy, exactly as ECR's policy JSON spells it.
 */
export interface LifecycleRuleDocument {
  /** Unique integer; lower numbers are applied first. */
  readonly rulePriority: number;
  /**
   * What the rule is for.
   * @default - none
   */
  readonly description?: string;
  /** Which images the rule selects and how it counts them. */
  readonly selection: LifecycleRuleSelection;
  /** What the rule does to the counted images. */
  readonly action: LifecycleRuleAction;
}

/**
 * An ECR lifecycle policy document (`{"rules": [...]}`).
 */
export interface LifecyclePolicyDocument {
  /** The rules, in any order. */
  readonly rules: LifecycleRuleDocument[];
}

/** ECR's documented limits that validation and rendering enforce. */
export const LIMITS = {
  maxRules: 50,
  minPolicyTextLength: 100,
  /** "Lifecycle policy length: 30,720, not adjustable" (ECR User Guide, service-quotas.html). */
  maxPolicyTextLength: 30_720,
  maxWildcardsPerPattern: 4,
  /**
   * `rulePriority` and `countNumber` are of "Type: integer" (ECR User Guide, lifecycle_policy_parameters.html), which
   * ECR's API holds as a 32-bit Int (AWS SDK for Kotlin, `LifecyclePolicyPreviewResult.appliedRulePriority: Int?`).
   */
  maxInteger: 2_147_483_647,
  /** An image tag is 1 to 300 characters (ECR API Reference, ImageIdentifier: imageTag). */
  maxTagLength: 300,
  minDaysBeforeArchiveExpiry: 90,
  /** Default service quota of images per repository (adjustable). */
  defaultMaxImagesPerRepository: 100_000,
} as const;

export const DAY_MS = 86_400_000;

/** The most characters of a priority or description a rule label quotes. */
const LABEL_LIMIT = 100;

/** A short label for a rule in messages: its priority and, when set, its description. */
export function ruleLabel(rule: { rulePriority?: unknown; description?: unknown }): string {
  const desc = typeof rule.description === 'string' && rule.description.length > 0 ? ` ("${clip(rule.description, LABEL_LIMIT)}")` : '';
  return `rule ${showValue(rule.rulePriority ?? '(no priority)', LABEL_LIMIT)}${desc}`;
}
