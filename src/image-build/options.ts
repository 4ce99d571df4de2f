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
   * A registry cache in the target repository under one tag (BuildKit `type=registry`, `mode=max`, with
   * `image-manifest=true,oci-mediatypes=true`, the form ECR accepts). The repository must let this tag move.
   * @param tag the cache tag @default 'buildcache'
   */
  public static registry(tag: string = 'buildcache'): ImageBuildCache {
    return new ImageBuildCache('registry', tag);
  }

  private constructor(
    /** `none`, `local` or `registry`. */
    public readonly mode: string,
    /** The cache tag of a registry cache. */
    public readonly tag?: string,
  ) {}
}

/** How the build waits for the image scan before it applies environment tags. */
export class ScanGate {
  /** Environment tags are applied without waiting for a scan. */
  public static none(): ScanGate {
    return new ScanGate('none', FindingSeverity.CRITICAL);
  }

  /**
   * Waits for basic scanning (scan on push) and blocks on findings at or above `threshold`.
   * @param threshold @default FindingSeverity.CRITICAL
   */
  public static basic(threshold: FindingSeverity = FindingSeverity.CRITICAL): ScanGate {
    return new ScanGate('basic', threshold);
  }

  /**
   * Waits for enhanced scanning (Amazon Inspector, configured at registry level) and blocks on findings at or above
   * `threshold`.
   * @param threshold @default FindingSeverity.CRITICAL
   */
  public static enhanced(threshold: FindingSeverity = FindingSeverity.CRITICAL): ScanGate {
    return new ScanGate('enhanced', threshold);
  }

  private constructor(
    /** `none`, `basic` or `enhanced`. */
    public readonly mode: string,
    /** The lowest severity that blocks. */
    public readonly threshold: FindingSeverity,
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

