import { Lazy, Resource, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { cacheRepositoriesPattern, IPullThroughCache } from './pull-through-cache';
import { filterListProblems, replicationPrefixProblems } from './validation';
import { maxLengthIn } from '../private/cfn-length';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { accountsPrincipal, organizationPrincipal, ResourcePolicyPrincipal } from '../private/principals';
import { registrySingletonProblems } from '../private/registry-singleton';
import { formatRepositoryArn } from '../private/repository-arn';
import { resolvedOnly } from '../private/tokens';
import { PULL_ACTIONS, PULL_THROUGH_CACHE_ACTIONS, REPLICATION_ACTIONS } from '../repository/actions';
import { AccountPullOptions, OrganizationPullOptions } from '../repository/repository';

/** ECR's limit on a registry policy's text. */
export const REGISTRY_POLICY_MAX_LENGTH = 10_240;

/** Principals of other accounts that a registry policy admits: some accounts (or some of their roles), or an organization. */
export class RegistryGrantee {
  /**
   * Principals of these accounts: every principal whose own identity policy allows the access, or with
   * `principalArnPatterns` only those whose ARN matches (the narrow, recommended form).
   */
  public static accounts(accountIds: string[], options: AccountPullOptions = {}): RegistryGrantee {
    return new RegistryGrantee(accountsPrincipal(accountIds, options.principalArnPatterns));
  }

  /** Principals of an AWS Organization, optionally only of some organizational units. */
  public static organization(organizationId: string, options: OrganizationPullOptions = {}): RegistryGrantee {
    return new RegistryGrantee(organizationPrincipal(organizationId, options.organizationPaths));
  }

  private constructor(private readonly resolved: ResourcePolicyPrincipal) {}

  /** @internal */
  public _bind(scope: Construct): iam.IPrincipal {
    throwIfProblems(scope, this.resolved.problems);
    return this.resolved.principal();
  }
}

/** Properties of a `RegistryPolicy`. */
export interface RegistryPolicyProps {
  /**
   * Statements to start with; the grant methods add more. Each names its principals and its resources
   * (`arn:<partition>:ecr:<region>:<account>:repository/<name or prefix*>`).
   * @default - none
   */
  readonly statements?: iam.PolicyStatement[];
}

/**
 * The permissions policy of the registry of this stack's account and region: what other accounts may do with its
 * repositories, including repositories that do not exist yet (replication and pull-through caches create them). It
 * uses ECR's V2 policy scope (the default for registries since 2024), which takes every ECR action; a registry still on
 * V1 takes only `ecr:ReplicateImage`, `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository`
 * (`aws ecr put-account-setting --name REGISTRY_POLICY_SCOPE --value V2`). One per account and region.
 */
export class RegistryPolicy extends Resource implements iam.IResourceWithPolicy {
  /** The policy document (statements are merged into this single policy, minimized: ECR takes at most 10,240 characters). */
  public readonly document = new iam.PolicyDocument({ minimize: true });

  constructor(scope: Construct, id: string, props: RegistryPolicyProps = {}) {
    super(scope, id);
    reportProblems(this, registrySingletonProblems(this, 'registry policy'));
    (props.statements ?? []).forEach((statement, i) => reportProblems(this, statementProblems(`statements[${i}]`, statement)));
    this.document.addStatements(...(props.statements ?? []));
    this.node.addValidation({ validate: () => this.sizeProblems() });
    new ecr.CfnRegistryPolicy(this, 'Resource', { policyText: Lazy.any({ produce: () => this.document.toJSON() }) });
  }

  /** Adds a statement; it must name principals and resources. */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    throwIfProblems(this, statementProblems('statement', statement));
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * Lets the registries of other accounts replicate into this one (the destination side of `RegistryReplication`):
   * `ecr:CreateRepository` and `ecr:ReplicateImage` to the source accounts, on every repository or only on the names
   * that start with `repositoryPrefixes`. Replication is done by the source registry, so the principal is the account.
   */
  public grantReplicationFrom(sourceAccountIds: string[], options: ReplicationGrantOptions = {}): iam.Grant {
    const prefixes = options.repositoryPrefixes;
    const { principal, problems } = accountsPrincipal(sourceAccountIds);
    throwIfProblems(this, [
      ...problems.map((p) => p.replace("prop 'accountIds'", "prop 'sourceAccountIds'")),
      ...(prefixes?.length === 0 ? [propProblem('repositoryPrefixes', prefixes, 'name at least one prefix, or omit the option for every repository.')] : []),
      ...filterListProblems('repositoryPrefixes', resolvedOnly(prefixes ?? []), replicationPrefixProblems),
    ]);
    return this.grantOn(principal(), REPLICATION_ACTIONS, (prefixes ?? ['']).map((p) => formatRepositoryArn(this, `${p}*`)));
  }

  /**
   * Lets principals of other accounts pull through a pull-through cache of this registry: pull its cached images and,
   * for an image not cached yet, create the repository and import it from upstream. Their own identity policy must
   * allow the same (`IPullThroughCache.grantPullThrough`).
   */
  public grantPullThroughCache(cache: IPullThroughCache, grantee: RegistryGrantee): iam.Grant {
    const repositories = formatRepositoryArn(this, cacheRepositoriesPattern(cache.ecrRepositoryPrefix));
    return this.grantOn(grantee._bind(this), PULL_THROUGH_CACHE_ACTIONS, [repositories]);
  }

  /**
   * Lets principals of other accounts pull from every repository whose name starts with `repositoryPrefix` (an
   * upstream registry for another registry's ECR-to-ECR cache, or a fleet shared with an organization).
   */
  public grantPull(grantee: RegistryGrantee, repositoryPrefix: string): iam.Grant {
    throwIfProblems(this, Token.isUnresolved(repositoryPrefix) ? [] : replicationPrefixProblems('repositoryPrefix', repositoryPrefix));
    return this.grantOn(grantee._bind(this), PULL_ACTIONS, [formatRepositoryArn(this, `${repositoryPrefix}*`)]);
  }

  private grantOn(principal: iam.IPrincipal, actions: string[], resourceArns: string[]): iam.Grant {
    const statement = new iam.PolicyStatement({ principals: [principal], actions, resources: resourceArns });
    return iam.Grant.addStatementToResourcePolicy({ grantee: { grantPrincipal: principal }, actions, resourceArns, resource: this, statement });
  }

  private sizeProblems(): string[] {
    if (this.document.isEmpty) {
      return [propProblem('statements', [], 'a registry policy without statements admits nothing. Grant something, or remove the construct.')];
    }
    const length = maxLengthIn(this.stack, this.stack.toJsonString(this.document.toJSON()));
    return length > REGISTRY_POLICY_MAX_LENGTH
      ? [propProblem('statements', `${length} characters`, `ECR takes a registry policy of at most ${REGISTRY_POLICY_MAX_LENGTH}. `
        + 'Grant by prefix or organization instead of repository by repository.')]
      : [];
  }
}

/** Options of `grantReplicationFrom`. */
export interface ReplicationGrantOptions {
  /**
   * Only repositories whose names start with these prefixes.
   * @default - every repository
   */
  readonly repositoryPrefixes?: string[];
}

function statementProblems(prop: string, statement: iam.PolicyStatement): string[] {
  const json = statement.toStatementJson() as { Principal?: unknown; NotPrincipal?: unknown; Resource?: unknown };
  const problems: string[] = [];
  if (json.Principal === undefined && json.NotPrincipal === undefined) {
    problems.push(propProblem(prop, statement.actions, 'a registry policy statement names the principals it admits. Add principals.'));
  }
  if (json.Resource === undefined) {
    problems.push(propProblem(prop, statement.actions, "a registry policy statement names its repositories, for example 'arn:aws:ecr:<region>:<account>:repository/*'. Add resources."));
  }
  return problems;
}
