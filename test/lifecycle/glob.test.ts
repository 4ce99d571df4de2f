import { compileGlob, globCovers, globMatches, prefixAsPattern, wildcardCount } from '../../src/lifecycle/glob';

// ECR's tag wildcards: `*` matches zero or more characters and a pattern matches the whole tag (ECR User Guide,
// lifecycle_policy_parameters: "prod*" selects prod, prod1, prod2). Each row moves one comparison or bound by one.
describe('globMatches', () => {
  test.each<[string, string, boolean]>([
    ['abc', 'abc', true], // no wildcard: the tag itself
    ['abc', 'abcd', false],
    ['abc', 'ab', false],
    ['prod*', 'prod', true], // zero characters
    ['prod*', 'prod1', true],
    ['prod*', 'xprod', false],
    ['*prod', 'xprod', true],
    ['*prod', 'prodx', false],
    ['a*b', 'ab', true], // first and last meet exactly
    ['a*b', 'xb', false], // the start differs, the end agrees
    ['a*b', 'ax', false], // the start agrees, the end differs
    ['ab*ba', 'aba', false], // first and last would overlap
    ['ab*ba', 'abba', true],
    ['a*c', 'abc', true], // no middle piece
    ['a*b*c', 'abc', true], // a middle piece right before the last
    ['a*x*c', 'abc', false], // a middle piece that is absent
    ['a*bc*c', 'abc', false], // a middle piece overlapping the last
    ['a*b*b*c', 'abc', false], // two middle pieces cannot share a character
    ['a*b*b*c', 'abbc', true],
    ['*', '', true],
    ['**', 'x', true],
    ['*test*1*2*3', 'mytest-1-2-3', true], // the User Guide's four-wildcard example
    ['test*1*2*3*', 'test-1-2-3-x', true],
  ])('%s matches %s: %s', (pattern, tag, expected) => {
    expect(globMatches(compileGlob(pattern), tag)).toBe(expected);
  });

  test('compileGlob keeps the source and the literal pieces', () => {
    expect(compileGlob('a*b**c')).toEqual({ source: 'a*b**c', segments: ['a', 'b', '', 'c'] });
  });
});

describe('globCovers: every tag the inner pattern matches, the outer one matches', () => {
  test.each<[string, string, boolean]>([
    ['a', 'a', true],
    ['a', 'b', false],
    ['ab', 'a', false], // the outer's last character matters
    ['a', 'ab', false],
    ['ab', 'b', false], // the outer's first character matters
    ['x', 'xx', false],
    ['*', 'abc', true],
    ['*', 'a', true],
    ['*', '*', true],
    ['a', '*', false], // an inner wildcard needs an outer one
    ['a*', 'a*b', true],
    ['a*b', 'a*', false], // a* also matches "ax"
    ['a*', '*a', false],
    ['prod*', 'prod-*', true],
    ['prod-*', 'prod*', false],
    ['*-rc*', 'v*-rc1', true],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(globCovers(outer, inner)).toBe(expected);
  });
});

test.each([
  ['abc', 0],
  ['a*', 1],
  ['*a*b*c*', 4],
  ['a*b*c*d*e*f', 5],
])('wildcardCount(%s) is %i', (pattern, count) => {
  expect(wildcardCount(pattern)).toBe(count);
});

test('a prefix selects the tags its pattern does', () => {
  expect(prefixAsPattern('release-')).toBe('release-*');
});
