// ECR's tag wildcards (`*`, zero or more characters, anchored on the whole tag), as the lifecycle engine matches them.
import { compileGlob, globCovers, globMatches, prefixAsPattern, wildcardCount } from '../../src/lifecycle/glob';

describe('globMatches', () => {
  test.each<[string, string, boolean]>([
    ['prod', 'prod', true],
    ['prod', 'prod1', false],
    ['*a*', 'ab', true], // a middle segment found at the very start of the tag
    ['*a*', 'b', false],
    ['v*-rc*', 'v1.2-rc3', true],
    ['v*-rc*', 'v1.2-rc', true],
    ['v*-rc*', 'v1.2', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'ac', false],
    ['ab*ba', 'aba', false], // the first and last segments may not overlap
    ['a*bc*c', 'abc', false], // nor a middle segment and the last
    ['a*bc*c', 'abcc', true],
    ['*', '', true],
  ])('%j against %j: %s', (pattern, tag, expected) => {
    expect(globMatches(compileGlob(pattern), tag)).toBe(expected);
  });
});

describe('globCovers: every tag `inner` matches, `outer` matches', () => {
  test.each<[string, string, boolean]>([
    ['*-prod', 'eu-prod', true], // `outer` ends in a literal
    ['*-prod', 'eu-*', false],
    ['*', 'anything*', true],
    ['release-*', 'release-1*', true],
    ['release-1*', 'release-*', false],
    ['x', '', false], // an empty `inner` is covered only by what matches the empty tag
    ['', 'a', false],
    ['', '', true],
    ['*', '', true],
  ])('%j covers %j: %s', (outer, inner, expected) => {
    expect(globCovers(outer, inner)).toBe(expected);
  });
});

test('a prefix selects what the prefix followed by a wildcard does; wildcards are counted', () => {
  expect(prefixAsPattern('sha-')).toBe('sha-*');
  expect([wildcardCount('prod'), wildcardCount('*'), wildcardCount('a*b*c*')]).toEqual([0, 1, 3]);
});
