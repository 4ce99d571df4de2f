import { wildcardCount } from './glob';
import { protectedPatternProblem, protectionProblems } from './guard';
import { policyTextProblems } from './render';
import { clip, showValue } from './show';
import type { LifecyclePolicyDocument } from './types';
import { ActionType, CountType, LIMITS, ruleLabel, StorageClass, TagStatus } from './types';

/** Options of a policy validation. */
export interface ValidateOptions {
  /**
   * Values for which this returns true are unresolved (for example CDK tokens) and are not checked.
   * The pure engine knows nothing of CDK; constructs pass `Token.isUnresolved`.
   */
  readonly isUnresolved?: (value: unknown) => boolean;
  /**
   * Problems already known for the rule at `index` (for example from a typed builder); when it returns any, they
   * replace that rule's own checks, so one mistake is not reported twice. Cross-rule checks still see the rule.
   */
  readonly knownRuleProblems?: (index: number) => readonly string[];
  /**
   * How the author wrote the rule at `index` (for example with `LifecycleRule.expire`): its problems then name the
   * author's prop and keep ECR's field as the reason. Without it (raw ECR JSON, as the CLI reads) they name ECR's fields.
   */
  readonly ruleSource?: (index: number) => RuleSource | undefined;
}

/** The prop an author wrote for one of ECR's fields, and its value as written. */
export interface FieldSource {
  readonly prop: string;
  readonly value: string;
}

/** How the author of a rule wrote it: who built it, and which of its props rendered which ECR field. */
export interface RuleSource {
  /** The factory the author called, for example `LifecycleRule.expire()` or `LifecyclePresets.recommended()`. */
  readonly origin: string;
  /** The author's prop by ECR field (`selection.countNumber`, `selection.tagPatternList[0]`, `rulePriority`). */
  readonly fields: Readonly<Record<string, FieldSource>>;
}

const RULE_KEYS = new Set(['rulePriority', 'description', 'selection', 'action']);
const SELECTION_KEYS = new Set(['tagStatus', 'tagPrefixList', 'tagPatternList', 'storageClass', 'countType', 'countUnit', 'countNumber']);
const ACTION_KEYS = new Set(['type', 'targetStorageClass']);
const SINCE_TYPES: ReadonlySet<string> = new Set([CountType.SINCE_IMAGE_PUSHED, CountType.SINCE_IMAGE_PULLED, CountType.SINCE_IMAGE_TRANSITIONED]);
// Characters ECR allows in an image tag, plus the wildcard in patterns.
const TAG_CHARS = /^[A-Za-z0-9_.*-]+$/;

const show = (v: unknown) => showValue(v, 100);
/** A field name read from the input: it may be long or hold control characters. */
const fieldName = (key: string) => clip(key, 60);
const values = (e: object) => Object.values(e).map((v) => `'${v}'`).join(', ');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every rule ECR enforces on a lifecycle policy, checked offline. Returns one message per problem, all of them at once;
 * an empty list means ECR would accept the policy (text length is checked by the renderer, see `renderPolicy`).
 * `policy` may be anything parsed from JSON: wrong types are reported, never thrown.
 */
export function validatePolicyDocument(policy: unknown, options: ValidateOptions = {}): string[] {
  const unresolved = options.isUnresolved ?? (() => false);
  const problems: string[] = [];
  if (!isObject(policy) || !Array.isArray(policy.rules)) {
    return [`policy: got ${show(policy)}; a lifecycle policy is an object with a 'rules' array. Write it as {"rules": [...]}.`];
  }
  for (const key of Object.keys(policy).filter((k) => k !== 'rules')) {
    problems.push(`policy: unknown field '${fieldName(key)}'; ECR accepts only 'rules'. Remove it.`);
  }
  const rules = policy.rules as unknown[];
  if (rules.length === 0) {
    problems.push('policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.');
  }
  if (rules.length > LIMITS.maxRules) {
    problems.push(`policy: rules: got ${rules.length} rules; ECR allows at most ${LIMITS.maxRules} (not adjustable). Merge rules with tag patterns.`);
  }
  rules.forEach((rule, index) => {
    const known = options.knownRuleProblems?.(index) ?? [];
    if (known.length > 0) {
      problems.push(...known);
      return;
    }
    if (!isObject(rule)) {
      problems.push(`rule #${index + 1}: got ${show(rule)}; each rule is an object with 'rulePriority', 'selection' and 'action'.`);
      return;
    }
    problems.push(...validateRule(rule, unresolved, options.ruleSource?.(index)));
  });
  problems.push(...validateAcrossRules(rules.filter(isObject), unresolved));
  return problems;
}

