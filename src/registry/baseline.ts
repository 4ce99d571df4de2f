import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { RepositoryCreationTemplate, RepositoryCreationTemplateProps, RepositoryCreationTrigger } from './creation-template';
import { PullThroughCacheRule, PullThroughCacheRuleProps } from './pull-through-cache';
import { PullTimeUpdateExclusion } from './pull-time-exclusion';
import { RegistryPolicy } from './registry-policy';
import { RegistryReplication, RegistryReplicationProps } from './replication';
import { RegistryScanning, RegistryScanningProps } from './scanning';
import { RegistrySigning, RegistrySigningProps } from './signing';
import { RepositorySettings } from '../repository/settings';

/** Properties of a `RegistryBaseline`: the settings of one registry (an account in a region). */
export interface RegistryBaselineProps {
  /**
   * Scanning of the registry.
   * @default - basic scanning on push of every repository
   */
  readonly scanning?: RegistryScanningProps;
  /**
   * Pull-through cache rules; each gets a creation template of its prefix with `cacheRepositorySettings`.
   * @default - none
   */
  readonly pullThroughCaches?: PullThroughCacheRuleProps[];
  /**
   * Settings of the repositories the caches create. A cache mirrors its upstream's tags, which upstream moves (a
   * rebuilt `nginx:1.27`), so cached tags are mutable by default; pin base images by digest where it matters.
   * @default - mutable tags, AES256, untagged images expire after 30 days
   */
  readonly cacheRepositorySettings?: RepositorySettings;
  /**
   * More creation templates, for replicated or created-on-push repositories, or every other repository (`ROOT`).
   * @default - none
   */
  readonly creationTemplates?: RepositoryCreationTemplateProps[];
  /**
   * Replication to other regions and accounts.
   * @default - none
   */
  readonly replication?: RegistryReplicationProps;
  /**
   * Managed signing.
   * @default - none
   */
  readonly signing?: RegistrySigningProps;
  /**
   * IAM roles or users whose pulls do not update an image's last recorded pull time (scanners, auditors).
   * @default - none
   */
  readonly pullTimeUpdateExclusions?: string[];
}

/**
 * The settings of one registry in one construct: scanning, pull-through caches with the creation templates of their
 * repositories, more creation templates, replication, signing, pull-time update exclusions, and (on first use of
 * `registryPolicy`) the registry policy. Deploy it in a stack of each account and region, or to a whole organization
 * with `OrganizationRegistryBaseline`.
 */
export class RegistryBaseline extends Construct {
  /** The scanning configuration. */
  public readonly scanning: RegistryScanning;
  /** The pull-through cache rules, in the order given. */
  public readonly pullThroughCaches: PullThroughCacheRule[];
  /** The creation templates: one per cache, then the ones given. */
  public readonly creationTemplates: RepositoryCreationTemplate[];
  /** The replication configuration, when rules were given. */
  public readonly replication?: RegistryReplication;
  /** The signing configuration, when rules were given. */
  public readonly signing?: RegistrySigning;
  private policy?: RegistryPolicy;

  constructor(scope: Construct, id: string, props: RegistryBaselineProps = {}) {
    super(scope, id);
    this.scanning = new RegistryScanning(this, 'Scanning', props.scanning);
    this.pullThroughCaches = (props.pullThroughCaches ?? []).map((cache) =>
      new PullThroughCacheRule(this, `Cache-${cache.ecrRepositoryPrefix ?? cache.upstream.defaultPrefix}`, cache));
    const cacheSettings = props.cacheRepositorySettings ?? { tagMutability: ecr.TagMutability.MUTABLE };
    this.creationTemplates = [
      ...this.pullThroughCaches.map((rule) => new RepositoryCreationTemplate(this, `CacheTemplate-${rule.ecrRepositoryPrefix}`, {
        ...cacheSettings,
        prefix: rule.ecrRepositoryPrefix,
        appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE],
        description: `Repositories of the pull-through cache '${rule.ecrRepositoryPrefix}'`,
      })),
      ...(props.creationTemplates ?? []).map((template) => new RepositoryCreationTemplate(this, `Template-${template.prefix}`, template)),
    ];
    if (props.replication) this.replication = new RegistryReplication(this, 'Replication', props.replication);
    if (props.signing) this.signing = new RegistrySigning(this, 'Signing', props.signing);
    // Named by the principal: the ARN is the resource's identity, so a reordered list must not replace resources.
    (props.pullTimeUpdateExclusions ?? []).forEach((principalArn, i) => new PullTimeUpdateExclusion(this,
      `PullTimeUpdateExclusion-${Token.isUnresolved(principalArn) ? i : principalArn.split(':').pop()}`, { principalArn }));
  }

  /** The registry policy, created on first use; grant through it. */
  public get registryPolicy(): RegistryPolicy {
    this.policy ??= new RegistryPolicy(this, 'Policy');
    return this.policy;
  }
}
