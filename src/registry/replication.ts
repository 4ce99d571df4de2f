import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { replicaCopyProblems } from './copy-settings';
import { filterListProblems, regionProblems, replicationPrefixProblems } from './validation';
import { propProblem, repeatedProblems, reportProblems, throwIfProblems } from '../private/errors';
import { registrySingletonProblems } from '../private/registry-singleton';
import { resolvedOnly } from '../private/tokens';
import { accountIdProblems } from '../repository/validation';

/** ECR's limits on a replication configuration. */
export const MAX_REPLICATION_RULES = 10;
/** Distinct destinations across every rule of a registry. */
export const MAX_REPLICATION_DESTINATIONS = 25;

/** A registry that receives replicated images. */
export interface ReplicationDestination {
  /** The destination region. */
  readonly region: string;
  /**
   * The destination account. Another account must admit this one in its registry policy
   * (`RegistryPolicy.grantReplicationFrom`).
   * @default - this registry's account (cross-region replication)
   */
  readonly account?: string;
}

/** One replication rule: which repositories go where. */
export interface ReplicationRule {
  /** Where the images go; at most 25 distinct destinations across all rules. */
  readonly destinations: ReplicationDestination[];
  /**
   * Only repositories whose names start with one of these prefixes (no wildcards), at most 100.
   * @default - every repository
   */
  readonly repositoryPrefixes?: string[];
}

/** Properties of a `RegistryReplication`. */
export interface RegistryReplicationProps {
  /**
   * The rules; more can be added with `addRule`. ECR takes at most 10.
   * @default - none; add them with `addRule`
   */
  readonly rules?: ReplicationRule[];
}

/**
 * The replication configuration of the registry of this stack's account and region: images pushed from now on (ECR
 * does not copy earlier ones) are copied to other regions and accounts, once per push. A destination repository of the
 * same name keeps its own settings; otherwise ECR creates it with the settings of the destination registry's creation
 * template for REPLICATION whose prefix covers the name (`RepositoryCreationTemplate`; ECR adds '/' to the prefix);
 * without one it is mutable, AES256, and has no lifecycle or repository policy. At synth, every repository of the app
 * that a rule copies is checked: its copy in each destination must get the original's tag mutability, lifecycle
 * policy, encryption type and repository policy. Deletions are never replicated. One per account and region.
 */
export class RegistryReplication extends Construct {
  private readonly rules: ReplicationRule[] = [];

  constructor(scope: Construct, id: string, props: RegistryReplicationProps = {}) {
    super(scope, id);
    reportProblems(this, registrySingletonProblems(this, 'replication configuration'));
    (props.rules ?? []).forEach((rule, i) => {
      reportProblems(this, this.ruleProblems(`rules[${i}].`, rule));
      this.rules.push(rule);
    });
    this.node.addValidation({ validate: () => this.limitProblems() });
    // App-wide: every copy this configuration makes gets the settings of its original.
    this.node.addValidation({ validate: () => replicaCopyProblems(this, this.rules) });
    new ecr.CfnReplicationConfiguration(this, 'Resource', {
      replicationConfiguration: {
        rules: Lazy.any({
          produce: () => this.rules.map((rule) => ({
            destinations: rule.destinations.map((d) => ({ region: d.region, registryId: d.account ?? Stack.of(this).account })),
            repositoryFilters: rule.repositoryPrefixes?.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
          })),
        }),
      },
    });
  }

  /** Adds a rule; its problems are reported at this line. */
  public addRule(rule: ReplicationRule): void {
    throwIfProblems(this, this.ruleProblems('', rule));
    this.rules.push(rule);
  }

  /** The distinct destinations of every rule. */
  public get destinations(): ReplicationDestination[] {
    const stack = Stack.of(this);
    const seen = new Map<string, ReplicationDestination>();
    for (const d of this.rules.flatMap((r) => r.destinations)) {
      const account = d.account ?? stack.account;
      seen.set(`${account}|${d.region}`, { region: d.region, account });
    }
    return [...seen.values()];
  }

  /** The regions this account's images are copied to. */
  public get replicaRegions(): string[] {
    const stack = Stack.of(this);
    return [...new Set(this.destinations.filter((d) => d.account === stack.account).map((d) => d.region))];
  }

  private ruleProblems(at: string, rule: ReplicationRule): string[] {
    const stack = Stack.of(this);
    const problems: string[] = [];
    if (rule.destinations.length === 0) problems.push(propProblem(`${at}destinations`, [], 'name at least one destination region.'));
    rule.destinations.forEach((d, i) => {
      const prop = `${at}destinations[${i}]`;
      if (!Token.isUnresolved(d.region)) problems.push(...regionProblems(`${prop}.region`, d.region));
      if (d.account !== undefined && !Token.isUnresolved(d.account)) problems.push(...accountIdProblems(`${prop}.account`, d.account));
      const sameAccount = d.account === undefined || d.account === stack.account;
      if (sameAccount && !Token.isUnresolved(d.region) && d.region === stack.region) {
        problems.push(propProblem(`${prop}.region`, d.region, 'is this registry\'s own region and account; an image cannot be replicated onto itself. '
          + 'Name another region or account.'));
      }
    });
    problems.push(...repeatedProblems(`${at}destinations`, rule.destinations.map((d) => `${d.account ?? 'this account'} ${d.region}`)));
    if (rule.repositoryPrefixes !== undefined) {
      if (rule.repositoryPrefixes.length === 0) {
        problems.push(propProblem(`${at}repositoryPrefixes`, [], 'name at least one prefix, or omit the list to replicate every repository.'));
      }
      problems.push(...filterListProblems(`${at}repositoryPrefixes`, resolvedOnly(rule.repositoryPrefixes), replicationPrefixProblems));
    }
    return problems;
  }

  private limitProblems(): string[] {
    const problems: string[] = [];
    if (this.rules.length === 0) {
      problems.push(propProblem('rules', [], 'a replication configuration without rules replicates nothing. Add a rule, or remove the construct.'));
    }
    if (this.rules.length > MAX_REPLICATION_RULES) {
      problems.push(propProblem('rules', `${this.rules.length} rules`, `ECR takes at most ${MAX_REPLICATION_RULES}. Merge rules with the same destinations.`));
    }
    const destinations = this.destinations.length;
    if (destinations > MAX_REPLICATION_DESTINATIONS) {
      problems.push(propProblem('rules', `${destinations} distinct destinations`,
        `ECR takes at most ${MAX_REPLICATION_DESTINATIONS} across all rules. Replicate to fewer regions or accounts.`));
    }
    return problems;
  }
}
