import { Duration } from 'aws-cdk-lib';
import { globCovers } from './glob';
import { LifecyclePolicy } from './policy';
import { LifecycleRule } from './rule';
import { TagStatus } from './types';
import { COMMIT_TAG_GLOB, SEMVER_TAG_GLOB } from '../private/tag-vocabulary';

/** Properties of the recommended policy. */
export interface RecommendedLifecyclePolicyProps {
  /**
   * Tag patterns of images that must never be expired or archived; each gets a retain anchor ahead of every other rule,
   * and the protected-tags guard checks the whole policy.
   * @default - nothing is protected
   */
  readonly protectedTags?: string[];
  /**
   * Tag patterns of release images, of which the newest `keepReleases` are kept. A pattern that is also protected
   * gets no count rule: protection wins, every such release is kept.
   * @default ['*.*.*'] (the semantic versions `ImageBuildProject` pushes, such as `1.4.0`)
   */
  readonly releaseTagPatterns?: string[];
  /**
   * How many release images to keep (per release pattern).
   * @default 30
   */
  readonly keepReleases?: number;
  /**
   * Tag patterns of commit images, of which the newest `keepCommits` are kept: every build pushes one, so without
   * this rule they pile up. A commit image that also carries a protected or release tag is claimed by that earlier
   * rule and kept as long as it is.
   * @default ['sha-*'] (the commit tags `ImageBuildProject` pushes)
   */
  readonly commitTagPatterns?: string[];
  /**
   * How many commit images to keep (per commit pattern).
   * @default 50
   */
  readonly keepCommits?: number;
  /**
   * Tag patterns of short-lived images (branches, pull requests, dev builds), one rule each.
   * @default - no rule for short-lived tags
   */
  readonly shortLivedTagPatterns?: string[];
  /**
   * How long short-lived images are kept after their push.
   * @default Duration.days(30)
   */
  readonly shortLivedMaxAge?: Duration;
  /**
   * How long untagged images (superseded builds, dangling layers of a moved tag) are kept after their push.
   * @default Duration.days(14)
   */
  readonly untaggedMaxAge?: Duration;
  /**
   * Archive any remaining image not pulled for this long.
   * @default - nothing is archived
   */
  readonly archiveAfterIdle?: Duration;
  /**
   * Delete archived images this long after they were archived (at least 90 days). Only used with `archiveAfterIdle`.
   * With `protectedTags`, only untagged archived images are deleted: ECR cannot shield archived images from an
   * archive rule, and a protected image may have been archived by hand.
   * @default - archived images are kept
   */
  readonly expireArchivedAfter?: Duration;
}

function keepNewest(count: number, tagPatternList: string[]): LifecycleRule[] {
  return tagPatternList.map((pattern) => LifecycleRule.expire({ tagPatternList: [pattern], maxImageCount: count }));
}

/**
 * Lifecycle rules that encode good practice. Each documents what it keeps and what it removes.
 */
export class LifecyclePresets {
  /**
   * Keeps the newest `count` images whose tags match one of the release patterns (for example `1.2.3`) and expires
   * older releases. One rule per pattern. Removes: release images beyond the newest `count` of their pattern.
   * @param tagPatternList @default ['*.*.*']
   */
  public static keepNewestReleases(count: number, tagPatternList: string[] = [SEMVER_TAG_GLOB]): LifecycleRule[] {
    return keepNewest(count, tagPatternList);
  }

  /**
   * Keeps the newest `count` commit images (for example `sha-1a2b3c4`) and expires older ones. One rule per pattern.
   * Removes: commit images beyond the newest `count`, unless an earlier rule (an environment tag's retain anchor, a
   * release rule) claimed them.
   * @param tagPatternList @default ['sha-*']
   */
  public static keepNewestCommits(count: number, tagPatternList: string[] = [COMMIT_TAG_GLOB]): LifecycleRule[] {
    return keepNewest(count, tagPatternList);
  }

