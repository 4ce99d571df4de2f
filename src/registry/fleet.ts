import { createHash } from 'crypto';
import { CfnResource, NestedStack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { AccountPullOptions, IImageRepository, ImageRepository, OrganizationPullOptions } from '../repository/repository';
import { RepositoryOptions } from '../repository/settings';

/** CloudFormation's limit on the resources of one template. */
export const MAX_RESOURCES_PER_TEMPLATE = 500;
/** Nested stacks of a fleet by default: room for about 2,000 repositories of one resource each. */
export const DEFAULT_FLEET_SHARDS = 10;

/** One repository of a fleet, with the settings where it differs from the fleet's. */
export interface FleetRepository {
  /** The repository name. */
  readonly repositoryName: string;
  /**
   * Settings of this repository that differ from the fleet's `defaults` (each given field replaces the default's).
   * @default - the fleet's defaults
   */
  readonly overrides?: RepositoryOptions;
}

/** Properties of a `RepositoryFleet`. */
export interface RepositoryFleetProps {
  /**
   * Repositories with the fleet's defaults, by name.
   * @default - none
   */
  readonly repositoryNames?: string[];
  /**
   * Repositories with settings of their own.
   * @default - none
   */
  readonly repositories?: FleetRepository[];
  /**
   * Settings of every repository (an `ImageRepository`'s defaults where a field is not given).
   * @default - ImageRepository's defaults
   */
  readonly defaults?: RepositoryOptions;
  /**
   * How many nested stacks hold the repositories. Each repository is placed by a hash of its name, so adding or
   * removing a repository never moves another; changing this count moves most of them, which CloudFormation does by
   * deleting and creating them (retained repositories then collide by name): choose it for the fleet's growth, at
   * most 500 resources per nested stack.
   * @default 10
   */
  readonly shards?: number;
}

/**
 * Many repositories with shared settings and per-repository overrides, spread over nested stacks so that a fleet of
 * thousands stays within CloudFormation's limits of 500 resources and 1 MB per template, deployed as one stack.
 */
export class RepositoryFleet extends Construct {
  /** The nested stacks, in shard order. */
  public readonly shards: NestedStack[];
  private readonly repositories = new Map<string, ImageRepository>();

  constructor(scope: Construct, id: string, props: RepositoryFleetProps) {
    super(scope, id);
    const shardCount = props.shards ?? DEFAULT_FLEET_SHARDS;
    const entries: FleetRepository[] = [
      ...(props.repositoryNames ?? []).map((repositoryName) => ({ repositoryName })),
      ...(props.repositories ?? []),
    ];
    const names = entries.map((e) => e.repositoryName);
    // Where the user wrote each name, for messages.
    const written = [
      ...(props.repositoryNames ?? []).map((_, i) => `repositoryNames[${i}]`),
      ...(props.repositories ?? []).map((_, i) => `repositories[${i}].repositoryName`),
    ];
    const repeated = [...new Set(names.filter((n, i) => !Token.isUnresolved(n) && names.indexOf(n) !== i))];
    reportProblems(this, [
      ...(entries.length === 0 ? [propProblem('repositoryNames', [], "name at least one repository in 'repositoryNames' or 'repositories'.")] : []),
      ...repeated.map((n) => {
        const places = written.filter((_, i) => names[i] === n);
        return propProblem(places[0], n, `is named ${places.length} times (${places.join(', ')}). Keep one, with its overrides.`);
      }),
      // The name places the repository and names its construct, so it must be known at synth.
      ...written.filter((_, i) => Token.isUnresolved(names[i])).map((place) => propProblem(place, 'a token', 'a fleet repository name must be known at synth. '
        + 'Declare a repository named by a token as an ImageRepository of its own.')),
      ...(Number.isInteger(shardCount) && shardCount >= 1 && shardCount <= MAX_RESOURCES_PER_TEMPLATE ? []
        : [propProblem('shards', shardCount, `a whole number of nested stacks from 1 to ${MAX_RESOURCES_PER_TEMPLATE}.`)]),
    ]);
    this.shards = Array.from({ length: Math.max(1, Math.min(shardCount, MAX_RESOURCES_PER_TEMPLATE)) },
      (_, i) => new NestedStack(this, `Shard${i + 1}`, { description: `cdk-ecr-platform repository fleet ${this.node.path}, shard ${i + 1}` }));
    for (const entry of entries.filter((e, i) => names.indexOf(e.repositoryName) === i && !Token.isUnresolved(e.repositoryName))) {
      const shard = this.shards[shardOf(entry.repositoryName, this.shards.length)];
      // The id is the name: it stays the same when other repositories come and go.
      this.repositories.set(entry.repositoryName, new ImageRepository(shard, entry.repositoryName, {
        ...props.defaults, ...entry.overrides, repositoryName: entry.repositoryName,
      }));
    }
    this.node.addValidation({ validate: () => this.shardProblems() });
  }

  /** The names of the fleet's repositories. */
  public get repositoryNames(): string[] {
    return [...this.repositories.keys()];
  }

  /** One repository of the fleet, for grants and events of its own. */
  public repository(repositoryName: string): IImageRepository {
    const found = this.repositories.get(repositoryName);
    if (!found) throwIfProblems(this, [propProblem('repositoryName', repositoryName, `is not one of this fleet's repositories (${this.repositories.size}). Check the name, or add it to the fleet.`)]);
    return found!;
  }

  /** Lets principals of these accounts pull from every repository of the fleet, through each repository's policy. */
  public grantPullToAccounts(accountIds: string[], options: AccountPullOptions = {}): iam.Grant {
    return this.combine((repository) => repository.grantPullToAccounts(accountIds, options));
  }

  /** Lets principals of an organization pull from every repository of the fleet, through each repository's policy. */
  public grantPullToOrganization(organizationId: string, options: OrganizationPullOptions = {}): iam.Grant {
    return this.combine((repository) => repository.grantPullToOrganization(organizationId, options));
  }

  private combine(grant: (repository: ImageRepository) => iam.Grant): iam.Grant {
    return [...this.repositories.values()].map(grant).reduce((all, one) => all.combine(one));
  }

  private shardProblems(): string[] {
    return this.shards.flatMap((shard, i) => {
      const resources = shard.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
      return resources > MAX_RESOURCES_PER_TEMPLATE
        ? [propProblem('shards', this.shards.length, `shard ${i + 1} holds ${resources} resources, and CloudFormation takes at most ${MAX_RESOURCES_PER_TEMPLATE} per template. `
          + 'Raise shards (which moves repositories; see its documentation).')]
        : [];
    });
  }
}

/** A stable shard for a name: the first 32 bits of its SHA-256, modulo the shard count. */
function shardOf(name: string, shards: number): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) % shards;
}
