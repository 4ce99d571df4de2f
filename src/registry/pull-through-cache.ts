import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { ecrGrantee, libraryPolicyOf } from '../private/ecr-access';
import { propProblem, reportProblems } from '../private/errors';
import { wildcardResourceFindingId } from '../private/findings';
import { AUTH_TOKEN_ACTION, PULL_THROUGH_CACHE_ACTIONS } from '../repository/actions';

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

// CreatePullThroughCacheRule: 2-30 characters, lower-case components joined by '.', '_', '-' or '/'.
const PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

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

class ImportedPullThroughCache extends Construct implements IPullThroughCache {
  public readonly registryUri: string;
  public readonly registryRegion: string;
  private readonly repositoriesArn: string;

  constructor(scope: Construct, id: string, public readonly ecrRepositoryPrefix: string, attrs: PullThroughCacheAttributes) {
    super(scope, id);
    const invalid = ecrRepositoryPrefix.length < 2 || ecrRepositoryPrefix.length > 30 || !PREFIX.test(ecrRepositoryPrefix);
    if (!Token.isUnresolved(ecrRepositoryPrefix) && invalid) {
      reportProblems(this, [propProblem('ecrRepositoryPrefix', ecrRepositoryPrefix,
        "a cache prefix is 2 to 30 lower-case letters and digits, joined by '.', '_', '-' or '/', for example 'docker-hub'. Use the prefix of the cache rule.")]);
    }
    const stack = Stack.of(this);
    const account = attrs.account ?? stack.account;
    this.registryRegion = attrs.region ?? stack.region;
    this.registryUri = `${account}.dkr.ecr.${this.registryRegion}.${stack.urlSuffix}`;
    this.repositoriesArn = stack.formatArn({
      service: 'ecr', account, region: this.registryRegion, resource: 'repository', resourceName: `${ecrRepositoryPrefix}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    const target = ecrGrantee(grantee);
    const grant = iam.Grant.addToPrincipal({ grantee: target, actions: PULL_THROUGH_CACHE_ACTIONS, resourceArns: [this.repositoriesArn] })
      .combine(iam.Grant.addToPrincipal({ grantee: target, actions: [AUTH_TOKEN_ACTION], resourceArns: ['*'] }));
    const policy = libraryPolicyOf(target);
    if (policy) {
      acknowledge(policy, `the repositories of the pull-through cache '${this.ecrRepositoryPrefix}' are created by ECR on the first pull, `
        + 'so they are named by the cache prefix, not one by one', wildcardResourceFindingId(policy, this.repositoriesArn));
    }
    return grant;
  }
}
