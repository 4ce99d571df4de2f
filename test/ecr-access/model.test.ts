// The access engine of `ecr-access` on what the reference app does not show: nested stacks (a fleet's shards), users
// and groups, policies attached across stacks through exports, CloudFormation's intrinsic functions, and what it does
// not know (an AWS managed policy it lacks, a value that does not resolve), which makes an answer `?`, never `no`.
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AccessMatrix, accessMatrix, AccessModel, decide, explain, formatMatrix, InputError, PULL, PUSH, resolveCfn,
} from '../../packages/ecr-access/src';
import { ImageRepository, RepositoryFleet } from '../../src';

const ENV = { account: '111111111111', region: 'eu-west-1' };

describe('ecr-access model', () => {
  test('a fleet in nested stacks: each consumer pulls the repositories it was granted, through the shards\' outputs', async () => {
    const app = new App();
    const stack = new Stack(app, 'Fleet', { env: ENV });
    const fleet = new RepositoryFleet(stack, 'Repositories', { repositoryNames: ['team0/api', 'team0/web', 'team1/api'], shards: 2 });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    fleet.repository('team0/web').grantPull(consumer);
    const matrix = await accessMatrix(AccessModel.of(app.synth()));
    expect(matrix.stacks.map((s) => s.name)).toEqual(['Fleet', 'Fleet/Repositories/Shard1', 'Fleet/Repositories/Shard2']);
    expect(matrix.repositories.map((r) => [r.name, r.rows.map((row) => `${row.principal} pull ${row.pull}`)])).toEqual([
      ['team0/api', []], ['team0/web', ['Fleet/Consumer pull yes']], ['team1/api', []],
    ]);
  });

  test('a user pulls through its group\'s policy, and a policy of another stack attaches to a role through an export', async () => {
    const app = new App();
    const registry = new Stack(app, 'Registry', { env: ENV });
    const repository = new ImageRepository(registry, 'Repo', { repositoryName: 'platform/api' });
    const group = new iam.Group(registry, 'Readers');
    repository.grantPull(group);
    new iam.User(registry, 'Alice', { groups: [group] });
    const role = new iam.Role(registry, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    // A policy of another stack of the account, attached to the registry's role by name (an import of its export).
    const other = new Stack(app, 'Delivery', { env: ENV });
    new iam.ManagedPolicy(other, 'Push', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: [...PULL.actions], resources: [repository.repositoryArn] })],
    });
    const matrix = await accessMatrix(AccessModel.of(app.synth()));
    expect(matrix.repositories[0].rows.map((r) => [r.principal, r.pull, r.push, r.login])).toEqual([
      ['Registry/Alice', 'yes', 'no', 'yes'],
      ['Registry/Builder', 'yes', 'no', 'no'],
      // The group itself: whoever is added to it later pulls too.
      ['Registry/Readers', 'yes', 'no', 'yes'],
    ]);
  });

  test('an AWS managed policy it does not hold makes the answer undetermined, never a silent deny', async () => {
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: ENV });
    new ImageRepository(stack, 'Repo', { repositoryName: 'platform/api' });
    new iam.Role(stack, 'Ops', {
      assumedBy: new iam.AccountRootPrincipal(),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryFullAccess')],
    });
    const model = AccessModel.of(app.synth());
    const ops = model.principal('Registry/Ops');
    expect(ops.unknown).toEqual(['the AWS managed policy AmazonEC2ContainerRegistryFullAccess is not known to this tool']);
    expect(await decide(model, ops, PULL, model.repository('platform/api'))).toEqual({
      verdict: '?', notes: ['the AWS managed policy AmazonEC2ContainerRegistryFullAccess is not known to this tool'],
    });
  });

  test('a condition on a key the model cannot know (the organization) makes an answer undetermined', async () => {
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: ENV });
    new ImageRepository(stack, 'Repo', { repositoryName: 'platform/api' }).grantPullToOrganization('o-abc1234567');
    const model = AccessModel.of(app.synth());
    const member = model.principal('arn:aws:iam::222222222222:role/anyone');
    expect(await decide(model, member, PULL, model.repository('platform/api'))).toEqual({
      verdict: '?', notes: ["an Allow statement's condition on aws:PrincipalOrgID, which this tool does not know for a request"],
    });
  });

  test('a repository policy that does not resolve makes even an allowed pull undetermined: it could deny', async () => {
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: ENV });
    const blocked = new CfnParameter(stack, 'BlockedAccount', { type: 'String' });
    const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'platform/api' });
    repository.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, actions: ['ecr:*'], principals: [new iam.AccountPrincipal(blocked.valueAsString)],
    }));
    const builder = new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    repository.grantPull(builder);
    const model = AccessModel.of(app.synth());
    const answer = await decide(model, model.principal('Registry/Builder'), PULL, model.repository('platform/api'));
    expect(answer.verdict).toBe('?');
    expect(answer.notes).toEqual([expect.stringMatching(/^the repository policy of Registry\/Repo: no value for BlockedAccount /)]);
  });

  test('a repository name in two regions needs its ARN; a nested stack without its template is named', () => {
    const app = new App();
    for (const region of ['eu-west-1', 'us-east-1']) {
      new ImageRepository(new Stack(app, `Registry-${region}`, { env: { account: ENV.account, region } }), 'Repo', { repositoryName: 'platform/api' });
    }
    const model = AccessModel.of(app.synth());
    expect(() => model.repository('platform/api')).toThrow(new InputError(
      "repository 'platform/api' is in several stacks: Registry-eu-west-1 (eu-west-1), Registry-us-east-1 (us-east-1); give its ARN."));
    expect(model.repository('arn:aws:ecr:us-east-1:111111111111:repository/platform/api').stack).toBe('Registry-us-east-1');

    const fleetApp = new App();
    new RepositoryFleet(new Stack(fleetApp, 'Fleet', { env: ENV }), 'Repositories', { repositoryNames: ['team0/api'], shards: 1 });
    const assembly = fleetApp.synth();
    const nested = fs.readdirSync(assembly.directory).find((f) => f.endsWith('.nested.template.json'))!;
    const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Fleet.assets.json'), 'utf8')).files;
    const hash = Object.keys(assets).find((h) => assets[h].source.path === nested);
    fs.rmSync(path.join(assembly.directory, nested));
    expect(() => AccessModel.of(assembly)).toThrow(new InputError(`${path.join(assembly.directory, 'Fleet.assets.json')}: file asset '${hash}' `
      + `(the template of the nested stack Fleet/Repositories/Shard1.NestedStack/Shard1.NestedStackResource of Fleet): source.path '${nested}' does not exist.`));
  });

  test.each<[string, unknown, unknown]>([
    ['Ref of a pseudo parameter', { Ref: 'AWS::AccountId' }, '111111111111'],
    ['Fn::Join', { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'ecr']] }, 'arn:aws:ecr'],
    ['Fn::Sub with a variable map', { 'Fn::Sub': ['${A}/${AWS::Region}/${!Literal}', { A: 'x' }] }, 'x/eu-west-1/${Literal}'],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'platform/api/v1'] }] }, 'api'],
    ['Fn::If with a condition', { 'Fn::If': ['IsProd', 'prod', 'dev'] }, 'dev'],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['Accounts', 'eu-west-1', 'Registry'] }, '602401143452'],
  ])('resolves %s as CloudFormation does', (_name, value, expected) => {
    expect(resolveCfn(value, {
      refs: { 'AWS::AccountId': '111111111111', 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1' },
      mappings: { Accounts: { 'eu-west-1': { Registry: '602401143452' } } },
      conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
    })).toEqual(expected);
  });

  test('a reference to something no template holds is an error, never a guess', () => {
    expect(() => resolveCfn({ Ref: 'Missing' }, { refs: { 'AWS::Region': 'eu-west-1' } })).toThrow('no value for Missing (known: AWS::Region)');
  });
});

