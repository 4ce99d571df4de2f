import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  filterListProblems, MAX_FILTERS_PER_RULE, regionProblems, replicationPrefixProblems, repositoryPrefixProblems, scanFilterProblems,
  signingFilterProblems,
} from '../../src/registry/validation';

/** A field as the ECR API reference documents it: its pattern and length constraints. */
const documented = (pattern: RegExp, min: number, max: number) =>
  (value: string) => value.length >= min && value.length <= max && pattern.test(value);

/**
 * Each case's problems (none, or the one message), and the verdicts of the documented field rule, so the table's verdicts
 * are checked against AWS's.
 */
function verdicts(
  cases: [string, boolean][], check: (value: string) => string[], message: (value: string) => string, rule: (value: string) => boolean,
) {
  return {
    actual: { problems: cases.map(([value]) => [value, check(value)]), byAws: cases.map(([value]) => [value, rule(value)]) },
    expected: { problems: cases.map(([value, valid]) => [value, valid ? [] : [message(value)]]), byAws: cases },
  };
}

describe('scanning filters (ScanningRepositoryFilter.filter: 1 to 255 characters)', () => {
  const rule = documented(/^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/, 1, 255);
  const cases: [string, boolean][] = [
    ['platform/*', true], ['*', true], ['a', true], ['ab', true], ['prod-*', true], ['*-dev', true], ['team/app', true], ['a.b_c-d/e', true], ['a'.repeat(255), true],
    ['', false], ['a'.repeat(256), false], ['Platform', false], ['-a', false], ['a-', false], ['a--b', false], ['a/', false], ['/a', false],
    ['a b', false], ['a+b', false],
  ];

  const message = (filter: string) => `prop 'scanning.rules[0].filters[2]': got ${JSON.stringify(filter)}; a scanning filter is 1 to 255 lower-case `
    + "letters, digits, '.', '_', '-', '/' and '*' wildcards, starting and ending with a letter, digit or '*', for example 'platform/*'.";

  test('problems, and the verdicts as the API reference documents them', () => {
    const { actual, expected } = verdicts(cases, (f) => scanFilterProblems('scanning.rules[0].filters[2]', f), message, rule);
    expect(actual).toEqual(expected);
  });
});

describe('signing filters (SigningRepositoryFilter.filter: 1 to 256 characters)', () => {
  const rule = documented(/^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/, 1, 256);
  // The API reference's examples first: a prefix, a suffix and a substring.
  const cases: [string, boolean][] = [
    ['myapp/*', true], ['*/production', true], ['*prod*', true], ['team/app/*', true], ['org/team/app', true], ['my-team/*', true],
    ['platform/my-app', true], ['prod-eu*', true], ['a.b_c-d', true], ['a', true], ['a'.repeat(256), true],
    ['', false], ['a'.repeat(257), false], ['MyApp', false], ['a//b', false], ['a/', false], ['/a', false], ['a..b', false], ['a__b', false],
    ['a-', false], ['-a', false], ['a b', false],
  ];

  const message = (filter: string) => `prop 'signing.rules[1].filters[0]': got ${JSON.stringify(filter)}; a signing filter is a repository name `
    + "with '*' wildcards (1 to 256 characters), for example 'platform/*' or '*prod*'.";

  test('problems, and the verdicts as the API reference documents them', () => {
    const { actual, expected } = verdicts(cases, (f) => signingFilterProblems('signing.rules[1].filters[0]', f), message, rule);
    expect(actual).toEqual(expected);
  });
});

describe('replication filters (RepositoryFilter.filter, PREFIX_MATCH: 2 to 256 characters)', () => {
  const rule = documented(/^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/, 2, 256);
  // A prefix is the start of repository names, so it may end in a separator.
  const cases: [string, boolean][] = [
    ['platform/', true], ['ab', true], ['team/app', true], ['my-team/app', true], ['team/my-app', true], ['prod-', true], ['a.b/c_', true],
    ['a'.repeat(256), true],
    ['', false], ['a', false], ['a'.repeat(257), false], ['Platform', false], ['plat*', false], ['a//b', false], ['/a', false], ['a b', false],
  ];

  const message = (prefix: string) => `prop 'replication.rules[0].filters[0]': got ${JSON.stringify(prefix)}; a replication filter is the start `
    + "of repository names: 2 to 256 lower-case letters, digits, '.', '_', '-' and '/', without wildcards, for example 'platform/'.";

  test('problems, and the verdicts as the API reference documents them', () => {
    const { actual, expected } = verdicts(cases, (f) => replicationPrefixProblems('replication.rules[0].filters[0]', f), message, rule);
    expect(actual).toEqual(expected);
  });
});

