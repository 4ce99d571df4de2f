import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LifecyclePresets, RepositoryFleet } from '../../src';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const names = (count: number) => Array.from({ length: count }, (_, i) => `team${Math.floor(i / 10)}/service${i % 10}`);
const placement = (fleet: RepositoryFleet) => Object.fromEntries(fleet.repositoryNames.map((name) =>
  [name, fleet.shards.indexOf(NestedStack.of(fleet.repository(name)) as NestedStack)]));

/** The template a shard resolved last (the fleet's private measure of it). */
const templateOf = (shard: NestedStack) => (shard as unknown as { template(): unknown }).template();

describe('RepositoryFleet', () => {
  test('1,000 repositories synthesize within CloudFormation\'s limits: 500 resources and 1 MB per template', () => {
    const app = new App();
    const stack = new Stack(app, 'Fleet', { env: ENV });
    new RepositoryFleet(stack, 'Repositories', {
      repositoryNames: names(1000),
      defaults: { mutableTagPatterns: ['dev', 'prod'], lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: ['dev', 'prod'], untaggedMaxAge: Duration.days(14) }) },
    });
    const assembly = app.synth();
    const templates = fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.template.json'))
      .map((f) => ({ file: f, text: fs.readFileSync(path.join(assembly.directory, f), 'utf8') }));
    // The parent and its 10 nested stacks.
    expect(templates).toHaveLength(11);
    const repositories = templates.map(({ text }) => Object.values(JSON.parse(text).Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::ECR::Repository').length);
    expect(repositories.reduce((a, b) => a + b, 0)).toBe(1000);
    // What the fleet measures is the file as written, byte for byte.
    const fleet = stack.node.findChild('Repositories') as RepositoryFleet;
    for (const shard of fleet.shards) {
      const file = templates.find((t) => t.file === shard.templateFile)!;
      expect([file.file, Buffer.byteLength(JSON.stringify(templateOf(shard), undefined, 1))]).toEqual([file.file, Buffer.byteLength(file.text)]);
    }
    for (const { file, text } of templates) {
      expect([file, Buffer.byteLength(text) <= 1_000_000]).toEqual([file, true]);
      expect([file, Object.keys(JSON.parse(text).Resources).length <= 500]).toEqual([file, true]);
    }
    // The hash spreads them: no shard holds more than twice its share.
    expect(Math.max(...repositories)).toBeLessThan(200);
  });

  test('a repository stays in its shard when others are added or removed; overrides replace the defaults field by field', () => {
    const fleet = (repositoryNames: string[]) => new RepositoryFleet(new Stack(new App(), 'Fleet', { env: ENV }), 'Repositories', {
      repositoryNames,
      repositories: [{ repositoryName: 'legacy/app', overrides: { tagMutability: undefined, removalPolicy: RemovalPolicy.RETAIN, scanOnPush: false } }],
      defaults: { mutableTagPatterns: ['dev'] },
    });
    const before = placement(fleet(names(100)));
    const after = placement(fleet([...names(100).slice(10), 'new/one', 'new/two']));
    for (const name of names(100).slice(10)) expect([name, after[name]]).toEqual([name, before[name]]);

    const one = fleet(['team/app']);
    const template = Template.fromStack(NestedStack.of(one.repository('legacy/app')) as NestedStack);
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'legacy/app', ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', ImageScanningConfiguration: { ScanOnPush: false } });
    expect(one.repositoryNames).toEqual(['team/app', 'legacy/app']);
  });

  test('fleet-wide pulls go through each repository\'s policy', () => {
    const stack = new Stack(new App(), 'Fleet', { env: ENV });
    const fleet = new RepositoryFleet(stack, 'Repositories', { repositoryNames: ['a/one', 'b/two'], shards: 1 });
    fleet.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/pullers/*'] });
    const template = Template.fromStack(fleet.shards[0]);
    for (const name of ['a/one', 'b/two']) {
      template.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: name,
        RepositoryPolicyText: {
          Statement: [{
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/pullers/*'] } },
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
          }],
          Version: '2012-10-17',
        },
      });
    }
  });

  test('2,000 repositories in 5 shards: nested templates over 1,000,000 bytes are refused with the shards that would hold them, which do', () => {
    const environments = ['dev', 'staging', 'prod'];
    const fleet = (shards: number) => {
      const repositories = new RepositoryFleet(new Stack(new App(), 'Fleet', { env: ENV }), 'Repositories', {
        repositoryNames: Array.from({ length: 2000 }, (_, i) => `platform-team-${i % 10}/payments-service-${i}`),
        shards,
        defaults: { mutableTagPatterns: environments, lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: environments }) },
      });
      repositories.grantPullToAccounts(['222222222222', '333333333333', '444444444444']);
      return repositories;
    };
    expect(synthesisProblems(fleet(5))).toBe("[Fleet/Repositories] prop 'shards': got 5; the template of shard 1 is 1,388,812 bytes, shard 2 is 1,433,418 bytes, "
      + 'shard 3 is 1,381,890 bytes, shard 4 is 1,392,238 bytes, shard 5 is 1,261,932 bytes as written to the cloud assembly, and CloudFormation takes at most '
      + '1,000,000 bytes per nested stack template. 8 shards would hold these repositories: set shards to 8 for a fleet not yet deployed (it moves repositories; '
      + 'see its documentation), or declare the repositories added since the last deployment in a second RepositoryFleet. Repository overrides and grants '
      + 'that add to every repository (lifecycle rules, tag patterns, pull principals) also count.');

    // The count it names passes (the test above shows that what is measured is what is written).
    const eight = fleet(8);
    expect(eight.node.validate()).toEqual([]);
    const largest = Math.max(...eight.shards.map((shard) => Buffer.byteLength(JSON.stringify(templateOf(shard), undefined, 1))));
    expect(largest).toBeLessThanOrEqual(1_000_000);
    expect(largest).toBeGreaterThan(900_000);
  });

  test.each<[string, (s: Stack) => void, string]>([
    ['no repository', (s) => new RepositoryFleet(s, 'Fleet', {}), "[Stack/Fleet] prop 'repositoryNames': got []; name at least one repository in 'repositoryNames' or 'repositories'."],
    ['a name twice', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['a/b'], repositories: [{ repositoryName: 'a/b' }] }),
      "[Stack/Fleet] prop 'repositoryNames[0]': got \"a/b\"; is named 2 times (repositoryNames[0], repositories[0].repositoryName). Keep one, with its overrides."],
    ['a name three times', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['x/y', 'a/b', 'a/b'], repositories: [{ repositoryName: 'a/b' }] }),
      "[Stack/Fleet] prop 'repositoryNames[1]': got \"a/b\"; is named 3 times (repositoryNames[1], repositoryNames[2], repositories[0].repositoryName). Keep one, with its overrides."],
    ['no shard', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['a/b'], shards: 0 }), "[Stack/Fleet] prop 'shards': got 0; a whole number of nested stacks from 1 to 500."],
    ['a name as a token', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['a/b', new CfnParameter(s, 'Name').valueAsString] }),
      "[Stack/Fleet] prop 'repositoryNames[1]': got \"a token\"; a fleet repository name must be known at synth. Declare a repository named by a token as an ImageRepository of its own."],
    ['a shard over 500 resources', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: names(501), shards: 1 }),
      "[Stack/Fleet] prop 'shards': got 1; shard 1 holds 501 resources, and CloudFormation takes at most 500 per template. Raise shards (which moves repositories; see its documentation)."],
    ['a repository name ECR refuses', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['Team/App'], shards: 1 }),
      "[Stack/Fleet/Shard1/Team--App] prop 'repositoryName': got \"Team/App\"; ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one."],
  ])('bad input: %s', (_name, build, message) => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    build(stack);
    expect(synthesisProblems(stack)).toBe(message);
  });
});
