// The access engine of `ecr-access` on what the reference app does not show: nested stacks (a fleet's shards), users
// and groups, policies attached across stacks through exports, CloudFormation's intrinsic functions, and what it does
// not know (an AWS managed policy it lacks, a value that does not resolve), which makes an answer `?`, never `no`.
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessMatrix, accessMatrix, AccessModel, decide, formatMatrix, InputError, PULL, PUSH, resolveCfn } from '../../packages/ecr-access/src';
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
});
