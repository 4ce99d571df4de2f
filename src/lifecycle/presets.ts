import { Duration } from 'aws-cdk-lib';
import { globCovers } from './glob';
import { LifecyclePolicy } from './policy';
import { LifecycleRule } from './rule';
import { TagStatus } from './types';

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
   * @default ['v*.*.*']
   */
  readonly releaseTagPatterns?: string[];
  /**
   * How many release images to keep (per release pattern).
   * @default 30
   */
  readonly keepReleases?: number;
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

/**
 * Lifecycle rules that encode good practice. Each documents what it keeps and what it removes.
 */
export class LifecyclePresets {
  /**
   * Keeps the newest `count` images whose tags match one of the release patterns (for example `v1.2.3`) and expires
   * older releases. One rule per pattern. Removes: release images beyond the newest `count` of their pattern.
   */
  public static keepNewestReleases(count: number, tagPatternList: string[] = ['v*.*.*']): LifecycleRule[] {
    return tagPatternList.map((pattern) => LifecycleRule.expire({ tagPatternList: [pattern], maxImageCount: count }));
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
   * The policy we recommend, in priority order: retain anchors for protected tags; the newest releases; short-lived
   * tags by age; untagged images by age; optionally archive idle images and delete them from the archive later.
   */
  public static recommended(props: RecommendedLifecyclePolicyProps = {}): LifecyclePolicy {
    const protectedTags = props.protectedTags ?? [];
    const rules = [
      ...protectedTags.map((pattern) => LifecycleRule.retain({ tagPatternList: [pattern] })),
      ...LifecyclePresets.keepNewestReleases(props.keepReleases ?? 30,
        (props.releaseTagPatterns ?? ['v*.*.*']).filter((p) => !protectedTags.some((q) => globCovers(q, p)))),
      ...LifecyclePresets.expireShortLived(props.shortLivedTagPatterns ?? [], props.shortLivedMaxAge ?? Duration.days(30)),
      LifecyclePresets.expireUntagged(props.untaggedMaxAge ?? Duration.days(14)),
    ];
    if (props.archiveAfterIdle) {
      rules.push(LifecyclePresets.archiveUnpulled(props.archiveAfterIdle));
      if (props.expireArchivedAfter) {
        rules.push(LifecyclePresets.expireArchived(props.expireArchivedAfter, protectedTags.length > 0 ? TagStatus.UNTAGGED : TagStatus.ANY));
      }
    }
    return new LifecyclePolicy({ rules, protectedTags });
  }
}
