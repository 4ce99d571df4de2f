import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { cacheTemplateProblems } from './copy-settings';
import { regionProblems, repositoryPrefixProblems } from './validation';
import { acknowledge } from '../private/acknowledge';
import { ecrGrantee, libraryPolicyOf } from '../private/ecr-access';
import { propProblem, reportProblems } from '../private/errors';
import { wildcardResourceFindingId } from '../private/findings';
import { registryEntryProblems } from '../private/registry-singleton';
import { formatRepositoryArn } from '../private/repository-arn';
import { AUTH_TOKEN_ACTION, PULL_ACTIONS, PULL_THROUGH_CACHE_ACTIONS, UPSTREAM_IMPORT_ACTIONS } from '../repository/actions';
import { accountIdProblems } from '../repository/validation';

/** ECR's limit on pull-through cache rules per registry. */
export const MAX_PULL_THROUGH_CACHE_RULES = 50;
/** The name prefix ECR requires of a pull-through cache's credential secret (its service-linked role reads only those). */
export const CREDENTIAL_SECRET_PREFIX = 'ecr-pullthroughcache/';
const MAX_PREFIX_LENGTH = 30;

/**
 * A pull-through cache of a private registry: images of an upstream registry (Docker Hub, ECR Public, ...) pulled as
 * `<registry>/<prefix>/<upstream repository>`, their repositories created by ECR on the first pull.
 */
export interface IPullThroughCache {
  /** The repository prefix of the cache rule, for example `docker-hub`. */
  readonly ecrRepositoryPrefix: string;
  /** The registry that holds the cache, `<account>.dkr.ecr.<region>.<domain>`. */
  readonly registryUri: string;
  /** The region of that registry (logins to a registry use a password of its region). */
  readonly registryRegion: string;

  /**
   * Lets `grantee` pull through the cache: pull from the cache's repositories and, when an image is not cached yet,
   * import it from upstream (`ecr:BatchImportUpstreamImage`) into a repository ECR creates (`ecr:CreateRepository`),
   * plus registry login.
   */
  grantPullThrough(grantee: iam.IGrantable): iam.Grant;
}

/** Where an existing pull-through cache lives. */
export interface PullThroughCacheAttributes {
  /**
   * The account of the registry.
   * @default - the account of the scope's stack
   */
  readonly account?: string;
  /**
   * The region of the registry.
   * @default - the region of the scope's stack
   */
  readonly region?: string;
}

/** Pull-through caches defined outside this app. */
export class PullThroughCache {
  /** An existing pull-through cache rule, by its repository prefix. */
  public static fromEcrRepositoryPrefix(
    scope: Construct, id: string, ecrRepositoryPrefix: string, attrs: PullThroughCacheAttributes = {},
  ): IPullThroughCache {
    return new ImportedPullThroughCache(scope, id, ecrRepositoryPrefix, attrs);
  }

  private constructor() {}
}

/** Where another private ECR registry is, for an ECR-to-ECR cache. */
export interface PrivateEcrUpstreamOptions {
  /** The upstream registry's account (it may be this account). */
  readonly account: string;
  /** The upstream registry's region. */
  readonly region: string;
  /**
   * Only the upstream repositories under this prefix, which replaces the cache's prefix in the names (`ROOT` for
   * every repository). Needs a cache prefix other than `ROOT`.
   * @default 'ROOT'
   */
  readonly upstreamRepositoryPrefix?: string;
}

/**
 * An upstream registry a pull-through cache copies images from, with the credential ECR uses there. A credential is a
 * Secrets Manager secret of the cache's account and region, named `ecr-pullthroughcache/<anything>`, encrypted with
 * the default `aws/secretsmanager` key, holding `{"username": "...", "accessToken": "..."}`.
 */
export class UpstreamRegistry {
  /** Amazon ECR Public (`public.ecr.aws`); no credential. */
  public static ecrPublic(): UpstreamRegistry {
    return new UpstreamRegistry('ecr-public', 'public.ecr.aws', 'ecr-public');
  }

