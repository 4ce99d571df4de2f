import * as fs from 'fs';
import * as path from 'path';
import { Aws, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PIPELINE_ROLE_PATH } from './deploy-role';
import { bucketNameProblems, deploymentTimeoutProblems, gitSourceProblems, pipelineNameProblems } from './validation';
import { ImageBuildProject } from '../image-build/project';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { declaredRepositoryName } from '../private/declared-name';
import { propProblem, reportProblems } from '../private/errors';
import { iamFindingIds, wildcardResourceFindingId } from '../private/findings';
import { allowLogsToUseKey, createKey } from '../private/kms';
import { managedPolicyGrantee } from '../private/managed-policy-grantee';
import { buildsInPipelines } from '../private/pipeline-builds';
import { formatRepositoryArn } from '../private/repository-arn';
import { BUCKET_NAME, declareUniqueName, PIPELINE_NAME } from '../private/unique-names';

/** CodeConnections connection ARNs (the service was named CodeStar Connections before 2024; both prefixes are valid). */
const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
/** ECS container names: up to 255 letters, digits, hyphens and underscores. */
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** The wildcard actions of aws-cdk-lib's read grant on a bucket and its key, as cdk-nag names them. */
const READ_GRANT_ACTIONS = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];
const findingsOf = (grantActions: string[]) => grantActions.map((action) => `AwsSolutions-IAM5[Action::${action}]`);
/** What aws-cdk-lib's read-write grants on the artifacts look like to cdk-nag: wildcards within the pipeline's bucket and key. */
const ARTIFACT_GRANT_FINDINGS = findingsOf([...READ_GRANT_ACTIONS, 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 's3:Abort*', 's3:DeleteObject*']);
/** The source artifact's project has no repository URL, which two packs read as a missing one. */
const PIPELINE_SOURCE_FINDINGS = ['HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl'];

/** The script a release runs (shipped with the library, beside lib/). */
const RELEASE_SCRIPT = fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'pipeline', 'release-stack.sh'));
/** The stack parameter a release sets, unless a `StackRelease` names another. */
export const DEFAULT_RELEASE_PARAMETER = 'ImageDigest';

/** The file an ECS deploy action reads. */
const IMAGE_DEFINITIONS_FILE = 'imagedefinitions.json';

/** An ECS service an environment deploys the image to. */
export interface EcsDeployment {
  /** The service (in another account: import it by ARN, and give `deployRole`). */
  readonly service: ecs.IBaseService;
  /** The container of the task definition that runs the image. */
  readonly containerName: string;
  /**
   * The role the pipeline assumes to deploy, in the service's account: an `EcsDeployRole` there, imported here by ARN
   * (`EcsDeployRole.roleArn`), which trusts the pipeline's role and may deploy the service only. Required for a
   * service of another account. The pipeline's bucket and key policies name it, so it must exist before the pipeline:
   * make the pipeline's stack depend on the role's. Those policies hold the role's unique id, not its name: when the
   * role is deleted and created again (its stack replaced), redeploy the pipeline's stack, or deployments are denied.
   * `stackReleases` has no such trap (it reads no artifact).
   * @default - the pipeline's own action role (same account only)
   */
  readonly deployRole?: iam.IRole;
  /**
   * How long the deployment may take before the action fails: whole minutes from 1 to 60, CodePipeline's limit.
   * @default Duration.minutes(60)
   */
  readonly deploymentTimeout?: Duration;
}

/**
 * A stack that runs the image a promotion releases: the release sets the stack's image parameter to the digest (the
 * stack's template and other parameters unchanged) and waits until the stack runs it. The stack parameter is then the
 * environment's record of what it runs: a later `cdk deploy` keeps it (the CDK CLI passes the previous value of a
 * parameter it is not given), and no moving tag decides it.
 */
