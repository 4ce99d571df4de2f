import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations as StackAnnotations, App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  BuildSecret, FindingSeverity, ImageBuildCache, ImageBuildProject, ImageBuildProjectProps, ImageBuildTriggers, ImagePlatform,
  ImagePromotionPipeline, ImageRepository, PullThroughCache, ScanGate,
} from '../../src';
import { BUILD_SCRIPT_FILE, BUILD_SCRIPT_PATH, INLINE_BUILDSPEC_MAX_LENGTH, SCAN_GATE_FILE, SCAN_GATE_PATH } from '../../src/image-build/buildspec';
import { maxResolvedLength } from '../../src/private/cfn-length';
import { sortedStatements } from '../support/statements';
import { withAssetStaging } from '../support/validation';

// These tests use the assets of the assemblies they synthesize.
withAssetStaging();

const ENV = { account: '111111111111', region: 'eu-west-1' };
const ASSET_BUCKET = 'cdk-hnb659fds-assets-111111111111-eu-west-1';
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
const PULL_PUSH = [...PULL, 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
const LOGIN = { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' };
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const arn = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });

function setup(props: Partial<ImageBuildProjectProps> = {}, repoProps = { mutableTagPatterns: ['dev', 'staging', 'prod', 'buildcache'] }) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', ...repoProps });
  const build = new ImageBuildProject(stack, 'Build', {
    repository,
    source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
    ...props,
  });
  return { app, stack, repository, build, template: Template.fromStack(stack) };
}

const projectOf = (template: Template) => Object.values(template.findResources('AWS::CodeBuild::Project'))[0].Properties;
const variablesOf = (template: Template): Record<string, unknown> =>
  Object.fromEntries(projectOf(template).Environment.EnvironmentVariables.map((v: { Name: string; Value: unknown }) => [v.Name, v.Value]));
/** The buildspec as a string, with the references the stacks here can have resolved as CloudFormation would. */
const buildSpecTextOf = (template: Template): string => {
  const spec = projectOf(template).Source.BuildSpec;
  return typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join('');
};
const buildSpecOf = (template: Template) => JSON.parse(buildSpecTextOf(template));
const policyOf = (template: Template, description: RegExp) => Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
  .find((p) => description.test(p.Properties.Description))!.Properties;
const buildStatements = (template: Template) => policyOf(template, /^Permissions of the image build/).PolicyDocument.Statement;
const ecrStatements = (template: Template) => policyOf(template, /^Amazon ECR access/).PolicyDocument.Statement;

