import { Duration } from 'aws-cdk-lib';
import { showValue } from './show';
import { ActionType, CountType, LifecycleRuleDocument, LIMITS, StorageClass, TagStatus } from './types';
import type { FieldSource, RuleSource } from './validate';

/**
 * Which images a rule selects by tag. Give a tag list to select tagged images, or `tagStatus` alone.
 */
export interface TagSelectionOptions {
  /**
   * Tag state of the selected images.
   * @default - `TagStatus.TAGGED` when a tag list is given; otherwise required
   */
  readonly tagStatus?: TagStatus;
  /**
   * Tag patterns with `*` wildcards (at most 4 each); an image is selected when every pattern matches one of its tags.
   * @default - none
   */
  readonly tagPatternList?: string[];
  /**
   * Literal tag prefixes; an image is selected when every prefix starts one of its tags.
   * @default - none
   */
  readonly tagPrefixList?: string[];
  /**
   * Priority of the rule; lower numbers apply first and claim their images.
   * @default - the next free number after the policy's highest explicit priority, in the order rules are added; `any` rules last
   */
  readonly rulePriority?: number;
  /**
   * What the rule is for; shown in the console and in previews.
   * @default - a sentence generated from the rule
   */
  readonly description?: string;
}

/** Properties of a rule that expires standard images. Set exactly one of `maxImageCount` and `maxImageAge`. */
export interface ExpireRuleProps extends TagSelectionOptions {
  /**
   * Keep this many of the newest selected images and expire the rest.
   * @default - no count limit
   */
  readonly maxImageCount?: number;
  /**
   * Expire selected images pushed longer ago than this (whole days).
   * @default - no age limit
   */
  readonly maxImageAge?: Duration;
}

/** Properties of a rule that moves standard images to the archive storage class. Set exactly one limit. */
export interface ArchiveRuleProps extends TagSelectionOptions {
  /**
   * Keep this many of the newest selected images active and archive the rest.
   * @default - no count limit
   */
  readonly maxImageCount?: number;
  /**
   * Archive selected images pushed longer ago than this (whole days).
   * @default - no age limit
   */
  readonly maxImageAge?: Duration;
  /**
   * Archive selected images not pulled for longer than this (whole days); a never-pulled image counts from its push,
   * a restored one from its restore.
   * @default - no idle limit
   */
  readonly maxIdleTime?: Duration;
}

/** Properties of a rule that deletes archived images. */
export interface ExpireArchivedRuleProps extends TagSelectionOptions {
  /** Expire archived images archived longer ago than this: at least 90 days, ECR's minimum archive storage duration. */
  readonly archivedFor: Duration;
}

/** Properties of a retain anchor. */
export interface RetainRuleProps {
  /**
   * Tag patterns of the images to shield.
   * @default - none; give this or `tagPrefixList`
   */
  readonly tagPatternList?: string[];
  /**
   * Tag prefixes of the images to shield.
   * @default - none; give this or `tagPatternList`
   */
  readonly tagPrefixList?: string[];
  /**
   * Priority of the anchor: it must come before every rule it shields images from.
   * @default - in the order rules are added
   */
  readonly rulePriority?: number;
  /**
   * The most images the repository can hold; the anchor keeps this many, so it never acts.
   * @default 100000 (ECR's default quota of images per repository)
   */
  readonly maxImagesPerRepository?: number;
}

/**
 * One rule of an ECR lifecycle policy, built with typed factories or read from ECR's JSON.
 *
 * Factory mistakes (two limits at once, fractional days, ...) do not throw: they are kept on the rule and reported by
 * `LifecyclePolicy.validate()` together with every other problem of the policy.
 */
export class LifecycleRule {
  /** Expire standard images beyond a count or older than an age. */
  public static expire(props: ExpireRuleProps): LifecycleRule {
    return LifecycleRule.limited('expire', props, ActionType.EXPIRE, [
      ['maxImageCount', props.maxImageCount, CountType.IMAGE_COUNT_MORE_THAN],
      ['maxImageAge', props.maxImageAge, CountType.SINCE_IMAGE_PUSHED],
    ]);
  }