export interface StackRelease {
  /**
   * The stack, of this app, deployed with the CDK bootstrap's roles (the default synthesizer) in any account and region
   * bootstrapped to trust the pipeline's account (`cdk bootstrap --trust`), or the pipeline's own: the release assumes
   * its deploy role and updates it with its execution role, as `cdk deploy` does.
   */
  readonly stack: Stack;
  /**
   * The stack parameter that holds the digest (`sha256:...`).
   * @default 'ImageDigest'
   */
  readonly parameterName?: string;
}

/** One environment of the promotion, in order. */
export interface PromotionEnvironment {
  /** The environment's name, which is also its moving tag (`dev`, `staging`, `prod`). */
  readonly name: string;
  /**
   * Ask a person before promoting to this environment. A rejection stops the execution: this environment and the
   * ones after it keep their previous digest.
   * @default - false for the first environment (the build's own), true for the others
   */
  readonly approval?: boolean;
  /**
   * ECS services that run the digest once it carries the environment's tag.
   * @default - none: the environment's tag moves, and its workloads follow by their own deployment
   */
  readonly ecsDeployments?: EcsDeployment[];
  /**
   * Stacks whose image parameter the environment's promotion sets to the digest, each in its own account and region.
   * Only principals that may assume the environment's release project's role (this pipeline) can change what they run.
   * @default - none
   */
  readonly stackReleases?: StackRelease[];
}

/** Properties of an `ImagePromotionPipeline`. */
export interface ImagePromotionPipelineProps {
  /** The CodeConnections (CodeStar Connections) connection to the Git provider, approved in the console once. */
  readonly connectionArn: string;
  /**
   * Owner of the Git repository the pipeline builds, at the connection's provider: a GitHub user or organization, a
   * GitLab group, a Bitbucket workspace.
   */
  readonly sourceOwner: string;
  /**
   * Name of the Git repository the pipeline builds, within `sourceOwner` (for example `storefront`); not an ECR
   * repository, which is the build project's.
   */
  readonly sourceRepository: string;
  /**
   * The branch whose commits are built and promoted.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The image build, without a `source` of its own (a CodePipeline project). It pushes `sha-<commit>`, gates on the
   * scan and applies the first environment's tag; promotions re-gate the same digest and move the later tags.
   */
  readonly buildProject: ImageBuildProject;
  /** The environments, in promotion order; the first is the build's environment tag, the others its promotion tags. */
  readonly environments: PromotionEnvironment[];
  /**
   * Name of the pipeline: 1 to 100 letters, digits, `.`, `@`, `_` and `-`.
   * @default - generated
   */
  readonly pipelineName?: string;
  /**
   * Name of the artifact bucket, for deploy roles of other accounts, which must name it in their own policy
   * (`EcsDeployRoleProps.artifactBucketName`): S3 names are global, so include the account and region.
   * @default - generated
   */
  readonly artifactBucketName?: string;
}

/**
 * A CodePipeline (V2) that takes an image from commit to production without rebuilding it: the source, the image build
 * (push `sha-<commit>`, scan gate, first environment tag), then per environment an optional approval, a promotion of
 * the same digest to the environment's tag (scan gate again), and ECS deployments of that digest
 * (`repository@sha256:...` in the image definitions, never a tag, so re-running an old execution deploys its own
 * image). A failed gate or a rejected approval stops the execution; every later environment keeps its digest.
 * Artifacts are encrypted with a key of the pipeline (cross-account deploy roles are admitted to it and to the bucket).
 */