  /** Expires untagged images pushed more than `maxAge` ago. Keeps: every tagged image. */
  public static expireUntagged(maxAge: Duration): LifecycleRule {
    return LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageAge: maxAge });
  }

  /**
   * Expires short-lived images (one rule per pattern, for example `dev-*`, `pr-*`, `feature-*`) pushed more than
   * `maxAge` ago. Keeps: images not matching the patterns, and images a higher-priority rule claimed.
   */
  public static expireShortLived(tagPatternList: string[], maxAge: Duration): LifecycleRule[] {
    return tagPatternList.map((pattern) => LifecycleRule.expire({ tagPatternList: [pattern], maxImageAge: maxAge }));
  }

  /**
   * Archives every image (of those no earlier rule claimed) not pulled for `maxIdleTime`; a never-pulled image counts
   * from its push. Keeps: images pulled recently. Archived images stay listed and can be restored.
   */
  public static archiveUnpulled(maxIdleTime: Duration): LifecycleRule {
    return LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime });
  }

  /**
   * Deletes archived images archived more than `archivedFor` ago (at least 90 days). Keeps: every active image, and
   * with `tagStatus: UNTAGGED` every tagged archived image.
   */
  public static expireArchived(archivedFor: Duration, tagStatus: TagStatus = TagStatus.ANY): LifecycleRule {
    return LifecycleRule.expireArchived({ tagStatus, archivedFor });
  }

  /**
   * The policy we recommend, in priority order: retain anchors for protected tags; the newest releases; the newest
   * commit images; short-lived tags by age; untagged images by age; optionally archive idle images and delete them
   * from the archive later. Its default tags are the ones `ImageBuildProject` pushes (`sha-<commit>`, `1.2.3`).
   */
  public static recommended(props: RecommendedLifecyclePolicyProps = {}): LifecyclePolicy {
    const origin = 'LifecyclePresets.recommended()';
    const protectedTags = props.protectedTags ?? [];
    // Each rule's problems name the option the user wrote (`keepReleases`, `releaseTagPatterns[1]`), not the
    // factory's prop or ECR's field.
    const patternRules = (option: string, given: string[] | undefined, fallback: string[], unprotectedOnly: boolean,
      build: (pattern: string) => LifecycleRule, limit?: [string, string]) =>
      (given ?? fallback).flatMap((pattern, i) => {
        if (unprotectedOnly && protectedTags.some((q) => globCovers(q, pattern))) return [];
        return [build(pattern)._withSource(origin, {
          ...(given !== undefined ? { 'tagPatternList[0]': `${option}[${i}]` } : {}),
          ...(limit ? { [limit[0]]: limit[1] } : {}),
        })];
      });
    const rules = [
      ...patternRules('protectedTags', protectedTags, [], false, (p) => LifecycleRule.retain({ tagPatternList: [p] })),
      ...patternRules('releaseTagPatterns', props.releaseTagPatterns, [SEMVER_TAG_GLOB], true,
        (p) => LifecycleRule.expire({ tagPatternList: [p], maxImageCount: props.keepReleases ?? 30 }),
        props.keepReleases !== undefined ? ['maxImageCount', 'keepReleases'] : undefined),
      ...patternRules('commitTagPatterns', props.commitTagPatterns, [COMMIT_TAG_GLOB], true,
        (p) => LifecycleRule.expire({ tagPatternList: [p], maxImageCount: props.keepCommits ?? 50 }),
        props.keepCommits !== undefined ? ['maxImageCount', 'keepCommits'] : undefined),
      ...patternRules('shortLivedTagPatterns', props.shortLivedTagPatterns, [], false,
        (p) => LifecycleRule.expire({ tagPatternList: [p], maxImageAge: props.shortLivedMaxAge ?? Duration.days(30) }),
        props.shortLivedMaxAge !== undefined ? ['maxImageAge', 'shortLivedMaxAge'] : undefined),
      LifecyclePresets.expireUntagged(props.untaggedMaxAge ?? Duration.days(14))._withSource(origin, { maxImageAge: 'untaggedMaxAge' }),
    ];
    if (props.archiveAfterIdle) {
      rules.push(LifecyclePresets.archiveUnpulled(props.archiveAfterIdle)._withSource(origin, { maxIdleTime: 'archiveAfterIdle' }));
      if (props.expireArchivedAfter) {
        rules.push(LifecyclePresets.expireArchived(props.expireArchivedAfter, protectedTags.length > 0 ? TagStatus.UNTAGGED : TagStatus.ANY)
          ._withSource(origin, { archivedFor: 'expireArchivedAfter' }));
      }
    }
    return new LifecyclePolicy({ rules, protectedTags });
  }
}