  /** The Kubernetes container image registry (`registry.k8s.io`); no credential. */
  public static kubernetes(): UpstreamRegistry {
    return new UpstreamRegistry('k8s', 'registry.k8s.io', 'k8s');
  }

  /** Quay (`quay.io`); no credential. */
  public static quay(): UpstreamRegistry {
    return new UpstreamRegistry('quay', 'quay.io', 'quay');
  }

  /** Docker Hub (`registry-1.docker.io`), with a Docker Hub user and access token; lifts Docker Hub's anonymous pull limit. */
  public static dockerHub(credential: secretsmanager.ISecret): UpstreamRegistry {
    return new UpstreamRegistry('docker-hub', 'registry-1.docker.io', 'docker-hub', credential);
  }

  /** GitHub Container Registry (`ghcr.io`), with a GitHub user and a personal access token that can read packages. */
  public static githubContainerRegistry(credential: secretsmanager.ISecret): UpstreamRegistry {
    return new UpstreamRegistry('github-container-registry', 'ghcr.io', 'ghcr', credential);
  }

  /** GitLab.com's container registry (`registry.gitlab.com`), with a GitLab user and access token. */
  public static gitlabContainerRegistry(credential: secretsmanager.ISecret): UpstreamRegistry {
    return new UpstreamRegistry('gitlab-container-registry', 'registry.gitlab.com', 'gitlab', credential);
  }

  /** A Microsoft Azure Container Registry (`<registryName>.azurecr.io`), with a user and access token of it. */
  public static azureContainerRegistry(registryName: string, credential: secretsmanager.ISecret): UpstreamRegistry {
    const problems = Token.isUnresolved(registryName) || /^[a-zA-Z0-9]{5,50}$/.test(registryName) ? []
      : [propProblem('registryName', registryName, "an Azure container registry name is 5 to 50 letters and digits, the part before '.azurecr.io'.")];
    return new UpstreamRegistry('azure-container-registry', `${registryName.toLowerCase()}.azurecr.io`, 'azure', credential, undefined, problems);
  }

  /**
   * Another private Amazon ECR registry, in any account and region. ECR reads it with a role of this account that the
   * cache rule creates; the upstream registry must let this account pull (its `RegistryPolicy.grantPull`).
   */
  public static privateEcr(options: PrivateEcrUpstreamOptions): UpstreamRegistry {
    const prefix = options.upstreamRepositoryPrefix;
    const problems = [
      ...(Token.isUnresolved(options.account) ? [] : accountIdProblems('account', options.account)),
      ...(Token.isUnresolved(options.region) ? [] : regionProblems('region', options.region)),
      ...(prefix === undefined || Token.isUnresolved(prefix) ? [] : repositoryPrefixProblems('upstreamRepositoryPrefix', prefix, MAX_PREFIX_LENGTH)),
    ];
    // The registry's own domain (amazonaws.com, or amazonaws.com.cn in China) follows from the region at synth.
    const url = registryHost(options.account, options.region, options.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');
    return new UpstreamRegistry('ecr', url, 'ecr', undefined, options, problems);
  }

  private constructor(
    /** The upstream registry type, as ECR names it (`docker-hub`, `ecr-public`, ...). */
    public readonly registryType: string,
    /** The upstream registry's URL. */
    public readonly url: string,
    /** The cache prefix used when none is given. */
    public readonly defaultPrefix: string,
    /** The credential ECR signs in with. */
    public readonly credential?: secretsmanager.ISecret,
    private readonly privateEcrOptions?: PrivateEcrUpstreamOptions,
    private readonly problems: string[] = [],
  ) {}

  /** @internal */
  public _problems(): string[] {
    return this.problems;
  }

  /** @internal */
  public _privateEcr(): PrivateEcrUpstreamOptions | undefined {
    return this.privateEcrOptions;
  }
}

/** Properties of a `PullThroughCacheRule`. */
export interface PullThroughCacheRuleProps {
  /** The upstream registry and its credential. */
  readonly upstream: UpstreamRegistry;
  /**
   * The repository prefix of the cache: `docker pull <registry>/<prefix>/library/nginx:1.27`. 2 to 30 characters;
   * `ROOT` only for an ECR upstream. Pair it with a `RepositoryCreationTemplate` of the same prefix for
   * PULL_THROUGH_CACHE (`RegistryBaseline` does), or the cached repositories get ECR's defaults (mutable tags, no
   * lifecycle policy): synth reports a cache that no template of its registry covers.
   * @default - the upstream's usual name: 'docker-hub', 'ecr-public', 'k8s', 'quay', 'ghcr', 'gitlab', 'azure' or 'ecr'
   */
  readonly ecrRepositoryPrefix?: string;
}

/**
 * A pull-through cache rule of the registry of this stack's account and region: the first pull of
 * `<registry>/<prefix>/<repository>:<tag>` copies the image from the upstream registry into a repository ECR creates,
 * later pulls are served by ECR, and ECR refreshes the image from upstream at most once every 24 hours. At most 50 per
 * registry, each prefix once.
 */
export class PullThroughCacheRule extends Construct implements IPullThroughCache {
  public readonly ecrRepositoryPrefix: string;
  public readonly registryUri: string;
  public readonly registryRegion: string;
  /** The role ECR reads an upstream ECR registry with; only for `UpstreamRegistry.privateEcr`. */
  public readonly upstreamRole?: iam.IRole;
  private readonly grants: CacheGrants;

