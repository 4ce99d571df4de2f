import { createHash } from 'crypto';
import { CfnResource, NestedStack, Token } from 'aws-cdk-lib';
import type { NestedStackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { AccountPullOptions, IImageRepository, ImageRepository, OrganizationPullOptions } from '../repository/repository';
import { RepositoryOptions } from '../repository/settings';
import { repositoryNameProblems } from '../repository/validation';

/** CloudFormation's limit on the resources of one template (quota "Resources", 500). */
export const MAX_RESOURCES_PER_TEMPLATE = 500;
/**
 * CloudFormation's limit on a template read from S3, as every nested stack's is (quota "Template body size in an
 * Amazon S3 object", 1 MB; the service answers a larger one with "Template may not exceed 1000000 bytes in size").
 */
export const MAX_TEMPLATE_BYTES = 1_000_000;
/** CloudFormation's limits on the outputs and the parameters of one template (quotas "Outputs" and "Parameters", 200 each). */
export const MAX_OUTPUTS_PER_TEMPLATE = 200;
export const MAX_PARAMETERS_PER_TEMPLATE = 200;
/** The context key with which aws-cdk-lib writes templates without indentation (nested stacks take it from context only). */
const SUPPRESS_INDENTATION_CONTEXT = '@aws-cdk/core:suppressTemplateIndentation';
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
   * most 500 resources and 1,000,000 bytes of template per nested stack (checked at synth, where a fleet over either
   * limit is refused with the number of shards that would hold it).
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
  private readonly placement = new Map<string, number>();

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
    const unique = entries.filter((e, i) => names.indexOf(e.repositoryName) === i && !Token.isUnresolved(e.repositoryName));
    // The name is the repository's construct id, so a name that makes no id, or the id of another, is not built.
    const empty = unique.filter((e) => e.repositoryName === '');
    const ids = unique.map((e) => constructIdOf(e.repositoryName));
    const colliding = unique.filter((_, i) => ids.indexOf(ids[i]) !== i);
    const validShards = Number.isInteger(shardCount) && shardCount >= 1 && shardCount <= MAX_RESOURCES_PER_TEMPLATE;
    reportProblems(this, [
      ...(entries.length === 0 ? [propProblem('repositoryNames', [], "name at least one repository in 'repositoryNames' or 'repositories'.")] : []),
      ...repeated.map((n) => {
        const places = written.filter((_, i) => names[i] === n);
        return propProblem(places[0], n, `is named ${places.length} times (${places.join(', ')}). Keep one, with its overrides.`);
      }),
      // The name places the repository and names its construct, so it must be known at synth.
      ...written.filter((_, i) => Token.isUnresolved(names[i])).map((place) => propProblem(place, 'a token', 'a fleet repository name must be known at synth. '
        + 'Declare a repository named by a token as an ImageRepository of its own.')),
      ...empty.flatMap((e) => repositoryNameProblems(written[names.indexOf(e.repositoryName)], e.repositoryName)),
      ...colliding.map((e) => {
        const first = unique[ids.indexOf(constructIdOf(e.repositoryName))].repositoryName;
        return propProblem(written[names.indexOf(e.repositoryName)], e.repositoryName, `makes the construct id '${constructIdOf(first)}', as ${JSON.stringify(first)} `
          + `(${written[names.indexOf(first)]}) does: a construct id writes '/' as '--'. Declare one of the two as an ImageRepository outside the fleet.`);
      }),
      ...(validShards ? [] : [propProblem('shards', shardCount, `a whole number of nested stacks from 1 to ${MAX_RESOURCES_PER_TEMPLATE}.`)]),
    ]);
    // A shard count refused above is replaced, so that the repositories still have shards to go in.
    const shardTotal = Number.isInteger(shardCount) ? Math.max(1, Math.min(shardCount, MAX_RESOURCES_PER_TEMPLATE)) : DEFAULT_FLEET_SHARDS;
    this.shards = Array.from({ length: shardTotal },
      (_, i) => new FleetShard(this, `Shard${i + 1}`, { description: `cdk-ecr-platform repository fleet ${this.node.path}, shard ${i + 1}` }));
    for (const entry of unique.filter((e) => !empty.includes(e) && !colliding.includes(e))) {
      const hash = nameHash(entry.repositoryName);
      this.placement.set(entry.repositoryName, hash);
      const shard = this.shards[hash % this.shards.length];
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
    const counted = this.shards.map((shard) => shard.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length);
    const resourceProblems = counted.flatMap((resources, i) => resources > MAX_RESOURCES_PER_TEMPLATE
      ? [propProblem('shards', this.shards.length, `shard ${i + 1} holds ${resources} resources, and CloudFormation takes at most ${MAX_RESOURCES_PER_TEMPLATE} per template. `
        + 'Raise shards (which moves repositories; see its documentation).')]
      : []);
    // What CloudFormation counts: the template as aws-cdk-lib writes it to the cloud assembly (resolved, indented by
    // one space unless the app suppresses indentation), in bytes.
    const indent = this.node.tryGetContext(SUPPRESS_INDENTATION_CONTEXT) ? undefined : 1;
    const templates = this.shards.map((shard) => (shard as FleetShard).template());
    const bytes = templates.map((t) => Buffer.byteLength(JSON.stringify(t, undefined, indent)));
    const over = bytes.map((b, i) => ({ shard: i + 1, bytes: b })).filter((s) => s.bytes > MAX_TEMPLATE_BYTES);
    const sizeProblems = over.length === 0 ? [] : [propProblem('shards', this.shards.length,
      `the template of ${over.map((s) => `shard ${s.shard} is ${s.bytes.toLocaleString('en-US')} bytes`).join(', ')} as written to the cloud assembly, `
      + `and CloudFormation takes at most ${MAX_TEMPLATE_BYTES.toLocaleString('en-US')} bytes per nested stack template. `
      + `${this.fittingShards(templates, bytes, indent)}`)];
    const countProblems = templates.flatMap((t, i) => [
      ...sectionProblem(this.shards.length, i, Object.keys(t.Outputs ?? {}).length, 'outputs', MAX_OUTPUTS_PER_TEMPLATE,
        'Each repository that another stack references (a grant to a role outside the fleet) adds one: grant such a role by a name prefix, '
        + 'or raise shards (which moves repositories; see its documentation).'),
      ...sectionProblem(this.shards.length, i, Object.keys(t.Parameters ?? {}).length, 'parameters', MAX_PARAMETERS_PER_TEMPLATE,
        'Each value of another stack that the shard references adds one: reference fewer of them from the fleet\'s repositories.'),
    ]);
    return [...resourceProblems, ...sizeProblems, ...countProblems];
  }

  /**
   * How many shards would hold the fleet as it is, from what each repository adds to its shard's template (its
   * resources, as written) and what every shard holds besides (the largest remainder of any shard).
   */
  private fittingShards(templates: any[], bytes: number[], indent: number | undefined): string {
    const cost = new Map<string, { bytes: number; resources: number }>();
    let fixedBytes = 0;
    let fixedResources = 0;
    this.shards.forEach((shard, i) => {
      const resources = templates[i].Resources ?? {};
      let repositoryBytes = 0;
      let repositoryResources = 0;
      for (const [name, repository] of this.repositories) {
        if (NestedStack.of(repository) !== shard) continue;
        const ids = repository.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c))
          .map((r) => shard.resolve(r.logicalId) as string);
        const entry = ids.reduce((sum, id) => sum + entryBytes(id, resources[id], indent), 0);
        cost.set(name, { bytes: entry, resources: ids.length });
        repositoryBytes += entry;
        repositoryResources += ids.length;
      }
      fixedBytes = Math.max(fixedBytes, bytes[i] - repositoryBytes);
      fixedResources = Math.max(fixedResources, Object.keys(resources).length - repositoryResources);
    });
    for (let n = this.shards.length + 1; n <= MAX_RESOURCES_PER_TEMPLATE; n++) {
      const sizes = Array.from({ length: n }, () => ({ bytes: fixedBytes, resources: fixedResources }));
      for (const [name, { bytes: b, resources: r }] of cost) {
        const shard = sizes[this.placement.get(name)! % n];
        shard.bytes += b;
        shard.resources += r;
      }
      if (sizes.every((s) => s.bytes <= MAX_TEMPLATE_BYTES && s.resources <= MAX_RESOURCES_PER_TEMPLATE)) {
        return `${n} shards would hold these repositories: set shards to ${n} for a fleet not yet deployed (it moves repositories; see its documentation), `
          + 'or declare the repositories added since the last deployment in a second RepositoryFleet. '
          + 'Repository overrides and grants that add to every repository (lifecycle rules, tag patterns, pull principals) also count.';
      }
    }
    return 'No number of shards holds these repositories: split them over several RepositoryFleets.';
  }
}

