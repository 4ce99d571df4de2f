import { Token } from 'aws-cdk-lib';
import { parsePolicyJson } from './parse';
import { renderPolicyDocument } from './render';
import { LifecycleRule } from './rule';
import { ImageRecord, simulatePolicy } from './simulate';
import { LifecyclePolicyDocument, LifecycleRuleDocument, ruleLabel, TagStatus } from './types';
import { checkPolicy } from './validate';
import { userError } from '../private/errors';

/** Properties of a lifecycle policy. */
export interface LifecyclePolicyProps {
  /**
   * The rules, in the order their implicit priorities are assigned.
   * @default - none; add rules with `addRule`
   */
  readonly rules?: LifecycleRule[];
  /**
   * Tag patterns (`*` wildcards) whose images no rule may ever expire or archive, for example `prod*` or `v*.*.*`.
   * A policy that could touch them fails validation, naming the rule (see `LifecycleRule.retain`).
   * @default - no protected tags
   */
  readonly protectedTags?: string[];
  /**
   * The most images one repository can hold; retain anchors keeping at least this many never act.
   * @default 100000 (ECR's default quota)
   */
  readonly maxImagesPerRepository?: number;
}

/** ECR's image status as DescribeImages reports it. */
export enum ImageStatus {
  /** In the standard storage class, pullable. */
  ACTIVE = 'ACTIVE',
  /** In the archive storage class. */
  ARCHIVED = 'ARCHIVED',
  /** Being restored from the archive; no lifecycle rule acts on it. */
  ACTIVATING = 'ACTIVATING',
}

/** An image as `aws ecr describe-images` reports it, for offline previews. */
export interface LifecycleImage {
  /** The image digest (`sha256:...`). */
  readonly imageDigest: string;
  /**
   * The image's tags.
   * @default - untagged
   */
  readonly imageTags?: string[];
  /** When the image was pushed. */
  readonly imagePushedAt: Date;
  /**
   * When the image was last pulled (ECR records this at most daily).
   * @default - never pulled
   */
  readonly lastRecordedPullTime?: Date;
  /**
   * Storage state of the image.
   * @default ImageStatus.ACTIVE
   */
  readonly imageStatus?: ImageStatus;
  /**
   * When the image was last archived.
   * @default - never archived
   */
  readonly lastArchivedAt?: Date;
  /**
   * When the image was last restored from the archive.
   * @default - never restored
   */
  readonly lastActivatedAt?: Date;
}

/** The action a preview predicts. */
export interface LifecyclePreviewAction {
  /** `EXPIRE` or `TRANSITION`. */
  readonly type: string;
  /**
   * `ARCHIVE` for a transition.
   * @default - none (expire)
   */
  readonly targetStorageClass?: string;
}

/** One image a policy would act on, shaped like ECR's GetLifecyclePolicyPreview result. */
export interface LifecyclePreviewResult {
  /** The image digest. */
  readonly imageDigest: string;
  /** The image's tags. */
  readonly imageTags: string[];
  /** When the image was pushed. */
  readonly imagePushedAt: Date;
  /** What would happen to it. */
  readonly action: LifecyclePreviewAction;
  /** The priority of the rule that acts. */
  readonly appliedRulePriority: number;
  /** The image's current storage class: `STANDARD` or `ARCHIVE`. */
  readonly storageClass: string;
}

/** Totals of a preview. */
export interface LifecyclePreviewSummary {
  /** How many images would be expired. */
  readonly expiringImageTotalCount: number;
  /** How many images would be archived. */
  readonly transitioningImageTotalCount: number;
}

/** What a policy would do to an inventory of images. */
export interface LifecyclePreview {
  /** The images acted on, by rule priority then push time. */
  readonly previewResults: LifecyclePreviewResult[];
  /** Totals. */
  readonly summary: LifecyclePreviewSummary;
}

/**
 * An ECR lifecycle policy: typed rules, ECR's own validation plus the protected-tags guard, rendering to the policy
 * text ECR stores, and an offline preview of what ECR would do.
 */
export class LifecyclePolicy {
  /**
   * Reads a policy users already have: the policy JSON (`{"rules": [...]}`) or the output of
   * `aws ecr get-lifecycle-policy` (`{"lifecyclePolicyText": "..."}`). Throws on invalid JSON or a wrong structure;
   * field problems are reported by `validate()`.
   */
  public static fromJson(text: string, props: LifecyclePolicyProps = {}): LifecyclePolicy {
    const parsed = parsePolicyJson(text);
    const rules = parsed.rules.map((r) => LifecycleRule.fromDocument(r as LifecycleRuleDocument));
    return new LifecyclePolicy({ ...props, rules: [...(props.rules ?? []), ...rules] });
  }

  private readonly rules: LifecycleRule[] = [];
  private readonly protectedTags: string[];
  private readonly maxImagesPerRepository?: number;

  constructor(props: LifecyclePolicyProps = {}) {
    this.rules.push(...(props.rules ?? []));
    this.protectedTags = [...(props.protectedTags ?? [])];
    this.maxImagesPerRepository = props.maxImagesPerRepository;
  }

