import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  BUILD_SCRIPT_FILE, BUILD_SCRIPT_PATH, FetchedFile, INLINE_BUILDSPEC_MAX_LENGTH, OUTPUT_FILE, renderBuildSpec, SCAN_GATE_FILE, SCAN_GATE_PATH,
} from './buildspec';
import { architectureProblems } from './consumers';
import { BuildSecret, ImageBuildCache, ImagePlatform, ScanGate } from './options';
import { registryCacheTags, renderTagPrelude } from './tags';
import { imageBuildProblems } from './validation';
import { protectionRisks } from '../lifecycle/guard';
import { ruleLabel } from '../lifecycle/types';
import { warnOnCrossAccountPushTarget } from '../private/accounts';
import { acknowledge } from '../private/acknowledge';
import { maxResolvedLength } from '../private/cfn-length';
import { declaredRepositoryName } from '../private/declared-name';
import { ecrGrantee } from '../private/ecr-access';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { allowLogsToUseKey, createKey } from '../private/kms';
import { managedPolicyGrantee } from '../private/managed-policy-grantee';
import { buildsInPipelines } from '../private/pipeline-builds';
import { DEFAULT_COMMIT_TAG_PREFIX } from '../private/tag-vocabulary';
import { CODEBUILD_PROJECT_NAME, declareUniqueName } from '../private/unique-names';
import { IPullThroughCache } from '../registry/pull-through-cache';
import { RegistryScanning, RegistryScanType } from '../registry/scanning';
import { INSPECTOR_GATE_ACTIONS, INSPECTOR_GATE_REASON, SCAN_RESULT_ACTIONS } from '../repository/actions';
import { canOverwriteTag } from '../repository/mutability';
import { ImageRepository } from '../repository/repository';
import { digestProblems } from '../repository/validation';