export class ImagePromotionPipeline extends Construct {
  /** The pipeline. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The key of the pipeline's artifacts and logs. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ImagePromotionPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const build = props.buildProject;
    buildsInPipelines.add(build);
    const names = props.environments.map((e) => e.name);
    // Environments that would make aws-cdk-lib throw are reported with the rest and not built.
    const environmentProblems = [
      ...(names.length === 0 ? [propProblem('environments', [], 'name at least one environment: the first is the one every build tags.')] : []),
      ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => propProblem('environments', n, 'is named twice. An environment is promoted to once.')),
      ...(names.length > 0 && !build.environmentTags.includes(names[0]) ? [propProblem('environments[0]', names[0],
        `is not a tag the build applies (${JSON.stringify(build.environmentTags)}). Add it to the build's 'environmentTags'.`)] : []),
      ...names.slice(1).filter((n) => !build.movingTags.includes(n) || build.environmentTags.includes(n)).map((n) => propProblem('environments', n,
        `is not one of the build's promotion tags (${JSON.stringify(build.movingTags.filter((t) => !build.environmentTags.includes(t)))}). Add it to 'promotionTags'.`)),
      ...props.environments.flatMap((e) => (e.ecsDeployments ?? []).flatMap((d) => deploymentProblems(stack, e.name, d))),
      ...props.environments.flatMap((e) => releaseProblems(stack, e)),
    ];
    const bucketProblems = bucketNameProblems('artifactBucketName', props.artifactBucketName);
    const nameProblems = pipelineNameProblems('pipelineName', props.pipelineName);
    reportProblems(this, [
      ...(Token.isUnresolved(props.connectionArn) || CONNECTION_ARN.test(props.connectionArn) ? []
        : [propProblem('connectionArn', props.connectionArn, 'a CodeConnections connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<id>.')]),
      ...(build.inPipeline ? [] : [propProblem('buildProject', build.node.path, 'has a source of its own, which a pipeline would replace by its '
        + "artifact (and its webhook would build nothing). Create it without 'source' for the pipeline.")]),
      ...gitSourceProblems(props.sourceOwner, props.sourceRepository, props.branch),
      ...bucketProblems,
      ...nameProblems,
      ...environmentProblems,
    ]);

    // Artifacts under a key of the pipeline's own, which deploy roles of other accounts can be admitted to.
    this.key = createKey(this, 'ArtifactsKey', `Encrypts the artifacts and logs of the pipeline ${this.node.path}`);
    allowLogsToUseKey(this.key);
    const artifactBucket = new s3.Bucket(this, 'Artifacts', {
      // A name S3 refuses is reported above; aws-cdk-lib would throw before the report.
      bucketName: bucketProblems.length === 0 ? props.artifactBucketName : undefined,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // An execution needs its artifacts for hours, an audit the pipeline's history, not the files.
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      // A name CodePipeline refuses is reported above; aws-cdk-lib would throw before the report.
      pipelineName: nameProblems.length === 0 ? props.pipelineName : undefined,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket,
      // Under the path that deploy roles of other accounts trust.
      role: new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
        path: PIPELINE_ROLE_PATH,
        description: `Runs the pipeline ${this.node.path}`,
      }),
      restartExecutionOnUpdate: false,
    });
    declareUniqueName(this, artifactBucket.node.defaultChild as s3.CfnBucket, BUCKET_NAME);
    declareUniqueName(this, this.pipeline.node.defaultChild as codepipeline.CfnPipeline, PIPELINE_NAME);
    const source = new codepipeline.Artifact('Source');
    // aws-cdk-lib grants codestar-connections:UseConnection, and IAM matches an action's service prefix to the
    // resource's: a connection created since the 2024 rename (arn:aws:codeconnections:...) needs codeconnections:.
    const sourceRole = new iam.Role(this, 'SourceRole', { assumedBy: new iam.AccountRootPrincipal(), description: 'Reads the source through the connection' });
    sourceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: connectionActions(props.connectionArn), resources: [props.connectionArn] }));
    this.pipeline.addStage({
      stageName: 'Source',
      actions: [new actions.CodeStarConnectionsSourceAction({
        actionName: 'Source',
        connectionArn: props.connectionArn,
        owner: props.sourceOwner,
        repo: props.sourceRepository,
        branch: props.branch ?? 'main',
        output: source,
        role: sourceRole,
      })],
    });
    // CodeBuild reads the source artifact with the project's role, which the action's grants do not reach (the
    // project's role is immutable). The grant is a policy of this pipeline attached to that role: the build may live
    // in another stack, which must not depend on this one.
    const buildReads = new iam.ManagedPolicy(this, 'BuildReadsArtifacts', { description: `The image build reads the artifacts of ${this.node.path}`, roles: [build.role] });
    artifactBucket.grantRead(managedPolicyGrantee(build.role, buildReads));
    acknowledge(buildReads, 'read of the pipeline\'s artifact bucket and key (aws-cdk-lib\'s read grant: object-level wildcards within that bucket)',
      ...findingsOf(READ_GRANT_ACTIONS), wildcardResourceFindingId(this, `${artifactBucket.bucketArn}/*`));
    const buildAction = new actions.CodeBuildAction({ actionName: 'Build', project: build.project, input: source, variablesNamespace: 'Build' });
    this.pipeline.addStage({ stageName: 'Build', actions: [buildAction] });

    // The image by digest, as the build exported it (`repository@sha256:...`).
    const imageUri = buildAction.variable('IMAGE_URI');
    const digest = buildAction.variable('IMAGE_DIGEST');
    // Made on first use: a pipeline that deploys to no ECS service needs no such project.
    let definitions: codebuild.PipelineProject | undefined;
    (environmentProblems.length === 0 ? props.environments : []).forEach((environment, i) => {
      const stageActions: codepipeline.IAction[] = [];
      let runOrder = 1;
      if (i > 0) {
        if (environment.approval ?? true) {
          stageActions.push(new actions.ManualApprovalAction({
            actionName: 'Approve',
            runOrder: runOrder++,
            additionalInformation: `Promote ${imageUri} to ${environment.name}`,
          }));
        }
        stageActions.push(new actions.CodeBuildAction({
          actionName: 'Promote',
          project: build.project,
          input: source,
          runOrder: runOrder++,
          environmentVariables: build.promotionVariables(digest, [environment.name]),
        }));
      }
      (environment.ecsDeployments ?? []).forEach((deployment, d) => {
        const file = new codepipeline.Artifact(`${environment.name}Definitions${d + 1}`);
        stageActions.push(new actions.CodeBuildAction({
          actionName: `ImageDefinitions${d + 1}`,
          project: definitions ??= this.imageDefinitionsProject(),
          input: source,
          outputs: [file],
          runOrder,
          environmentVariables: { IMAGE_URI: { value: imageUri }, CONTAINER_NAME: { value: deployment.containerName } },
        }));
        stageActions.push(new actions.EcsDeployAction({
          actionName: `Deploy${d + 1}`,
          service: deployment.service,
          input: file,
          role: deployment.deployRole,
          deploymentTimeout: deployment.deploymentTimeout,
          runOrder: runOrder + 1,
        }));
      });
      const releases = environment.stackReleases ?? [];
      if (releases.length > 0) {
        const project = this.releaseProject(environment.name, releases, build.repository);
        releases.forEach((release) => stageActions.push(new actions.CodeBuildAction({
          actionName: `Release-${release.stack.stackName}`.slice(0, 100),
          project,
          input: source,
          runOrder,
          environmentVariables: releaseVariables(release, build.repository, digest, environment.name),
        })));
      }
      // The build's own environment with nothing to deploy needs no stage: the build tagged it.
      if (stageActions.length > 0) this.pipeline.addStage({ stageName: `Promote-${environment.name}`, actions: stageActions });
    });

    acknowledge(artifactBucket, 'pipeline artifacts are transient, encrypted with the pipeline\'s key and read only by its actions; '
      + 'access logs and replication would copy them for no reader', 'AwsSolutions-S1', ...inEveryPack('S3BucketLoggingEnabled'),
    ...inEveryPack('S3BucketReplicationEnabled'), 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    'cdk-validator-cfnguard::s3_bucket_replication_enabled_check', 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'cdk-validator-cfnguard::s3_event_notifications_enabled_check');
    // aws-cdk-lib writes the roles of the pipeline and its actions: their policies are its grants, scoped to the artifact
    // bucket and key, to the build projects and to the deployed services.
    acknowledge(this, 'aws-cdk-lib\'s CodePipeline grants on the pipeline\'s own artifact bucket and key (object-level wildcards '
      + 'within that bucket, the key\'s data-key actions)', ...ARTIFACT_GRANT_FINDINGS, wildcardResourceFindingId(this, `${artifactBucket.bucketArn}/*`));
    acknowledge(this, 'aws-cdk-lib writes the pipeline\'s and its actions\' roles with default (inline) policies, each scoped to what '
      + 'its action touches', ...inEveryPack('IAMNoInlinePolicy'));
    acknowledge(this, 'aws-cdk-lib grants the same-account ECS deploy action CodePipeline\'s documented permissions on *: task definitions '
      + 'are read and registered before a revision exists, and iam:PassRole is conditioned on ecs-tasks.amazonaws.com; a deploy role of '
      + 'another account (EcsDeployRole) is scoped to its services', 'AwsSolutions-IAM5[Resource::*]');
  }

  /**
   * A small project that writes the image definitions of an ECS deploy action from the build's image, and fails on
   * anything but an image by digest.
   */
  private imageDefinitionsProject(): codebuild.PipelineProject {
    return this.smallProject('ImageDefinitions', 'Writes imagedefinitions.json with the image by digest', Duration.minutes(10), {
      phases: {
        build: {
          commands: [
            'case "$IMAGE_URI" in *@sha256:*) ;; *) echo "image definitions: \'$IMAGE_URI\' is not an image by digest" >&2; exit 1 ;; esac',
            `printf '[{"name":"%s","imageUri":"%s"}]' "$CONTAINER_NAME" "$IMAGE_URI" > ${IMAGE_DEFINITIONS_FILE}`,
          ],
        },
      },
      artifacts: { files: [IMAGE_DEFINITIONS_FILE] },
    });
  }