/** A shard that keeps the template aws-cdk-lib resolved last (while preparing the app), so checking it costs no second resolution. */
class FleetShard extends NestedStack {
  private resolved?: any;

  constructor(scope: Construct, id: string, props: NestedStackProps) {
    super(scope, id, props);
  }

  /** The resolved template, as aws-cdk-lib writes it. */
  public template(): any {
    return this.resolved ?? this._toCloudFormation();
  }

  protected _toCloudFormation(): any {
    this.resolved = super._toCloudFormation();
    return this.resolved;
  }
}

function sectionProblem(shards: number, shard: number, count: number, section: string, max: number, fix: string): string[] {
  return count > max ? [propProblem('shards', shards, `shard ${shard + 1} declares ${count} ${section}, and CloudFormation takes at most ${max} per template. ${fix}`)] : [];
}

/** The bytes one resource adds to the `Resources` of a template written by `JSON.stringify` (members at depth 2). */
function entryBytes(logicalId: string, resource: unknown, indent: number | undefined): number {
  if (resource === undefined) return 0;
  const value = JSON.stringify(resource, undefined, indent);
  if (indent === undefined) return Buffer.byteLength(`${JSON.stringify(logicalId)}:${value},`);
  const newlines = value.split('\n').length - 1;
  return Buffer.byteLength(`  ${JSON.stringify(logicalId)}: ${value},\n`) + 2 * newlines;
}

/** The construct id a name becomes: constructs write '/' in an id as '--'. */
function constructIdOf(name: string): string {
  return name.replace(/\//g, '--');
}

/** What places a name: the first 32 bits of its SHA-256, modulo the shard count (stable as the fleet changes). */
function nameHash(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0);
}
