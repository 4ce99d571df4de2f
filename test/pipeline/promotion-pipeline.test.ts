import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { App, Duration, LegacyStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImageBuildProject, ImagePromotionPipeline, ImagePromotionPipelineProps, ImageRepository, PromotionEnvironment, ScanGate } from '../../src';
import { scratchDir } from '../support/clean-outdirs';
import { guardFindings, nagFindings } from '../support/compliance';
import { AccessModel } from '../support/iam-simulation';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const PROD_DEPLOY_ROLE = 'arn:aws:iam::333333333333:role/platform-deploy';

function service(stack: Stack, id: string, account: string, region = 'eu-west-1'): ecs.IBaseService {
  const cluster = ecs.Cluster.fromClusterAttributes(stack, `${id}Cluster`, {
    clusterName: `storefront-${id}`,
    clusterArn: `arn:aws:ecs:${region}:${account}:cluster/storefront-${id}`,
    vpc: ec2.Vpc.fromVpcAttributes(stack, `${id}Vpc`, { vpcId: 'vpc-12345678', availabilityZones: [`${region}a`] }),
  });
  return ecs.FargateService.fromFargateServiceAttributes(stack, `${id}Service`, {
    cluster, serviceArn: `arn:aws:ecs:${region}:${account}:service/storefront-${id}/storefront`,
  });
}

type PropsOf = (s: Stack, build: ImageBuildProject) => Partial<ImagePromotionPipelineProps>;

function pipelineStack(props: PropsOf = () => ({}), buildSource?: codebuild.ISource) {
  const app = new App();
  const stack = new Stack(app, 'Delivery', { env: ENV });
  const repository = new ImageRepository(stack, 'Repository', { repositoryName: 'platform/storefront', mutableTagPatterns: ['dev', 'staging', 'prod'] });
  Validations.of(repository).acknowledge({ id: 'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check', reason: 'environment tags move by design' });
  const build = new ImageBuildProject(stack, 'Build', {
    repository, source: buildSource, environmentTags: ['dev'], promotionTags: ['staging', 'prod'], scanGate: ScanGate.basic(),
  });
  const pipeline = new ImagePromotionPipeline(stack, 'Promotion', {
    connectionArn: CONNECTION,
    sourceOwner: 'example-org',
    sourceRepository: 'storefront',
    buildProject: build,
    environments: [
      { name: 'dev', ecsDeployments: [{ service: service(stack, 'dev', '111111111111'), containerName: 'app' }] },
      { name: 'staging' },
      {
        name: 'prod',
        ecsDeployments: [{
          service: service(stack, 'prod', '333333333333'),
          containerName: 'app',
          deployRole: iam.Role.fromRoleArn(stack, 'ProdDeploy', PROD_DEPLOY_ROLE, { mutable: false }),
        }],
      },
    ],
    ...props(stack, build),
  });
  return { app, stack, pipeline, build };
}

const ecsService = (stack: Stack) => ecs.FargateService.fromServiceArnWithCluster(stack, 'Service', 'arn:aws:ecs:eu-west-1:111111111111:service/c/s');

const stagesOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as any[];

