import { Duration, Stack, StackProps, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pullerRolePath } from './image-reference';
import { ImageBuildProject } from '../image-build/project';
import { LifecyclePresets } from '../lifecycle/presets';
import { acknowledge } from '../private/acknowledge';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { createKey } from '../private/kms';
import { IImageRepository, ImageRepository } from '../repository/repository';
import { FindingSeverity } from '../scanning/severity';

/** One service whose images the registry holds and builds. */
export interface ReferenceServiceProps {
  /** Service name; the repository is `<repositoryPrefix>/<name>`. */
  readonly name: string;
  /** Where the service's Dockerfile lives. */
  readonly source: codebuild.ISource;
  /**
   * The variable that carries the commit SHA, for sources without commits (S3).
   * @default - the commit CodeBuild resolves
   */
  readonly commitShaVariable?: string;
}

/** Properties of the registry stack. */
export interface RegistryStackProps extends StackProps {
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
   * Accounts whose workloads pull the images (dev, staging and prod accounts); same-account workloads need none. Each
   * repository admits only the roles under its puller path (`pullerRolePath`) in these accounts.
   * @default - none
   */
  readonly workloadAccounts?: string[];
  /**
   * The lowest severity that is notified.
   * @default FindingSeverity.HIGH
   */
  readonly notifySeverity?: FindingSeverity;
}

/**
 * The shared-services registry: a repository per service with the recommended lifecycle policy and protected release
 * tags, an image build per repository, and scan findings sent to an encrypted SNS topic. Registry-level settings
 * (replication, pull-through cache, enhanced scanning) join this stack later.
 */
export class RegistryStack extends Stack {
  /** The topic that receives scan findings (KMS encrypted, TLS only). */
  public readonly findingsTopic: sns.Topic;
  /** Environment names, in promotion order. */
  public readonly environments: string[];
  private readonly repositories = new Map<string, ImageRepository>();
  private readonly builds = new Map<string, ImageBuildProject>();

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const environments = props.environments ?? ['dev', 'staging', 'prod'];
    this.environments = [...environments];
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

    const others = (props.workloadAccounts ?? []).filter((a) => Token.compareStrings(a, this.account) !== TokenComparison.SAME);
    // Each name once: a repeated one is reported above, and building it twice would stop before that report.
    for (const service of props.services.filter((s, i) => names.indexOf(s.name) === i)) {
      const repositoryName = `${props.repositoryPrefix ?? 'platform'}/${service.name}`;
      const repository = new ImageRepository(this, `${service.name}Repository`, {
        repositoryName,
        mutableTagPatterns: environments.length > 0 ? environments : undefined,
        // The tags the builds push: environment tags (what deployments point at) are never expired; the newest 30
        // releases (1.2.3) and the newest 50 commit images (sha-<commit>) are kept, older ones expire unless an
        // environment tag or a kept release holds them; untagged images go after 14 days.
        lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: environments, untaggedMaxAge: Duration.days(14) }),
      });
      // Only the roles the workload stacks give the pulling path, not every principal of the workload accounts.
      if (others.length > 0) {
        repository.grantPullToAccounts(others, {
          principalArnPatterns: others.map((account) => `arn:${this.partition}:iam::${account}:role${pullerRolePath(repositoryName)}*`),
        });
      }
      repository.onScanFindings(`${service.name}ScanFindings`, {
        minimumSeverity: props.notifySeverity ?? FindingSeverity.HIGH,
        target: new targets.SnsTopic(this.findingsTopic),
      });
      const build = new ImageBuildProject(this, `${service.name}Build`, {
        repository,
        source: service.source,
        commitShaVariable: service.commitShaVariable,
        environmentTags: environments.slice(0, 1),
        promotionTags: environments.slice(1),
      });
      acknowledge(repository, 'environment tags move by design (dev, staging, prod); every other tag is immutable',
        'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check');
      acknowledge(build.project, 'source access comes from the account\'s CodeBuild source credential (OAuth or CodeConnections), '
        + 'not from the repository URL', 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl');
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