  constructor(scope: Construct, id: string, props: PullThroughCacheRuleProps) {
    super(scope, id);
    const upstream = props.upstream;
    const stack = Stack.of(this);
    this.ecrRepositoryPrefix = props.ecrRepositoryPrefix ?? upstream.defaultPrefix;
    this.registryRegion = stack.region;
    this.registryUri = registryHost(stack.account, stack.region, stack.urlSuffix);
    this.grants = new CacheGrants(this, this.ecrRepositoryPrefix, stack.account, stack.region);
    const privateEcr = upstream._privateEcr();
    const ownPrefixProblems = prefixProblems(this.ecrRepositoryPrefix, privateEcr !== undefined);
    // App-wide: the repositories ECR creates for the cache need a creation template (a wrong prefix is reported already).
    if (ownPrefixProblems.length === 0 && !Token.isUnresolved(this.ecrRepositoryPrefix)) {
      this.node.addValidation({ validate: () => cacheTemplateProblems(this, this.ecrRepositoryPrefix) });
    }
    reportProblems(this, [
      ...upstream._problems().map((p) => p.replace("prop '", "prop 'upstream.")),
      ...ownPrefixProblems,
      ...(privateEcr?.upstreamRepositoryPrefix !== undefined && this.ecrRepositoryPrefix === 'ROOT'
        ? [propProblem('upstream.upstreamRepositoryPrefix', privateEcr.upstreamRepositoryPrefix, "ECR takes an upstream prefix only with a cache prefix other than 'ROOT'. Give the cache a prefix.")]
        : []),
      ...(privateEcr ? sameRegistryProblems(stack, privateEcr) : []),
      ...(upstream.credential ? credentialProblems(stack, upstream.credential) : []),
      ...registryEntryProblems(this, 'pull-through cache rule', this.ecrRepositoryPrefix, MAX_PULL_THROUGH_CACHE_RULES),
    ]);

    if (privateEcr) this.upstreamRole = this.createUpstreamRole(privateEcr);
    new ecr.CfnPullThroughCacheRule(this, 'Resource', {
      ecrRepositoryPrefix: this.ecrRepositoryPrefix,
      upstreamRegistry: upstream.registryType,
      upstreamRegistryUrl: upstream.url,
      credentialArn: upstream.credential?.secretArn,
      customRoleArn: this.upstreamRole?.roleArn,
      upstreamRepositoryPrefix: privateEcr?.upstreamRepositoryPrefix,
    });
  }

  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    return this.grants.grantPullThrough(grantee);
  }

