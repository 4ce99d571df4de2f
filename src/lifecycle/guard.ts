import { globCovers, prefixAsPattern } from './glob';
import { CountType, LifecyclePolicyDocument, LifecycleRuleDocument, LIMITS, ruleLabel, StorageClass, TagStatus } from './types';

/** Options of the protected-tags guard. */
export interface ProtectionOptions {
  /** Tag patterns (`*` wildcards) whose images must never be expired or archived, for example `prod*` or `v*.*.*`. */
  readonly protectedTags: readonly string[];
  /**
   * The most images one repository can hold. A count rule keeping at least this many images can never act,
   * so it shields the images it selects (see `LifecycleRule.retain`).
   * @default 100000 (ECR's default quota of images per repository)
   */
  readonly maxImagesPerRepository?: number;
}

/** The tag entries of a tagged rule as patterns (`abc` prefix = `abc*`). */
function entries(rule: LifecycleRuleDocument): string[] {
  const s = rule.selection;
  return s.tagPatternList ?? (s.tagPrefixList ?? []).map(prefixAsPattern);
}

function risk(rule: LifecycleRuleDocument, pattern: string): string {
  if ((rule.selection.storageClass ?? StorageClass.STANDARD) === StorageClass.ARCHIVE) {
    return `could expire archived images tagged '${pattern}' (archived by hand), which are protected, and ECR offers no way to `
      + "shield archived images. Make this rule select untagged images only, or stop protecting '" + pattern + "'.";
  }
  const verb = rule.action.type === 'transition' ? 'archive' : 'expire';
  return `could ${verb} images tagged '${pattern}', which are protected. `
    + `Add LifecycleRule.retain({ tagPatternList: ['${pattern}'] }) before it, or stop protecting '${pattern}'.`;
}

/**
 * Checks that no image carrying a protected tag could ever be expired or archived under `policy`.
 *
 * An image may carry any other tags besides a protected one (promotion adds `prod` to an image that already has
 * `dev-…` or `sha-…` tags), so every `any` rule and every `tagged` rule could select it; `untagged` rules never can.
 * Such an image is only safe once a higher-priority rule of the same storage class selects every image carrying the
 * protected tag (each of its entries covers the pattern) and can never act: a `retain` anchor, which keeps at least
 * `maxImagesPerRepository` images. Count rules cannot select archived images, so in the archive storage class only
 * `untagged` rules are safe. Returns one message per rule and protected pattern at risk.
 */
export function protectionProblems(policy: LifecyclePolicyDocument, options: ProtectionOptions): string[] {
  const max = options.maxImagesPerRepository ?? LIMITS.defaultMaxImagesPerRepository;
  const problems: string[] = [];
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const cls of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
    const classRules = rules.filter((r) => (r.selection.storageClass ?? StorageClass.STANDARD) === cls);
    for (const pattern of options.protectedTags) {
      for (const rule of classRules) {
        if (rule.selection.tagStatus === TagStatus.UNTAGGED) continue;
        const covers = rule.selection.tagStatus === TagStatus.ANY || entries(rule).every((e) => globCovers(e, pattern));
        const neverActs = rule.selection.countType === CountType.IMAGE_COUNT_MORE_THAN && rule.selection.countNumber >= max;
        if (!neverActs) problems.push(`${ruleLabel(rule)}: ${risk(rule, pattern)}`);
        // Everything carrying the protected tag is claimed from here on: later rules cannot touch it.
        if (covers) break;
      }
    }
  }
  return problems;
}
