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

/**
 * Why a protected pattern cannot be checked, or undefined. A protected pattern selects image tags, which are at most
 * 300 characters, so a longer one protects nothing a shorter one does not; refusing it also bounds the guard's work,
 * which grows with the product of pattern lengths.
 */
export function protectedPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'an empty pattern matches no tag. Remove it or name the tags to protect.';
  if (pattern.length > LIMITS.maxTagLength) {
    return `has ${pattern.length} characters; image tags have at most ${LIMITS.maxTagLength}, and so may the patterns that protect them. Shorten it.`;
  }
  return undefined;
}

/** The tag entries of a tagged rule as patterns (`abc` prefix = `abc*`). */
function entries(rule: LifecycleRuleDocument): string[] {
  const s = rule.selection;
  return s.tagPatternList ?? (s.tagPrefixList ?? []).map(prefixAsPattern);
}

/** A rule that could expire or archive images carrying a protected tag pattern. */
export interface ProtectionRisk {
  readonly rule: LifecycleRuleDocument;
  readonly pattern: string;
  /** What the rule could do, for example "could expire images tagged 'dev'". */
  readonly effect: string;
  /** Why the usual remedy does not apply, if it does not. */
  readonly caveat?: string;
  /** How to keep those images under this policy, for example "Add LifecycleRule.retain(...) before it". */
  readonly fix: string;
}

function riskOf(rule: LifecycleRuleDocument, pattern: string): ProtectionRisk {
  if ((rule.selection.storageClass ?? StorageClass.STANDARD) === StorageClass.ARCHIVE) {
    return {
      rule,
      pattern,
      effect: `could expire archived images tagged '${pattern}' (archived by hand)`,
      caveat: 'ECR offers no way to shield archived images',
      fix: 'Make this rule select untagged images only',
    };
  }
  const verb = rule.action.type === 'transition' ? 'archive' : 'expire';
  return { rule, pattern, effect: `could ${verb} images tagged '${pattern}'`, fix: `Add LifecycleRule.retain({ tagPatternList: ['${pattern}'] }) before it` };
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
  return protectionRisks(policy, options).map((r) => `${ruleLabel(r.rule)}: ${r.effect}, which are protected${r.caveat ? `, and ${r.caveat}` : ''}. `
    + `${r.fix}, or stop protecting '${r.pattern}'.`);
}

/** The rules that could expire or archive images carrying a protected pattern, one entry per rule and pattern. */
export function protectionRisks(policy: LifecyclePolicyDocument, options: ProtectionOptions): ProtectionRisk[] {
  const max = options.maxImagesPerRepository ?? LIMITS.defaultMaxImagesPerRepository;
  const risks: ProtectionRisk[] = [];
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const cls of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
    const classRules = rules.filter((r) => (r.selection.storageClass ?? StorageClass.STANDARD) === cls);
    for (const pattern of options.protectedTags) {
      for (const rule of classRules) {
        if (rule.selection.tagStatus === TagStatus.UNTAGGED) continue;
        const covers = rule.selection.tagStatus === TagStatus.ANY || entries(rule).every((e) => globCovers(e, pattern));
        const neverActs = rule.selection.countType === CountType.IMAGE_COUNT_MORE_THAN && rule.selection.countNumber >= max;
        if (!neverActs) risks.push(riskOf(rule, pattern));
        // Everything carrying the protected tag is claimed from here on: later rules cannot touch it.
        if (covers) break;
      }
    }
  }
  return risks;
}
