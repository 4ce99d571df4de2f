import { globCovers, globMatches, compileGlob } from '../../src/lifecycle/glob';
import { ImageRecord, simulatePolicy } from '../../src/lifecycle/simulate';
import { LifecyclePolicyDocument, LifecycleRuleDocument } from '../../src/lifecycle/types';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27);
const daysAgo = (d: number) => NOW - d * DAY;

/** An active image pushed `age` days ago; its digest is its name so results read like the User Guide. */
const img = (name: string, tags: string[], age: number, extra: Partial<ImageRecord> = {}): ImageRecord =>
  ({ imageDigest: name, imageTags: tags, pushedAt: daysAgo(age), status: 'ACTIVE', ...extra });

const r = (rulePriority: number, selection: object, action: object = { type: 'expire' }) =>
  ({ rulePriority, selection, action }) as LifecycleRuleDocument;
const tagged = (patterns: string[], count: object) => ({ tagStatus: 'tagged', tagPatternList: patterns, ...count });
const keep = (n: number) => ({ countType: 'imageCountMoreThan', countNumber: n });
const olderThan = (n: number, countType = 'sinceImagePushed') => ({ countType, countUnit: 'days', countNumber: n });

const acted = (policy: LifecyclePolicyDocument, images: ImageRecord[]) =>
  simulatePolicy(policy, images, NOW).previewResults.map((x) => x.imageDigest).sort();

describe('the documented examples of the ECR User Guide (lifecycle_policy_examples)', () => {
  const abc = [img('A', ['beta-1', 'prod-1'], 10), img('B', ['beta-2', 'prod-2'], 9), img('C', ['beta-3'], 8)];

  test('multiple rules, example A: a higher rule\'s selection shields B from the lower rule', () => {
    const policy = { rules: [r(1, tagged(['prod*'], keep(1))), r(2, tagged(['beta*'], keep(1)))] };
    expect(acted(policy as LifecyclePolicyDocument, abc)).toEqual(['A']);
  });

  test('multiple rules, example B: swapped priorities expire A and B', () => {
    const policy = { rules: [r(1, tagged(['beta*'], keep(1))), r(2, tagged(['prod*'], keep(1)))] };
    expect(acted(policy as LifecyclePolicyDocument, abc)).toEqual(['A', 'B']);
  });

  test('multiple patterns in one rule, example A: every pattern must match a tag', () => {
    const images = [
      img('A', ['alpha-1'], 12), img('B', ['beta-1'], 11), img('C', ['alpha-2', 'beta-2'], 10),
      img('D', ['alpha-3'], 4), img('E', ['beta-3'], 3), img('F', ['alpha-4', 'beta-4'], 2),
    ];
    expect(acted({ rules: [r(1, tagged(['alpha*', 'beta*'], olderThan(5)))] }, images)).toEqual(['C']);
  });

  test('multiple patterns in one rule, example B: extra tags do not prevent a match', () => {
    const images = [img('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), img('B', ['alpha-2', 'beta-2'], 9), img('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)];
    expect(acted({ rules: [r(1, tagged(['alpha*', 'beta*'], keep(1)))] }, images)).toEqual(['A', 'B']);
  });

  test('all images, example A: an any rule keeps the newest image whatever its tags', () => {
    const images = [img('A', ['alpha-1'], 4), img('B', ['beta-1'], 3), img('C', [], 2), img('D', ['alpha-2'], 1)];
    expect(acted({ rules: [r(1, { tagStatus: 'any', ...keep(1) })] }, images)).toEqual(['A', 'B', 'C']);
  });

  test('all images, example B: the any rule counts images claimed by higher rules but acts only on the rest', () => {
    // D and E are both "1 day ago" in the guide; E is the newest, which is what the documented outcome needs.
    const images = [img('A', ['alpha-1', 'beta-1'], 4), img('B', [], 3), img('C', ['alpha-2'], 2), img('D', ['git-hash'], 1), img('E', [], 0.99)];
    const policy = { rules: [r(1, tagged(['alpha*'], keep(1))), r(2, { tagStatus: 'untagged', ...olderThan(1) }), r(3, { tagStatus: 'any', ...keep(1) })] };
    const preview = simulatePolicy(policy as LifecyclePolicyDocument, images, NOW);
    expect(preview.previewResults.map((x) => [x.imageDigest, x.appliedRulePriority])).toEqual([['A', 1], ['B', 2], ['D', 3]]);
  });
});

