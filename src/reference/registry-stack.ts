import { Duration, RemovalPolicy, Stack, StackProps, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pullerRolePath } from './image-reference';
import { GitHubActionsPublisher, GitHubSubject } from '../github-actions/publisher';
import { ImagePlatform, ScanGate } from '../image-build/options';
import { ImageBuildProject } from '../image-build/project';
import { LifecyclePresets } from '../lifecycle/presets';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { createKey } from '../private/kms';
import { RegistryBaseline } from '../registry/baseline';
import { RepositoryCreationTrigger } from '../registry/creation-template';
import { CREDENTIAL_SECRET_PREFIX, UpstreamRegistry } from '../registry/pull-through-cache';
import { RegistryGrantee } from '../registry/registry-policy';
import { RegistryScanningProps, RegistryScanType } from '../registry/scanning';
import { IImageRepository, ImageRepository } from '../repository/repository';
import { RepositorySettings } from '../repository/settings';
import { FindingSeverity } from '../scanning/severity';

/** One service whose images the registry holds and builds. */
export interface ReferenceServiceProps {
  /** Service name; the repository is `<repositoryPrefix>/<name>`. */
  readonly name: string;
  /**
   * Where the service's Dockerfile lives: the build runs on each push there.
   * @default - none: the build is a CodePipeline project, run by the service's `ImagePromotionPipeline`
   */
  readonly source?: codebuild.ISource;
  /**
   * The variable that carries the commit SHA, for sources without commits (S3).
   * @default - the commit CodeBuild resolves
   */
  readonly commitShaVariable?: string;
  /**
   * Whether Lambda functions run the service's images: the repository then admits the Lambda service for functions of
   * the registry's and the workload accounts (`grantPullToLambda`).
   * @default false
   */
  readonly runsOnLambda?: boolean;
  /**
   * The platforms the service's image is built for: those of the compute its workloads run on (an image of another
   * architecture never starts, "exec format error"). `[ImagePlatform.LINUX_ARM64]` alone builds natively on an ARM
   * build image; several give one multi-architecture image index, which Lambda does not run. Synthesis checks them
   * against every ECS task definition on Fargate, Lambda function and EKS managed node group of the app that runs the
   * service's images.
   * @default [ImagePlatform.LINUX_AMD64]
   */
  readonly platforms?: ImagePlatform[];
}

/** GitHub Actions publishing into the registry. */
export interface ReferenceGitHubProps {
  /** The GitHub owner of the services' repositories (each service's repository is named after it). */
  readonly owner: string;
  /**
   * Whether the account already has the GitHub OIDC provider.
   * @default false
   */
  readonly providerExists?: boolean;
}

/** Where the registry's images are replicated, and who pulls them there. */
export interface RegistryReplicaProps {
  /**
   * Accounts whose workloads pull the images; same-account workloads need none. Each repository admits only the roles
   * under its puller path (`pullerRolePath`) in these accounts.
   * @default - none
   */
  readonly workloadAccounts?: string[];
}

/** Properties of the registry stack. */
export interface RegistryStackProps extends StackProps, RegistryReplicaProps {
  /** The services. */
  readonly services: ReferenceServiceProps[];
  /**
   * Prefix of every repository name.
   * @default 'platform'
   */
  readonly repositoryPrefix?: string;
  /**
   * Environment names; each is a moving tag: the first is applied by every build, the others by promotions.
   * @default ['dev', 'staging', 'prod']
   */
  readonly environments?: string[];
  /**
   * Regions of this account that get a copy of every image the builds push (`RegistryReplicaStack` there gives the
   * copies the same settings); workloads in those regions pull from their own region's copy.
   * @default - none
   */
  readonly replicaRegions?: string[];
  /**
   * The lowest severity that is notified.
   * @default FindingSeverity.HIGH
   */
  readonly notifySeverity?: FindingSeverity;
  /**
   * A GitHub Actions publisher per service: a role that the service's GitHub repository (branch `main`, tags `v*`)
   * assumes through OIDC to push to the service's repository only.
   * @default - none
   */
  readonly github?: ReferenceGitHubProps;
}

/**
 * The shared-services registry: a repository per service with the recommended lifecycle policy and protected release
 * tags, an image build per repository, and scan findings sent to an encrypted SNS topic. The registry itself scans
 * with Amazon Inspector (release repositories rescanned as new CVEs appear), caches Docker Hub and ECR Public (the
 * builds take their base images from there, away from Docker Hub's pull limits), and replicates the platform's
 * images to the replica regions.
 */