  /** An independent copy with the same rules and protected tags. */
  public copy(): LifecyclePolicy {
    return new LifecyclePolicy({ rules: this.rules, protectedTags: this.protectedTags, maxImagesPerRepository: this.maxImagesPerRepository });
  }

  /** Adds a rule; without an explicit priority it is numbered after the rules already there (`any` rules last). */
  public addRule(rule: LifecycleRule): void {
    this.rules.push(rule);
  }

  /** Adds tag patterns that no rule may expire or archive. */
  public protectTags(...patterns: string[]): void {
    this.protectedTags.push(...patterns);
  }

  /** Number of rules. */
  public get ruleCount(): number {
    return this.rules.length;
  }

  /**
   * The rules with their final priorities: explicit ones kept, the others numbered after the highest explicit one in
   * the order added, `any` rules after all others (ECR wants them last).
   */
  public resolveRules(): LifecycleRule[] {
    const explicit = this.rules.filter((r) => r.hasExplicitPriority).map((r) => r.document.rulePriority).filter((p) => !Token.isUnresolved(p));
    let next = Math.max(0, ...explicit) + 1;
    const implicit = this.rules.filter((r) => !r.hasExplicitPriority);
    const ordered = [
      ...implicit.filter((r) => r.document.selection.tagStatus !== TagStatus.ANY),
      ...implicit.filter((r) => r.document.selection.tagStatus === TagStatus.ANY),
    ];
    const numbered = new Map(ordered.map((r) => [r, r.withPriority(next++)]));
    return this.rules.map((r) => numbered.get(r) ?? r);
  }

  /** The policy document ECR stores: rules ordered by priority, generated descriptions, no empty fields. */
  public toDocument(): LifecyclePolicyDocument {
    return renderPolicyDocument({ rules: this.resolveRules().map((r) => r.document) });
  }

  /** The policy text for `LifecyclePolicyText` (only meaningful when `validate()` returns nothing). */
  public toJson(): string {
    return JSON.stringify(this.toDocument());
  }

  /**
   * Every problem with the policy: rule-building mistakes, every rule ECR enforces, the protected-tags guard and the
   * text length. Empty when ECR would accept the policy and no protected image could be touched.
   * Unresolved tokens are skipped.
   */
  public validate(): string[] {
    const resolved = this.resolveRules();
    const unresolved = resolved.some((r) => Token.isUnresolved(r.document.rulePriority) || Token.isUnresolved(r.document.selection.countNumber));
    return checkPolicy({ rules: resolved.map((r) => r.document) }, {
      isUnresolved: (v) => Token.isUnresolved(v),
      knownRuleProblems: (i) => resolved[i]._problems.map((p) => `${ruleLabel(resolved[i].document)}: ${p}`),
      ruleSource: (i) => resolved[i]._source,
      protectedTags: this.protectedTags,
      maxImagesPerRepository: this.maxImagesPerRepository,
      text: unresolved ? undefined : this.toJson(),
      guarded: this.toDocument(),
    });
  }

  /**
   * Predicts what ECR would do to `images` at `now` (GetLifecyclePolicyPreview, offline). Throws when the policy is invalid.
   * @param now the evaluation time. @default - the current time
   */
  public simulate(images: LifecycleImage[], now?: Date): LifecyclePreview {
    const problems = this.validate();
    if (problems.length > 0) throw userError(`cannot simulate an invalid lifecycle policy:\n  ${problems.join('\n  ')}`);
    const badTime = images.find((i) => [i.imagePushedAt, i.lastRecordedPullTime, i.lastArchivedAt, i.lastActivatedAt]
      .some((d) => d !== undefined && Number.isNaN(d.getTime())));
    if (badTime) throw userError(`image ${badTime.imageDigest}: a timestamp is an invalid Date`);
    const digests = new Set(images.map((i) => i.imageDigest));
    if (digests.size !== images.length) throw userError('images: a digest is listed twice; ECR lists each image once');
    const records = images.map((i): ImageRecord => ({
      imageDigest: i.imageDigest,
      imageTags: i.imageTags ?? [],
      pushedAt: i.imagePushedAt.getTime(),
      pulledAt: i.lastRecordedPullTime?.getTime(),
      archivedAt: i.lastArchivedAt?.getTime(),
      activatedAt: i.lastActivatedAt?.getTime(),
      status: i.imageStatus ?? ImageStatus.ACTIVE,
    }));
    const preview = simulatePolicy(this.toDocument(), records, (now ?? new Date()).getTime());
    return {
      previewResults: preview.previewResults.map((r) => ({ ...r, imageTags: [...r.imageTags], imagePushedAt: new Date(r.imagePushedAt) })),
      summary: {
        expiringImageTotalCount: preview.summary.expiringImageTotalCount,
        transitioningImageTotalCount: preview.summary.transitioningImageTotalCounts?.[0].imageTotalCount ?? 0,
      },
    };
  }
}
