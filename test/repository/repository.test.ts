import { App, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FindingSeverity, ImageRepository, ImageRepositoryProps, LifecyclePolicy, LifecycleRule } from '../../src';
import { sortedStatements } from '../support/statements';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
const PUSH = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
const READ = ['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:ListImages', 'ecr:DescribeImageScanFindings', 'ecr:ListTagsForResource'];
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function setup(props: ImageRepositoryProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const repo = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', ...props });
  return { app, stack, repo };
}

const taskRole = (stack: Stack, id = 'Role') => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
const REPO_ARN_VALUE = { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] };
/** Statements of the ECR access policy the library attaches to a role of this app. */
const ecrAccessPolicies = (stack: Stack) => Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', {
  Properties: { Description: 'Amazon ECR access granted by cdk-ecr-platform' },
});
const repositoryPolicy = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText;
const lifecycleRules = (stack: Stack) =>
  JSON.parse(Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0].Properties.LifecyclePolicy.LifecyclePolicyText).rules;

describe('defaults: one line passes a security review', () => {
  test('immutable tags, scan on push, AES256, retained on deletion', () => {
    const { stack } = setup();
    Template.fromStack(stack).hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        RepositoryName: 'team/app',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'AES256' },
        ImageTagMutabilityExclusionFilters: Match.absent(),
        RepositoryPolicyText: Match.absent(),
        EmptyOnDelete: Match.absent(),
      },
    });
  });

  test('the default lifecycle policy only expires untagged images, after 30 days', () => {
    const { stack } = setup();
    expect(lifecycleRules(stack)).toEqual([{
      rulePriority: 1,
      description: 'Expire untagged images pushed more than 30 days ago',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
      action: { type: 'expire' },
    }]);
  });

  test('a repository is a single resource, and a generated name when none is given', () => {
    const stack = new Stack(new App(), 'Stack');
    new ImageRepository(stack, 'Repo');
    const template = Template.fromStack(stack);
    expect(Object.keys(template.toJSON().Resources)).toEqual([expect.stringMatching(/^Repo/)]);
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: Match.absent() });
  });
});

describe('props', () => {
  test.each<[string, ImageRepositoryProps, object]>([
    ['mutable tag patterns', { mutableTagPatterns: ['dev', 'prod', 'buildcache*'] }, {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: ['dev', 'prod', 'buildcache*'].map((f) => ({
        ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: f,
      })),
    }],
    ['mutable opt-out', { tagMutability: ecr.TagMutability.MUTABLE }, { ImageTagMutability: 'MUTABLE', ImageTagMutabilityExclusionFilters: Match.absent() }],
    ['mutable with immutable release tags', { tagMutability: ecr.TagMutability.MUTABLE, immutableTagPatterns: ['v*'] }, {
      ImageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'v*' }],
    }],
    ['scan on push off', { scanOnPush: false }, { ImageScanningConfiguration: { ScanOnPush: false } }],
    ['KMS with the AWS managed key', { encryption: ecr.RepositoryEncryption.KMS }, { EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.absent() } }],
    ['KMS_DSSE', { encryption: ecr.RepositoryEncryption.KMS_DSSE }, { EncryptionConfiguration: { EncryptionType: 'KMS_DSSE' } }],
  ])('%s', (_name, props, expected) => {
    const { stack } = setup(props);
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', expected);
  });

  test.each([ecr.RepositoryEncryption.KMS, ecr.RepositoryEncryption.KMS_DSSE, undefined])('customer managed key with %s', (encryption) => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ImageRepository(stack, 'Repo', { encryption, encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: { EncryptionType: encryption?.value ?? 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
  });

  test('DESTROY with emptyOnDelete', () => {
    const { stack } = setup({ removalPolicy: RemovalPolicy.DESTROY, emptyOnDelete: true });
    Template.fromStack(stack).hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Delete', Properties: { EmptyOnDelete: true } });
  });

  test('a lifecycle policy of its own; the repository keeps a copy', () => {
    const policy = new LifecyclePolicy({ rules: [LifecycleRule.expire({ tagPatternList: ['v*'], maxImageCount: 10 })] });
    const { stack, repo } = setup({ lifecyclePolicy: policy });
    repo.addLifecycleRule(LifecycleRule.expire({ tagPatternList: ['dev-*'], maxImageAge: Duration.days(7) }));
    expect(lifecycleRules(stack).map((r: { description: string }) => r.description)).toEqual([
      'Keep the newest 10 images tagged v*; expire older ones', 'Expire images tagged dev-* pushed more than 7 days ago',
    ]);
    expect(policy.ruleCount).toBe(1);
  });

  test('addLifecycleRule after construction lands in the rendered policy', () => {
    const { stack, repo } = setup();
    repo.addLifecycleRule(LifecycleRule.expire({ tagPatternList: ['pr-*'], maxImageAge: Duration.days(3) }));
    expect(lifecycleRules(stack)).toHaveLength(2);
  });
});

