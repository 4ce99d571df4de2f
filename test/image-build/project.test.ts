import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BuildSecret, FindingSeverity, ImageBuildCache, ImageBuildProject, ImageBuildProjectProps, ImageBuildTriggers, ImagePlatform,
  ImageRepository, ScanGate,
} from '../../src';
import { BUILD_SCRIPT_PATH, SCAN_GATE_PATH } from '../../src/image-build/buildspec';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const ASSETS = path.join(__dirname, '..', '..', 'src', 'image-build', 'assets');

function setup(props: Partial<ImageBuildProjectProps> = {}, repoProps = { mutableTagPatterns: ['dev', 'staging', 'prod', 'buildcache'] }) {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', ...repoProps });
  const build = new ImageBuildProject(stack, 'Build', {
    repository,
    source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
    ...props,
  });
  return { stack, repository, build, template: Template.fromStack(stack) };
}

const projectOf = (template: Template) => Object.values(template.findResources('AWS::CodeBuild::Project'))[0].Properties;
const variablesOf = (template: Template): Record<string, unknown> =>
  Object.fromEntries(projectOf(template).Environment.EnvironmentVariables.map((v: { Name: string; Value: unknown }) => [v.Name, v.Value]));
/** The buildspec; references (such as a secret ARN) inside it read as TOKEN. */
const buildSpecOf = (template: Template) => {
  const spec = projectOf(template).Source.BuildSpec;
  return JSON.parse(typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
};
const statementsOf = (template: Template) => Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;

describe('ImageBuildProject defaults', () => {
  test('privileged standard image, KMS key on the project, its own log group with retention', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/standard:7.0', PrivilegedMode: true, Type: 'LINUX_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' },
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildKey'), 'Arn'] },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^BuildLogs') } } },
      TimeoutInMinutes: 60,
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the buildspec carries the script and the scan gate verbatim', () => {
    const { template } = setup();
    const commands: string[] = buildSpecOf(template).phases.pre_build.commands;
    expect(commands[1]).toBe(`cat > ${BUILD_SCRIPT_PATH} <<'END_OF_BUILD_SCRIPT'\n${fs.readFileSync(path.join(ASSETS, 'build-and-push.sh'), 'utf8')}END_OF_BUILD_SCRIPT`);
    expect(commands[2]).toBe(`cat > ${SCAN_GATE_PATH} <<'END_OF_SCAN_GATE'\n${fs.readFileSync(path.join(ASSETS, 'scan-gate.js'), 'utf8')}END_OF_SCAN_GATE`);
  });

  test('the script gets its inputs as plaintext variables, none of them secret', () => {
    const { template } = setup({ environmentTags: ['dev'] });
    expect(variablesOf(template)).toEqual({
      ECR_REGISTRY: expect.anything(),
      IMAGE_REPOSITORY_NAME: { Ref: expect.stringMatching(/^Repo/) },
      ENVIRONMENT_TAGS: 'dev',
      PLATFORMS: 'linux/amd64',
      DOCKERFILE: 'Dockerfile',
      BUILD_CONTEXT: '.',
      BUILD_TARGET: '',
      BUILD_ARGS: '',
      BUILD_SECRETS: '',
      CACHE_MODE: 'local',
      CACHE_REF: '',
      SCAN_GATE: 'basic',
      SCAN_GATE_THRESHOLD: 'CRITICAL',
      SCAN_GATE_JS: SCAN_GATE_PATH,
      DIGEST_PARAMETER_PREFIX: { 'Fn::Join': ['', ['/image-build/', { Ref: expect.stringMatching(/^Repo/) }]] },
      BUILD_OUTPUT_FILE: '/tmp/image-build/image.env',
      ALLOW_LATEST: 'false',
    });
    expect(projectOf(template).Environment.EnvironmentVariables.every((v: { Type: string }) => v.Type === 'PLAINTEXT')).toBe(true);
  });

  test('one customer managed policy: push/pull on the repository, login alone on *, nothing else wildcarded', () => {
    const { template } = setup({ environmentTags: ['dev'] });
    const statements = statementsOf(template);
    const repoArn = { 'Fn::GetAtt': [expect.stringMatching(/^Repo/), 'Arn'] };
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
      {
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
        Effect: 'Allow',
        Resource: repoArn,
      },
      { Action: ['ecr:DescribeImageScanFindings', 'ecr:DescribeImages'], Effect: 'Allow', Resource: repoArn },
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BuildLogs/), 'Arn'] } },
      { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BuildKey/), 'Arn'] } },
      { Action: 'ssm:PutParameter', Effect: 'Allow', Resource: expect.anything() },
    ]));
    expect(statements.filter((s: { Resource: unknown }) => s.Resource === '*')).toHaveLength(1);
    expect(JSON.stringify(statements)).not.toMatch(/"[a-z0-9]+:[A-Za-z]*\*"/);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^BuildPolicy') }],
    });
  });
});

