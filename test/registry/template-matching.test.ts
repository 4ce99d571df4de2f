import { templatePrefixCovers, templatesFor } from '../../src/registry/template-matching';

// The examples of ECR's API reference (CreateRepositoryCreationTemplate / UpdateRepositoryCreationTemplate, `prefix`).
describe('templatePrefixCovers: the prefix plus an implied "/" starts the name', () => {
  test.each<[string, string, boolean]>([
    ['prod', 'prod/team1', true],
    ['prod', 'prod/repository1', true],
    ['prod/team', 'prod/team/app', true],
    ['prod/team', 'prod/teamwork/app', false],
    ['prod/team', 'prod/other', false],
    ['ecr-public', 'ecr-public/nginx/nginx', true],
    ['ecr-public/', 'ecr-public/nginx/nginx', true],
    ['ecr-public', 'ecr-publicity/x', false],
    // The repository named like the prefix is not covered: the reference platform's old per-repository templates.
    ['prod', 'prod', false],
    ['platform/storefront', 'platform/storefront', false],
    ['prod', 'production/x', false],
    ['ROOT', 'anything/at/all', true],
  ])("prefix '%s' covers '%s': %s", (prefix, name, covers) => {
    expect(templatePrefixCovers(prefix, name)).toBe(covers);
  });
});

describe('templatesFor: the templates of a trigger that may create the repository', () => {
  const prod = { prefix: 'prod', appliedFor: ['REPLICATION'] };
  const team = { prefix: 'prod/team/', appliedFor: ['REPLICATION', 'CREATE_ON_PUSH'] };
  const root = { prefix: 'ROOT', appliedFor: ['REPLICATION'] };
  const cache = { prefix: 'ecr-public', appliedFor: ['PULL_THROUGH_CACHE'] };
  const all = [prod, team, root, cache];
  test.each<[string, string, 'REPLICATION' | 'PULL_THROUGH_CACHE' | 'CREATE_ON_PUSH', object[]]>([
    ['both prefixes match, longest first', 'prod/team/app', 'REPLICATION', [team, prod]],
    ['one prefix matches', 'prod/repository1', 'REPLICATION', [prod]],
    ['ROOT when no other matches', 'production/x', 'REPLICATION', [root]],
    ['ROOT for the repository named like a prefix', 'prod', 'REPLICATION', [root]],
    ['only the templates of the trigger', 'prod/repository1', 'CREATE_ON_PUSH', []],
    ['a trigger filters ROOT too: ECR defaults', 'production/x', 'PULL_THROUGH_CACHE', []],
    ['a cache template for its cached repositories', 'ecr-public/nginx/nginx', 'PULL_THROUGH_CACHE', [cache]],
    ['a cache template is not a replication template', 'ecr-public/nginx/nginx', 'REPLICATION', [root]],
  ])('%s', (_name, repositoryName, trigger, expected) => {
    expect(templatesFor(repositoryName, trigger, all)).toEqual(expected);
  });

  test('no template: empty, ECR\'s defaults', () => {
    expect(templatesFor('platform/storefront', 'REPLICATION', [{ prefix: 'platform/storefront', appliedFor: ['REPLICATION'] }])).toEqual([]);
  });
});
