import * as fc from 'fast-check';
import { referenceSimulate } from './reference-simulator';
import { compileGlob, globCovers, globMatches } from '../../src/lifecycle/glob';
import { protectionProblems } from '../../src/lifecycle/guard';
import { parsePolicyJson } from '../../src/lifecycle/parse';
import { renderPolicyDocument } from '../../src/lifecycle/render';
import { ImageRecord, simulatePolicy } from '../../src/lifecycle/simulate';
import { LifecyclePolicyDocument, LifecycleRuleDocument } from '../../src/lifecycle/types';
import { validatePolicyDocument } from '../../src/lifecycle/validate';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27);
const TAGS = ['prod', 'prod-eu', 'v1.2.3', 'v2.0.0', 'dev-1', 'dev-2', 'pr-7', 'sha-abc', 'release', 'feature-x'];
/** Tags and patterns over a two-letter alphabet: pieces of a pattern overlap in a tag often (`ab*ba` against `aba`). */
const SMALL = fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 1, maxLength: 6 });
const SMALL_PATTERN = fc.string({ unit: fc.constantFrom('a', 'b', '*'), minLength: 1, maxLength: 6 })
  .filter((p) => /[ab]/.test(p[0]) && (p.match(/\*/g) ?? []).length <= 4);
const PATTERNS = ['prod*', 'v*.*.*', 'dev-*', '*-1', 'pr-*', '*', 'sha-*', 'v*', '*e*', 'release'];
const PREFIXES = ['prod', 'v', 'dev-', 'sha-', 'p', 'release'];
const PROTECTED = ['prod*', 'v*.*.*', 'release'];

type Draft = Omit<LifecycleRuleDocument, 'rulePriority'>;

const tagList = fc.oneof(
  fc.uniqueArray(fc.oneof(fc.constantFrom(...PATTERNS), SMALL_PATTERN), { minLength: 1, maxLength: 2 }).map((tagPatternList) => ({ tagStatus: 'tagged', tagPatternList })),
  fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 2 }).map((tagPrefixList) => ({ tagStatus: 'tagged', tagPrefixList })),
);

/** Count and action of a standard-class rule, in every combination ECR accepts. */
const standardCount = fc.oneof(
  fc.record({ countType: fc.constant('imageCountMoreThan'), countNumber: fc.integer({ min: 1, max: 6 }) }),
  // A retain anchor now and then, so the guard's accepted policies are not only untagged ones.
  fc.constant({ countType: 'imageCountMoreThan', countNumber: 100_000 }),
  fc.record({ countType: fc.constantFrom('sinceImagePushed', 'sinceImagePulled'), countUnit: fc.constant('days'), countNumber: fc.integer({ min: 1, max: 400 }) }),
);
const standardAction = (countType: string) => countType === 'sinceImagePulled'
  ? fc.constant({ type: 'transition', targetStorageClass: 'archive' })
  : fc.constantFrom({ type: 'expire' }, { type: 'transition', targetStorageClass: 'archive' });

const standardRule = (select: fc.Arbitrary<object>): fc.Arbitrary<Draft> =>
  fc.tuple(select, standardCount).chain(([selection, count]) =>
    standardAction(count.countType).map((action) => ({ selection: { ...selection, ...count }, action }) as Draft));
const archiveRule = (select: fc.Arbitrary<object>): fc.Arbitrary<Draft> =>
  fc.tuple(select, fc.integer({ min: 90, max: 500 })).map(([selection, countNumber]) => ({
    selection: { ...selection, storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber },
    action: { type: 'expire' },
  }) as Draft);

/** Valid by construction where it is cheap (one untagged and one any rule per class, any last); the rest is filtered. */
const policyArb: fc.Arbitrary<LifecyclePolicyDocument> = fc.record({
  tagged: fc.array(standardRule(tagList), { maxLength: 5 }),
  untagged: fc.option(standardRule(fc.constant({ tagStatus: 'untagged' })), { nil: undefined }),
  any: fc.option(standardRule(fc.constant({ tagStatus: 'any' })), { nil: undefined }),
  archived: fc.array(archiveRule(tagList), { maxLength: 2 }),
  archivedAny: fc.option(archiveRule(fc.constantFrom({ tagStatus: 'any' }, { tagStatus: 'untagged' })), { nil: undefined }),
  gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 11, maxLength: 11 }),
}).map(({ tagged, untagged, any, archived, archivedAny, gaps }) => {
  const ordered = [...tagged, ...(untagged ? [untagged] : []), ...archived, ...(any ? [any] : []), ...(archivedAny ? [archivedAny] : [])];
  let priority = 0;
  return { rules: ordered.map((rule, i) => ({ rulePriority: (priority += gaps[i]), ...rule })) };
}).filter((policy) => policy.rules.length > 0 && validatePolicyDocument(policy).length === 0);

/** Random policies behind random retain anchors (which may or may not cover the protected patterns). */
const anchoredPolicyArb = fc.tuple(fc.subarray(['prod*', 'v*', '*', 'release', 'v*.*.*', 'prod', 'dev-*']), policyArb).map(([anchors, policy]) => ({
  rules: [
    ...anchors.map((pattern, i): LifecycleRuleDocument => ({ rulePriority: i + 1, selection: { tagStatus: 'tagged', tagPatternList: [pattern], countType: 'imageCountMoreThan', countNumber: 100_000 }, action: { type: 'expire' } }) as LifecycleRuleDocument),
    ...policy.rules.map((r) => ({ ...r, rulePriority: r.rulePriority + anchors.length })),
  ],
})).filter((policy) => validatePolicyDocument(policy).length === 0);