describe('ImageBuildProject options', () => {
  test('SSM parameters per moving tag, initialised to the tag reference, writable by the build only', () => {
    const { template, build } = setup({ environmentTags: ['dev'], promotionTags: ['staging', 'prod'] });
    template.resourceCountIs('AWS::SSM::Parameter', 3);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: { 'Fn::Join': ['', ['/image-build/', { Ref: Match.stringLikeRegexp('^Repo') }, '/prod']] },
      Type: 'String',
    });
    expect(build.digestParameter('prod')).toBeDefined();
    expect(() => build.digestParameter('qa')).toThrow(new Error('[Stack/Build] prop \'environmentTag\': got "qa"; this project applies ["dev","staging","prod"]. Use one of those.'));
  });

  test('promotion variables re-tag a digest, no rebuild', () => {
    const { build } = setup({ environmentTags: ['dev'], promotionTags: ['prod'] });
    const digest = `sha256:${'a1'.repeat(32)}`;
    expect(build.promotionVariables(digest, ['prod'])).toEqual({
      BUILD_COMMAND: { value: 'promote' }, PROMOTE_DIGEST: { value: digest }, ENVIRONMENT_TAGS: { value: 'prod' },
    });
  });

  test('build inputs, secrets and platforms', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const repository = new ImageRepository(stack, 'Repo', { mutableTagPatterns: ['buildcache'] });
    const npm = new secretsmanager.Secret(stack, 'Npm');
    const pip = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Pip', { parameterName: '/ci/pip-index' });
    new ImageBuildProject(stack, 'Build', {
      repository,
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      dockerfile: 'services/api/Dockerfile',
      buildContext: 'services/api',
      buildTarget: 'runtime',
      buildArgs: { NODE_VERSION: '20', APP_ENV: 'prod' },
      buildSecrets: [BuildSecret.fromSecretsManager('NPM_AUTH', npm, 'token'), BuildSecret.fromSsmParameter('PIP_INDEX', pip)],
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      cache: ImageBuildCache.registry(),
      scanGate: ScanGate.enhanced(FindingSeverity.HIGH),
      baseImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Base', 'shared/base')],
    });
    const template = Template.fromStack(stack);
    expect(variablesOf(template)).toEqual(expect.objectContaining({
      DOCKERFILE: 'services/api/Dockerfile',
      BUILD_CONTEXT: 'services/api',
      BUILD_TARGET: 'runtime',
      BUILD_ARGS: 'NODE_VERSION=20\nAPP_ENV=prod',
      BUILD_SECRETS: 'NPM_AUTH PIP_INDEX',
      PLATFORMS: 'linux/amd64,linux/arm64',
      CACHE_MODE: 'registry',
      SCAN_GATE: 'enhanced',
      SCAN_GATE_THRESHOLD: 'HIGH',
    }));
    expect(JSON.stringify(variablesOf(template).CACHE_REF)).toContain(':buildcache');
    expect(buildSpecOf(template).env).toEqual({
      'exported-variables': ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'],
      'secrets-manager': { NPM_AUTH: 'TOKEN:token' },
      'parameter-store': { PIP_INDEX: '/ci/pip-index' },
    });
    expect(projectOf(template).Cache).toEqual({ Type: 'NO_CACHE' });
    const statements = statementsOf(template);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
      expect.objectContaining({ Action: ['ssm:DescribeParameters', 'ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory'] }),
      expect.objectContaining({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) }),
    ]));
  });

  test('a registry cache tag becomes the one mutable tag of an immutable repository', () => {
    const { template, repository } = setup({ cache: ImageBuildCache.registry() }, {} as never);
    expect(repository.tagMutabilityExclusions).toEqual(['buildcache']);
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'buildcache' }],
    });
  });

  test('an ARM-only image builds on an ARM build image', () => {
    const { template } = setup({ platforms: [ImagePlatform.LINUX_ARM64] });
    template.hasResourceProperties('AWS::CodeBuild::Project', { Environment: { Type: 'ARM_CONTAINER' } });
  });

  test('webhook filters: anchored branches and version tags', () => {
    const filters = ImageBuildTriggers.webhookFilters({ branches: ['main', 'release/1.x'] });
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo'),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app', webhookFilters: filters }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Triggers: {
        Webhook: true,
        FilterGroups: [
          [{ Type: 'EVENT', Pattern: 'PUSH' }, { Type: 'HEAD_REF', Pattern: '^refs/heads/main$' }],
          [{ Type: 'EVENT', Pattern: 'PUSH' }, { Type: 'HEAD_REF', Pattern: '^refs/heads/release/1\\.x$' }],
          [{ Type: 'EVENT', Pattern: 'PUSH' }, { Type: 'HEAD_REF', Pattern: '^refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$' }],
        ],
      },
    });
  });

  test('a VPC gets the network-interface permission scoped to the build subnets', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo'),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', { VpcConfig: Match.objectLike({ Subnets: Match.anyValue() }) });
    expect(statementsOf(template)).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: 'ec2:CreateNetworkInterfacePermission',
      Condition: { StringEquals: { 'ec2:Subnet': expect.any(Array), 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } },
    })]));
  });
});