export class RegistryStack extends Stack {
  /** The topic that receives scan findings (KMS encrypted, TLS only). */
  public readonly findingsTopic: sns.Topic;
  private readonly repositories = new Map<string, ImageRepository>();
  private readonly builds = new Map<string, ImageBuildProject>();

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const environments = props.environments ?? ['dev', 'staging', 'prod'];
    const names = props.services.map((s) => s.name);
    reportProblems(this, [
      ...(names.length === 0 ? [propProblem('services', names, 'name at least one service.')] : []),
      ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => propProblem('services', n, 'two services share this name. Rename one.')),
      ...(environments.length === 0 ? [propProblem('environments', environments, 'name at least one environment, for example dev.')] : []),
    ]);

    const key = createKey(this, 'FindingsKey', 'Encrypts the scan findings topic');
    // EventBridge publishes to the encrypted topic, so it must be able to use the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    }));
    this.findingsTopic = new sns.Topic(this, 'ScanFindings', { displayName: 'Container image scan findings', masterKey: key, enforceSSL: true });

    const prefix = props.repositoryPrefix ?? 'platform';
    const others = otherAccounts(this, props.workloadAccounts);
    const baseline = new RegistryBaseline(this, 'Registry', {
      scanning: platformScanning(prefix),
      pullThroughCaches: [
        { upstream: UpstreamRegistry.ecrPublic() },
        { upstream: UpstreamRegistry.dockerHub(dockerHubCredential(this)) },
      ],
      replication: props.replicaRegions?.length
        ? { rules: [{ destinations: props.replicaRegions.map((region) => ({ region })), repositoryPrefixes: [`${prefix}/`] }] }
        : undefined,
    });
    // Workload accounts' roles under the platform's path may use the caches too (their own builds and tools).
    if (others.length > 0) {
      const platformRoles = RegistryGrantee.accounts(others, { principalArnPatterns: pullerPatterns(this, others, prefix) });
      baseline.pullThroughCaches.forEach((cache) => baseline.registryPolicy.grantPullThroughCache(cache, platformRoles));
    }

    // One provider per account: the first publisher creates it (unless it exists), the others trust that one.
    const githubProvider = props.github?.providerExists ? GitHubActionsPublisher.accountProvider(this, 'GitHubProvider') : undefined;
    // Each name once: a repeated one is reported above, and building it twice would stop before that report.
    for (const service of props.services.filter((s, i) => names.indexOf(s.name) === i)) {
      const repositoryName = `${prefix}/${service.name}`;
      const repository = new ImageRepository(this, `${service.name}Repository`, { repositoryName, ...serviceRepositorySettings(environments) });
      // Only the roles the workload stacks give the pulling path, not every principal of the workload accounts.
      if (others.length > 0) repository.grantPullToAccounts(others, { principalArnPatterns: pullerPatterns(this, others, repositoryName) });
      repository.onScanFindings(`${service.name}ScanFindings`, {
        minimumSeverity: props.notifySeverity ?? FindingSeverity.HIGH,
        target: new targets.SnsTopic(this.findingsTopic),
      });
      const build = new ImageBuildProject(this, `${service.name}Build`, {
        repository,
        source: service.source,
        commitShaVariable: service.commitShaVariable,
        platforms: service.platforms,
        environmentTags: environments.slice(0, 1),
        promotionTags: environments.slice(1),
        pullThroughCaches: baseline.pullThroughCaches,
        // The registry scans with Amazon Inspector: the gate reads its findings.
        scanGate: ScanGate.enhanced(),
      });
      acknowledge(repository, 'environment tags move by design (dev, staging, prod); every other tag is immutable',
        'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check');
      if (service.source) {
        acknowledge(build.project, 'source access comes from the account\'s CodeBuild source credential (OAuth or CodeConnections), '
          + 'not from the repository URL', 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl');
      }
      if (service.runsOnLambda) repository.grantPullToLambda({ accountIds: [this.account, ...others] });
      if (props.github) {
        new GitHubActionsPublisher(this, `${service.name}GitHub`, {
          repositories: [repository],
          subjects: [GitHubSubject.branch(props.github.owner, service.name, 'main'), GitHubSubject.tag(props.github.owner, service.name, 'v*')],
          provider: githubProvider,
          scanGate: ScanGate.enhanced(),
        });
      }
      this.repositories.set(service.name, repository);
      this.builds.set(service.name, build);
    }
  }

  /** The repository of a service. */
  public repository(service: string): IImageRepository {
    return this.lookup(this.repositories, service);
  }

  /** The image build of a service. */
  public buildProject(service: string): ImageBuildProject {
    return this.lookup(this.builds, service);
  }

  private lookup<T>(map: Map<string, T>, service: string): T {
    const found = map.get(service);
    if (!found) throwIfProblems(this, [propProblem('service', service, `this registry holds ${JSON.stringify([...map.keys()])}.`)]);
    return found!;
  }
}

/** Properties of a registry replica stack. */
export interface RegistryReplicaStackProps extends StackProps, RegistryReplicaProps {
  /** The repositories replicated into this region. */
  readonly repositoryNames: string[];
  /**
   * The replicated repositories whose images Lambda functions of the registry's and the workload accounts run.
   * @default - none
   */
  readonly lambdaRepositoryNames?: string[];
  /** Environment names (the moving tags), as in the registry stack. */
  readonly environments: string[];
  /**
   * Prefix of every repository name, as in the registry stack.
   * @default 'platform'
   */
  readonly repositoryPrefix?: string;
}