describe('ecr-access matrix: principals outside the assembly that a repository policy admits', () => {
  // One statement per way a repository policy admits principals outside the assembly (IAM User Guide, "AWS JSON
  // policy elements: Principal", and the global condition keys aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths).
  const pullActions = [...PULL.actions];
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PlatformRoles',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: pullActions,
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/platform/*' } },
      },
      { Sid: 'Organization', Effect: 'Allow', Principal: '*', Action: pullActions, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' } } },
      {
        Sid: 'Unit',
        Effect: 'Allow',
        Principal: '*',
        Action: pullActions,
        Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc1234567/r-ab12/ou-ab12-11111111/*' } },
      },
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: '333333333333' }, Action: 'ecr:*' },
      {
        Sid: 'OwnCi',
        Effect: 'Allow',
        Principal: '*',
        Action: [...pullActions, ...PUSH.actions],
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/ci/*' } },
      },
      { Sid: 'OwnAccount', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'ecr:*' },
    ],
  };
  let matrix: AccessMatrix;
  beforeAll(async () => {
    const app = new App();
    new ecr.CfnRepository(new Stack(app, 'Registry', { env: ENV }), 'Repo', { repositoryName: 'platform/api', repositoryPolicyText: policy });
    matrix = await accessMatrix(AccessModel.of(app.synth()));
  });

  // Across accounts both the identity policy and the repository policy must allow (IAM, "Cross-account policy
  // evaluation logic"): with the identity side taken to allow everything, the repository policy decides. In the
  // repository's account either one suffices ("Policy evaluation for requests within a single account"): the
  // repository policy's own grant is certain, the rest up to identity policies this tool does not see (`?`). A
  // statement naming the account itself delegates to those ("AWS account principals"): no row of its own.
  test.each<[string, string, string, string[], string]>([
    ['the roles of a path in another account (aws:PrincipalArn)', 'arn:aws:iam::222222222222:role/platform/*', 'across accounts',
      ['yes', 'no', 'no', '?', 'no'], ''],
    ['an organization (aws:PrincipalOrgID)', 'organization o-abc1234567', 'across accounts', ['yes', 'no', 'no', '?', 'no'], ''],
    ['an organizational unit (aws:PrincipalOrgPaths)', 'organization path o-abc1234567/r-ab12/ou-ab12-11111111/*', 'across accounts',
      ['yes', 'no', 'no', '?', 'no'], ''],
    ['another account, with every ECR action', 'arn:aws:iam::333333333333:root', 'across accounts', ['yes', 'yes', 'yes', '?', 'yes'],
      'policy, lifecycle, repository deletion'],
    ['roles of a path in its own account, named by the policy', 'arn:aws:iam::111111111111:role/ci/*', 'same account', ['yes', 'yes', 'yes', '?', '?'],
      'policy?, lifecycle?, repository deletion?'],
  ])('%s: a row of its own', (_name, principal, outside, [pull, push, tag, login, del], admin) => {
    const row = matrix.repositories[0].rows.find((r) => r.principal === principal);
    expect(row && [row.outside, row.pull, row.push, row.tag, row.login, row.delete, row.admin.join(', ')])
      .toEqual([outside, pull, push, tag, login, del, admin]);
  });

  test('each listed once, the account that names itself not at all; the markdown says outside and how', () => {
    expect(matrix.repositories[0].rows.map((r) => `${r.principal} ${r.account}`)).toEqual([
      'arn:aws:iam::111111111111:role/ci/* 111111111111', 'arn:aws:iam::222222222222:role/platform/* 222222222222', 'arn:aws:iam::333333333333:root 333333333333',
      'organization o-abc1234567 *', 'organization path o-abc1234567/r-ab12/ou-ab12-11111111/* *',
    ]);
    const markdown = formatMatrix(matrix, 'markdown').split('\n');
    expect(markdown).toContain('| `arn:aws:iam::222222222222:role/platform/*` (outside the assembly, across accounts) | 222222222222 | yes | - | - | ? | - | - |');
    expect(markdown).toContain('- arn:aws:iam::111111111111:role/ci/*: its identity policies are unknown (it is outside the assembly); '
      + 'in its own account they alone may allow what no resource policy grants');
  });

  test('the own account named next to another principal still only delegates: a row for the other principal alone', async () => {
    const app = new App();
    new ecr.CfnRepository(new Stack(app, 'Registry', { env: ENV }), 'Repo', {
      repositoryName: 'platform/api',
      repositoryPolicyText: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:role/deployer'] },
          Action: pullActions,
        }],
      },
    });
    const rows = (await accessMatrix(AccessModel.of(app.synth()))).repositories[0].rows;
    expect(rows.map((r) => `${r.principal} ${r.pull}`)).toEqual(['arn:aws:iam::222222222222:role/deployer yes']);
  });
});

describe('ecr-access: the repositories ECR creates, by replication and pull-through caches, from creation templates', () => {
  const admit = (account: string, actions: string[]) => JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: actions }],
  });
  const pullActions = [...PULL.actions];
  let model: AccessModel;
  let matrix: AccessMatrix;
  beforeAll(async () => {
    const app = new App();
    const registry = new Stack(app, 'Registry', { env: ENV });
    const replica = new Stack(app, 'Replica', { env: { account: ENV.account, region: 'eu-central-1' } });
    new ecr.CfnPullThroughCacheRule(registry, 'EcrPublic', { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' });
    new ecr.CfnPullThroughCacheRule(registry, 'DockerHub', { ecrRepositoryPrefix: 'docker-hub', upstreamRegistryUrl: 'registry-1.docker.io' });
    const template = (stack: Stack, id: string, prefix: string, appliedFor: string[], repositoryPolicy: string) =>
      new ecr.CfnRepositoryCreationTemplate(stack, id, { prefix, appliedFor, repositoryPolicy });
    template(registry, 'EcrPublicTemplate', 'ecr-public', ['PULL_THROUGH_CACHE'], admit('222222222222', pullActions));
    template(registry, 'DockerHubReplicas', 'docker-hub', ['REPLICATION'], admit('444444444444', pullActions));
    template(registry, 'RootTemplate', 'ROOT', ['PULL_THROUGH_CACHE'], admit('333333333333', pullActions));
    new ecr.CfnReplicationConfiguration(registry, 'Replication', {
      replicationConfiguration: {
        rules: [{
          destinations: [{ region: 'eu-central-1', registryId: ENV.account }, { region: 'us-east-1', registryId: '555555555555' }],
          repositoryFilters: [{ filter: 'platform/', filterType: 'PREFIX_MATCH' }],
        }],
      },
    });
    template(replica, 'PlatformTemplate', 'platform', ['REPLICATION'], admit('222222222222', pullActions));
    template(replica, 'TeamTemplate', 'platform/team/', ['REPLICATION'], admit('222222222222', [...pullActions, ...PUSH.actions]));
    new ecr.CfnRepository(replica, 'Declared', { repositoryName: 'platform/api' });
    const role = (id: string, resource: string) => new iam.Role(registry, id, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') })
      .addToPolicy(new iam.PolicyStatement({ actions: pullActions, resources: [resource] }));
    role('ReplicaPuller', 'arn:aws:ecr:eu-central-1:111111111111:repository/platform/*');
    role('LibraryPuller', 'arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/library/*');
    model = AccessModel.of(app.synth());
    matrix = await accessMatrix(model);
  });

  // Templates: the prefix plus an assumed '/' starts the name, ROOT for those no other template matches, and only the
  // templates whose AppliedFor names the feature (ECR API Reference, CreateRepositoryCreationTemplate); the longest
  // prefix of two (prod/team over prod, the API reference's example) is this library's reading. A cache's prefix has
  // the same assumed '/' (ECR User Guide, pull-through cache prefixes); replication creates the repositories its
  // filters (PREFIX_MATCH, the start of the name) select in each destination registry. Across accounts the
  // template's repository policy must admit the role; in its own account its identity policy suffices.
  test.each<[string, string, string, string | undefined, string[]]>([
    ['docker-hub/*', 'eu-west-1', 'pull through cache Registry/DockerHub', 'Registry/RootTemplate', ['arn:aws:iam::333333333333:root pull yes push no']],
    ['ecr-public/*', 'eu-west-1', 'pull through cache Registry/EcrPublic', 'Registry/EcrPublicTemplate',
      ['Registry/LibraryPuller pull ? push no', 'arn:aws:iam::222222222222:root pull yes push no']],
    ['eu-central-1: platform/*', 'eu-central-1', 'replication Registry/Replication', 'Replica/PlatformTemplate',
      ['Registry/ReplicaPuller pull yes push no', 'arn:aws:iam::222222222222:root pull yes push no']],
    ['eu-central-1: platform/team/*', 'eu-central-1', 'replication Registry/Replication', 'Replica/TeamTemplate',
      ['Registry/ReplicaPuller pull yes push no', 'arn:aws:iam::222222222222:root pull yes push yes']],
    // No stack of the assembly is in that registry: its templates, so the repository policy, are not known.
    ['us-east-1: platform/*', 'us-east-1', 'replication Registry/Replication', undefined,
      ['Registry/LibraryPuller pull ? push ?', 'Registry/ReplicaPuller pull ? push ?']],
  ])('%s (%s): %s, template %s', (name, region, creation, template, rows) => {
    const repository = matrix.repositories.find((r) => r.name === name)!;
    expect(repository && [repository.region, `${repository.createdBy?.by} ${repository.createdBy?.rule}`, repository.createdBy?.template])
      .toEqual([region, creation, template]);
    expect(repository.rows.map((r) => `${r.principal} pull ${r.pull} push ${r.push}`)).toEqual(rows);
  });

  test('marked in every format; a statement on some of them is why an answer is `?`; the declared repository under a pattern is its own', () => {
    const markdown = formatMatrix(matrix, 'markdown').split('\n');
    expect(markdown).toContain('## ecr-public/* (created by ECR: pull through cache Registry/EcrPublic; template Registry/EcrPublicTemplate; 111111111111, eu-west-1)');
    expect(markdown).toContain('## us-east-1: platform/* (created by ECR: replication Registry/Replication; template not known; 555555555555, us-east-1)');
    expect(formatMatrix(matrix, 'table').split('\n')).toContain(
      'eu-central-1: platform/* (created by ECR: replication Registry/Replication; template Replica/PlatformTemplate; 111111111111, eu-central-1)');
    expect(markdown).toContain('- Registry/LibraryPuller: an Allow statement on arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/library/*, '
      + 'only some of the repositories ecr-public/* stands for');
    expect(matrix.repositories.find((r) => r.name === 'eu-central-1: platform/*')!.createdBy!.declared)
      .toEqual(['arn:aws:ecr:eu-central-1:111111111111:repository/platform/api']);
    expect(matrix.repositories.filter((r) => r.name === 'platform/api').map((r) => [r.region, r.createdBy])).toEqual([['eu-central-1', undefined]]);
  });

  test('`why` takes one by its name or ARN', async () => {
    for (const name of ['ecr-public/*', 'arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/*']) {
      const answer = await explain(model, 'arn:aws:iam::222222222222:role/any', name, 'pull');
      expect(answer.allowed).toBe(true);
      expect(answer.text.split('\n')).toContain('repository: arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/* '
        + '(created by ECR: pull through cache Registry/EcrPublic; template Registry/EcrPublicTemplate)');
    }
  });
});

describe('ecr-access: a value that does not resolve leaves what ECR creates undetermined, never absent', () => {
  test.each<[string, (stack: Stack) => void, string, RegExp]>([
    ['a cache prefix from a parameter without a default', (stack) => {
      new ecr.CfnPullThroughCacheRule(stack, 'Cache', { ecrRepositoryPrefix: new CfnParameter(stack, 'Prefix').valueAsString, upstreamRegistryUrl: 'public.ecr.aws' });
    }, '<unresolved>/*', /^EcrRepositoryPrefix of Registry\/Cache: no value for Prefix /],
    ['a template prefix from a parameter without a default: which template applies is not known', (stack) => {
      new ecr.CfnPullThroughCacheRule(stack, 'Cache', { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' });
      new ecr.CfnRepositoryCreationTemplate(stack, 'Template', { prefix: new CfnParameter(stack, 'Prefix').valueAsString, appliedFor: ['PULL_THROUGH_CACHE'] });
    }, 'ecr-public/*', /^the creation template Registry\/Template: no value for Prefix /],
  ])('%s', async (_name, build, name, unknown) => {
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: ENV });
    build(stack);
    new iam.Role(stack, 'Builder', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') })
      .addToPolicy(new iam.PolicyStatement({ actions: [...PULL.actions], resources: ['*'] }));
    const matrix = await accessMatrix(AccessModel.of(app.synth()));
    expect(matrix.repositories.map((r) => [r.name, r.unknown])).toEqual([[name, expect.stringMatching(unknown)]]);
    // Its own identity policy allows the pull; the repository policy, unknown, could deny it.
    expect(matrix.repositories[0].rows.map((r) => `${r.principal} pull ${r.pull}`)).toEqual(['Registry/Builder pull ?']);
  });
});