/** Why `n` is no integer ECR takes, or undefined; `belowOne` says why when it is no whole number of at least 1. */
function integerProblem(n: unknown, belowOne: string): string | undefined {
  if (!(Number.isInteger(n) && (n as number) >= 1)) return belowOne;
  if ((n as number) > LIMITS.maxInteger) return `must be at most ${LIMITS.maxInteger}, the largest integer ECR stores. Use a smaller number.`;
  return undefined;
}

function validateRule(rule: Record<string, unknown>, unresolved: (v: unknown) => boolean, source?: RuleSource): string[] {
  const p: string[] = [];
  const label = ruleLabel(rule);
  const say = (field: string, value: unknown, rest: string) => {
    const written = source?.fields[field];
    p.push(written
      ? `${label}: ${source!.origin}: prop '${written.prop}': got ${written.value}; ECR's ${field}: ${rest}`
      : `${label}: ${field}: got ${show(value)}; ${rest}`);
  };

  for (const key of Object.keys(rule).filter((k) => !RULE_KEYS.has(k))) say(fieldName(key), rule[key], `unknown field; ECR accepts ${[...RULE_KEYS].join(', ')}. Remove it.`);
  const priority = rule.rulePriority;
  const priorityProblem = unresolved(priority) ? undefined
    : integerProblem(priority, 'must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.');
  if (priorityProblem) say('rulePriority', priority, priorityProblem);
  if (rule.description !== undefined && typeof rule.description !== 'string') say('description', rule.description, 'must be a string. Quote it or remove it.');
  const sel = rule.selection;
  const act = rule.action;
  if (!isObject(sel)) say('selection', sel, "must be an object with 'tagStatus', 'countType' and 'countNumber'.");
  if (!isObject(act)) say('action', act, 'must be an object such as {"type": "expire"}.');
  if (!isObject(sel) || !isObject(act)) return p;

  for (const key of Object.keys(sel).filter((k) => !SELECTION_KEYS.has(k))) say(`selection.${fieldName(key)}`, sel[key], `unknown field; ECR accepts ${[...SELECTION_KEYS].join(', ')}. Remove it.`);
  for (const key of Object.keys(act).filter((k) => !ACTION_KEYS.has(k))) say(`action.${fieldName(key)}`, act[key], `unknown field; ECR accepts ${[...ACTION_KEYS].join(', ')}. Remove it.`);

  // Tag selection
  const status = sel.tagStatus;
  const hasPrefixes = sel.tagPrefixList !== undefined;
  const hasPatterns = sel.tagPatternList !== undefined;
  if (!Object.values(TagStatus).includes(status as TagStatus)) {
    say('selection.tagStatus', status, `must be one of ${values(TagStatus)}.`);
  } else if (status === TagStatus.TAGGED) {
    if (hasPrefixes && hasPatterns) {
      say('selection', { tagPrefixList: sel.tagPrefixList, tagPatternList: sel.tagPatternList }, "a tagged rule takes either 'tagPrefixList' or 'tagPatternList', not both. Keep one.");
    } else if (!hasPrefixes && !hasPatterns) {
      say('selection.tagPatternList', undefined, "a tagged rule needs 'tagPatternList' or 'tagPrefixList'. Name the tags it selects, for example [\"dev-*\"].");
    }
  } else if (hasPrefixes || hasPatterns) {
    say(hasPrefixes ? 'selection.tagPrefixList' : 'selection.tagPatternList', hasPrefixes ? sel.tagPrefixList : sel.tagPatternList,
      `only a 'tagged' rule takes a tag list, this one is '${status}'. Remove the list or set tagStatus to 'tagged'.`);
  }
  for (const [field, isPattern] of [['tagPrefixList', false], ['tagPatternList', true]] as const) {
    const list = sel[field];
    if (list === undefined || unresolved(list)) continue;
    if (!Array.isArray(list) || list.length === 0) {
      say(`selection.${field}`, list, 'must be a non-empty list of strings.');
      continue;
    }
    list.forEach((entry, i) => {
      const where = `selection.${field}[${i}]`;
      if (unresolved(entry)) {
        return;
      } else if (typeof entry !== 'string' || entry.length === 0) {
        say(where, entry, 'must be a non-empty string.');
      } else if (entry.length - wildcardCount(entry) > LIMITS.maxTagLength) {
        // Before the characters: a length no tag can have is the cheapest sign that the entry can never match.
        say(where, entry, `has ${entry.length - wildcardCount(entry)} characters besides wildcards; an image tag has at most ${LIMITS.maxTagLength}, `
          + 'so it can never match. Shorten it.');
      } else if (!TAG_CHARS.test(entry)) {
        say(where, entry, "can never match: image tags use only letters, digits, '_', '.' and '-'. Fix the characters.");
      } else if (!isPattern && entry.includes('*')) {
        say(where, entry, "a prefix is literal and tags never contain '*'. Move wildcards to 'tagPatternList'.");
      } else if (isPattern && wildcardCount(entry) > LIMITS.maxWildcardsPerPattern) {
        say(where, entry, `has ${wildcardCount(entry)} wildcards; ECR allows at most ${LIMITS.maxWildcardsPerPattern} per pattern. Simplify it.`);
      }
    });
  }

  // Storage class, count and action
  const storage = sel.storageClass ?? StorageClass.STANDARD;
  if (!Object.values(StorageClass).includes(storage as StorageClass)) say('selection.storageClass', sel.storageClass, `must be one of ${values(StorageClass)}.`);
  const countType = sel.countType;
  const countTypeOk = Object.values(CountType).includes(countType as CountType);
  if (!countTypeOk) say('selection.countType', countType, `must be one of ${values(CountType)}.`);
  if (countTypeOk) {
    if (SINCE_TYPES.has(countType as string)) {
      if (sel.countUnit !== 'days') say('selection.countUnit', sel.countUnit, `'${countType}' needs countUnit 'days'. Set "countUnit": "days".`);
    } else if (sel.countUnit !== undefined) {
      say('selection.countUnit', sel.countUnit, `'${countType}' counts images and takes no unit. Remove countUnit.`);
    }
  }
  const n = sel.countNumber;
  const countProblem = unresolved(n) ? undefined : integerProblem(n, 'must be a positive whole number (0 is not accepted).');
  if (countProblem) say('selection.countNumber', n, countProblem);

  const type = act.type;
  if (!Object.values(ActionType).includes(type as ActionType)) {
    say('action.type', type, `must be one of ${values(ActionType)}.`);
  } else if (type === ActionType.TRANSITION) {
    if (act.targetStorageClass !== StorageClass.ARCHIVE) say('action.targetStorageClass', act.targetStorageClass, "a transition needs targetStorageClass 'archive', the only target ECR offers.");
  } else if (act.targetStorageClass !== undefined) {
    say('action.targetStorageClass', act.targetStorageClass, 'only a transition takes a target storage class. Remove it from this expire action.');
  }

  if (countType === CountType.SINCE_IMAGE_PULLED && type === ActionType.EXPIRE) {
    say('action.type', type, "'sinceImagePulled' can only transition images to archive, not expire them. Use \"action\": {\"type\": \"transition\", \"targetStorageClass\": \"archive\"}.");
  }
  if (countType === CountType.SINCE_IMAGE_TRANSITIONED) {
    if (type === ActionType.TRANSITION) say('action.type', type, "'sinceImageTransitioned' can only expire archived images. Use \"action\": {\"type\": \"expire\"}.");
    if (storage !== StorageClass.ARCHIVE) say('selection.storageClass', sel.storageClass, "'sinceImageTransitioned' selects archived images only. Set \"storageClass\": \"archive\".");
    if (!unresolved(n) && countProblem === undefined && (n as number) < LIMITS.minDaysBeforeArchiveExpiry) {
      say('selection.countNumber', n, `archived images have a ${LIMITS.minDaysBeforeArchiveExpiry}-day minimum storage duration. Use ${LIMITS.minDaysBeforeArchiveExpiry} days or more.`);
    }
  } else if (countTypeOk && storage === StorageClass.ARCHIVE) {
    say('selection.storageClass', storage, `'${countType}' selects standard images only; archived images are selected by 'sinceImageTransitioned'. Remove storageClass or change countType.`);
  }
  return p;
}