/**
 * The registry of a replica region: a repository per replicated repository, of the same name and with the same tag
 * mutability, lifecycle policy and pull grants as the original, which replication pushes into (ECR applies creation
 * templates only to repositories it creates, and a template's prefix covers the names under it, not the repository of
 * its own name). A REPLICATION template of the prefix keeps a copy the platform does not declare here immutable; the
 * region's registry scans like the primary one. Deploy it before the first image is replicated.
 */
export class RegistryReplicaStack extends Stack {
  private readonly repositories = new Map<string, ImageRepository>();

  constructor(scope: Construct, id: string, props: RegistryReplicaStackProps) {
    super(scope, id, props);
    const others = otherAccounts(this, props.workloadAccounts);
    const prefix = props.repositoryPrefix ?? 'platform';
    new RegistryBaseline(this, 'Registry', {
      scanning: platformScanning(prefix),
      creationTemplates: [{
        prefix,
        appliedFor: [RepositoryCreationTrigger.REPLICATION],
        description: `Copies of ${prefix}/<name> that this stack does not declare: immutable tags and the lifecycle policy, never ECR's mutable default`,
        ...serviceRepositorySettings(props.environments),
      }],
    });
    for (const name of props.repositoryNames.filter((n, i) => props.repositoryNames.indexOf(n) === i)) {
      // Retained like the original: it holds the images workloads of this region run.
      const repository = new ImageRepository(this, `${name.split('/').pop()}Repository`, { repositoryName: name, ...serviceRepositorySettings(props.environments) });
      if (others.length > 0) repository.grantPullToAccounts(others, { principalArnPatterns: pullerPatterns(this, others, name) });
      if (props.lambdaRepositoryNames?.includes(name)) repository.grantPullToLambda({ accountIds: [this.account, ...others] });
      acknowledge(repository, 'environment tags move by design (dev, staging, prod); every other tag is immutable',
        'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check');
      this.repositories.set(name, repository);
    }
  }

  /** The copy of a replicated repository, by name. */
  public repository(repositoryName: string): IImageRepository {
    const found = this.repositories.get(repositoryName);
    if (!found) throwIfProblems(this, [propProblem('repositoryName', repositoryName, `this stack holds ${JSON.stringify([...this.repositories.keys()])}.`)]);
    return found!;
  }
}

/**
 * The settings of a service's repository, the same for the repository and its copies in other regions: environment
 * tags (what deployments point at) move and are never expired; the newest 30 releases (1.2.3) and the newest 50
 * commit images (sha-<commit>) are kept, older ones expire unless an environment tag or a kept release holds them;
 * untagged images go after 14 days.
 */
function serviceRepositorySettings(environments: string[]): RepositorySettings {
  return {
    mutableTagPatterns: environments.length > 0 ? environments : undefined,
    lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: environments, untaggedMaxAge: Duration.days(14) }),
  };
}

/** Enhanced scanning of every repository on push, and continuous rescans of the platform's release repositories. */
function platformScanning(prefix: string): RegistryScanningProps {
  return { scanType: RegistryScanType.ENHANCED, continuousScanRepositories: [`${prefix}/*`] };
}

/** The workload accounts other than the stack's own (same-account workloads need no resource policy). */
function otherAccounts(stack: Stack, accounts: string[] = []): string[] {
  return accounts.filter((a) => Token.compareStrings(a, stack.account) !== TokenComparison.SAME);
}

/** The roles of the workload accounts under the puller path of `repositoryName` (or of every repository under a prefix). */
function pullerPatterns(stack: Stack, accounts: string[], repositoryName: string): string[] {
  return accounts.map((account) => `arn:${stack.partition}:iam::${account}:role${pullerRolePath(repositoryName)}*`);
}

/**
 * The Docker Hub credential of the cache: created with a placeholder token, kept when the stack goes, and filled in by
 * the platform team (`aws secretsmanager put-secret-value`). ECR reads it only under this name and the default key.
 */
function dockerHubCredential(stack: Stack): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(stack, 'DockerHubCredential', {
    secretName: `${CREDENTIAL_SECRET_PREFIX}docker-hub`,
    description: 'Docker Hub user and access token of the pull-through cache: {"username": "...", "accessToken": "..."}',
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'replace-me' }), generateStringKey: 'accessToken' },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(secret, 'a Docker Hub access token is issued and rotated in Docker Hub; Secrets Manager has no rotation for it',
    'AwsSolutions-SMG4', ...inEveryPack('SecretsManagerRotationEnabled'));
  acknowledge(secret, 'ECR reads pull-through cache credentials only under the default aws/secretsmanager key',
    ...inEveryPack('SecretsManagerUsingKMSKey'));
  return secret;
}
