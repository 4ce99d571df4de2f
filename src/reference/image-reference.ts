import { Environment, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propProblem, reportProblems } from '../private/errors';
import { IImageRepository, ImageRepository } from '../repository/repository';
import { digestProblems, imageTagProblems } from '../repository/validation';

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

/** Which image a workload runs: a digest (preferred: immutable, auditable) or an environment tag. */
export interface WorkloadImageProps {
  /**
   * The image digest (`sha256:...`), for example from the build's SSM parameter.
   * @default - use `environmentTag`
   */
  readonly imageDigest?: string;
  /**
   * The environment tag to follow, for example `prod`. A moving tag: new tasks may start another image than running ones.
   * @default - use `imageDigest`
   */
  readonly environmentTag?: string;
}

/** The tag or digest of the image, checked: exactly one was given, and it is a digest or a tag ECR takes. */
function imageTagOrDigest(scope: Construct, props: WorkloadImageProps): string {
  const both = props.imageDigest !== undefined && props.environmentTag !== undefined;
  if (both || (props.imageDigest === undefined && props.environmentTag === undefined)) {
    reportProblems(scope, [propProblem('imageDigest', props.imageDigest, "give exactly one of 'imageDigest' (preferred) and 'environmentTag'.")]);
  }
  const digest = props.imageDigest;
  const tag = props.environmentTag;
  reportProblems(scope, [
    ...(digest !== undefined && !Token.isUnresolved(digest) ? digestProblems('imageDigest', digest) : []),
    ...(tag !== undefined && !Token.isUnresolved(tag) ? imageTagProblems('environmentTag', tag) : []),
  ]);
  // With neither, synthesis fails on the problem above; the stack is still built, so that every problem is reported.
  return digest ?? tag ?? '';
}

/**
 * The repository as a workload stack sees it: imported by name and ARN, never through a cross-stack export, so the
 * registry can live in another account and never depends on its consumers.
 */
export function importRepository(stack: Stack, props: WorkloadRepositoryProps): IImageRepository {
  const repositoryArn = stack.formatArn({
    service: 'ecr', resource: 'repository', resourceName: props.repositoryName, account: props.registryEnv?.account, region: props.registryEnv?.region,
  });
  return ImageRepository.fromRepositoryAttributes(stack, 'Repository', { repositoryName: props.repositoryName, repositoryArn });
}

/** The workload's repository and its image reference (tag or digest), both checked, and the image URI. */
export function workloadImage(stack: Stack, props: WorkloadRepositoryProps & WorkloadImageProps) {
  const repository = importRepository(stack, props);
  const tagOrDigest = imageTagOrDigest(stack, props);
  return { repository, tagOrDigest, uri: repository.repositoryUriForTagOrDigest(tagOrDigest) };
}