describe('ImageBuildProject defaults', () => {
  test('privileged standard image, KMS key on the project, its own log group with retention', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/standard:7.0', PrivilegedMode: true, Type: 'LINUX_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' },
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildKey'), 'Arn'] },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^BuildLogs') } } },
      TimeoutInMinutes: 60,
      QueuedTimeoutInMinutes: Match.absent(),
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the buildspec fetches the script and the gate from S3 assets, pinned to the SHA-256 of the shipped files', () => {
    const { app, template } = setup();
    const commands: string[] = buildSpecOf(template).phases.pre_build.commands;
    const manifest = app.synth().artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    const files = Object.values(JSON.parse(fs.readFileSync(manifest.file, 'utf8')).files) as Array<{
      source: { path: string }; destinations: Record<string, { bucketName: string; objectKey: string }>;
    }>;
    const objectOf = (file: string) => {
      // The asset the stack publishes holds exactly the file of this package.
      const asset = files.find((a) => fs.readFileSync(path.join(app.outdir, a.source.path)).equals(fs.readFileSync(file)));
      expect(asset).toBeDefined();
      const destination = Object.values(asset!.destinations)[0];
      // The bucket the CLI publishes to is the one the build reads from.
      expect(destination.bucketName).toBe(ASSET_BUCKET);
      return `s3://${destination.bucketName}/${destination.objectKey}`;
    };
    const fetch = (file: string, buildPath: string) => `aws s3 cp --only-show-errors '${objectOf(file)}' ${buildPath} && printf '%s  %s\\n' ${sha256(file)} ${buildPath} `
      + `| sha256sum -c --status || { echo "image build: could not fetch ${buildPath} with SHA-256 ${sha256(file)} from ${objectOf(file)}" >&2; exit 1; }`;
    expect(commands).toEqual(['mkdir -p /tmp/image-build', fetch(BUILD_SCRIPT_FILE, BUILD_SCRIPT_PATH), fetch(SCAN_GATE_FILE, SCAN_GATE_PATH)]);
  });

  test('the script gets its inputs as plaintext variables, none of them secret', () => {
    const { template } = setup({ environmentTags: ['dev'] });
    expect(variablesOf(template)).toEqual({
      ECR_REGISTRY: {
        'Fn::Join': ['', [{ 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] }] }] }, '.dkr.ecr.',
          { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] }] }] }, '.', { Ref: 'AWS::URLSuffix' }]],
      },
      IMAGE_REPOSITORY_NAME: { Ref: 'Repo02AC86CF' },
      ENVIRONMENT_TAGS: 'dev',
      PLATFORMS: 'linux/amd64',
      DOCKERFILE: 'Dockerfile',
      BUILD_CONTEXT: '.',
      BUILD_TARGET: '',
      BUILD_ARGS: '',
      BUILD_SECRETS: '',
      PULL_REGISTRIES: '',
      CACHE_MODE: 'local',
      CACHE_REF: '',
      BUILDKIT_IMAGE: '',
      SCAN_GATE: 'basic',
      SCAN_GATE_THRESHOLD: 'CRITICAL',
      SCAN_GATE_JS: SCAN_GATE_PATH,
      SCAN_GATE_PASS_UNSUPPORTED: 'false',
      SCAN_TIMEOUT_SECONDS: '1800',
      DIGEST_PARAMETER_PREFIX: { 'Fn::Join': ['', ['/image-build/', { Ref: 'Repo02AC86CF' }]] },
      BUILD_OUTPUT_FILE: '/tmp/image-build/image.env',
      ALLOW_LATEST: 'false',
    });
    expect(projectOf(template).Environment.EnvironmentVariables.every((v: { Type: string }) => v.Type === 'PLAINTEXT')).toBe(true);
  });

  test('ECR access in the role\'s ECR access policy, everything else in the build\'s policy, scoped; no inline policy', () => {
    const { template } = setup({ environmentTags: ['dev'] });
    expect(sortedStatements(ecrStatements(template))).toEqual(sortedStatements([LOGIN, { Action: PULL_PUSH, Effect: 'Allow', Resource: { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] } }]));
    const object = (extension: string) => expect.objectContaining({
      Action: 's3:GetObject', Effect: 'Allow', Resource: arn(expect.stringMatching(new RegExp(`^:s3:::${ASSET_BUCKET}/[0-9a-f]{64}\\.${extension}$`))),
    });
    expect(buildStatements(template)).toEqual([
      object('sh'),
      object('js'),
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BuildLogs/), 'Arn'] } },
      { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BuildKey/), 'Arn'] } },
      { Action: ['ecr:DescribeImageScanFindings', 'ecr:DescribeImages'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] } },
      { Action: 'ssm:PutParameter', Effect: 'Allow', Resource: arn(':ssm:eu-west-1:111111111111:parameter/image-build/', { Ref: 'Repo02AC86CF' }, '/dev') },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^BuildPolicy') }],
    });
    // A webhook build may start as soon as the project exists: both policies are in place before.
    expect(template.toJSON().Resources[Object.keys(template.findResources('AWS::CodeBuild::Project'))[0]].DependsOn).toEqual([
      expect.stringMatching(/^BuildPolicy/), expect.stringMatching(/^BuildRoleEcrAccessPolicy/),
    ]);
  });

  test('no stack owns the digest records: the build creates them, so no deployment can roll a recorded digest back', () => {
    const { template, build } = setup({ environmentTags: ['dev'], promotionTags: ['staging', 'prod'] });
    template.resourceCountIs('AWS::SSM::Parameter', 0);
    expect(buildStatements(template)).toContainEqual({
      Action: 'ssm:PutParameter',
      Effect: 'Allow',
      Resource: ['dev', 'staging', 'prod'].map((tag) => arn(':ssm:eu-west-1:111111111111:parameter/image-build/', { Ref: 'Repo02AC86CF' }, `/${tag}`)),
    });
    const stack = Stack.of(build);
    expect(stack.resolve(build.digestParameter('prod').parameterName)).toEqual({ 'Fn::Join': ['', ['/image-build/', { Ref: 'Repo02AC86CF' }, '/prod']] });
    // The same record twice is the same reference.
    expect(build.digestParameter('prod')).toBe(build.digestParameter('prod'));
    expect(() => build.digestParameter('qa')).toThrow(new Error('[Stack/Build] prop \'environmentTag\': got "qa"; this project applies ["dev","staging","prod"]. Use one of those.'));
  });
});