  /** Move standard images to the archive storage class beyond a count, after an age or after an idle time. */
  public static archive(props: ArchiveRuleProps): LifecycleRule {
    return LifecycleRule.limited('archive', props, ActionType.TRANSITION, [
      ['maxImageCount', props.maxImageCount, CountType.IMAGE_COUNT_MORE_THAN],
      ['maxImageAge', props.maxImageAge, CountType.SINCE_IMAGE_PUSHED],
      ['maxIdleTime', props.maxIdleTime, CountType.SINCE_IMAGE_PULLED],
    ]);
  }

  /** Delete archived images some time after they were archived (at least 90 days). */
  public static expireArchived(props: ExpireArchivedRuleProps): LifecycleRule {
    return LifecycleRule.limited('expireArchived', props, ActionType.EXPIRE, [
      ['archivedFor', props.archivedFor, CountType.SINCE_IMAGE_TRANSITIONED],
    ], StorageClass.ARCHIVE);
  }

  /**
   * An anchor that shields tagged images from every lower-priority rule: it selects them and keeps up to
   * `maxImagesPerRepository` of them, more than a repository can hold, so it never acts.
   * The protected-tags guard recognises it.
   */
  public static retain(props: RetainRuleProps): LifecycleRule {
    const count = props.maxImagesPerRepository ?? LIMITS.defaultMaxImagesPerRepository;
    const rule = LifecycleRule.expire({ ...props, maxImageCount: count, tagStatus: TagStatus.TAGGED });
    const list = props.tagPatternList ?? props.tagPrefixList ?? [];
    const renamed = rule._withSource('LifecycleRule.retain()', {
      maxImageCount: 'maxImagesPerRepository', tagPatternList: 'tagPatternList', tagPrefixList: 'tagPrefixList', rulePriority: 'rulePriority',
    });
    return new LifecycleRule({ ...rule.document, description: `Retain every image tagged ${list.join(' and ')}` }, rule.problems,
      rule.hasExplicitPriority, renamed._source);
  }

  /** A rule exactly as ECR's policy JSON spells it (for example from an existing policy). */
  public static fromDocument(document: LifecycleRuleDocument): LifecycleRule {
    return new LifecycleRule(document, [], true, undefined);
  }

  private static limited(factory: string, props: TagSelectionOptions, action: ActionType,
    limits: [string, number | Duration | undefined, CountType][], storageClass?: StorageClass): LifecycleRule {
    const problems: string[] = [];
    const given = limits.filter(([, v]) => v !== undefined);
    if (given.length !== 1) {
      problems.push(`LifecycleRule.${factory}(): got ${given.length === 0 ? 'no limit' : given.map(([n]) => `'${n}'`).join(' and ')}; `
        + `set exactly one of ${limits.map(([n]) => `'${n}'`).join(', ')}.`);
    }
    const [name, value, countType] = given[0] ?? limits[0];
    const hasList = props.tagPatternList !== undefined || props.tagPrefixList !== undefined;
    if (!hasList && props.tagStatus === undefined) {
      problems.push(`LifecycleRule.${factory}(): got neither 'tagStatus' nor a tag list; say which images the rule selects, `
        + "for example tagPatternList: ['dev-*'] or tagStatus: TagStatus.UNTAGGED.");
    }
    const countNumber = typeof value === 'number' || value === undefined ? value ?? 1 : LifecycleRule.days(factory, name, value, problems);
    const document: LifecycleRuleDocument = {
      rulePriority: props.rulePriority ?? 0,
      description: props.description,
      selection: {
        tagStatus: props.tagStatus ?? (hasList ? TagStatus.TAGGED : TagStatus.ANY),
        tagPrefixList: props.tagPrefixList,
        tagPatternList: props.tagPatternList,
        storageClass,
        countType,
        countUnit: countType === CountType.IMAGE_COUNT_MORE_THAN ? undefined : 'days',
        countNumber,
      },
      action: action === ActionType.TRANSITION ? { type: action, targetStorageClass: StorageClass.ARCHIVE } : { type: action },
    };
    return new LifecycleRule(document, problems, props.rulePriority !== undefined, {
      origin: `LifecycleRule.${factory}()`,
      fields: LifecycleRule.fieldsOf(props, name, value),
    });
  }