/**
 * `items` grouped by `key`, groups and their members in first-seen order; items whose key is undefined are left out.
 * Appends in place: copying a group on every insert made 100,000 rules of one storage class take minutes.
 */
function groupBy<T>(items: readonly T[], key: (item: T) => unknown): Map<unknown, T[]> {
  const groups = new Map<unknown, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item); else groups.set(k, [item]);
  }
  return groups;
}

/** The labels of `rules` for a message, the first few only: a message names rules, it does not list a whole policy. */
function labels(rules: readonly Record<string, unknown>[]): string {
  const named = rules.slice(0, LABELLED_RULES).map(ruleLabel).join(', ');
  return rules.length > LABELLED_RULES ? `${named} and ${rules.length - LABELLED_RULES} more` : named;
}
const LABELLED_RULES = 5;

function validateAcrossRules(rules: Record<string, unknown>[], unresolved: (v: unknown) => boolean): string[] {
  const p: string[] = [];
  for (const [priority, same] of groupBy(rules, (r) => (unresolved(r.rulePriority) ? undefined : r.rulePriority))) {
    if (same.length > 1) {
      p.push(`policy: rulePriority: got ${show(priority)} on ${same.length} rules (${labels(same)}); priorities must be unique. Renumber them.`);
    }
  }

  const sel = (r: Record<string, unknown>) => r.selection as Record<string, unknown>;
  const sorted = rules
    .filter((r) => isObject(r.selection) && Number.isFinite(r.rulePriority))
    .sort((a, b) => (a.rulePriority as number) - (b.rulePriority as number));
  for (const [clsKey, inClass] of groupBy(sorted, (r) => sel(r).storageClass ?? StorageClass.STANDARD)) {
    const cls = typeof clsKey === 'string' ? clip(clsKey, 60) : show(clsKey);
    const untagged = inClass.filter((r) => sel(r).tagStatus === TagStatus.UNTAGGED);
    if (untagged.length > 1) {
      p.push(`policy: storage class '${cls}': ${untagged.length} rules select untagged images (${labels(untagged)}); ECR allows one per storage class. Merge them.`);
    }
    const anyRules = inClass.filter((r) => sel(r).tagStatus === TagStatus.ANY);
    for (const r of anyRules) {
      if (r !== inClass[inClass.length - 1]) {
        const last = inClass[inClass.length - 1];
        p.push(`${ruleLabel(r)}: rulePriority: got ${show(r.rulePriority)}, but ${ruleLabel(last)} selects '${cls}' images after it; a tagStatus 'any' rule must have the highest priority number of its storage class. Give it a number above ${show(last.rulePriority)}.`);
      }
    }
    const seen = new Map<string, Record<string, unknown>>();
    for (const r of inClass) {
      const s = sel(r);
      const list = s.tagPrefixList ?? s.tagPatternList;
      // Lists with other entries than strings are reported by the rule's own checks.
      if (s.tagStatus !== TagStatus.TAGGED || !Array.isArray(list) || !list.every((e) => typeof e === 'string') || list.some(unresolved)) continue;
      const key = `${s.tagPrefixList ? 'prefix' : 'pattern'}:${JSON.stringify([...new Set(list)].sort())}`;
      const first = seen.get(key);
      if (first) {
        p.push(`${ruleLabel(r)}: selection: got the same tag list ${show(list)} as ${ruleLabel(first)}; the rules of one storage class need unique tag lists, and this rule could never act. Merge the two rules.`);
      } else {
        seen.set(key, r);
      }
    }
  }
  return p;
}


