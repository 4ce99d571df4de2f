/** IAM action lists of the repository grants, one place for every grant that uses them. */

/** Registry login; has no resource scope, so it is granted on `*` in a statement of its own. */
export const AUTH_TOKEN_ACTION = 'ecr:GetAuthorizationToken';

/** Download image manifests and layers. */
export const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

/** Upload layers and put manifests (tags). BatchCheckLayerAvailability lets clients skip layers already there. */
export const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];

/** Describe and list the repository and its images, read scan findings; no layer download. */
export const READ_ACTIONS = [
  'ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:ListImages', 'ecr:DescribeImageScanFindings', 'ecr:ListTagsForResource',
];

/** What a scan gate reads: the scan status and findings of a pushed image. */
export const SCAN_RESULT_ACTIONS = ['ecr:DescribeImageScanFindings', 'ecr:DescribeImages'];

/**
 * What an enhanced scan gate adds to a reader of scan findings ("Required IAM permissions" of ECR enhanced scanning):
 * with Amazon Inspector scanning the registry, `ecr:DescribeImageScanFindings` also needs both, and the gate calls
 * `inspector2:ListCoverage` itself to wait for the end of the image's first scan. Neither has a resource type in the
 * Service Authorization Reference, so they are granted on `*`, in a statement of their own.
 */
export const INSPECTOR_GATE_ACTIONS = ['inspector2:ListFindings', 'inspector2:ListCoverage'];

/** Why INSPECTOR_GATE_ACTIONS are on `*`, for the acknowledgment of AwsSolutions-IAM5 where they land. */
export const INSPECTOR_GATE_REASON = 'inspector2:ListFindings and inspector2:ListCoverage have no resource type (Service Authorization '
  + 'Reference), so IAM takes them only on "*"; ECR\'s enhanced-scanning "Required IAM permissions" name both for reading an image\'s '
  + 'findings, and the scan gate calls ListCoverage to wait until Amazon Inspector has finished scanning the image';

/**
 * Pulling through a pull-through cache: pull, plus importing an image not cached yet from upstream into a repository
 * that ECR creates on that first pull.
 */
export const PULL_THROUGH_CACHE_ACTIONS = [...PULL_ACTIONS, 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/** What a source registry does in a destination registry to replicate into it (granted by the destination's registry policy). */
export const REPLICATION_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage'];

/**
 * What ECR does with the role of an ECR-to-ECR pull-through cache in the cache's own repositories: import the upstream
 * image and write its layers and manifest.
 */
export const UPSTREAM_IMPORT_ACTIONS = [
  'ecr:BatchImportUpstreamImage', 'ecr:GetImageCopyStatus', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];

/**
 * What ECR does with the role of a repository creation template (needed for a customer managed key or tags): create
 * and tag the repository (ReplicateImage for replicated ones); the key is used through grants.
 */
export const TEMPLATE_ROLE_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'];

/** What Lambda needs on a repository to create a function from one of its images. */
export const LAMBDA_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Union of actions, without duplicates, in first-seen order. */
export function unionOf(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