  /** Which prop of a factory rendered which of ECR's fields, so ECR's rules are reported in the author's words. */
  private static fieldsOf(props: TagSelectionOptions, limit: string, value: number | Duration | undefined): Record<string, FieldSource> {
    const fields: Record<string, FieldSource> = {};
    const written = (prop: string, v: unknown) => ({ prop, value: showValue(v, 100) });
    if (value !== undefined) {
      fields['selection.countNumber'] = typeof value === 'number' ? written(limit, value) : { prop: limit, value: value.toHumanString() };
    }
    if (props.rulePriority !== undefined) fields.rulePriority = written('rulePriority', props.rulePriority);
    if (props.tagStatus !== undefined) fields['selection.tagStatus'] = written('tagStatus', props.tagStatus);
    for (const list of ['tagPatternList', 'tagPrefixList'] as const) {
      const entries = props[list];
      if (entries === undefined) continue;
      fields[`selection.${list}`] = written(list, entries);
      entries.forEach((entry, i) => { fields[`selection.${list}[${i}]`] = written(`${list}[${i}]`, entry); });
    }
    return fields;
  }

  private static days(factory: string, name: string, duration: Duration, problems: string[]): number {
    if (duration.isUnresolved()) return duration.toDays();
    const days = duration.toDays({ integral: false });
    // A NaN duration has no human form.
    const written = duration.toHumanString() || `${showValue(days, 100)} days`;
    if (!Number.isInteger(days)) problems.push(`LifecycleRule.${factory}(): '${name}': got ${written}; ECR counts whole days. Use Duration.days(n).`);
    return days;
  }

  /** @internal */
  public readonly _problems: string[];
  /** How the author wrote the rule, for messages in the author's words; none for a rule read from ECR's JSON. @internal */
  public readonly _source?: RuleSource;

  private constructor(
    /** The rule in ECR's JSON form; `rulePriority` is 0 until the policy assigns one when none was given. */
    public readonly document: LifecycleRuleDocument,
    problems: string[],
    /** Whether the rule was given a priority; otherwise its policy assigns one. */
    public readonly hasExplicitPriority: boolean,
    source: RuleSource | undefined,
  ) {
    this._problems = problems;
    this._source = source;
  }

  /** Problems found while building the rule (reported by `LifecyclePolicy.validate()`). */
  public get problems(): string[] {
    return [...this._problems];
  }

  /** The same rule with another priority. */
  public withPriority(rulePriority: number): LifecycleRule {
    return new LifecycleRule({ ...this.document, rulePriority }, this._problems, true, this._source);
  }

  /**
   * The same rule as a preset built it: problems name the preset's `origin` and its options, `rename` mapping the
   * factory's props (`maxImageCount`, `tagPatternList[0]`) to them; fields the preset's author did not write keep
   * ECR's names. @internal
   */
  public _withSource(origin: string, rename: Readonly<Record<string, string>>): LifecycleRule {
    const fields: Record<string, FieldSource> = {};
    for (const [field, written] of Object.entries(this._source?.fields ?? {})) {
      const entry = /^(.*)(\[\d+\])$/.exec(written.prop);
      const prop = rename[written.prop] ?? (entry && rename[entry[1]] !== undefined ? `${rename[entry[1]]}${entry[2]}` : undefined);
      if (prop !== undefined) fields[field] = { prop, value: written.value };
    }
    return new LifecycleRule(this.document, this._problems, this.hasExplicitPriority, { origin, fields });
  }

}
