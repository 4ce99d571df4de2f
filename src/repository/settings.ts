import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { LifecyclePolicy } from '../lifecycle/policy';

/** How long the default lifecycle policy keeps untagged images. */
export const DEFAULT_UNTAGGED_RETENTION_DAYS = 30;

/**
 * What a repository does with its images: tag mutability, encryption and lifecycle. Shared by the repositories this
 * library declares and the ones ECR creates from a creation template, so both get the same secure defaults.
 */
export interface RepositorySettings {
  /**
   * Whether tags can be overwritten. Use `mutableTagPatterns` to let a few moving tags (`dev`, `prod`, `buildcache`)
   * change while every other tag stays immutable.
   * @default ecr.TagMutability.IMMUTABLE
   */
  readonly tagMutability?: ecr.TagMutability;
  /**
   * Tag patterns (`*` wildcards, at most 5) that may be overwritten in an otherwise immutable repository; renders
   * `IMMUTABLE_WITH_EXCLUSION`. A pattern of wildcards alone would make every tag mutable and is refused: that is
   * `tagMutability: ecr.TagMutability.MUTABLE`.
   * @default - no tag can be overwritten
   */
  readonly mutableTagPatterns?: string[];
  /**
   * Tag patterns (`*` wildcards, at most 5) that stay immutable in a repository opted out to `MUTABLE`; renders
   * `MUTABLE_WITH_EXCLUSION`.
   * @default - none
   */
  readonly immutableTagPatterns?: string[];
  /**
   * Encryption at rest.
   * @default - KMS when `encryptionKey` is given, AES256 otherwise
   */
  readonly encryption?: ecr.RepositoryEncryption;
  /**
   * Customer managed key for `KMS` or `KMS_DSSE` encryption, of the repository's region (ECR uses no other).
   * @default - the AWS managed key `aws/ecr` for KMS encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The lifecycle policy (each repository keeps its own copy).
   * @default - untagged images expire 30 days after their push; tagged images are never touched
   */
  readonly lifecyclePolicy?: LifecyclePolicy;
}

/** A repository's settings beyond its images: scanning and what happens when it leaves the stack. */
export interface RepositoryOptions extends RepositorySettings {
  /**
   * Scan every pushed image (basic scanning). A registry scanning configuration (`RegistryScanning`), when there is
   * one, takes over from this setting.
   * @default true
   */
  readonly scanOnPush?: boolean;
  /**
   * What happens to the repository when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Delete the images with the repository; only together with `RemovalPolicy.DESTROY`.
   * @default false
   */
  readonly emptyOnDelete?: boolean;
}