describe('ImageBuildProject options', () => {
  test('promotion variables re-tag a digest, no rebuild', () => {
    const { build } = setup({ environmentTags: ['dev'], promotionTags: ['prod'] });
    const digest = `sha256:${'a1'.repeat(32)}`;
    expect(build.promotionVariables(digest, ['prod'])).toEqual({
      BUILD_COMMAND: { value: 'promote' }, PROMOTE_DIGEST: { value: digest }, ENVIRONMENT_TAGS: { value: 'prod' },
    });
  });

  test('build inputs, secrets as project variables CodeBuild resolves, platforms', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const repository = new ImageRepository(stack, 'Repo', { mutableTagPatterns: ['buildcache-*'] });
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
    expect(stack.resolve(variablesOf(template).CACHE_REF)['Fn::Join'][1].slice(-1)).toEqual([':buildcache']);
    const secretVariables = projectOf(template).Environment.EnvironmentVariables.filter((v: { Type: string }) => v.Type !== 'PLAINTEXT');
    expect(secretVariables).toEqual([
      { Name: 'NPM_AUTH', Type: 'SECRETS_MANAGER', Value: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^Npm/) }, ':token']] } },
      { Name: 'PIP_INDEX', Type: 'PARAMETER_STORE', Value: '/ci/pip-index' },
    ]);
    expect(buildSpecOf(template).env).toEqual({ 'exported-variables': ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'] });
    expect(projectOf(template).Cache).toEqual({ Type: 'NO_CACHE' });
    expect(buildStatements(template)).toEqual(expect.arrayContaining([
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^Npm/) } },
      {
        Action: ['ssm:DescribeParameters', 'ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory'],
        Effect: 'Allow',
        Resource: arn(':ssm:eu-west-1:111111111111:parameter/ci/pip-index'),
      },
    ]));
  });

  test.each<[string, ImagePlatform[], string[]]>([
    ['one platform', [ImagePlatform.LINUX_AMD64], ['buildcache']],
    ['several platforms: one cache per platform, as the script writes them', [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64], ['buildcache-amd64', 'buildcache-arm64']],
  ])('a registry cache, %s: every cache tag is made mutable and kept from lifecycle expiry', (_name, platforms, tags) => {
    const { template, repository, build } = setup({ cache: ImageBuildCache.registry(), platforms }, {} as never);
    expect(build.cacheTags).toEqual(tags);
    expect(repository.tagMutabilityExclusions).toEqual(tags);
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: tags.map((tag) => ({ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: tag })),
    });
  });

  test.each<[string, Partial<ImageBuildProjectProps>, string]>([
    ['the default: 30 minutes, with the default build timeout of 1 hour', {}, '1800'],
    ['a longer build keeps the default of 30 minutes', { timeout: Duration.hours(2) }, '1800'],
    ['a build of 20 minutes: half of it, so that the gate gives up first', { timeout: Duration.minutes(20) }, '600'],
    ['the user\'s', { scanGateTimeout: Duration.minutes(45) }, '2700'],
    ['the user\'s, in seconds', { scanGateTimeout: Duration.seconds(90), timeout: Duration.minutes(5) }, '90'],
  ])('the scan gate\'s wait (SCAN_TIMEOUT_SECONDS): %s', (_name, props, seconds) => {
    expect(variablesOf(setup(props).template).SCAN_TIMEOUT_SECONDS).toBe(seconds);
  });

  test.each<[string, string, ScanGate]>([
    ['basic', 'false', ScanGate.basic()],
    ['enhanced', 'false', ScanGate.enhanced()],
    ['enhanced, passing images Inspector cannot scan,', 'true', ScanGate.enhanced(FindingSeverity.HIGH, { passUnsupportedImages: true })],
  ])('the %s gate: SCAN_GATE_PASS_UNSUPPORTED=%s', (_name, pass, scanGate) => {
    expect(variablesOf(setup({ scanGate }).template).SCAN_GATE_PASS_UNSUPPORTED).toBe(pass);
  });

  test('the gate under enhanced scanning may read Amazon Inspector\'s findings; the basic gate may not', () => {
    const inspector = { Action: ['inspector2:ListFindings', 'inspector2:ListCoverage'], Effect: 'Allow', Resource: '*' };
    expect(buildStatements(setup({ scanGate: ScanGate.enhanced() }).template)).toContainEqual(inspector);
    expect(JSON.stringify(buildStatements(setup({ scanGate: ScanGate.basic() }).template))).not.toContain('inspector2');
    expect(JSON.stringify(buildStatements(setup({ scanGate: ScanGate.none() }).template))).not.toMatch(/inspector2|DescribeImageScanFindings/);
  });

  test('base images and the BuildKit image of other registries: pull, and a login to each registry with its region', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const central = ImageRepository.fromRepositoryAttributes(stack, 'Central', {
      repositoryName: 'shared/node', repositoryArn: 'arn:aws:ecr:us-east-1:222222222222:repository/shared/node',
    });
    const buildkit = ecr.Repository.fromRepositoryArn(stack, 'Buildkit', 'arn:aws:ecr:eu-west-1:333333333333:repository/mirror/moby/buildkit');
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo', { repositoryName: 'team/app' }),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      baseImageRepositories: [central],
      cache: ImageBuildCache.registry('buildcache', { buildkitRepository: buildkit, buildkitImageTag: 'v0.18.1' }),
    });
    const template = Template.fromStack(stack);
    expect(stack.resolve(variablesOf(template).PULL_REGISTRIES)).toEqual({
      'Fn::Join': ['', [
        '222222222222.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '@us-east-1 333333333333.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '@eu-west-1',
      ]],
    });
    expect(stack.resolve(variablesOf(template).BUILDKIT_IMAGE)).toEqual({
      'Fn::Join': ['', [
        '333333333333.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/mirror/moby/buildkit:v0.18.1',
      ]],
    });
    expect(ecrStatements(template)).toEqual(expect.arrayContaining([
      { Action: PULL.slice().sort(), Effect: 'Allow', Resource: ['arn:aws:ecr:eu-west-1:333333333333:repository/mirror/moby/buildkit', 'arn:aws:ecr:us-east-1:222222222222:repository/shared/node'] },
    ]));
    // No warning about Docker Hub once the BuildKit image comes from ECR.
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Docker Hub'));
  });

  test('pull-through caches: pull, and on a first pull import from upstream into a repository ECR creates, under the cache prefix', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo', { repositoryName: 'team/app' }),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      pullThroughCaches: [PullThroughCache.fromEcrRepositoryPrefix(stack, 'DockerHub', 'docker-hub')],
    });
    const template = Template.fromStack(stack);
    expect(stack.resolve(variablesOf(template).PULL_REGISTRIES)).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '@eu-west-1']] });
    expect(ecrStatements(template)).toContainEqual({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository', 'ecr:GetDownloadUrlForLayer'],
      Effect: 'Allow',
      Resource: arn(':ecr:eu-west-1:111111111111:repository/docker-hub/*'),
    });
  });

  test('build image, compute type and queue timeout; an ARM-only image builds on the current ARM image', () => {
    const custom = setup({
      buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
      computeType: codebuild.ComputeType.LARGE,
      platforms: [ImagePlatform.LINUX_ARM64],
      timeout: Duration.hours(2),
      queuedTimeout: Duration.minutes(30),
    }).template;
    custom.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', Type: 'ARM_CONTAINER', ComputeType: 'BUILD_GENERAL1_LARGE' },
      TimeoutInMinutes: 120,
      QueuedTimeoutInMinutes: 30,
    });
    setup({ platforms: [ImagePlatform.LINUX_ARM64] }).template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', Type: 'ARM_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' },
    });
  });

  test.each<[string, Partial<ImageBuildProjectProps>, string]>([
    ['arm64 on an x86 image', { platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64] }, 'cdk-ecr-platform:emulatedPlatforms'],
    ['amd64 on an ARM image', { platforms: [ImagePlatform.LINUX_AMD64], buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 }, 'cdk-ecr-platform:emulatedPlatforms'],
    ['BuildKit from Docker Hub', { cache: ImageBuildCache.registry() }, 'cdk-ecr-platform:buildkitFromDockerHub'],
  ])('a warning for what works at a cost: %s', (_name, props, id) => {
    const { stack } = setup(props);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`));
    expect(warnings).toHaveLength(1);
    // Acknowledged by its id, it is gone.
    const { stack: acknowledged, build } = setup(props);
    StackAnnotations.of(build).acknowledgeWarning(id, 'chosen knowingly');
    expect(Annotations.fromStack(acknowledged).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`))).toHaveLength(0);
  });

  describe('a build without a source', () => {
    const NOTHING_RUNS = "the build has no 'source' and no ImagePromotionPipeline uses it, so nothing runs it. Give it a 'source' "
      + "(for example codebuild.Source.gitHub(...)) or pass it as an ImagePromotionPipeline's 'buildProject'; if a pipeline of your own "
      + "runs it, acknowledge 'cdk-ecr-platform:buildNothingRuns'. [ack: cdk-ecr-platform:buildNothingRuns]";
    const pipelineBuild = () => {
      const app = new App();
      const stack = new Stack(app, 'Stack', { env: ENV });
      const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['dev'] });
      return { app, stack, build: new ImageBuildProject(stack, 'Build', { repository, environmentTags: ['dev'] }) };
    };

    test('that no pipeline runs is a warning', () => {
      const { stack } = pipelineBuild();
      expect(Annotations.fromStack(stack).findWarning('/Stack/Build', NOTHING_RUNS)).toHaveLength(1);
    });

    test('acknowledged by its id, the warning is gone', () => {
      const { stack, build } = pipelineBuild();
      StackAnnotations.of(build).acknowledgeWarning('cdk-ecr-platform:buildNothingRuns', 'run by a pipeline of our own');
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('buildNothingRuns'))).toHaveLength(0);
    });

    test('run by an ImagePromotionPipeline created later in another stack, it gets no warning', () => {
      const { app, stack, build } = pipelineBuild();
      const delivery = new Stack(app, 'Delivery', { env: ENV });
      new ImagePromotionPipeline(delivery, 'Promotion', {
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
        sourceOwner: 'example-org',
        sourceRepository: 'app',
        buildProject: build,
        environments: [{ name: 'dev' }],
      });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('buildNothingRuns'))).toHaveLength(0);
    });

    test('a build with a source of its own gets no warning', () => {
      expect(Annotations.fromStack(setup().stack).findWarning('*', Match.stringLikeRegexp('buildNothingRuns'))).toHaveLength(0);
    });
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
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo'),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      vpc,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', { VpcConfig: Match.objectLike({ Subnets: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)) }) });
    expect(buildStatements(template)).toContainEqual({
      Action: 'ec2:CreateNetworkInterfacePermission',
      Effect: 'Allow',
      Resource: arn(':ec2:eu-west-1:111111111111:network-interface/*'),
      Condition: {
        StringEquals: {
          'ec2:Subnet': vpc.privateSubnets.map((s) => arn(':ec2:eu-west-1:111111111111:subnet/', stack.resolve(s.subnetId))),
          'ec2:AuthorizedService': 'codebuild.amazonaws.com',
        },
      },
    });
  });
});