const imageArb = (index: number): fc.Arbitrary<ImageRecord> => fc.record({
  // Whole days make equal push times (and so the digest tie-break) common.
  pushedDays: fc.integer({ min: 0, max: 800 }),
  tags: fc.uniqueArray(fc.oneof(fc.constantFrom(...TAGS), SMALL), { maxLength: 3 }),
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ARCHIVED', 'ACTIVATING'),
  pulledDays: fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }),
  archivedDays: fc.integer({ min: 0, max: 800 }),
  activatedDays: fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }),
}).map((g) => ({
  imageDigest: `sha256:${index.toString(16).padStart(4, '0')}`,
  imageTags: g.tags,
  pushedAt: NOW - g.pushedDays * DAY,
  pulledAt: g.pulledDays === undefined ? undefined : NOW - g.pulledDays * DAY,
  archivedAt: g.status === 'ARCHIVED' ? NOW - g.archivedDays * DAY : undefined,
  activatedAt: g.activatedDays === undefined ? undefined : NOW - g.activatedDays * DAY,
  status: g.status as ImageRecord['status'],
}));
const inventoryArb = fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => imageArb(i))));

const ours = (policy: LifecyclePolicyDocument, images: ImageRecord[]) => simulatePolicy(policy, images, NOW).previewResults
  .map((r) => ({ digest: r.imageDigest, priority: r.appliedRulePriority, type: r.action.type.toLowerCase() }))
  .sort((a, b) => (a.digest < b.digest ? -1 : 1));

const globRegExp = (pattern: string) => new RegExp(`^${pattern.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

describe('tag wildcards', () => {
  test('a pattern matches exactly the tags a regular expression of it matches (overlapping pieces included)', () => {
    fc.assert(fc.property(SMALL_PATTERN, SMALL, (pattern, tag) => {
      expect(globMatches(compileGlob(pattern), tag)).toBe(globRegExp(pattern).test(tag));
    }), { numRuns: 3000 });
  });

  test('when one pattern covers another, every tag the inner one matches, the outer one matches', () => {
    let covered = 0;
    fc.assert(fc.property(SMALL_PATTERN, SMALL_PATTERN, fc.array(SMALL, { minLength: 5, maxLength: 5 }), (outer, inner, fillers) => {
      if (!globCovers(outer, inner)) return;
      covered++;
      // Expansions of the inner pattern: each wildcard replaced by a filler (or nothing).
      for (let k = 0; k < fillers.length; k++) {
        let i = k;
        const tag = inner.replace(/\*/g, () => (i++ % 2 === 0 ? fillers[i % fillers.length] : ''));
        expect(globMatches(compileGlob(outer), tag)).toBe(true);
      }
    }), { numRuns: 3000 });
    expect(covered).toBeGreaterThan(100);
  });
});

describe('properties', () => {
  test('the simulator agrees with the simple reference implementation', () => {
    fc.assert(fc.property(policyArb, inventoryArb, (policy, images) => {
      expect(ours(policy, images)).toEqual(referenceSimulate(policy, images, NOW));
    }), { numRuns: 600 });
  });

  test('each image gets at most one action, and summary counts match the results', () => {
    fc.assert(fc.property(policyArb, inventoryArb, (policy, images) => {
      const preview = simulatePolicy(policy, images, NOW);
      const digests = preview.previewResults.map((r) => r.imageDigest);
      expect(new Set(digests).size).toBe(digests.length);
      const transitions = preview.previewResults.filter((r) => r.action.type === 'TRANSITION').length;
      expect(preview.summary.expiringImageTotalCount).toBe(digests.length - transitions);
      expect(preview.summary.transitioningImageTotalCounts?.[0].imageTotalCount ?? 0).toBe(transitions);
    }), { numRuns: 300 });
  });

  test('under a policy the guard accepts, no image carrying a protected tag is ever expired or archived', () => {
    let acceptedWithTaggedRules = 0;
    fc.assert(fc.property(anchoredPolicyArb, inventoryArb, fc.subarray(PROTECTED, { minLength: 1 }), (policy, images, protectedTags) => {
      if (protectionProblems(policy, { protectedTags }).length > 0) return;
      const acting = policy.rules.filter((r) => r.selection.tagStatus !== 'untagged' && r.selection.countNumber < 100_000);
      if (acting.length > 0) acceptedWithTaggedRules++;
      const isProtected = (tag: string) => protectedTags.some((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(tag));
      for (const result of simulatePolicy(policy, images, NOW).previewResults) {
        expect(result.imageTags.filter(isProtected)).toEqual([]);
      }
    }), { numRuns: 1500 });
    // The property must not hold vacuously: many accepted policies have rules that act on tagged images.
    expect(acceptedWithTaggedRules).toBeGreaterThan(100);
  });

  test('rendering and parsing round-trip every valid policy', () => {
    fc.assert(fc.property(policyArb, (policy) => {
      const rendered = renderPolicyDocument(policy);
      expect(renderPolicyDocument(parsePolicyJson(JSON.stringify(rendered)) as LifecyclePolicyDocument)).toEqual(rendered);
      expect(validatePolicyDocument(JSON.parse(JSON.stringify(rendered)))).toEqual([]);
    }), { numRuns: 300 });
  });
});