describe('repository prefixes (creation templates, pull-through cache rules)', () => {
  const message = (prefix: string, maxLength: number) => `prop 'prefix': got ${JSON.stringify(prefix)}; a prefix is 2 to ${maxLength} characters `
    + "of lower-case repository name components joined by '/' (for example 'docker-hub' or 'team/app'), or ROOT for every repository.";

  // AWS::ECR::RepositoryCreationTemplate's Prefix in the CloudFormation resource schema (as cfn-lint carries it): 1 to 256
  // characters, with repository names' separators ('.', '_', '__', runs of '-'). The check asks for 2: no one-character cases.
  const template = documented(/^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/, 1, 256);
  const templateCases: [string, boolean][] = [
    ['docker-hub', true], ['team/app', true], ['team/my-app', true], ['team/app/', true], ['a/', true], ['a.b_c-d', true], ['ab', true],
    ['a__b', true], ['a--b', true], ['team/my--app', true], ['team/my__app', true], ['ROOT', true], ['root', true], ['a'.repeat(256), true],
    ['', false], ['a'.repeat(257), false], ['Team', false], ['ROOTS', false], ['XROOT', false], ['/a', false], ['a//b', false], ['a..b', false],
    ['a___b', false], ['a.', false], ['-a', false], ['a*', false],
  ];

  test('creation template prefixes: problems, and the verdicts of the CloudFormation schema', () => {
    const { actual, expected } = verdicts(templateCases, (p) => repositoryPrefixProblems('prefix', p, 256), (p) => message(p, 256), template);
    expect(actual).toEqual(expected);
  });

  // CreatePullThroughCacheRule's ecrRepositoryPrefix in the API reference: 2 to 30 characters, single separators.
  const pullThrough = documented(/^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?|ROOT)$/, 2, 30);
  const pullThroughCases: [string, boolean][] = [
    ['docker-hub', true], ['ecr-public', true], ['team/my-app', true], ['ab', true], ['ROOT', true], ['a'.repeat(30), true],
    ['a', false], ['a'.repeat(31), false], ['Team', false], ['a//b', false],
  ];

  test('pull-through cache prefixes: problems, and the verdicts of the API reference', () => {
    const { actual, expected } = verdicts(pullThroughCases, (p) => repositoryPrefixProblems('prefix', p, 30), (p) => message(p, 30), pullThrough);
    expect(actual).toEqual(expected);
  });
});

describe('regions', () => {
  // Every partition's shape: aws, aws-cn, aws-us-gov and the isolated partitions (aws-iso, -iso-b, -iso-e, -iso-f).
  test.each([
    'eu-west-1', 'us-east-1', 'ap-southeast-5', 'il-central-1', 'mx-central-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1',
    'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1',
    // The SDKs' partition patterns take any region number; this check takes up to two digits.
    'ap-southeast-10',
  ])('accepted: %s', (region) => {
    expect(regionProblems('replicaRegions[0]', region)).toEqual([]);
  });

  test.each([
    '', 'eu-west', 'eu-west-', 'euwest1', 'EU-WEST-1', 'e-west-1', 'eu-west-x', 'eu--west-1', 'eu-west-1a', ' eu-west-1', 'eu-west-1 ', 'eu-west-100',
  ])('refused: %j', (region) => {
    expect(regionProblems('replicaRegions[0]', region)).toEqual([
      `prop 'replicaRegions[0]': got ${JSON.stringify(region)}; a region is a code such as 'eu-west-1' or 'us-gov-west-1'.`,
    ]);
  });

  // aws-cdk-lib's own list of regions is the oracle for the shapes that exist.
  const known = RegionInfo.regions.map((r) => r.name);
  test('aws-cdk-lib knows at least the regions above, and the European Sovereign Cloud\'s', () => {
    expect(known).toEqual(expect.arrayContaining(['us-gov-west-1', 'cn-north-1', 'eu-isoe-west-1', 'us-isob-east-1', 'eusc-de-east-1']));
  });

  test('every region aws-cdk-lib knows is accepted', () => {
    expect(known.filter((region) => regionProblems('r', region).length > 0)).toEqual([]);
  });
});

describe('filter lists', () => {
  const check = (prop: string, filter: string) => (filter === 'bad' ? [`${prop} is bad`] : []);

  test('each filter is checked under its index; each repeated filter is named once', () => {
    expect(filterListProblems('rules[0].filters', ['a', 'bad', 'b', 'a', 'b', 'a'], check)).toEqual([
      'rules[0].filters[1] is bad',
      "prop 'rules[0].filters': got \"a\"; is listed twice. Remove the duplicate.",
      "prop 'rules[0].filters': got \"b\"; is listed twice. Remove the duplicate.",
    ]);
  });

  test.each<[string, number, string[]]>([
    ['none', 0, []],
    ['ECR\'s limit', MAX_FILTERS_PER_RULE, []],
    ['one more than ECR\'s limit', MAX_FILTERS_PER_RULE + 1,
      ["prop 'filters': got \"101 filters\"; ECR takes at most 100 filters per rule. Combine them with wildcards or prefixes."]],
  ])('%s: %i distinct filters', (_name, count, problems) => {
    expect(filterListProblems('filters', Array.from({ length: count }, (_, i) => `f${i}`), check)).toEqual(problems);
  });

  test('ECR\'s limit is 100 filters per rule (scanning, replication and signing alike)', () => {
    expect(MAX_FILTERS_PER_RULE).toBe(100);
  });
});