  /**
   * The role ECR assumes to copy from the upstream registry: pull there, import into this cache's repositories. It
   * must be in this account; the upstream registry admits this account separately.
   */
  private createUpstreamRole(options: PrivateEcrUpstreamOptions): iam.Role {
    const role = new iam.Role(this, 'UpstreamRole', {
      assumedBy: new iam.ServicePrincipal('pullthroughcache.ecr.amazonaws.com'),
      description: `Lets the pull-through cache '${this.ecrRepositoryPrefix}' read ${options.account}/${options.region}`,
    });
    const upstreamRepositories = formatRepositoryArn(this,
      options.upstreamRepositoryPrefix === undefined || options.upstreamRepositoryPrefix === 'ROOT' ? '*' : `${trimSlash(options.upstreamRepositoryPrefix)}/*`, options);
    const target = ecrGrantee(role);
    iam.Grant.addToPrincipal({ grantee: target, actions: PULL_ACTIONS, resourceArns: [upstreamRepositories] });
    iam.Grant.addToPrincipal({ grantee: target, actions: UPSTREAM_IMPORT_ACTIONS, resourceArns: [this.grants.repositoriesArn] });
    iam.Grant.addToPrincipal({ grantee: target, actions: [AUTH_TOKEN_ACTION], resourceArns: ['*'] });
    const policy = libraryPolicyOf(target)!;
    acknowledge(policy, 'the upstream registry\'s repositories are read by prefix (the cache copies whichever is pulled), '
      + 'and the cache\'s repositories are created by ECR on the first pull, so both are named by prefix',
    wildcardResourceFindingId(policy, upstreamRepositories), wildcardResourceFindingId(policy, this.grants.repositoriesArn));
    return role;
  }
}

class ImportedPullThroughCache extends Construct implements IPullThroughCache {
  public readonly registryUri: string;
  public readonly registryRegion: string;
  private readonly grants: CacheGrants;

  constructor(scope: Construct, id: string, public readonly ecrRepositoryPrefix: string, attrs: PullThroughCacheAttributes) {
    super(scope, id);
    reportProblems(this, prefixProblems(ecrRepositoryPrefix, true));
    const stack = Stack.of(this);
    const account = attrs.account ?? stack.account;
    this.registryRegion = attrs.region ?? stack.region;
    this.registryUri = registryHost(account, this.registryRegion, stack.urlSuffix);
    this.grants = new CacheGrants(this, ecrRepositoryPrefix, account, this.registryRegion);
  }

  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    return this.grants.grantPullThrough(grantee);
  }
}

/** The identity side of pulling through a cache, the same for declared and imported caches. */
class CacheGrants {
  /** The repositories ECR creates for the cache. */
  public readonly repositoriesArn: string;

  constructor(scope: IConstruct, private readonly prefix: string, account: string, region: string) {
    this.repositoriesArn = formatRepositoryArn(scope, cacheRepositoriesPattern(prefix), { account, region });
  }

  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    const target = ecrGrantee(grantee);
    const grant = iam.Grant.addToPrincipal({ grantee: target, actions: PULL_THROUGH_CACHE_ACTIONS, resourceArns: [this.repositoriesArn] })
      .combine(iam.Grant.addToPrincipal({ grantee: target, actions: [AUTH_TOKEN_ACTION], resourceArns: ['*'] }));
    const policy = libraryPolicyOf(target);
    if (policy) {
      acknowledge(policy, `the repositories of the pull-through cache '${this.prefix}' are created by ECR on the first pull, `
        + 'so they are named by the cache prefix, not one by one', wildcardResourceFindingId(policy, this.repositoriesArn));
    }
    return grant;
  }
}

function trimSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/**
 * The names of a cache's repositories as an IAM pattern: `<prefix>/*` (ECR adds the slash to a prefix given without
 * one), or every repository for `ROOT`.
 */
export function cacheRepositoriesPattern(prefix: string): string {
  return prefix === 'ROOT' ? '*' : `${trimSlash(prefix)}/*`;
}

/** Whether ECR creates the repository `name` for the cache with `prefix` (on a first pull through it). */
export function isCacheRepository(prefix: string, name: string): boolean {
  return prefix === 'ROOT' || name.startsWith(`${trimSlash(prefix)}/`);
}

function prefixProblems(prefix: string, rootAllowed: boolean): string[] {
  if (Token.isUnresolved(prefix)) return [];
  if (prefix === 'ROOT' && !rootAllowed) {
    return [propProblem('ecrRepositoryPrefix', prefix, "'ROOT' caches into every repository name, which ECR takes only for an ECR upstream. "
      + "Give the cache a prefix such as 'docker-hub'.")];
  }
  return repositoryPrefixProblems('ecrRepositoryPrefix', prefix, MAX_PREFIX_LENGTH);
}

function sameRegistryProblems(stack: Stack, upstream: PrivateEcrUpstreamOptions): string[] {
  const same = (a: string, b: string) => Token.compareStrings(a, b) === TokenComparison.SAME;
  return same(upstream.account, stack.account) && same(upstream.region, stack.region)
    ? [propProblem('upstream.account', `${upstream.account} in ${upstream.region}`, 'is this registry itself; a cache of itself would never fetch anything. Name another region or account.')]
    : [];
}

/**
 * ECR reads the credential with its service-linked role, which may only read secrets named `ecr-pullthroughcache/...`
 * of the rule's own account and region, encrypted with the default key.
 */
function credentialProblems(stack: Stack, secret: secretsmanager.ISecret): string[] {
  const problems: string[] = [];
  const declared = secret.node.defaultChild instanceof secretsmanager.CfnSecret ? secret.node.defaultChild.name : secret.secretName;
  if (declared === undefined || Token.isUnresolved(declared)) {
    if (secret.node.defaultChild instanceof secretsmanager.CfnSecret) {
      problems.push(propProblem('upstream.credential', secret.node.path, `a generated secret name does not start with '${CREDENTIAL_SECRET_PREFIX}', `
        + `which ECR requires. Give the secret a secretName such as '${CREDENTIAL_SECRET_PREFIX}docker-hub'.`));
    }
  } else if (!declared.startsWith(CREDENTIAL_SECRET_PREFIX)) {
    problems.push(propProblem('upstream.credential', declared, `ECR reads only secrets named '${CREDENTIAL_SECRET_PREFIX}...'. `
      + `Store the credential as '${CREDENTIAL_SECRET_PREFIX}${declared}'.`));
  }
  if (secret.encryptionKey) {
    problems.push(propProblem('upstream.credential', secret.node.path, 'is encrypted with a customer managed key; ECR reads pull-through cache '
      + 'credentials only under the default aws/secretsmanager key. Drop the encryptionKey of the secret.'));
  }
  const env = secret.env;
  const differs = (a: string, b: string) => Token.compareStrings(a, b) === TokenComparison.DIFFERENT;
  if (differs(env.account, stack.account) || differs(env.region, stack.region)) {
    problems.push(propProblem('upstream.credential', secret.secretArn, `is a secret of ${env.account} in ${env.region}; ECR reads the credential `
      + `in the cache's own account and region (${stack.account} in ${stack.region}). Store a copy there.`));
  }
  return problems;
}

/** A private registry's host name, `<account>.dkr.ecr.<region>.<domain>` (ECR User Guide, "Private registry concepts"). */
function registryHost(account: string, region: string, domain: string): string {
  return `${account}.dkr.ecr.${region}.${domain}`;
}