describe('the inline buildspec stays within CodeBuild\'s limit', () => {
  test('with every option at its largest, the deployed buildspec is far below 25,600 characters', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['env-*', 'buildcache-*'] });
    const secrets = Array.from({ length: 50 }, (_, i) => BuildSecret.fromSecretsManager(`SECRET_${i}`, new secretsmanager.Secret(stack, `Secret${i}`), 'a-long-json-field-name'));
    const build = new ImageBuildProject(stack, 'Build', {
      repository,
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      dockerfile: `${'deep/'.repeat(40)}Dockerfile`,
      buildContext: 'deep/'.repeat(40),
      buildTarget: 'runtime',
      buildArgs: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`ARGUMENT_${i}`, 'x'.repeat(200)])),
      buildSecrets: secrets,
      environmentVariables: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`VARIABLE_${i}`, 'y'.repeat(200)])),
      commitShaLength: 40,
      commitTagPrefix: 'c'.repeat(80),
      commitShaVariable: 'A_VERY_LONG_VARIABLE_NAME_THAT_HOLDS_THE_COMMIT_SHA_OF_THE_SOURCE_REVISION',
      versionVariable: 'A_VERY_LONG_VARIABLE_NAME_THAT_HOLDS_THE_SEMANTIC_VERSION_OF_THE_RELEASE',
      environmentTags: ['env-dev'],
      promotionTags: Array.from({ length: 20 }, (_, i) => `env-stage-${i}`),
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      cache: ImageBuildCache.registry('buildcache', { buildkitRepository: ecr.Repository.fromRepositoryName(stack, 'Buildkit', 'mirror/moby/buildkit') }),
      scanGate: ScanGate.enhanced(FindingSeverity.LOW),
      baseImageRepositories: Array.from({ length: 20 }, (_, i) => ecr.Repository.fromRepositoryArn(stack, `Base${i}`, `arn:aws:ecr:us-east-1:2222222222${String(i).padStart(2, '0')}:repository/base/${i}`)),
      pullThroughCaches: [PullThroughCache.fromEcrRepositoryPrefix(stack, 'DockerHub', 'docker-hub')],
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 }),
      timeout: Duration.hours(36),
      queuedTimeout: Duration.hours(8),
    });
    const buildSpec = stack.resolve((build.project.node.defaultChild as codebuild.CfnProject).source).buildSpec;
    const length = maxResolvedLength(buildSpec);
    // The buildspec inlined both scripts before (25,912 characters, rejected by CodeBuild); now it is bounded.
    expect(length).toBeLessThan(INLINE_BUILDSPEC_MAX_LENGTH / 4);
    expect(length).toBeGreaterThan(2_000);
  });

  test('a buildspec that could exceed the limit is refused at synth, naming the construct', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new ImageBuildProject(stack, 'Build', {
      repository: new ImageRepository(stack, 'Repo'),
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      versionVariable: `V${'X'.repeat(26_000)}`,
    });
    expect(() => app.synth()).toThrow(/\[Stack\/Build\] the inline buildspec can reach \d+ characters once deployed, and CodeBuild rejects more than 25600\. Shorten commitShaVariable, versionVariable or commitTagPrefix\./);
  });
});
