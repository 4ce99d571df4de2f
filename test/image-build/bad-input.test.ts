import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BuildSecret, ImageBuildCache, ImageBuildProject, ImageBuildProjectProps, ImageBuildTriggers, ImagePlatform, ImageRepository, ImageRepositoryProps,
  LifecyclePolicy, LifecyclePresets, LifecycleRule, PullThroughCache, TagStatus,
} from '../../src';
import { synthesisProblems } from '../support/problems';

const PROJECT_NAME_RULE = "a CodeBuild project name: 2 to 255 letters, digits, '-' and '_', starting with a letter or digit. Rename it, or omit it for a generated name.";
const RESERVED_PARAMETER_RULE = "SSM refuses parameter names that start with 'aws' or 'ssm' (in any case), which it keeps for AWS's own. "
  + "Start the path with a name of yours, such as '/image-build'.";

describe('ImageBuildProject bad input', () => {
  test.each<[string, (stack: Stack) => Partial<ImageBuildProjectProps>, ImageRepositoryProps | undefined, string]>([
    ['env tag invalid', () => ({ environmentTags: ['-dev'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"-dev\"; an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. Fix the tag, or pass a digest (sha256:<64 hex>)."],
    ['env tag latest', () => ({ environmentTags: ['latest'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"latest\"; deployments that follow 'latest' cannot tell which image they run. Deploy by digest or environment tag; set allowLatestTag: true only if you must."],
    ['env tag semver', () => ({ environmentTags: ['1.2.3'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"1.2.3\"; looks like a version, and version tags are immutable releases. Use an environment name such as 'staging'."],
    ['env tag commit prefix', () => ({ environmentTags: ['sha-main'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"sha-main\"; starts with the commit tag prefix 'sha-', so it could collide with a commit tag. Rename it."],
    ['env tag duplicate', () => ({ environmentTags: ['dev'], promotionTags: ['dev'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"dev\"; is listed twice (environment and promotion tags together). Keep it once."],
    ['env tag immutable in repo', () => ({ environmentTags: ['qa'] }), undefined, "[Stack/Build] prop 'environmentTags': got \"qa\"; this project moves the tag from image to image, but the repository Stack/Repo keeps it immutable (IMMUTABLE_WITH_EXCLUSION). Add 'qa' to the repository's mutableTagPatterns."],
    ['promotion tag immutable in repo', () => ({ promotionTags: ['prod'] }), {}, "[Stack/Build] prop 'promotionTags': got \"prod\"; this project moves the tag from image to image, but the repository Stack/Repo keeps it immutable (IMMUTABLE). Add 'prod' to the repository's mutableTagPatterns."],
    ['commit sha length', () => ({ commitShaLength: 6 }), undefined, "[Stack/Build] prop 'commitShaLength': got 6; must be a whole number from 7 to 40 (a Git SHA-1 has 40 hex digits)."],
    ['commit prefix', () => ({ commitTagPrefix: '.x' }), undefined, "[Stack/Build] prop 'commitTagPrefix': got \".x\"; must make a valid tag: letters, digits, '_', '.' or '-', not starting with '.' or '-'."],
    ['sha variable name', () => ({ commitShaVariable: 'GIT-SHA' }), undefined, "[Stack/Build] prop 'commitShaVariable': got \"GIT-SHA\"; a variable name is letters, digits and '_', not starting with a digit."],
    ['version variable name', () => ({ versionVariable: '1VERSION' }), undefined, "[Stack/Build] prop 'versionVariable': got \"1VERSION\"; a variable name is letters, digits and '_', not starting with a digit."],
    ['s3 source without sha variable', (s) => ({ source: codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(s, 'B', 'bucket'), path: 'src.zip' }) }), undefined, "[Stack/Build] prop 'commitShaVariable': got nothing; the S3 source resolves to no commit, so the commit tag has no SHA. Name the variable that carries it (set on start-build or by your pipeline)."],
    ['dockerfile absolute', () => ({ dockerfile: '/etc/Dockerfile' }), undefined, "[Stack/Build] prop 'dockerfile': got \"/etc/Dockerfile\"; must be a path inside the source, relative to its root, without '..'. For example 'services/api/Dockerfile'."],
    ['context traversal', () => ({ buildContext: '../other' }), undefined, "[Stack/Build] prop 'buildContext': got \"../other\"; must be a path inside the source, relative to its root, without '..'. For example 'services/api/Dockerfile'."],
    ['build target', () => ({ buildTarget: 'run time' }), undefined, "[Stack/Build] prop 'buildTarget': got \"run time\"; a build stage name is letters, digits, '_', '.' and '-'."],
    ['build arg name', () => ({ buildArgs: { 'NODE-VERSION': '20' } }), undefined, "[Stack/Build] prop 'buildArgs': got \"NODE-VERSION\"; a build arg name is letters, digits and '_', not starting with a digit."],
    ['build arg secret', () => ({ buildArgs: { NPM_TOKEN: 'x' } }), undefined, "[Stack/Build] prop 'buildArgs': got \"NPM_TOKEN\"; looks like a secret, and build args are stored in the image history. Pass it in buildSecrets."],
    ['build arg newline', () => ({ buildArgs: { NOTE: 'a\nb' } }), undefined, "[Stack/Build] prop 'buildArgs.NOTE': got \"a\\nb\"; a build arg value is one line."],
    ['secret id', (s) => ({ buildSecrets: [BuildSecret.fromSecretsManager('npm-auth', new secretsmanager.Secret(s, 'S'))] }), undefined, "[Stack/Build] prop 'buildSecrets': got \"npm-auth\"; a variable name is letters, digits and '_', not starting with a digit."],
    ['secret dup', (s) => ({ buildSecrets: [BuildSecret.fromSecretsManager('NPM', new secretsmanager.Secret(s, 'S1')), BuildSecret.fromSecretsManager('NPM', new secretsmanager.Secret(s, 'S2'))] }), undefined, "[Stack/Build] prop 'buildSecrets': got \"NPM\"; two secrets share this id. Give each its own."],
    ['secret reserved', (s) => ({ buildSecrets: [BuildSecret.fromSecretsManager('IMAGE_TAGS', new secretsmanager.Secret(s, 'S'))] }), undefined, "[Stack/Build] prop 'buildSecrets': got \"IMAGE_TAGS\"; is set by ImageBuildProject itself. Choose another name."],
    ['aws creds var', () => ({ environmentVariables: { AWS_SECRET_ACCESS_KEY: 'x' } }), undefined, "[Stack/Build] prop 'environmentVariables': got \"AWS_SECRET_ACCESS_KEY\"; AWS credentials never go in environment variables: the project's role provides them. Grant the role what the build needs."],
    ['aws key value', () => ({ environmentVariables: { DEPLOY_ID: 'AKIAABCDEFGHIJKLMNOP' } }), undefined, "[Stack/Build] prop 'environmentVariables': got \"DEPLOY_ID\"; AWS credentials never go in environment variables: the project's role provides them. Grant the role what the build needs."],
    ['secret env var', () => ({ environmentVariables: { DB_PASSWORD: 'x' } }), undefined, "[Stack/Build] prop 'environmentVariables': got \"DB_PASSWORD\"; looks like a secret, and plaintext variables show in the console and API. Pass it in buildSecrets."],
    ['reserved env var', () => ({ environmentVariables: { PLATFORMS: 'x' } }), undefined, "[Stack/Build] prop 'environmentVariables': got \"PLATFORMS\"; is set by ImageBuildProject itself. Choose another name."],
    ['platforms empty', () => ({ platforms: [] }), undefined, "[Stack/Build] prop 'platforms': got []; name each platform once, at least one."],
    ['cache tag latest', () => ({ cache: ImageBuildCache.registry('latest') }), undefined, "[Stack/Build] prop 'cache': got \"latest\"; the cache tag must not be an image tag (latest, an environment, version or commit tag). Use a tag of its own such as 'buildcache'."],
    ['a cache tag beyond the repository\'s five mutable patterns', () => ({ cache: ImageBuildCache.registry('cache') }), { mutableTagPatterns: ['a', 'b', 'c', 'd', 'e'] },
      "[Stack/Repo] prop 'mutableTagPatterns': got [\"a\",\"b\",\"c\",\"d\",\"e\",\"cache\"]; ECR takes 1 to 5 tag filters per repository. Combine them with wildcards."],
    ['a cache tag the repository keeps immutable on purpose', () => ({ cache: ImageBuildCache.registry('cache') }), { tagMutability: ecr.TagMutability.MUTABLE, immutableTagPatterns: ['cache'] },
      "[Stack/Repo] prop 'mutableTagPattern': got \"cache\"; is listed in 'immutableTagPatterns'. Remove it there to let it move."],
    // CodeBuild CreateProject: timeoutInMinutes 5 to 2160, queuedTimeoutInMinutes 5 to 480, whole minutes.
    ['timeout', () => ({ timeout: Duration.minutes(2) }), undefined, "[Stack/Build] prop 'timeout': got \"2 minutes\"; CodeBuild takes whole minutes from 5 minutes to 36 hours."],
    ['timeout over 36 hours', () => ({ timeout: Duration.hours(37) }), undefined, "[Stack/Build] prop 'timeout': got \"1 day 13 hours\"; CodeBuild takes whole minutes from 5 minutes to 36 hours."],
    ['timeout of a fraction of a minute', () => ({ timeout: Duration.seconds(330) }), undefined,
      "[Stack/Build] prop 'timeout': got \"5 minutes 30 seconds\"; CodeBuild takes whole minutes from 5 minutes to 36 hours."],
    ['timeout of NaN minutes', () => ({ timeout: Duration.minutes(NaN) }), undefined,
      "[Stack/Build] prop 'timeout': got \"Duration.minutes(NaN)\"; CodeBuild takes whole minutes from 5 minutes to 36 hours."],
    ['queue timeout of a fraction of a minute', () => ({ queuedTimeout: Duration.seconds(330) }), undefined,
      "[Stack/Build] prop 'queuedTimeout': got \"5 minutes 30 seconds\"; CodeBuild takes whole minutes from 5 minutes to 8 hours."],
    // The scan gate reads whole seconds (SCAN_TIMEOUT_SECONDS), and must give up before CodeBuild stops the build.
    ['scan gate timeout of a fraction of a second', () => ({ scanGateTimeout: Duration.millis(1500) }), undefined,
      "[Stack/Build] prop 'scanGateTimeout': got \"1 second 500 millis\"; the scan gate waits whole seconds, at least one. For example Duration.minutes(30)."],
    ['scan gate timeout of zero', () => ({ scanGateTimeout: Duration.seconds(0) }), undefined,
      "[Stack/Build] prop 'scanGateTimeout': got \"0 seconds\"; the scan gate waits whole seconds, at least one. For example Duration.minutes(30)."],
    ['scan gate timeout as long as the default build timeout', () => ({ scanGateTimeout: Duration.hours(1) }), undefined,
      "[Stack/Build] prop 'scanGateTimeout': got \"1 hour\"; must be shorter than the build's timeout (1 hour), or CodeBuild stops the build before the gate gives up, "
      + 'without saying which scan it waited for. Shorten scanGateTimeout, or raise timeout.'],
    ['scan gate timeout beyond the build\'s', () => ({ scanGateTimeout: Duration.minutes(30), timeout: Duration.minutes(20) }), undefined,
      "[Stack/Build] prop 'scanGateTimeout': got \"30 minutes\"; must be shorter than the build's timeout (20 minutes), or CodeBuild stops the build before the gate gives up, "
      + 'without saying which scan it waited for. Shorten scanGateTimeout, or raise timeout.'],
    // CodeBuild CreateProject: a project name is [A-Za-z0-9][A-Za-z0-9\-_]{1,254}.
    ['project name with a space', () => ({ projectName: 'storefront build' }), undefined, `[Stack/Build] prop 'projectName': got "storefront build"; ${PROJECT_NAME_RULE}`],
    ['project name of 256 characters', () => ({ projectName: 'b'.repeat(256) }), undefined, `[Stack/Build] prop 'projectName': got "${'b'.repeat(256)}"; ${PROJECT_NAME_RULE}`],
    ['project name of one character', () => ({ projectName: 'b' }), undefined, `[Stack/Build] prop 'projectName': got "b"; ${PROJECT_NAME_RULE}`],
    ['project name starting with a hyphen', () => ({ projectName: '-build' }), undefined, `[Stack/Build] prop 'projectName': got "-build"; ${PROJECT_NAME_RULE}`],
    // SSM PutParameter: a parameter name can't be prefixed with "aws" or "ssm" (case-insensitive).
    ['param prefix under /aws', () => ({ digestParameterPrefix: '/aws/images' }), undefined, `[Stack/Build] prop 'digestParameterPrefix': got "/aws/images"; ${RESERVED_PARAMETER_RULE}`],
    ['param prefix under /SSM', () => ({ digestParameterPrefix: '/SSM-images/storefront' }), undefined,
      `[Stack/Build] prop 'digestParameterPrefix': got "/SSM-images/storefront"; ${RESERVED_PARAMETER_RULE}`],
    ['concurrency', () => ({ concurrentBuildLimit: 0 }), undefined, "[Stack/Build] prop 'concurrentBuildLimit': got 0; must be a whole number of at least 1."],
    ['param prefix', () => ({ digestParameterPrefix: 'images/' }), undefined, "[Stack/Build] prop 'digestParameterPrefix': got \"images/\"; an SSM parameter path starts with '/', does not end with '/', and uses letters, digits, '_', '.' and '-'."],
    ['protected pattern', () => ({ protectedTagPatterns: ['v/*'] }), undefined, "[Stack/Build] prop 'protectedTagPatterns': got \"v/*\"; a tag pattern is tag characters and '*' wildcards."],
    ['gate without scan on push', () => ({}), { scanOnPush: false }, "[Stack/Build] prop 'scanGate': got \"basic\"; the repository Stack/Repo does not scan on push, so the gate would wait forever. Turn scanOnPush on, use ScanGate.enhanced() with registry scanning, or ScanGate.none()."],
    ['env tag over Docker\'s 128 characters', () => ({ environmentTags: [`env-${'x'.repeat(125)}`] }), { mutableTagPatterns: ['env-*'] },
      `[Stack/Build] prop 'environmentTags': got "env-${'x'.repeat(125)}"; is 129 characters; Docker pushes tags of at most 128 (ECR would take 300). Shorten it.`],
    ['commit tags over Docker\'s 128 characters', () => ({ commitTagPrefix: 'c'.repeat(100), commitShaLength: 40 }), undefined,
      `[Stack/Build] prop 'commitTagPrefix': got "${'c'.repeat(100)}"; with 40 characters of the SHA it makes tags longer than Docker's 128. Shorten it.`],
    ['per-platform cache tags over Docker\'s 128 characters', () => ({ cache: ImageBuildCache.registry('b'.repeat(125)), platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64] }), undefined,
      `[Stack/Build] prop 'cache': got "${'b'.repeat(125)}-amd64"; is 131 characters; Docker pushes tags of at most 128 (ECR would take 300). Shorten it.\n`
      + `[Stack/Build] prop 'cache': got "${'b'.repeat(125)}-arm64"; is 131 characters; Docker pushes tags of at most 128 (ECR would take 300). Shorten it.`],
    ['BuildKit image tag', (s) => ({ cache: ImageBuildCache.registry('buildcache', { buildkitRepository: ecr.Repository.fromRepositoryName(s, 'Bk', 'mirror/buildkit'), buildkitImageTag: '-v1' }) }), undefined,
      "[Stack/Build] prop 'cache.buildkitImageTag': got \"-v1\"; an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. Fix the tag, or pass a digest (sha256:<64 hex>)."],
    ['BuildKit image digest', (s) => ({ cache: ImageBuildCache.registry('buildcache', { buildkitRepository: ecr.Repository.fromRepositoryName(s, 'Bk', 'mirror/buildkit'), buildkitImageTag: 'sha256:abc' }) }), undefined,
      "[Stack/Build] prop 'cache.buildkitImageTag': got \"sha256:abc\"; a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'."],
    ['queue timeout too short', () => ({ queuedTimeout: Duration.minutes(2) }), undefined, "[Stack/Build] prop 'queuedTimeout': got \"2 minutes\"; CodeBuild takes whole minutes from 5 minutes to 8 hours."],
    ['queue timeout too long', () => ({ queuedTimeout: Duration.hours(9) }), undefined, "[Stack/Build] prop 'queuedTimeout': got \"9 hours\"; CodeBuild takes whole minutes from 5 minutes to 8 hours."],
    ['a Windows build image', () => ({ buildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0 }), undefined,
      "[Stack/Build] prop 'buildImage': got \"aws/codebuild/windows-base:2019-3.0\"; is a WINDOWS_SERVER_2019_CONTAINER image; Docker builds run in privileged mode on LINUX_CONTAINER or ARM_CONTAINER images. Use codebuild.LinuxBuildImage or codebuild.LinuxArmBuildImage."],
    ['a Lambda build image', () => ({ buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }), undefined,
      "[Stack/Build] prop 'buildImage': got \"aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20\"; is a LINUX_LAMBDA_CONTAINER image; Docker builds run in privileged mode on LINUX_CONTAINER or ARM_CONTAINER images. Use codebuild.LinuxBuildImage or codebuild.LinuxArmBuildImage."],
    ['Lambda compute', () => ({ computeType: codebuild.ComputeType.LAMBDA_1GB }), undefined,
      "[Stack/Build] prop 'computeType': got \"BUILD_LAMBDA_1GB\"; Docker builds need on-demand EC2 compute: BUILD_GENERAL1_SMALL, BUILD_GENERAL1_MEDIUM, BUILD_GENERAL1_LARGE, BUILD_GENERAL1_XLARGE, BUILD_GENERAL1_2XLARGE (Lambda compute runs no Docker)."],
    ['a pull-through cache prefix ECR refuses', (s) => ({ pullThroughCaches: [PullThroughCache.fromEcrRepositoryPrefix(s, 'Cache', 'Docker_Hub')] }), undefined,
      "[Stack/Cache] prop 'ecrRepositoryPrefix': got \"Docker_Hub\"; a prefix is 2 to 30 characters of lower-case repository name components joined by '/' (for example 'docker-hub' or 'team/app'), or ROOT for every repository."],
    ['a lifecycle policy that could expire the environment\'s image', () => ({ environmentTags: ['dev'] }), { mutableTagPatterns: ['dev'], lifecyclePolicy: LifecyclePresets.recommended() },
      "[Stack/Build] prop 'environmentTags': got \"dev\"; this project points the tag at the image an environment runs, and rule 1 (\"Keep the newest 30 images tagged *.*.*; expire older ones\") "
      + "of the lifecycle policy of Stack/Repo could expire images tagged 'dev'. Add LifecycleRule.retain({ tagPatternList: ['dev'] }) before it in the repository's lifecyclePolicy "
      + "(LifecyclePresets.recommended({ protectedTags: [...] }) adds a retain rule per protected tag).\n[Stack/Build] prop 'environmentTags': got \"dev\"; this project points the tag at the image an environment runs, "
      + "and rule 2 (\"Keep the newest 50 images tagged sha-*; expire older ones\") of the lifecycle policy of Stack/Repo could expire images tagged 'dev'. Add LifecycleRule.retain({ tagPatternList: ['dev'] }) "
      + "before it in the repository's lifecyclePolicy (LifecyclePresets.recommended({ protectedTags: [...] }) adds a retain rule per protected tag)."],
    ['a lifecycle policy that could archive the cache', () => ({ cache: ImageBuildCache.registry() }),
      { mutableTagPatterns: ['buildcache'], lifecyclePolicy: new LifecyclePolicy({ rules: [LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(30) })] }) },
      "[Stack/Build] prop 'cache': got \"buildcache\"; this project keeps its layer cache under the tag, and rule 1 (\"Archive images not pulled for more than 30 days\") of the lifecycle policy "
      + "of Stack/Repo could archive images tagged 'buildcache'. Add LifecycleRule.retain({ tagPatternList: ['buildcache'] }) before it in the repository's lifecyclePolicy "
      + '(LifecyclePresets.recommended({ protectedTags: [...] }) adds a retain rule per protected tag).'],
    ['a protected pattern that the count rules could reach', () => ({ environmentTags: ['dev'], protectedTagPatterns: ['1.*'] }),
      { mutableTagPatterns: ['dev'], lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: ['dev'] }) },
      ['*.*.*', 'sha-*'].map((selected, i) => `prop 'protectedTagPatterns': got "1.*"; this project protects the tag, and rule ${i + 2} ("Keep the newest ${i === 0 ? 30 : 50} `
        + `images tagged ${selected}; expire older ones") of the lifecycle policy of Stack/Repo could expire images tagged '1.*'. Add LifecycleRule.retain({ tagPatternList: ['1.*'] }) `
        + "before it in the repository's lifecyclePolicy (LifecyclePresets.recommended({ protectedTags: [...] }) adds a retain rule per protected tag).")
        .map((problem) => `[Stack/Build] ${problem}`).join('\n')],
  ])('props: %s', (_name, props, repositoryProps, message) => {
    const stack = new Stack(new App(), 'Stack');
    const repository = new ImageRepository(stack, 'Repo', repositoryProps ?? { mutableTagPatterns: ['dev', 'buildcache'] });
    const source = codebuild.Source.gitHub({ owner: 'acme', repo: 'app' });
    new ImageBuildProject(stack, 'Build', { repository, source, ...props(stack) });
    // Reported when the app synthesizes, with every other construct's problems, one line each.
    expect(synthesisProblems(stack)).toBe(message);
  });

  test.each<[string, (build: ImageBuildProject) => unknown, string]>([
    ['promote bad digest', (build) => build.promotionVariables('sha256:xyz', ['dev']), "[Stack/Build] prop 'digest': got \"sha256:xyz\"; a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'."],
    ['promote unknown tag', (build) => build.promotionVariables(`sha256:${'a'.repeat(64)}`, ['prod']), "[Stack/Build] prop 'environmentTags': got \"prod\"; this project may only apply [\"dev\"]. Add it to 'promotionTags'."],
    ['promote no tag', (build) => build.promotionVariables(`sha256:${'a'.repeat(64)}`, []), "[Stack/Build] prop 'environmentTags': got []; name at least one tag to promote to."],
    ['triggers', (_build) => ImageBuildTriggers.webhookFilters({ branches: ['my branch'] }), "ImageBuildTriggers.webhookFilters(): prop 'branches': got \"my branch\"; a branch name is not empty and has no spaces."],
    ['triggers none', (_build) => ImageBuildTriggers.webhookFilters({ versionTags: false }), "ImageBuildTriggers.webhookFilters(): prop 'versionTags': got false; with no branches either, nothing would start a build. Omit the webhook instead."],
  ])('methods: %s', (_name, call, message) => {
    const stack = new Stack(new App(), 'Stack');
    const repository = new ImageRepository(stack, 'Repo', { mutableTagPatterns: ['dev'] });
    const build = new ImageBuildProject(stack, 'Build', { repository, source: codebuild.Source.gitHub({ owner: 'a', repo: 'b' }), environmentTags: ['dev'] });
    expect(() => call(build)).toThrow(new Error(message));
  });

  test('a push target imported from another account warns: no grant here reaches its repository policy', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const repository = ImageRepository.fromRepositoryAttributes(stack, 'Shared', { repositoryName: 'shared/app', repositoryArn: 'arn:aws:ecr:eu-west-1:222222222222:repository/shared/app' });
    new ImageBuildProject(stack, 'Build', { repository, source: codebuild.Source.gitHub({ owner: 'a', repo: 'b' }) });
    expect(synthesisProblems(stack)).toBe('');
    expect(Annotations.fromStack(stack).findWarning('/Stack/Build', Match.stringLikeRegexp('crossAccountPushTarget')).map((w) => w.entry.data)).toEqual([
      "prop 'repository': got \"Stack/Shared\"; is an imported repository of account 222222222222, and the role pushing to it is in 111111111111: "
      + "a push across accounts also needs the repository's policy to admit the role, which cannot be written for an imported repository. Push to a "
      + 'repository of 111111111111 and replicate it to 222222222222 (RegistryReplication), push from a stack of 222222222222, or, if the repository\'s '
      + "policy admits this role where it is managed, acknowledge 'cdk-ecr-platform:crossAccountPushTarget'. [ack: cdk-ecr-platform:crossAccountPushTarget]",
    ]);
  });

  test('unresolved tokens are never validated', () => {
    const stack = new Stack(new App(), 'Stack');
    const repository = ImageRepository.fromRepositoryName(stack, 'Repo', 'team/app');
    const build = new ImageBuildProject(stack, 'Build', {
      repository,
      source: codebuild.Source.gitHub({ owner: 'a', repo: 'b' }),
      environmentTags: [new CfnParameter(stack, 'Tag').valueAsString],
      commitShaLength: new CfnParameter(stack, 'Len', { type: 'Number' }).valueAsNumber,
      digestParameterPrefix: new CfnParameter(stack, 'Prefix').valueAsString,
      projectName: new CfnParameter(stack, 'Name').valueAsString,
      timeout: Duration.minutes(new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber),
      scanGateTimeout: Duration.seconds(new CfnParameter(stack, 'GateSeconds', { type: 'Number' }).valueAsNumber),
    });
    // Every check of the app, without synthesizing it.
    expect(stack.node.findAll().flatMap((c) => c.node.validate())).toEqual([]);
    // The tokens reach the project as they are, for CloudFormation to resolve.
    const project = build.project.node.defaultChild as codebuild.CfnProject;
    const environment = stack.resolve(project.environment) as codebuild.CfnProject.EnvironmentProperty;
    expect(stack.resolve([project.name, project.timeoutInMinutes])).toEqual([{ Ref: 'Name' }, { Ref: 'Minutes' }]);
    const variables = environment.environmentVariables as codebuild.CfnProject.EnvironmentVariableProperty[];
    expect(variables.filter((v) => ['DIGEST_PARAMETER_PREFIX', 'SCAN_TIMEOUT_SECONDS'].includes(v.name))).toEqual([
      { name: 'SCAN_TIMEOUT_SECONDS', type: 'PLAINTEXT', value: { Ref: 'GateSeconds' } },
      { name: 'DIGEST_PARAMETER_PREFIX', type: 'PLAINTEXT', value: { Ref: 'Prefix' } },
    ]);
  });
});
