import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { FindingSeverity } from '../scanning/severity';

/** A platform to build the image for. */
export enum ImagePlatform {
  /** 64-bit x86. */
  LINUX_AMD64 = 'linux/amd64',
  /** 64-bit ARM (Graviton). */
  LINUX_ARM64 = 'linux/arm64',
}

/** Options of a registry cache. */
export interface RegistryCacheOptions {
  /**
   * Repository of the BuildKit image that runs the cache builder (`docker buildx create --driver docker-container`),
   * for example a copy of `moby/buildkit` in ECR or the repository of a Docker Hub pull-through cache. The build logs
   * in to its registry and may pull from it.
   * @default - Docker pulls `moby/buildkit:buildx-stable-1` anonymously from Docker Hub, which fails in a VPC without
   * internet access and meets Docker Hub's rate limits on CodeBuild's shared addresses
   */
  readonly buildkitRepository?: ecr.IRepository;
  /**
   * Tag (or digest) of the BuildKit image in `buildkitRepository`.
   * @default 'buildx-stable-1'
   */
  readonly buildkitImageTag?: string;
}

/** Where Docker layers are cached between builds. */
export class ImageBuildCache {
  /** No cache: every build starts from scratch. */
  public static none(): ImageBuildCache {
    return new ImageBuildCache('none');
  }

  /** CodeBuild's local Docker layer cache: fast when builds follow each other closely, nothing to configure. */
  public static local(): ImageBuildCache {
    return new ImageBuildCache('local');
  }

  /**
   * A registry cache in the target repository (BuildKit `type=registry`, `mode=max`, with
   * `image-manifest=true,oci-mediatypes=true`, the form ECR accepts): under `tag` for one platform, under
   * `<tag>-<arch>` per platform for several. The repository must let those tags move and never expire them.
   * @param tag the cache tag @default 'buildcache'
   */
  public static registry(tag: string = 'buildcache', options: RegistryCacheOptions = {}): ImageBuildCache {
    return new ImageBuildCache('registry', tag, options.buildkitRepository, options.buildkitImageTag ?? (options.buildkitRepository ? 'buildx-stable-1' : undefined));
  }

  private constructor(
    /** `none`, `local` or `registry`. */
    public readonly mode: string,
    /** The cache tag of a registry cache. */
    public readonly tag?: string,
    /** The repository of the BuildKit image of a registry cache. */
    public readonly buildkitRepository?: ecr.IRepository,
    /** The tag or digest of the BuildKit image in `buildkitRepository`. */
    public readonly buildkitImageTag?: string,
  ) {}
}

/** Options of an enhanced scan gate. */
export interface EnhancedScanGateOptions {
  /**
   * Pass an image that Amazon Inspector reports it cannot scan (coverage reason `UNSUPPORTED_OS` or
   * `UNSUPPORTED_MEDIA_TYPE`, for example a `FROM scratch` image) without findings, instead of failing the build.
   * Every other reason a scan does not happen still fails it.
   * @default false
   */
  readonly passUnsupportedImages?: boolean;
}

/** How the build waits for the image scan before it applies environment tags. */
export class ScanGate {
  /** Environment tags are applied without waiting for a scan. */
  public static none(): ScanGate {
    return new ScanGate('none', FindingSeverity.CRITICAL, false);
  }

  /**
   * Waits for basic scanning (scan on push) to report `COMPLETE` and blocks on findings at or above `threshold`.
   * @param threshold @default FindingSeverity.CRITICAL
   */
  public static basic(threshold: FindingSeverity = FindingSeverity.CRITICAL): ScanGate {
    return new ScanGate('basic', threshold, false);
  }

  /**
   * Waits for enhanced scanning (Amazon Inspector, configured at registry level) and blocks on findings at or above
   * `threshold`. The gate waits until Inspector's coverage record of the image says its first scan has ended, since
   * ECR's scan status can read done before Inspector's findings exist.
   * @param threshold @default FindingSeverity.CRITICAL
   */
  public static enhanced(threshold: FindingSeverity = FindingSeverity.CRITICAL, options: EnhancedScanGateOptions = {}): ScanGate {
    return new ScanGate('enhanced', threshold, options.passUnsupportedImages ?? false);
  }

  private constructor(
    /** `none`, `basic` or `enhanced`. */
    public readonly mode: string,
    /** The lowest severity that blocks. */
    public readonly threshold: FindingSeverity,
    /** Whether an image Amazon Inspector cannot scan passes unscanned. */
    public readonly passUnsupportedImages: boolean,
  ) {}
}

/** A secret passed to the Docker build as a build secret (`RUN --mount=type=secret,id=...`), never as a build arg. */
export class BuildSecret {
  /**
   * A Secrets Manager secret (optionally one JSON key of it).
   * @param id the secret id in the Dockerfile (also the name of the variable that carries it in the build)
   * @param jsonField @default - the whole secret string
   */
  public static fromSecretsManager(id: string, secret: secretsmanager.ISecret, jsonField?: string): BuildSecret {
    return new BuildSecret(id, secret, undefined, jsonField);
  }

  /** An SSM parameter (a SecureString is decrypted by CodeBuild). */
  public static fromSsmParameter(id: string, parameter: ssm.IParameter): BuildSecret {
    return new BuildSecret(id, undefined, parameter);
  }

  private constructor(
    /** The secret id. */
    public readonly id: string,
    /** The Secrets Manager secret, if it comes from there. */
    public readonly secret?: secretsmanager.ISecret,
    /** The SSM parameter, if it comes from there. */
    public readonly parameter?: ssm.IParameter,
    /** The JSON key of the secret. */
    public readonly jsonField?: string,
  ) {}
}