  /**
   * The project that releases a digest to the environment's stacks (assets/pipeline/release-stack.sh): its role may
   * assume the deploy roles of those stacks' environments and nothing else, so only this pipeline's stage of the
   * environment, after its approval, changes what the stacks run.
   */
  private releaseProject(environment: string, releases: StackRelease[], repository: ecr.IRepository): codebuild.PipelineProject {
    // A release waits for CloudFormation, which waits for the workloads to become stable (the CLI's waiter gives up
    // after an hour).
    const project = this.smallProject(`Release-${environment}`, `Releases the approved digest to the ${environment} stacks`, Duration.minutes(90), {
      phases: {
        build: {
          commands: [`echo ${RELEASE_SCRIPT.toString('base64')} | base64 -d > /tmp/release-stack.sh`, 'sh /tmp/release-stack.sh'],
        },
      },
    });
    const deployRoles = [...new Set(releases.map((r) => bootstrapRoles(r.stack).deployRoleArn))];
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: deployRoles }));
    // Whether the image (or its copy) is in each stack's region yet.
    const copies = [...new Set(releases.map((r) => formatRepositoryArn(this,
      declaredRepositoryName(repository) ?? repository.repositoryName, { account: repository.env.account, region: regionOf(r.stack) })))];
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecr:DescribeImages'], resources: copies }));
    return project;
  }

  private smallProject(id: string, description: string, timeout: Duration, spec: { [key: string]: unknown }): codebuild.PipelineProject {
    const project = new codebuild.PipelineProject(this, id, {
      description,
      encryptionKey: this.key,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      logging: {
        cloudWatch: {
          logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: this.key, removalPolicy: RemovalPolicy.RETAIN }),
        },
      },
      timeout,
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', ...spec }),
    });
    acknowledge(project, 'aws-cdk-lib\'s CodeBuild grants: the project\'s own log group and report groups, by name prefix',
      ...iamFindingIds(project).filter((id_) => id_.includes(':logs:') || id_.includes(':codebuild:')));
    acknowledge(project, 'the source is the pipeline\'s artifact: the project names no repository URL', ...PIPELINE_SOURCE_FINDINGS);
    return project;
  }
}