describe('ImagePromotionPipeline', () => {
  test('stages in promotion order: source, build, then per environment approval, promotion of the same digest, deployment', () => {
    const { stack } = pipelineStack();
    expect(stagesOf(stack).map((s) => [s.Name, s.Actions.map((a: any) => `${a.RunOrder} ${a.Name} ${a.ActionTypeId.Provider}`)])).toEqual([
      ['Source', ['1 Source CodeStarSourceConnection']],
      ['Build', ['1 Build CodeBuild']],
      ['Promote-dev', ['1 ImageDefinitions1 CodeBuild', '2 Deploy1 ECS']],
      ['Promote-staging', ['1 Approve Manual', '2 Promote CodeBuild']],
      ['Promote-prod', ['1 Approve Manual', '2 Promote CodeBuild', '3 ImageDefinitions1 CodeBuild', '4 Deploy1 ECS']],
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
  });

  test('without ECS deployments the pipeline makes no image definitions project', () => {
    const { stack } = pipelineStack(() => ({ environments: [{ name: 'dev' }, { name: 'staging' }] }));
    // The build's project only.
    Template.fromStack(stack).resourceCountIs('AWS::CodeBuild::Project', 1);
    expect(stagesOf(stack).map((s) => s.Name)).toEqual(['Source', 'Build', 'Promote-staging']);
  });

  test('the digest the build exported flows to every promotion and deployment; no action takes a tag', () => {
    const { stack } = pipelineStack();
    const stages = stagesOf(stack);
    const action = (stage: string, name: string) => stages.find((s) => s.Name === stage).Actions.find((a: any) => a.Name === name);
    expect(action('Build', 'Build').Namespace).toBe('Build');
    expect(JSON.parse(action('Promote-prod', 'Promote').Configuration.EnvironmentVariables)).toEqual([
      { name: 'BUILD_COMMAND', type: 'PLAINTEXT', value: 'promote' },
      { name: 'PROMOTE_DIGEST', type: 'PLAINTEXT', value: '#{Build.IMAGE_DIGEST}' },
      { name: 'ENVIRONMENT_TAGS', type: 'PLAINTEXT', value: 'prod' },
    ]);
    for (const stage of ['Promote-dev', 'Promote-prod']) {
      expect(JSON.parse(action(stage, 'ImageDefinitions1').Configuration.EnvironmentVariables)).toEqual([
        { name: 'IMAGE_URI', type: 'PLAINTEXT', value: '#{Build.IMAGE_URI}' },
        { name: 'CONTAINER_NAME', type: 'PLAINTEXT', value: 'app' },
      ]);
      expect(action(stage, 'Deploy1').InputArtifacts).toEqual(action(stage, 'ImageDefinitions1').OutputArtifacts);
    }
  });

  test('the pipeline runs as a role under the path deploy roles of other accounts trust, and its bucket has the name given', () => {
    const { stack } = pipelineStack(() => ({ artifactBucketName: '111111111111-eu-west-1-storefront-pipeline' }));
    const template = Template.fromStack(stack);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Path: '/image-promotion/' } });
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/^PromotionRole/)]);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { RoleArn: { 'Fn::GetAtt': [Object.keys(roles)[0], 'Arn'] } });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: '111111111111-eu-west-1-storefront-pipeline' });
  });

  test('the build reads the source artifact: its role may get the bucket\'s objects and decrypt them with the pipeline\'s key', async () => {
    const { app } = pipelineStack();
    const model = new AccessModel(app.synth());
    const role = { stack: 'Delivery', role: 'BuildRole' };
    const object = { arn: `${model.arnOf('Delivery', 'PromotionArtifacts', 'AWS::S3::Bucket')}/Source/abc.zip`, account: '111111111111' };
    // KMS needs the key policy to delegate to IAM, as the simulator models it.
    const key = model.resourceWithPolicy('Delivery', 'PromotionArtifactsKey', 'AWS::KMS::Key', 'KeyPolicy');
    expect((await model.check(role, 's3:GetObject', object)).allowed).toBe(true);
    expect((await model.check(role, 'kms:Decrypt', key)).allowed).toBe(true);
    // Read only: the build writes no artifact.
    expect((await model.check(role, 's3:PutObject', object)).allowed).toBe(false);
  });

  // "When specifying a resource in the IAM policy, the service prefix needs to match that of the resource"
  // (Developer Tools console User Guide, "Connections rename"); the console creates codeconnections ARNs since July 2024.
  test.each([
    [CONNECTION, 'codeconnections:UseConnection'],
    ['arn:aws:codestar-connections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', 'codestar-connections:UseConnection'],
  ])('the source action may use the connection %s under its own service prefix', (connectionArn, matching) => {
    const { stack } = pipelineStack(() => ({ connectionArn }));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^PromotionSourceRole') }] } });
    const actionsOn = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => st.Resource === connectionArn).flatMap((st: any) => [st.Action].flat());
    expect(actionsOn).toContain(matching);
  });

  test('the image definitions are the image by digest, and anything else fails the action', () => {
    const { stack } = pipelineStack();
    const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project', { Properties: { Description: 'Writes imagedefinitions.json with the image by digest' } });
    const spec = JSON.parse(Object.values(projects)[0].Properties.Source.BuildSpec);
    const script = spec.phases.build.commands.join('\n');
    const run = (imageUri: string) => {
      const dir = scratchDir('definitions-');
      const result = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, IMAGE_URI: imageUri, CONTAINER_NAME: 'app' } });
      const file = `${dir}/imagedefinitions.json`;
      return { status: result.status, stderr: result.stderr, definitions: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined };
    };
    const uri = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront@sha256:${'ab'.repeat(32)}`;
    // The ECS deploy action's image definitions file (CodePipeline User Guide, "imagedefinitions.json file").
    expect(run(uri)).toEqual({ status: 0, stderr: '', definitions: [{ name: 'app', imageUri: uri }] });
    expect(run('111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront:prod')).toEqual({
      status: 1, stderr: "image definitions: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront:prod' is not an image by digest\n", definitions: undefined,
    });
    expect(spec.artifacts).toEqual({ files: ['imagedefinitions.json'] });
  });

  test('a deployment in another account runs as that account\'s role, which the artifact key and bucket admit', () => {
    const { stack } = pipelineStack();
    const template = Template.fromStack(stack);
    const prod = stagesOf(stack).find((s) => s.Name === 'Promote-prod').Actions.find((a: any) => a.Name === 'Deploy1');
    expect(prod.RoleArn).toBe(PROD_DEPLOY_ROLE);
    expect(prod.Configuration).toEqual({ ClusterName: 'storefront-prod', ServiceName: 'storefront' });
    const keyStatements = Object.values(template.findResources('AWS::KMS::Key'))
      .flatMap((k) => k.Properties.KeyPolicy.Statement).filter((s: any) => JSON.stringify(s.Principal).includes('333333333333'));
    expect(keyStatements.map((s: any) => [s.Principal, s.Action])).toEqual([
      [{ AWS: PROD_DEPLOY_ROLE }, ['kms:Decrypt', 'kms:DescribeKey']],
    ]);
    const bucketStatements = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s.Principal).includes('333333333333'));
    expect(bucketStatements.map((s: any) => [s.Principal, s.Action])).toEqual([[{ AWS: PROD_DEPLOY_ROLE }, ['s3:GetObject*', 's3:GetBucket*', 's3:List*']]]);
  });

  test.each<[string, (s: Stack, build: ImageBuildProject) => Partial<ImagePromotionPipelineProps>, string, codebuild.ISource | undefined]>([
    ['a connection ARN of another service', () => ({ connectionArn: 'arn:aws:codecommit:eu-west-1:111111111111:storefront' }),
      "prop 'connectionArn': got \"arn:aws:codecommit:eu-west-1:111111111111:storefront\"; a CodeConnections connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<id>.", undefined],
    ['a build with a source of its own', () => ({}),
      "prop 'buildProject': got \"Delivery/Build\"; has a source of its own, which a pipeline would replace by its artifact (and its webhook would build nothing). Create it without 'source' for the pipeline.",
      codebuild.Source.gitHub({ owner: 'example-org', repo: 'storefront' })],
    ['no environment', () => ({ environments: [] }), "prop 'environments': got []; name at least one environment: the first is the one every build tags.", undefined],
    ['an environment twice', () => ({ environments: [{ name: 'dev' }, { name: 'prod' }, { name: 'prod' }] }),
      "prop 'environments': got \"prod\"; is named twice. An environment is promoted to once.", undefined],
    ['a first environment the build does not tag', () => ({ environments: [{ name: 'staging' }, { name: 'prod' }] }),
      "prop 'environments[0]': got \"staging\"; is not a tag the build applies ([\"dev\"]). Add it to the build's 'environmentTags'.", undefined],
    ['a later environment the build cannot promote to', () => ({ environments: [{ name: 'dev' }, { name: 'qa' }] }),
      "prop 'environments': got \"qa\"; is not one of the build's promotion tags ([\"staging\",\"prod\"]). Add it to 'promotionTags'.", undefined],
    ['a container name ECS refuses', (s) => ({ environments: [{ name: 'dev', ecsDeployments: [{ service: service(s, 'x', '111111111111'), containerName: 'app server' }] }] }),
      "prop 'environments[dev].ecsDeployments.containerName': got \"app server\"; an ECS container name: 1 to 255 letters, digits, hyphens and underscores.", undefined],
    ['a service of another account without a deploy role', (s) => ({ environments: [{ name: 'dev', ecsDeployments: [{ service: service(s, 'x', '333333333333'), containerName: 'app' }] }] }),
      "prop 'environments[dev].ecsDeployments.deployRole': got nothing; the service is in account 333333333333, and the pipeline's actions run in 111111111111. "
      + 'Give a role of 333333333333 that trusts 111111111111 and may deploy the service.', undefined],
    ['a service of another region', (s) => ({ environments: [{ name: 'dev', ecsDeployments: [{ service: service(s, 'x', '111111111111', 'us-east-1'), containerName: 'app' }] }] }),
      "prop 'environments[dev].ecsDeployments.service': got \"Delivery/xService\"; is in region us-east-1, and the pipeline in eu-west-1: "
      + 'a deploy action of another region needs an artifact bucket there. Deploy it with a pipeline in us-east-1.', undefined],
    ['an artifact bucket name S3 refuses', () => ({ artifactBucketName: 'storefront_artifacts' }),
      "prop 'artifactBucketName': got \"storefront_artifacts\"; an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, "
      + 'without two adjacent dots, and not an IP address.',
      undefined],
  ])('refuses %s', (_name, props, problem, source) => {
    const { stack } = pipelineStack(props, source);
    expect(synthesisProblems(stack)).toBe(`[Delivery/Promotion] ${problem}`);
  });

  test('a promotion takes a digest or a pipeline variable holding one, nothing else', () => {
    const { build } = pipelineStack();
    expect(build.promotionVariables('#{Build.IMAGE_DIGEST}', ['prod']).PROMOTE_DIGEST).toEqual({ value: '#{Build.IMAGE_DIGEST}' });
    expect(() => build.promotionVariables('#{Build.IMAGE_TAG', ['prod'])).toThrow(
      "[Delivery/Build] prop 'digest': got \"#{Build.IMAGE_TAG\"; a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'.");
  });

  test('clean under the four cdk-nag packs and the Control Tower controls', () => {
    const { app, stack } = pipelineStack();
    expect(nagFindings(stack)).toEqual([]);
    expect(guardFindings(app)).toEqual([]);
  });
});

const BUCKET_RULE = 'an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, '
  + 'without two adjacent dots, and not an IP address.';
const SOURCE_NAME_RULE = "at the connection's provider: never empty, no spaces. Fix the name.";
const BRANCH_RULE = "a git branch name (git check-ref-format): not empty, without spaces, '~', '^', ':', '?', '*', '[', '\\' or '..', "
  + "and not starting or ending with '/' or '.'.";
const PIPELINE_NAME_RULE = "a CodePipeline name: 1 to 100 letters, digits, '.', '@', '_' and '-'. Rename it, or omit it for a generated name.";
const DEPLOYMENT_TIMEOUT_RULE = "CodePipeline's ECS deploy action waits whole minutes from 1 to 60. Shorten it; a deployment still running then fails the action.";

// The smallest pipeline that shows each problem: one environment, at most one deployment.
describe('ImagePromotionPipeline props that AWS refuses at deploy or aws-cdk-lib throws on', () => {
  test.each<[string, (s: Stack) => Partial<ImagePromotionPipelineProps>, string]>([
    // S3 general purpose bucket naming rules
    ['a bucket name with two adjacent dots', () => ({ artifactBucketName: 'a..b-artifacts' }), `prop 'artifactBucketName': got "a..b-artifacts"; ${BUCKET_RULE}`],
    ['a bucket name shaped like an IP address', () => ({ artifactBucketName: '192.168.5.4' }), `prop 'artifactBucketName': got "192.168.5.4"; ${BUCKET_RULE}`],
    ['a bucket name of 64 characters', () => ({ artifactBucketName: 'b'.repeat(64) }), `prop 'artifactBucketName': got "${'b'.repeat(64)}"; ${BUCKET_RULE}`],
    ['a bucket name starting with xn--', () => ({ artifactBucketName: 'xn--storefront-artifacts' }),
      "prop 'artifactBucketName': got \"xn--storefront-artifacts\"; S3 reserves the prefix 'xn--' for its own names. Rename the bucket."],
    ['a bucket name starting with sthree-', () => ({ artifactBucketName: 'sthree-artifacts' }),
      "prop 'artifactBucketName': got \"sthree-artifacts\"; S3 reserves the prefix 'sthree-' for its own names. Rename the bucket."],
    ['a bucket name ending in -s3alias', () => ({ artifactBucketName: 'artifacts-s3alias' }),
      "prop 'artifactBucketName': got \"artifacts-s3alias\"; S3 reserves the suffix '-s3alias' for its own names. Rename the bucket."],
    ['a bucket name ending in --x-s3 (directory buckets)', () => ({ artifactBucketName: 'artifacts--x-s3' }),
      "prop 'artifactBucketName': got \"artifacts--x-s3\"; S3 reserves the suffix '--x-s3' for its own names. Rename the bucket."],
    ['a bucket name ending in --table-s3 (table buckets)', () => ({ artifactBucketName: 'artifacts--table-s3' }),
      "prop 'artifactBucketName': got \"artifacts--table-s3\"; S3 reserves the suffix '--table-s3' for its own names. Rename the bucket."],
    ['a bucket name ending in .mrap', () => ({ artifactBucketName: 'artifacts.mrap' }),
      "prop 'artifactBucketName': got \"artifacts.mrap\"; S3 reserves the suffix '.mrap' for its own names. Rename the bucket."],
    // CodeConnections source
    ['an empty owner', () => ({ sourceOwner: '' }),
      `prop 'sourceOwner': got ""; the owner of the Git repository (a user, organization, group or workspace) ${SOURCE_NAME_RULE}`],
    ['an owner with a space', () => ({ sourceOwner: 'example org' }),
      `prop 'sourceOwner': got "example org"; the owner of the Git repository (a user, organization, group or workspace) ${SOURCE_NAME_RULE}`],
    ['an empty repository', () => ({ sourceRepository: '' }), `prop 'sourceRepository': got ""; the name of the Git repository ${SOURCE_NAME_RULE}`],
    ['a repository with a space', () => ({ sourceRepository: 'store front' }), `prop 'sourceRepository': got "store front"; the name of the Git repository ${SOURCE_NAME_RULE}`],
    ['an empty branch', () => ({ branch: '' }), `prop 'branch': got ""; ${BRANCH_RULE}`],
    ['a branch with a space', () => ({ branch: 'release 1' }), `prop 'branch': got "release 1"; ${BRANCH_RULE}`],
    ['a branch pattern', () => ({ branch: 'release/*' }), `prop 'branch': got "release/*"; ${BRANCH_RULE}`],
    // CodePipeline names
    ['a pipeline name with a space', () => ({ pipelineName: 'storefront pipeline' }), `prop 'pipelineName': got "storefront pipeline"; ${PIPELINE_NAME_RULE}`],
    ['a pipeline name of 101 characters', () => ({ pipelineName: 'p'.repeat(101) }), `prop 'pipelineName': got "${'p'.repeat(101)}"; ${PIPELINE_NAME_RULE}`],
    // ECS deploy action
    ['a deployment timeout over 60 minutes', (s) => ({ environments: [{ name: 'dev', ecsDeployments: [{ service: ecsService(s), containerName: 'app', deploymentTimeout: Duration.minutes(61) }] }] }),
      `prop 'environments[dev].ecsDeployments.deploymentTimeout': got "1 hour 1 minute"; ${DEPLOYMENT_TIMEOUT_RULE}`],
    ['a deployment timeout of 90 seconds', (s) => ({ environments: [{ name: 'dev', ecsDeployments: [{ service: ecsService(s), containerName: 'app', deploymentTimeout: Duration.seconds(90) }] }] }),
      `prop 'environments[dev].ecsDeployments.deploymentTimeout': got "1 minute 30 seconds"; ${DEPLOYMENT_TIMEOUT_RULE}`],
  ])('refuses %s', (_name, props, problem) => {
    const stack = new Stack(new App(), 'Delivery', { env: ENV });
    const repository = new ImageRepository(stack, 'Repository', { repositoryName: 'platform/storefront', mutableTagPatterns: ['dev'] });
    const build = new ImageBuildProject(stack, 'Build', { repository, environmentTags: ['dev'] });
    new ImagePromotionPipeline(stack, 'Promotion', {
      connectionArn: CONNECTION, sourceOwner: 'example-org', sourceRepository: 'storefront', buildProject: build, environments: [{ name: 'dev' }], ...props(stack),
    });
    expect(synthesisProblems(stack)).toBe(`[Delivery/Promotion] ${problem}`);
  });

  test.each<[string, Partial<ImagePromotionPipelineProps>, Record<string, unknown>]>([
    ['a bucket name of 63 characters with dots', { artifactBucketName: `a.b-${'c'.repeat(59)}` }, { BucketName: `a.b-${'c'.repeat(59)}` }],
    ['a bucket name with xn-- inside, not as its prefix', { artifactBucketName: 'artifacts-xn--1' }, { BucketName: 'artifacts-xn--1' }],
  ])('takes %s', (_name, props, bucket) => {
    const stack = new Stack(new App(), 'Delivery', { env: ENV });
    const repository = new ImageRepository(stack, 'Repository', { repositoryName: 'platform/storefront', mutableTagPatterns: ['dev'] });
    const build = new ImageBuildProject(stack, 'Build', { repository, environmentTags: ['dev'] });
    new ImagePromotionPipeline(stack, 'Promotion', {
      connectionArn: CONNECTION, sourceOwner: 'example-org', sourceRepository: 'storefront', buildProject: build, environments: [{ name: 'dev' }], ...props,
    });
    expect(synthesisProblems(stack)).toBe('');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', bucket);
  });
});

describe('stack releases', () => {
  test.each<[string, (app: App, own: Stack, target: Stack) => object[], string]>([
    ['a stack listed twice', (_app, _p, target) => [{ stack: target }, { stack: target }],
      "[Pipeline/Promotion] prop 'environments[dev].stackReleases': got \"Target\"; is listed twice. Release each stack once per environment."],
    ['the pipeline\'s own stack', (_app, own) => [{ stack: own }],
      "[Pipeline/Promotion] prop 'environments[dev].stackReleases': got \"Pipeline\"; is the pipeline's own stack, which a release would update under the running pipeline. Release the workload stacks."],
    ['a stack without the bootstrap roles', (app) => [{ stack: new Stack(app, 'Legacy', { synthesizer: new LegacyStackSynthesizer() }) }],
      "[Pipeline/Promotion] prop 'environments[dev].stackReleases': got \"Legacy\"; is synthesized by LegacyStackSynthesizer: a release assumes the CDK bootstrap's deploy role. Use the DefaultStackSynthesizer."],
  ])('refuses %s', (_name, releases, message) => {
    const { app } = releasePipeline((scope, own, target) => ({ name: 'dev', stackReleases: releases(scope, own, target) as any }));
    expect(synthesisProblems(app)).toBe(message);
  });
});

/** A pipeline of stack 'Pipeline' (account 111111111111) with one 'dev' environment, releasing to stack 'Target' (222222222222). */
function releasePipeline(environment: (app: App, own: Stack, target: Stack) => PromotionEnvironment) {
  const app = new App();
  const own = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  const target = new Stack(app, 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
  const repository = new ImageRepository(own, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['dev'] });
  const build = new ImageBuildProject(own, 'Build', { repository, environmentTags: ['dev'] });
  new ImagePromotionPipeline(own, 'Promotion', {
    connectionArn: CONNECTION,
    sourceOwner: 'o',
    sourceRepository: 'r',
    buildProject: build,
    environments: [environment(app, own, target)],
  });
  return { app, own };
}

test('the image definitions step keeps its 10 minutes; a release may wait 90 for CloudFormation', () => {
  const { own } = releasePipeline((_app, stack, target) => ({
    name: 'dev', ecsDeployments: [{ service: ecsService(stack), containerName: 'app' }], stackReleases: [{ stack: target }],
  }));
  const projects = Template.fromStack(own).findResources('AWS::CodeBuild::Project');
  const timeouts = Object.entries(projects).map(([id, p]) => [id.replace(/[0-9A-F]{8}$/, ''), p.Properties.TimeoutInMinutes]).sort();
  expect(timeouts.filter(([id]) => id !== 'BuildProject')).toEqual([['PromotionImageDefinitions', 10], ['PromotionReleasedev', 90]]);
});