describe('grants', () => {
  test.each<[string, (repo: ImageRepository, grantee: iam.IGrantable) => iam.Grant, string[], boolean]>([
    ['grantPull', (repo, g) => repo.grantPull(g), PULL, true],
    ['grantPush', (repo, g) => repo.grantPush(g), PUSH, true],
    ['grantPullPush', (repo, g) => repo.grantPullPush(g), [...PULL, ...PUSH.slice(1)], true],
    ['grantRead', (repo, g) => repo.grantRead(g), READ, false],
  ])('%s: scoped to the repository ARN, login alone on *, in the role\'s ECR access policy', (_name, grant, actions, login) => {
    const { stack, repo } = setup();
    const g = grant(repo, taskRole(stack));
    expect(g.success).toBe(true);
    // What a consumer of the grant waits for: the policy holding it.
    const consumer = new CfnResource(stack, 'Consumer', { type: 'AWS::SNS::Topic' });
    g.applyBefore(consumer);
    // One customer managed policy, attached to the role (it names the role, as CDK's default policy does), and no
    // inline policy at all.
    const policies = Object.values(ecrAccessPolicies(stack));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Role[0-9A-F]{8}$/) }]);
    expect(sortedStatements(policies[0].Properties.PolicyDocument.Statement)).toEqual(sortedStatements([
      { Action: actions, Effect: 'Allow', Resource: REPO_ARN_VALUE },
      ...(login ? [{ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' }] : []),
    ]));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    expect(Template.fromStack(stack).toJSON().Resources.Consumer.DependsOn).toEqual([Object.keys(ecrAccessPolicies(stack))[0]]);
    // Same-account principals are granted through their own policy only.
    expect(repositoryPolicy(stack)).toBeUndefined();
  });

  test('grants of several repositories to one role share its ECR access policy, one statement per action set', () => {
    const { stack, repo } = setup();
    const other = new ImageRepository(stack, 'Other', { repositoryName: 'team/other' });
    const role = taskRole(stack);
    repo.grantPull(role);
    other.grantPull(role);
    other.grantPush(role);
    const policies = Object.values(ecrAccessPolicies(stack));
    expect(policies).toHaveLength(1);
    const otherArn = { 'Fn::GetAtt': [Object.keys(Template.fromStack(stack).findResources('AWS::ECR::Repository')).find((id) => id.startsWith('Other')), 'Arn'] };
    expect(sortedStatements(policies[0].Properties.PolicyDocument.Statement)).toEqual(sortedStatements([
      { Action: PULL, Effect: 'Allow', Resource: [REPO_ARN_VALUE, otherArn] },
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
      { Action: PUSH, Effect: 'Allow', Resource: otherArn },
    ]));
  });

  test('a role of another account gets a repository policy statement too', () => {
    const { app, stack, repo } = setup();
    const other = new Stack(app, 'Other', { env: { account: '444444444444', region: 'eu-west-1' } });
    const role = taskRole(other);
    repo.grantPull(role);
    // aws-cdk-lib admits that account, narrowed to the role by a tag it puts on the role; no Resource in the statement.
    expect(repositoryPolicy(stack).Statement).toEqual([{
      Action: PULL,
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444444444444:root']] } },
      Condition: { StringEquals: { 'aws:PrincipalTag/aws-cdk:id': `Other_${role.node.addr}` } },
    }]);
  });

  test('grantPullToAccounts: one statement for every account, no Resource', () => {
    const { stack, repo } = setup();
    repo.grantPullToAccounts(['222222222222', '333333333333']);
    const accountRoot = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]] });
    expect(repositoryPolicy(stack)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: PULL, Effect: 'Allow', Principal: { AWS: [accountRoot('222222222222'), accountRoot('333333333333')] } }],
    });
  });

  test('grantPullToAccounts with principal patterns: the accounts, narrowed to the roles whose ARN matches', () => {
    const { stack, repo } = setup();
    repo.grantPullToAccounts(['222222222222', '333333333333'], {
      principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/app/*', 'arn:aws:iam::333333333333:role/platform/app/*'],
    });
    const accountRoot = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]] });
    expect(repositoryPolicy(stack)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Action: PULL,
        Effect: 'Allow',
        Principal: { AWS: [accountRoot('222222222222'), accountRoot('333333333333')] },
        Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/platform/app/*', 'arn:aws:iam::333333333333:role/platform/app/*'] } },
      }],
    });
  });

  test('grantPullToOrganization: the organization condition', () => {
    const { stack, repo } = setup();
    repo.grantPullToOrganization('o-abcdefghij');
    expect(repositoryPolicy(stack).Statement).toEqual([{
      Action: PULL, Effect: 'Allow', Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
    }]);
  });

  test('grantPullToOrganization: organizational units through aws:PrincipalOrgPaths', () => {
    const { stack, repo } = setup();
    repo.grantPullToOrganization('o-abcdefghij', { organizationPaths: ['o-abcdefghij/r-ab12/ou-ab12-11111111/*'] });
    expect(repositoryPolicy(stack).Statement[0].Condition).toEqual({
      'StringEquals': { 'aws:PrincipalOrgID': 'o-abcdefghij' },
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abcdefghij/r-ab12/ou-ab12-11111111/*'] },
    });
  });

  test('grantPullToLambda: the Lambda service principal conditioned on the functions, plus their accounts', () => {
    const { stack, repo } = setup();
    const fn = 'arn:aws:lambda:eu-west-1:555555555555:function:resize';
    repo.grantPullToLambda({ accountIds: ['222222222222', '111111111111'], functionArns: [fn] });
    const accountFunctions = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:eu-west-1:${id}:function:*`]] });
    const accountRoot = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]] });
    expect(repositoryPolicy(stack).Statement).toEqual([
      {
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Condition: { StringLike: { 'aws:sourceArn': [fn, accountFunctions('222222222222'), accountFunctions('111111111111')] } },
      },
      // The repository's own account needs no statement of its own.
      { Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow', Principal: { AWS: [accountRoot('222222222222'), accountRoot('555555555555')] } },
    ]);
  });

  test('imported repositories grant the same way', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const repo = ImageRepository.fromRepositoryName(stack, 'Imported', 'team/app');
    repo.grantPull(taskRole(stack));
    expect(sortedStatements(Object.values(ecrAccessPolicies(stack))[0].Properties.PolicyDocument.Statement)).toEqual(sortedStatements([
      { Action: PULL, Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/team/app']] } },
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
    ]));
    const byArn = ImageRepository.fromRepositoryAttributes(stack, 'ByArn', {
      repositoryName: 'shared/base', repositoryArn: 'arn:aws:ecr:eu-west-1:999999999999:repository/shared/base',
    });
    expect(stack.resolve(byArn.imageUri('1.0.0'))).toEqual({ 'Fn::Join': ['', ['999999999999.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/shared/base:1.0.0']] });
  });
});

describe('events', () => {
  test('onImagePushed: successful pushes of this repository, optionally one tag', () => {
    const { stack, repo } = setup();
    const topic = new sns.Topic(stack, 'Topic');
    repo.onImagePushed('Pushed', { imageTag: 'prod', target: new targets.SnsTopic(topic) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        'detail': { 'action-type': ['PUSH'], 'result': ['SUCCESS'], 'repository-name': [{ Ref: Match.stringLikeRegexp('^Repo') }], 'image-tag': ['prod'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Topic') } })],
    });
  });

  test('onScanFindings: basic scan counts and Inspector findings at or above the threshold', () => {
    const { stack, repo } = setup();
    repo.onScanFindings('Findings', { minimumSeverity: FindingSeverity.CRITICAL });
    const name = [{ Ref: Match.stringLikeRegexp('^Repo') }];
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecr', 'aws.inspector2'],
        'detail-type': ['ECR Image Scan', 'Inspector2 Finding'],
        'detail': {
          $or: [
            { 'repository-name': name, 'scan-status': ['COMPLETE'], 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } },
            { severity: ['CRITICAL'], status: ['ACTIVE'], resources: { type: ['AWS_ECR_CONTAINER_IMAGE'], details: { awsEcrContainerImage: { repositoryName: name } } } },
          ],
        },
      },
    });
  });

  test('onScanFindings defaults to HIGH and above', () => {
    const { stack, repo } = setup();
    repo.onScanFindings('Findings');
    const detail = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))[0].Properties.EventPattern.detail;
    expect(detail.$or.map((b: { [k: string]: unknown }) => b['finding-severity-counts'] ?? b.severity)).toEqual([
      { CRITICAL: [{ numeric: ['>', 0] }] }, { HIGH: [{ numeric: ['>', 0] }] }, ['CRITICAL', 'HIGH'],
    ]);
  });
});

describe('usable wherever aws-cdk-lib takes an ecr.IRepository', () => {
  test('imageUri: tag or digest', () => {
    const { stack, repo } = setup();
    const uri = (tagOrDigest: string) => stack.resolve(repo.imageUri(tagOrDigest))['Fn::Join'][1];
    expect(uri('1.2.3').slice(-2)).toEqual([{ Ref: 'Repo02AC86CF' }, ':1.2.3']);
    expect(uri(DIGEST).slice(-2)).toEqual([{ Ref: 'Repo02AC86CF' }, `@${DIGEST}`]);
  });

  test('ECS container image and Lambda container code', () => {
    const { stack, repo } = setup();
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(repo, DIGEST) });
    new lambda.DockerImageFunction(stack, 'Fn', { code: lambda.DockerImageCode.fromEcr(repo, { tagOrDigest: DIGEST }) });
    const template = Template.fromStack(stack);
    const [policy] = Object.values(ecrAccessPolicies(stack));
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^TaskExecutionRole/) }]);
    expect(sortedStatements(policy.Properties.PolicyDocument.Statement)).toEqual(sortedStatements([
      { Action: PULL, Effect: 'Allow', Resource: REPO_ARN_VALUE }, { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
    ]));
    // Lambda pulls as its service, admitted by the repository policy for this account's functions.
    expect(repositoryPolicy(stack).Statement).toEqual([expect.objectContaining({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Principal: { Service: 'lambda.amazonaws.com' },
    })]);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });
});
