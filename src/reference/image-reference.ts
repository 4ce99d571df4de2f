import { CfnCondition, CfnParameter, Environment, Fn, Stack, Token } from 'aws-cdk-lib';
import { reportProblems } from '../private/errors';
import { formatRepositoryArn } from '../private/repository-arn';
import { IImageRepository, ImageRepository } from '../repository/repository';
import { DIGEST_PATTERN, digestProblems } from '../repository/validation';

/**
 * The user and group workloads run as, on ECS and on EKS alike: not root, and numeric, so that Kubernetes can verify
 * `runAsNonRoot` whatever the image's own USER says.
 */
export const WORKLOAD_USER_ID = 1000;

/**
 * The IAM path of the roles that pull a repository's images in workload accounts, for example `/platform/storefront/`:
 * the registry admits exactly the roles under this path of each workload account (`aws:PrincipalArn`), so workload
 * stacks give their pulling roles this path, and no other role of those accounts can pull.
 */
export function pullerRolePath(repositoryName: string): string {
  return `/${repositoryName}/`;
}

/** Where a workload's images live. */
export interface WorkloadRepositoryProps {
  /** The repository name, for example `platform/storefront`. */
  readonly repositoryName: string;
  /**
   * Account and region of the registry.
   * @default - the workload's own account and region
   */
  readonly registryEnv?: Environment;
}

/** Which image a workload runs. */
export interface WorkloadImageProps {
  /**
   * Pin the digest the workloads run (`sha256:...`) in the template.
   * @default - the stack parameter `ImageDigest`: the environment's release record, which only a promotion sets
   * (`ImagePromotionPipeline` with `stackReleases`); `none` until the first one, and the workloads run nothing until then
   */
  readonly imageDigest?: string;
}

/** The stack parameter that records the digest an environment's workloads run. */
export const RELEASE_PARAMETER = 'ImageDigest';
/** The release record before the first release: the workloads run nothing. */
export const NOT_RELEASED = 'none';

/** The image a workload stack runs. */
export interface WorkloadImage {
  /** The repository, imported by name and ARN. */
  readonly repository: IImageRepository;
  /** The digest, or the release record's value (a token). */
  readonly digest: string;
  /** The image URI by digest (a placeholder tag while nothing is released: nothing runs it). */
  readonly uri: string;
  /** True once the release record holds a digest; undefined when the digest is pinned. */
  readonly released?: CfnCondition;
}

/**
 * `count` once the image is released, else 0. `inText` for a count inside a string (a Kubernetes manifest, which
 * CloudFormation puts together with `Fn::Join`, a join of strings).
 */
export function runningCount(image: WorkloadImage, count: number, inText = false): number {
  if (!image.released) return count;
  return Token.asNumber(inText ? Fn.conditionIf(image.released.logicalId, String(count), '0') : Fn.conditionIf(image.released.logicalId, count, 0));
}

/**
 * The workload's repository and image: the pinned digest, or the stack parameter a release sets. A parameter is what
 * makes the first deploy and every later one safe: CloudFormation creates the stack with nothing running before any
 * image exists (no circuit-breaker rollback, no function without an image), a release changes only the parameter, and
 * `cdk deploy` keeps a parameter's previous value when it is not given one.
 */
export function workloadImage(stack: Stack, props: WorkloadRepositoryProps & WorkloadImageProps): WorkloadImage {
  const repository = importRepository(stack, props);
  const pinned = props.imageDigest;
  if (pinned !== undefined) {
    reportProblems(stack, Token.isUnresolved(pinned) ? [] : digestProblems('imageDigest', pinned));
    return { repository, digest: pinned, uri: repository.repositoryUriForDigest(pinned) };
  }
  const digest = new CfnParameter(stack, RELEASE_PARAMETER, {
    description: `Digest of the ${props.repositoryName} image the stack runs, set by each release; ${NOT_RELEASED} before the first`,
    default: NOT_RELEASED,
    allowedPattern: `^(${NOT_RELEASED}|${DIGEST_PATTERN.replace(/^\^|\$$/g, '')})$`,
    constraintDescription: `${NOT_RELEASED}, or an image digest: sha256: followed by 64 lower-case hex digits`,
  }).valueAsString;
  const released = new CfnCondition(stack, 'Released', { expression: Fn.conditionNot(Fn.conditionEquals(digest, NOT_RELEASED)) });
  const uri = Fn.conditionIf(released.logicalId, repository.repositoryUriForDigest(digest), repository.repositoryUriForTag(NOT_RELEASED)).toString();
  return { repository, digest, uri, released };
}

/**
 * The repository as a workload stack sees it: imported by name and ARN, never through a cross-stack export, so the
 * registry can live in another account and never depends on its consumers.
 */
export function importRepository(stack: Stack, props: WorkloadRepositoryProps): IImageRepository {
  const arn = formatRepositoryArn(stack, props.repositoryName, props.registryEnv);
  return ImageRepository.fromRepositoryAttributes(stack, 'Repository', { repositoryName: props.repositoryName, repositoryArn: arn });
}