/** The CDK bootstrap roles of `stack`'s environment; placeholders (an environment-agnostic stack) are the pipeline's own. */
function bootstrapRoles(stack: Stack): { deployRoleArn: string; executionRoleArn: string } {
  const synthesizer = stack.synthesizer as DefaultStackSynthesizer;
  return { deployRoleArn: Fn.sub(synthesizer.deployRoleArn), executionRoleArn: Fn.sub(synthesizer.cloudFormationExecutionRoleArn) };
}

/** The stack's region; an environment-agnostic stack deploys where the pipeline is. */
function regionOf(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? Aws.REGION : stack.region;
}

function releaseVariables(release: StackRelease, repository: ecr.IRepository, digest: string,
  environment: string): { [name: string]: codebuild.BuildEnvironmentVariable } {
  const roles = bootstrapRoles(release.stack);
  return {
    IMAGE_DIGEST: { value: digest },
    IMAGE_REPOSITORY: { value: declaredRepositoryName(repository) ?? repository.repositoryName },
    IMAGE_REGISTRY_ID: { value: repository.env.account },
    STACK_NAME: { value: release.stack.stackName },
    STACK_REGION: { value: regionOf(release.stack) },
    PARAMETER_NAME: { value: release.parameterName ?? DEFAULT_RELEASE_PARAMETER },
    DEPLOY_ROLE_ARN: { value: roles.deployRoleArn },
    EXECUTION_ROLE_ARN: { value: roles.executionRoleArn },
    RELEASE_ENVIRONMENT: { value: environment },
  };
}