/** Options of a whole-policy check. */
export interface PolicyCheckOptions extends ValidateOptions {
  /** Tag patterns no rule may expire or archive (the protected-tags guard). */
  readonly protectedTags?: readonly string[];
  /** The most images one repository holds, for the guard's retain anchors. */
  readonly maxImagesPerRepository?: number;
  /** The policy text ECR would store, whose length it limits; unchecked when unknown (for example with tokens). */
  readonly text?: string;
  /** The document the guard reads, when it differs from `policy` (rendered, so its messages show rule descriptions). */
  readonly guarded?: LifecyclePolicyDocument;
}

/**
 * Every problem of a policy, in one order for every caller: ECR's rules, the text length (ECR rejects a text of the
 * wrong length whatever it holds), then the protected-tags guard, which reads well-formed policies only.
 */
export function checkPolicy(policy: unknown, options: PolicyCheckOptions = {}): string[] {
  const structural = validatePolicyDocument(policy, options);
  const protectedTags = options.protectedTags ?? [];
  const unusable = protectedTags.flatMap((pattern, i) => {
    const problem = protectedPatternProblem(pattern);
    return problem === undefined ? [] : [`policy: protectedTags[${i}]: got ${show(pattern)}; ${problem}`];
  });
  const guard = { protectedTags, maxImagesPerRepository: options.maxImagesPerRepository };
  return [
    ...structural,
    ...(options.text === undefined ? [] : policyTextProblems(options.text)),
    ...unusable,
    ...(structural.length > 0 || unusable.length > 0 ? [] : protectionProblems(options.guarded ?? (policy as LifecyclePolicyDocument), guard)),
  ];
}