/** Writing build logs to the project's log group. */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** What CodeBuild does with the project key, spelled out (CDK's grant uses wildcards such as kms:GenerateDataKey*). */
const KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
/** Reading a fetched build file (`aws s3 cp` sends HeadObject and GetObject, both authorized as this). */
const FETCH_ACTIONS = ['s3:GetObject'];
/** A CodePipeline variable reference, `#{namespace.name}`: CodePipeline puts the value in when the action runs. */
const PIPELINE_VARIABLE = /^#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}$/;

/** The longest wait of the scan gate when the user gives none. */
const DEFAULT_SCAN_GATE_TIMEOUT = Duration.minutes(30);

/**
 * The scan gate's wait: the user's, else 30 minutes, or half the build's timeout when that is shorter. Props refused
 * at synth are not used: converting them could throw before synth reports every problem.
 */
function scanGateTimeout(props: ImageBuildProjectProps, propsValid: boolean): Duration {
  const given: Partial<ImageBuildProjectProps> = propsValid ? props : {};
  const build = given.timeout ?? Duration.hours(1);
  return given.scanGateTimeout ?? (build.isUnresolved() ? DEFAULT_SCAN_GATE_TIMEOUT
    : Duration.seconds(Math.min(DEFAULT_SCAN_GATE_TIMEOUT.toSeconds(), build.toSeconds() / 2)));
}

/** The warning of a build without a source that no `ImagePromotionPipeline` runs. */
const NOTHING_RUNS_WARNING = 'cdk-ecr-platform:buildNothingRuns';
/** Recording a digest: put-parameter --overwrite creates the parameter on the first promotion. */
const RECORD_ACTIONS = ['ssm:PutParameter'];

/** Properties of an `ImageBuildProject`. */
export interface ImageBuildProjectProps {
  /** The repository the image is pushed to. */
  readonly repository: ecr.IRepository;
  /**
   * Where the Dockerfile and build context come from (GitHub, GitHub Enterprise, Bitbucket, CodeCommit, S3, ...).
   * Without one, the project is a CodePipeline project: its source is the input artifact of the pipeline's action
   * (`ImagePromotionPipeline`). A project with a source of its own must not be used in a pipeline, which would switch
   * its source to CodePipeline and leave its webhook without a source.
   * @default - the source artifact of a CodePipeline action
   */
  readonly source?: codebuild.ISource;
  /**
   * Path of the Dockerfile, relative to the source root.
   * @default - 'Dockerfile' in the build context
   */
  readonly dockerfile?: string;
  /**
   * The build context directory, relative to the source root.
   * @default '.'
   */
  readonly buildContext?: string;
  /**
   * The build stage to stop at (`--target`).
   * @default - the last stage
   */
  readonly buildTarget?: string;
  /**
   * Non-secret build arguments (`--build-arg`). Secrets go in `buildSecrets`.
   * @default - none
   */
  readonly buildArgs?: { [name: string]: string };
  /**
   * Secrets for `RUN --mount=type=secret,id=...`, fetched by CodeBuild from Secrets Manager or SSM; never plaintext
   * environment variables or build args.
   * @default - none
   */
  readonly buildSecrets?: BuildSecret[];
  /**
   * Plaintext environment variables for the build (no secrets, no AWS credentials: the project role provides those).
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };
  /**
   * Characters of the commit SHA in the commit tag.
   * @default 7
   */
  readonly commitShaLength?: number;
  /**
   * Prefix of the commit tag.
   * @default 'sha-'
   */
  readonly commitTagPrefix?: string;
  /**
   * The variable holding the commit SHA. Needed for sources that do not resolve to a commit (S3).
   * @default 'CODEBUILD_RESOLVED_SOURCE_VERSION' (for Git sources and CodePipeline)
   */
  readonly commitShaVariable?: string;
  /**
   * The variable that may carry a semantic version (set it on start-build or in the pipeline action).
   * @default 'IMAGE_VERSION'
   */
  readonly versionVariable?: string;
  /**
   * Tag the image with the version of a pushed git tag `vX.Y.Z` (as `X.Y.Z`).
   * @default true
   */
  readonly versionFromGitTag?: boolean;
  /**
   * Moving tags applied after the scan gate passes, for example `dev`. They must be mutable in the repository.
   * @default - none
   */
  readonly environmentTags?: string[];
  /**
   * Moving tags applied only by promotions of an existing digest (`promotionVariables`), for example `staging`, `prod`.
   * They must be mutable in the repository.
   * @default - none
   */
  readonly promotionTags?: string[];
  /**
   * Allow `latest` as an environment tag. Deployments should use digests or environment tags instead.
   * @default false
   */
  readonly allowLatestTag?: boolean;
  /**
   * More tag patterns whose images the repository's lifecycle policy must never expire or archive, checked at synth
   * when the repository is an `ImageRepository` of this app. The environment, promotion and cache tags always are.
   * Releases (`*.*.*`) are not, by default: a lifecycle policy may keep the newest N of them
   * (`LifecyclePresets.recommended`), while the environment tags keep the releases that run.
   * @default - none beyond the environment, promotion and cache tags
   */
  readonly protectedTagPatterns?: string[];
  /**
   * Platforms to build. Several give one multi-architecture image index (per-platform builds joined by a manifest).
   * @default [ImagePlatform.LINUX_AMD64]
   */
  readonly platforms?: ImagePlatform[];
  /**
   * Layer cache. A registry cache tag is made mutable in an `ImageRepository` of this app, and must not be expired by
   * its lifecycle policy.
   * @default ImageBuildCache.local()
   */
  readonly cache?: ImageBuildCache;
  /**
   * The scan gate before environment tags.
   * @default ScanGate.basic(FindingSeverity.CRITICAL)
   */
  readonly scanGate?: ScanGate;
  /**
   * How long the scan gate waits for the scans of the pushed image (all its platforms together) before it fails the
   * build, naming what it waited for. Whole seconds, shorter than `timeout`, so that the gate, not CodeBuild, ends a
   * build whose scan does not come.
   * @default - 30 minutes, or half of `timeout` when that is shorter
   */
  readonly scanGateTimeout?: Duration;
  /**
   * Repositories the build pulls base images from, in any account or region: the build may pull from them and logs
   * in to each of their registries.
   * @default - none
   */
  readonly baseImageRepositories?: ecr.IRepository[];
  /**
   * Pull-through caches the build pulls base images through (`FROM <registry>/docker-hub/library/node:20`): the build
   * logs in to their registries and may pull and, for an image not cached yet, import it from upstream.
   * @default - none
   */
  readonly pullThroughCaches?: IPullThroughCache[];
  /**
   * Prefix of the SSM parameters that record, per environment tag, the image URI with digest last promoted. The
   * build creates and updates them (`put-parameter --overwrite`); no stack owns them, so no deployment can roll a
   * recorded digest back.
   * @default '/image-build/<repository name>'
   */
  readonly digestParameterPrefix?: string;
  /**
   * KMS key for artifacts and logs.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long build logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Run builds in this VPC.
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the VPC.
   * @default - private subnets
   */
  readonly subnetSelection?: ec2.SubnetSelection;
  /**
   * The build image: a Linux image with Docker, the AWS CLI, Node.js, curl and sha256sum, such as CodeBuild's standard
   * images. An ARM image builds `linux/arm64` natively.
   * @default - `aws/codebuild/amazonlinux-aarch64-standard:3.0` when every platform is `linux/arm64`, else `aws/codebuild/standard:7.0`
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Compute type of the build (on-demand EC2: Docker builds cannot run on Lambda compute).
   * @default codebuild.ComputeType.MEDIUM
   */
  readonly computeType?: codebuild.ComputeType;
  /**
   * Build timeout (5 minutes to 36 hours).
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * How long a build may wait in the queue (5 minutes to 8 hours).
   * @default Duration.hours(8)
   */
  readonly queuedTimeout?: Duration;
  /**
   * Most builds running at once.
   * @default - no limit
   */
  readonly concurrentBuildLimit?: number;
  /**
   * Name of the CodeBuild project.
   * @default - generated
   */
  readonly projectName?: string;
}


/**
 * A CodeBuild project that builds a Docker image and pushes it to ECR with traceable tags: the commit SHA, a semantic
 * version and environment tags, never `latest`. Environment tags are applied only after the scan gate passes, and an
 * existing digest can be promoted to an environment tag without a rebuild (`promotionVariables`).
 *
 * Privileged mode is on because `docker build` needs the Docker daemon of the build container.
 */
export class ImageBuildProject extends Construct implements iam.IGrantable {
  /** The CodeBuild project (usable in a CodePipeline `CodeBuildAction`). */
  public readonly project: codebuild.Project;
  /** The key that encrypts artifacts and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The build log group. */
  public readonly logGroup: logs.LogGroup;
  /** The role builds run with; its permissions are in customer managed policies. */
  public readonly role: iam.Role;
  /** The repository the builds push to. */
  public readonly repository: ecr.IRepository;
  /** The moving tags every build applies after the scan gate. */
  public readonly environmentTags: string[];
  /** Every moving tag this project may apply: the environment tags and the promotion tags. */
  public readonly movingTags: string[];
  private warnedNothingRuns = false;

  /** The tags a registry cache writes in the repository (none for other caches). */
  public readonly cacheTags: string[];
  /** The platforms each build targets (several: one multi-architecture image index). */
  public readonly platforms: ImagePlatform[];
  /** Whether the project takes its source from a CodePipeline action (no `source` of its own). */
  public readonly inPipeline: boolean;
  /**
   * The builds' principal: grants to it land in the project's own policy (the project's role takes no grants through
   * the CodeBuild project, whose role is immutable to keep CDK's defaults out).
   */
  public readonly grantPrincipal: iam.IPrincipal;
  private readonly digestParameterPrefix: string;
  private readonly digestParameters = new Map<string, ssm.IStringParameter>();

  constructor(scope: Construct, id: string, props: ImageBuildProjectProps) {
    super(scope, id);
    const cache = props.cache ?? ImageBuildCache.local();
    const gate = props.scanGate ?? ScanGate.basic();
    const platforms = props.platforms ?? [ImagePlatform.LINUX_AMD64];
    this.platforms = [...platforms];
    this.environmentTags = [...(props.environmentTags ?? [])];
    this.movingTags = [...this.environmentTags, ...(props.promotionTags ?? [])];
    this.cacheTags = cache.tag ? registryCacheTags(cache.tag, platforms) : [];
    // The repository checks assume well-formed tags, so they only run on props that passed their own checks.
    const propProblems = imageBuildProblems(props, cache);
    warnOnCrossAccountPushTarget(this, 'repository', props.repository);
    reportProblems(this, propProblems.length > 0 ? propProblems : this.repositoryProblems(props, gate));

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'Key', `Encrypts the artifacts and logs of ${this.node.path}`);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    // CloudWatch Logs encrypts with the key only when the key policy lets the regional service use it.
    allowLogsToUseKey(this.encryptionKey);

    const secrets = props.buildSecrets ?? [];
    this.repository = props.repository;
    this.digestParameterPrefix = props.digestParameterPrefix ?? `/image-build/${props.repository.repositoryName}`;
    const buildkitImage = cache.buildkitRepository?.repositoryUriForTagOrDigest(cache.buildkitImageTag);
    const pullRepositories = [...(props.baseImageRepositories ?? []), ...(cache.buildkitRepository ? [cache.buildkitRepository] : [])];
    const pullCaches = props.pullThroughCaches ?? [];
    const variables: Record<string, string> = {
      ...(props.environmentVariables ?? {}),
      ECR_REGISTRY: props.repository.registryUri,
      IMAGE_REPOSITORY_NAME: props.repository.repositoryName,
      ENVIRONMENT_TAGS: this.environmentTags.join(' '),
      PLATFORMS: platforms.join(','),
      DOCKERFILE: props.dockerfile ?? path.posix.join(props.buildContext ?? '.', 'Dockerfile'),
      BUILD_CONTEXT: props.buildContext ?? '.',
      BUILD_TARGET: props.buildTarget ?? '',
      BUILD_ARGS: Object.entries(props.buildArgs ?? {}).map(([k, v]) => `${k}=${v}`).join('\n'),
      BUILD_SECRETS: secrets.map((s) => s.id).join(' '),
      PULL_REGISTRIES: [
        ...pullRepositories.map((r) => `${r.registryUri}@${Stack.of(r).splitArn(r.repositoryArn, ArnFormat.SLASH_RESOURCE_NAME).region}`),
        ...pullCaches.map((c) => `${c.registryUri}@${c.registryRegion}`),
      ].join(' '),
      CACHE_MODE: cache.mode,
      CACHE_REF: cache.tag ? props.repository.repositoryUriForTag(cache.tag) : '',
      BUILDKIT_IMAGE: buildkitImage ?? '',
      SCAN_GATE: gate.mode,
      SCAN_GATE_THRESHOLD: gate.threshold,
      SCAN_GATE_JS: SCAN_GATE_PATH,
      SCAN_GATE_PASS_UNSUPPORTED: gate.passUnsupportedImages ? 'true' : 'false',
      SCAN_TIMEOUT_SECONDS: Tokenization.stringifyNumber(scanGateTimeout(props, propProblems.length === 0).toSeconds()),
      DIGEST_PARAMETER_PREFIX: this.movingTags.length > 0 ? this.digestParameterPrefix : '',
      BUILD_OUTPUT_FILE: OUTPUT_FILE,
      ALLOW_LATEST: props.allowLatestTag ? 'true' : 'false',
    };
    // Secrets are project variables CodeBuild resolves at build start: not in the buildspec, whose size is limited.
    const secretVariables: Record<string, codebuild.BuildEnvironmentVariable> = Object.fromEntries(secrets.map((s) => [s.id, s.secret
      ? { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: s.jsonField ? `${s.secret.secretArn}:${s.jsonField}` : s.secret.secretArn }
      : { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: s.parameter!.parameterName }]));

    // The role's permissions are customer managed policies written here statement by statement (CDK's CodeBuild
    // defaults, such as report groups, the default log group, wildcard KMS actions and an inline policy, are not
    // needed): ECR access in the policy every ECR grant of this library uses, the rest in the project's own.
    const policy = new iam.ManagedPolicy(this, 'Policy', { description: `Permissions of the image build ${this.node.path}` });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `Runs the image build ${this.node.path}`,
      managedPolicies: [policy],
    });
    const grantee = managedPolicyGrantee(this.role, policy);
    this.grantPrincipal = grantee.grantPrincipal;
    const ecrAccess = ecrGrantee(this.role);

    const files = [this.fetchedFile('BuildScript', BUILD_SCRIPT_FILE, BUILD_SCRIPT_PATH, grantee), this.fetchedFile('ScanGate', SCAN_GATE_FILE, SCAN_GATE_PATH, grantee)];
    const buildSpec = renderBuildSpec({
      tagPrelude: renderTagPrelude({
        commitShaVariable: props.commitShaVariable ?? 'CODEBUILD_RESOLVED_SOURCE_VERSION',
        commitShaLength: props.commitShaLength ?? 7,
        commitTagPrefix: props.commitTagPrefix ?? DEFAULT_COMMIT_TAG_PREFIX,
        versionVariable: props.versionVariable ?? 'IMAGE_VERSION',
        versionFromGitTag: props.versionFromGitTag ?? true,
      }),
      files,
    });

    const onlyArm = platforms.every((p) => p === ImagePlatform.LINUX_ARM64);
    // An image, compute type or timeout refused above would make aws-cdk-lib throw before synth reports every problem.
    const buildImage = (propProblems.length === 0 ? props.buildImage : undefined)
      ?? (onlyArm ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 : codebuild.LinuxBuildImage.STANDARD_7_0);
    const projectProps: codebuild.PipelineProjectProps = {
      projectName: props.projectName,
      role: this.role.withoutPolicyUpdates(),
      grantReportGroupPermissions: false,
      buildSpec: codebuild.BuildSpec.fromObject(buildSpec),
      environment: {
        buildImage,
        computeType: (propProblems.length === 0 ? props.computeType : undefined) ?? codebuild.ComputeType.MEDIUM,
        privileged: true,
        environmentVariables: {
          ...Object.fromEntries(Object.entries(variables).map(([k, value]) => [k, { value }])),
          ...secretVariables,
        },
      },
      cache: cache.mode === 'local' ? codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER) : undefined,
      timeout: (propProblems.length === 0 ? props.timeout : undefined) ?? Duration.hours(1),
      queuedTimeout: propProblems.length === 0 ? props.queuedTimeout : undefined,
      concurrentBuildLimit: props.concurrentBuildLimit,
      vpc: props.vpc,
      subnetSelection: props.subnetSelection,
    };
    this.project = props.source
      ? new codebuild.Project(this, 'Project', { ...projectProps, source: props.source })
      : new codebuild.PipelineProject(this, 'Project', projectProps);
    this.inPipeline = props.source === undefined;
    if (this.inPipeline) {
      acknowledge(this.project, 'the source is the pipeline\'s artifact: the project names no repository URL',
        'HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl');
    }
    // Key and log group are set on the CloudFormation resource: through the L2 they would grant via the role (dropped
    // here) or fall back to the key's and the log group's resource policies.
    const cfnProject = this.project.node.defaultChild as codebuild.CfnProject;
    cfnProject.encryptionKey = this.encryptionKey.keyArn;
    cfnProject.logsConfig = { cloudWatchLogs: { status: 'ENABLED', groupName: this.logGroup.logGroupName } };
    cfnProject.node.addDependency(policy);
    this.node.addValidation({ validate: () => buildSpecProblems(cfnProject) });
    declareUniqueName(this, cfnProject, CODEBUILD_PROJECT_NAME);
    this.node.addValidation({ validate: () => this.warnIfNothingRuns() });
    this.node.addValidation({ validate: () => registryScanningProblems(this, props.repository, gate) });
    this.node.addValidation({ validate: () => consumerArchitectureProblems(this, props.repository, platforms) });
    Validations.of(this.project).acknowledge({
      id: 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check',
      reason: 'docker build needs the Docker daemon of the build container, which only privileged mode provides',
    });
    if (props.vpc) {
      // CDK's VPC permissions: the network-interface permission scoped to the build subnets, and its Describe* policy.
      policy.addStatements(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterfacePermission'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
        conditions: {
          StringEquals: {
            'ec2:Subnet': props.vpc.selectSubnets(props.subnetSelection).subnetIds.map((subnetId) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnetId })),
            'ec2:AuthorizedService': 'codebuild.amazonaws.com',
          },
        },
      }));
      (this.project.node.tryFindChild('PolicyDocument') as iam.Policy | undefined)?.attachToRole(this.role);
    }

    policy.addStatements(
      new iam.PolicyStatement({ actions: LOG_ACTIONS, resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: KEY_ACTIONS, resources: [this.encryptionKey.keyArn] }),
    );
    // A build may start as soon as the project exists (a webhook): its ECR access must be in place by then.
    const ecrGrants = [
      props.repository.grantPullPush(ecrAccess),
      ...pullRepositories.map((repository) => repository.grantPull(ecrAccess)),
      ...pullCaches.map((pullCache) => pullCache.grantPullThrough(ecrAccess)),
    ];
    for (const grant of ecrGrants) grant.applyBefore(cfnProject);
    if (gate.mode !== 'none') {
      policy.addStatements(new iam.PolicyStatement({ actions: SCAN_RESULT_ACTIONS, resources: [props.repository.repositoryArn] }));
    }
    if (gate.mode === 'enhanced') {
      policy.addStatements(new iam.PolicyStatement({ actions: INSPECTOR_GATE_ACTIONS, resources: ['*'] }));
      acknowledge(policy, INSPECTOR_GATE_REASON, 'AwsSolutions-IAM5[Resource::*]');
    }
    for (const s of secrets) {
      s.secret?.grantRead(grantee);
      s.parameter?.grantRead(grantee);
    }
    if (this.movingTags.length > 0) {
      const records = this.movingTags.map((tag) => this.digestParameterArn(tag));
      policy.addStatements(new iam.PolicyStatement({ actions: RECORD_ACTIONS, resources: records }));
    }
    this.warnings(platforms, buildImage, cache);
  }

  /**
   * The SSM parameter holding `repository@digest` of the image last given `environmentTag` (the "digest of
   * environment X" record). The build creates it on the first build or promotion to that tag and updates it on each
   * one after; no stack owns it. Read it with `ssm.StringParameter.valueForStringParameter(stack, parameter.parameterName)`
   * or `{{resolve:ssm:NAME}}`; a deployment that reads it before the first promotion fails, as it has no image to run.
   */
  public digestParameter(environmentTag: string): ssm.IStringParameter {
    if (!this.movingTags.includes(environmentTag)) {
      throwIfProblems(this, [propProblem('environmentTag', environmentTag, `this project applies ${JSON.stringify(this.movingTags)}. Use one of those.`)]);
    }
    let parameter = this.digestParameters.get(environmentTag);
    if (!parameter) {
      parameter = ssm.StringParameter.fromStringParameterAttributes(this, `DigestParameter${environmentTag}`, {
        parameterName: this.digestParameterName(environmentTag),
        simpleName: false,
      });
      this.digestParameters.set(environmentTag, parameter);
    }
    return parameter;
  }

  /**
   * Environment variables that make a build of this project promote an existing digest to environment tags, with no
   * rebuild and behind the same scan gate (for `start-build --environment-variables-override` or a pipeline action).
   * @param digest `sha256:...`, or a CodePipeline variable that holds one, such as `#{Build.IMAGE_DIGEST}`
   */
  public promotionVariables(digest: string, environmentTags: string[]): { [name: string]: codebuild.BuildEnvironmentVariable } {
    throwIfProblems(this, [
      ...(Token.isUnresolved(digest) || PIPELINE_VARIABLE.test(digest) ? [] : digestProblems('digest', digest)),
      ...(environmentTags.length === 0 ? [propProblem('environmentTags', environmentTags, 'name at least one tag to promote to.')] : []),
      ...environmentTags.filter((t) => !Token.isUnresolved(t) && !this.movingTags.includes(t)).map((t) => propProblem('environmentTags', t,
        `this project may only apply ${JSON.stringify(this.movingTags)}. Add it to 'promotionTags'.`)),
    ]);
    return {
      BUILD_COMMAND: { value: 'promote' },
      PROMOTE_DIGEST: { value: digest },
      ENVIRONMENT_TAGS: { value: environmentTags.join(' ') },
    };
  }

  private digestParameterName(tag: string): string {
    return `${this.digestParameterPrefix}/${tag}`;
  }

  private digestParameterArn(tag: string): string {
    // Parameter names here start with '/', which the ARN keeps: arn:...:parameter/image-build/...
    return Stack.of(this).formatArn({ service: 'ssm', resource: `parameter${this.digestParameterName(tag)}`, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  }

  /** A file of this package the build fetches from S3 (an asset of the stack) and checks against its SHA-256. */
  private fetchedFile(id: string, file: string, buildPath: string, grantee: iam.IGrantable): FetchedFile {
    const asset = new s3assets.Asset(this, id, { path: file });
    iam.Grant.addToPrincipal({ grantee, actions: FETCH_ACTIONS, resourceArns: [asset.bucket.arnForObjects(asset.s3ObjectKey)] });
    return { path: buildPath, s3Url: asset.s3ObjectUrl, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
  }

  /** Configurations that work, at a cost the user should choose knowingly; each warning can be acknowledged by its id. */

  /**
   * A build without a `source` is a CodePipeline project: unless an `ImagePromotionPipeline` runs it (decided at
   * synthesis, as the pipeline may come later or live in another stack), nothing does. A warning, acknowledgeable for a
   * pipeline of the user's own.
   */
  private warnIfNothingRuns(): string[] {
    if (!this.inPipeline || buildsInPipelines.has(this) || this.warnedNothingRuns) return [];
    this.warnedNothingRuns = true;
    Annotations.of(this).addWarningV2(NOTHING_RUNS_WARNING, "the build has no 'source' and no ImagePromotionPipeline uses it, so nothing "
      + "runs it. Give it a 'source' (for example codebuild.Source.gitHub(...)) or pass it as an ImagePromotionPipeline's 'buildProject'; "
      + `if a pipeline of your own runs it, acknowledge '${NOTHING_RUNS_WARNING}'.`);
    return [];
  }
  private warnings(platforms: ImagePlatform[], buildImage: codebuild.IBuildImage, cache: ImageBuildCache): void {
    const hostPlatform = buildImage.type === codebuild.EnvironmentType.ARM_CONTAINER ? ImagePlatform.LINUX_ARM64 : ImagePlatform.LINUX_AMD64;
    const emulated = platforms.filter((p) => p !== hostPlatform);
    if (emulated.length > 0) {
      Annotations.of(this).addWarningV2('cdk-ecr-platform:emulatedPlatforms', `the ${hostPlatform} build image builds ${emulated.join(', ')} `
        + 'under emulation: RUN steps need QEMU registered in the build container (binfmt), and run slowly. Build each platform '
        + 'natively in its own project (buildImage) or cross-compile (FROM --platform=$BUILDPLATFORM).');
    }
    if (cache.mode === 'registry' && !cache.buildkitRepository) {
      Annotations.of(this).addWarningV2('cdk-ecr-platform:buildkitFromDockerHub', 'the registry cache\'s builder pulls '
        + 'moby/buildkit anonymously from Docker Hub: that fails without internet access and meets Docker Hub\'s rate limits. '
        + 'Pass ImageBuildCache.registry(tag, { buildkitRepository }) with a copy in ECR or a pull-through cache.');
    }
  }

  private repositoryProblems(props: ImageBuildProjectProps, gate: ScanGate): string[] {
    const repo = props.repository;
    // Only a repository defined in this app tells us its tag mutability, scanning and lifecycle policy.
    if (!(repo instanceof ImageRepository)) return [];
    const problems: string[] = [];
    // Cache tags move on every build: the repository lets them, unless it already does.
    for (const tag of this.cacheTags.filter((t) => !Token.isUnresolved(t))) repo.addMutableTagPattern(tag);
    for (const tag of this.movingTags.filter((t) => !Token.isUnresolved(t))) {
      if (!canOverwriteTag(tag, repo.tagMutability, repo.tagMutabilityExclusions)) {
        problems.push(propProblem(this.environmentTags.includes(tag) ? 'environmentTags' : 'promotionTags', tag,
          `this project moves the tag from image to image, but the repository ${repo.node.path} keeps it immutable (${repo.tagMutability}). `
          + `Add '${tag}' to the repository's mutableTagPatterns.`));
      }
    }
    if (gate.mode === 'basic' && !repo.scanOnPush) {
      problems.push(propProblem('scanGate', 'basic', `the repository ${repo.node.path} does not scan on push, so the gate would wait forever. `
        + 'Turn scanOnPush on, use ScanGate.enhanced() with registry scanning, or ScanGate.none().'));
    }
    // Each tag the repository's lifecycle policy must keep, with the prop that makes this project rely on it.
    const kept: Array<[string, string, string]> = [
      ...this.environmentTags.map((t): [string, string, string] => ['environmentTags', t, 'points the tag at the image an environment runs']),
      ...(props.promotionTags ?? []).map((t): [string, string, string] => ['promotionTags', t, 'points the tag at the image an environment runs']),
      ...this.cacheTags.map((t): [string, string, string] => ['cache', t, 'keeps its layer cache under the tag']),
      ...(props.protectedTagPatterns ?? []).map((t): [string, string, string] => ['protectedTagPatterns', t, 'protects the tag']),
    ].filter(([, t]) => !Token.isUnresolved(t));
    const risks = protectionRisks(repo.lifecyclePolicy.toDocument(), { protectedTags: [...new Set(kept.map(([, t]) => t))] });
    for (const [prop, tag, role] of kept) {
      for (const risk of risks.filter((r) => r.pattern === tag)) {
        problems.push(propProblem(prop, tag, `this project ${role}, and ${ruleLabel(risk.rule)} of the lifecycle policy of ${repo.node.path} ${risk.effect}`
          + `${risk.caveat ? `, and ${risk.caveat}` : ''}. ${risk.fix} in the repository's lifecyclePolicy `
          + '(LifecyclePresets.recommended({ protectedTags: [...] }) adds a retain rule per protected tag).'));
      }
    }
    return problems;
  }
}

/**
 * The gate against the registry's scanning configuration, when this app declares it (it may be declared after the
 * project, so this runs at synth): a basic gate cannot read Inspector's results, and a repository that no filter
 * matches is never scanned, so the gate would wait until it times out.
 */
function registryScanningProblems(scope: Construct, repository: ecr.IRepository, gate: ScanGate): string[] {
  const scanning = gate.mode === 'none' ? undefined : RegistryScanning.of(scope, repository.env.account, repository.env.region);
  if (!scanning) return [];
  const type = scanning.scanType === RegistryScanType.ENHANCED ? 'enhanced' : 'basic';
  if (gate.mode !== type) {
    return [propProblem('scanGate', gate.mode, `the registry scans with ${type} scanning (${scanning.node.path}), and ScanGate.${gate.mode}() waits `
      + `for ${gate.mode} scan results, which never come. Use ScanGate.${type}().`)];
  }
  const name = declaredRepositoryName(repository);
  if (name === undefined || Token.isUnresolved(name) || scanning.frequencyOf(name) !== 'NONE') return [];
  return [propProblem('scanGate', gate.mode, `the repository '${name}' matches none of the registry's scanning filters (${scanning.node.path}), `
    + 'so no scan ever completes and the gate would wait until it times out. Add it to scanOnPushRepositories, or use ScanGate.none().')];
}

/**
 * The workloads of the app that run the repository's images (ECS on Fargate, Lambda, pods on EKS managed node
 * groups) against the platforms the build pushes: an image of another architecture never starts ("exec format error"),
 * while the stacks deploy. The consumers may be declared after the project, and in any stack: this runs at synth.
 */
function consumerArchitectureProblems(scope: Construct, repository: ecr.IRepository, platforms: ImagePlatform[]): string[] {
  const declared = declaredRepositoryName(repository);
  const token = Token.isUnresolved(repository.repositoryName) ? repository.repositoryName : undefined;
  return architectureProblems(scope, declared, platforms, token);
}

/** The buildspec's length once CloudFormation resolves it, at most, against CodeBuild's limit. */
function buildSpecProblems(project: codebuild.CfnProject): string[] {
  const source = Stack.of(project).resolve(project.source) as { buildSpec?: unknown };
  const length = maxResolvedLength(source.buildSpec);
  return length <= INLINE_BUILDSPEC_MAX_LENGTH ? [] : [`the inline buildspec can reach ${length} characters once deployed, and CodeBuild `
    + `rejects more than ${INLINE_BUILDSPEC_MAX_LENGTH}. Shorten commitShaVariable, versionVariable or commitTagPrefix.`];
}