/** `UseConnection` under the connection ARN's own service prefix; both prefixes when the ARN is not known at synth. */
function connectionActions(connectionArn: string): string[] {
  const prefixes = Token.isUnresolved(connectionArn) ? ['codestar-connections', 'codeconnections'] : [connectionArn.split(':')[2]];
  return prefixes.map((prefix) => `${prefix}:UseConnection`);
}

function deploymentProblems(stack: Stack, environment: string, deployment: EcsDeployment): string[] {
  const problems = deploymentTimeoutProblems(`environments[${environment}].ecsDeployments.deploymentTimeout`, deployment.deploymentTimeout);
  if (!Token.isUnresolved(deployment.containerName) && !CONTAINER_NAME.test(deployment.containerName)) {
    problems.push(propProblem(`environments[${environment}].ecsDeployments.containerName`, deployment.containerName,
      'an ECS container name: 1 to 255 letters, digits, hyphens and underscores.'));
  }
  const { account, region } = deployment.service.env;
  if (Token.compareStrings(region, stack.region) === TokenComparison.DIFFERENT) {
    problems.push(propProblem(`environments[${environment}].ecsDeployments.service`, deployment.service.node.path, `is in region ${region}, and the `
      + `pipeline in ${stack.region}: a deploy action of another region needs an artifact bucket there. Deploy it with a pipeline in ${region}.`));
  }
  if (deployment.deployRole === undefined && Token.compareStrings(account, stack.account) === TokenComparison.DIFFERENT) {
    problems.push(propProblem(`environments[${environment}].ecsDeployments.deployRole`, undefined, `the service is in account ${account}, `
      + `and the pipeline's actions run in ${stack.account}. Give a role of ${account} that trusts ${stack.account} and may deploy the service.`));
  }
  return problems;
}

function releaseProblems(pipelineStack: Stack, environment: PromotionEnvironment): string[] {
  const releases = environment.stackReleases ?? [];
  const prop = `environments[${environment.name}].stackReleases`;
  const names = releases.map((r) => r.stack.stackName);
  return [
    ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => propProblem(prop, n, 'is listed twice. Release each stack once per environment.')),
    ...releases.filter((r) => r.stack === pipelineStack).map((r) => propProblem(prop, r.stack.node.path,
      'is the pipeline\'s own stack, which a release would update under the running pipeline. Release the workload stacks.')),
    ...releases.filter((r) => !(r.stack.synthesizer instanceof DefaultStackSynthesizer)).map((r) => propProblem(prop, r.stack.node.path,
      `is synthesized by ${r.stack.synthesizer.constructor.name}: a release assumes the CDK bootstrap's deploy role. Use the DefaultStackSynthesizer.`)),
  ];
}