describe('archive storage class', () => {
  const archive = { type: 'transition', targetStorageClass: 'archive' };

  test.each<[string, Partial<ImageRecord>, number, boolean]>([
    ['never pulled: counts from the push', {}, 100, true],
    ['pulled recently: kept', { pulledAt: daysAgo(10) }, 400, false],
    ['restored after an old pull, not pulled since: counts from the restore', { pulledAt: daysAgo(200), activatedAt: daysAgo(30) }, 400, false],
    ['restored long ago, pulled long ago: archived', { pulledAt: daysAgo(120), activatedAt: daysAgo(150) }, 400, true],
    ['exactly 90 days: not yet "more than"', { pulledAt: daysAgo(90) }, 400, false],
  ])('sinceImagePulled 90 days, %s', (_name, extra, age, expected) => {
    const policy = { rules: [r(1, { tagStatus: 'any', ...olderThan(90, 'sinceImagePulled') }, archive)] };
    const preview = simulatePolicy(policy as LifecyclePolicyDocument, [img('X', ['v1'], age, extra)], NOW);
    expect(preview.previewResults.length === 1).toBe(expected);
  });

  test('sinceImageTransitioned expires only archived images archived long enough ago', () => {
    const images = [
      img('old', [], 800, { status: 'ARCHIVED', archivedAt: daysAgo(400) }),
      img('recent', [], 800, { status: 'ARCHIVED', archivedAt: daysAgo(100) }),
      img('active', [], 800),
      img('restoring', [], 800, { status: 'ACTIVATING', archivedAt: daysAgo(400) }),
    ];
    const policy = { rules: [r(1, { tagStatus: 'any', storageClass: 'archive', ...olderThan(365, 'sinceImageTransitioned') })] };
    expect(simulatePolicy(policy as LifecyclePolicyDocument, images, NOW)).toEqual({
      previewResults: [{ imageDigest: 'old', imageTags: [], imagePushedAt: daysAgo(800), action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'ARCHIVE' }],
      summary: { expiringImageTotalCount: 1 },
    });
  });

  test('a standard any rule does not shield archived images from the archive rule (per storage class)', () => {
    const images = [img('a1', ['x'], 40), img('z1', ['x'], 800, { status: 'ARCHIVED', archivedAt: daysAgo(400) })];
    const policy = {
      rules: [
        r(1, { tagStatus: 'any', ...olderThan(30) }, archive),
        r(2, { tagStatus: 'any', storageClass: 'archive', ...olderThan(365, 'sinceImageTransitioned') }),
      ],
    };
    expect(simulatePolicy(policy as LifecyclePolicyDocument, images, NOW)).toEqual({
      previewResults: [
        { imageDigest: 'a1', imageTags: ['x'], imagePushedAt: daysAgo(40), action: { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' }, appliedRulePriority: 1, storageClass: 'STANDARD' },
        { imageDigest: 'z1', imageTags: ['x'], imagePushedAt: daysAgo(800), action: { type: 'EXPIRE' }, appliedRulePriority: 2, storageClass: 'ARCHIVE' },
      ],
      summary: { expiringImageTotalCount: 1, transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: 1 }] },
    });
  });

  test('imageCountMoreThan orders a restored image by its restore time', () => {
    const images = [img('restored', ['v1'], 500, { activatedAt: daysAgo(1) }), img('newer', ['v2'], 10)];
    expect(acted({ rules: [r(1, tagged(['v*'], keep(1)))] }, images)).toEqual(['newer']);
  });
});

describe('tag selection', () => {
  test.each<[string, string, boolean]>([
    ['prod*', 'prod', true],
    ['prod*', 'production-team1', true],
    ['prod*', 'preprod', false],
    ['*prod*', 'repo-production', true],
    ['v*.*.*', 'v1.2.3', true],
    ['v*.*.*', 'v1.2', false],
    ['*test*1*2*3', 'xtest1a2b3', true],
    ['a*a', 'a', false],
    ['release', 'release', true],
    ['release', 'release-1', false],
  ])('pattern %s on tag %s: %s', (pattern, tag, expected) => {
    expect(globMatches(compileGlob(pattern), tag)).toBe(expected);
  });

  test('a prefix list needs every prefix to start some tag', () => {
    const policy = { rules: [r(1, { tagStatus: 'tagged', tagPrefixList: ['sha-', 'v'], ...olderThan(1) })] };
    expect(acted(policy as LifecyclePolicyDocument, [img('both', ['sha-1', 'v1'], 3), img('one', ['sha-2'], 2)])).toEqual(['both']);
  });

  test.each<[string, string, boolean]>([
    ['prod*', 'prod*', true],
    ['prod*', 'prod-eu*', true],
    ['*', 'v*.*.*', true],
    ['v*', 'v*.*.*', true],
    ['v*.*', 'v*.*.*', true],
    ['prod-eu*', 'prod*', false],
    ['v*.*.*', 'v*', false],
    ['release-*', 'release', false],
  ])('pattern %s covers every tag %s matches: %s', (outer, inner, expected) => {
    expect(globCovers(outer, inner)).toBe(expected);
  });
});
