import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct, IConstruct } from 'constructs';
import { filterListProblems, scanFilterProblems } from './validation';
import { propProblem, reportProblems } from '../private/errors';
import { registrySingleton, registrySingletonProblems } from '../private/registry-singleton';
import { resolvedOnly } from '../private/tokens';

/** Who scans the images of a registry. */
export enum RegistryScanType {
  /** Amazon ECR's own scan of operating system packages (Clair CVE database), on push; no extra cost. */
  BASIC = 'BASIC',
  /**
   * Amazon Inspector: operating system and language packages, on push and continuously as new CVEs are published.
   * Billed by Inspector per image scan.
   */
  ENHANCED = 'ENHANCED',
}

/** Properties of a `RegistryScanning`. */
export interface RegistryScanningProps {
  /**
   * Basic (ECR) or enhanced (Amazon Inspector) scanning. Setting ENHANCED activates Inspector's ECR scanning in the
   * account (the deploying role needs `inspector2:Enable` and `iam:CreateServiceLinkedRole` for
   * `inspector2.amazonaws.com`; the CDK bootstrap's execution role has them). Switching the type drops the results
   * of earlier scans.
   * @default RegistryScanType.BASIC
   */
  readonly scanType?: RegistryScanType;
  /**
   * Repositories whose images are scanned on push, as filters: `*` matches any characters, and a filter without `*`
   * matches every repository whose name contains it. At most 100. Repositories no filter matches are not scanned
   * automatically (basic: manual scans only; enhanced: off).
   * @default ['*'] - every repository
   */
  readonly scanOnPushRepositories?: string[];
  /**
   * Repositories whose images Amazon Inspector rescans whenever a new CVE is published (enhanced scanning only), as
   * filters like `scanOnPushRepositories`; a repository that both lists match is scanned continuously. How long
   * images stay in continuous scanning is an Inspector setting (`aws inspector2 update-configuration
   * --ecr-configuration rescanDuration=...`, 90 days by default), which CloudFormation cannot set.
   * @default - none
   */
  readonly continuousScanRepositories?: string[];
  /**
   * What happens to the configuration when it leaves the stack. CloudFormation's delete of an enhanced scanning
   * configuration disables Amazon Inspector's ECR scanning for the whole account (and fails without
   * `inspector2:Disable`), so the configuration stays by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The scanning configuration of the registry of this stack's account and region: basic or enhanced (Amazon Inspector)
 * scanning, on push and continuously, by repository filter. It takes over from each repository's `scanOnPush`
 * (deprecated by ECR in favour of the registry setting). One per account and region.
 */
export class RegistryScanning extends Construct {
  /**
   * The scanning configuration this app declares for the registry of an account and region (as a stack's `account`
   * and `region` give them), if any.
   */
  public static of(scope: IConstruct, account: string, region: string): RegistryScanning | undefined {
    return registrySingleton(scope, SINGLETON_KIND, { account, region }) as RegistryScanning | undefined;
  }

  /** The scan type. */
  public readonly scanType: RegistryScanType;
  private readonly filters: { onPush: string[]; continuous: string[] };

  constructor(scope: Construct, id: string, props: RegistryScanningProps = {}) {
    super(scope, id);
    this.scanType = props.scanType ?? RegistryScanType.BASIC;
    const onPush = props.scanOnPushRepositories ?? ['*'];
    const continuous = props.continuousScanRepositories ?? [];
    const problems = [
      ...registrySingletonProblems(this, SINGLETON_KIND),
      ...filterListProblems('scanOnPushRepositories', resolvedOnly(onPush), scanFilterProblems),
      ...filterListProblems('continuousScanRepositories', resolvedOnly(continuous), scanFilterProblems),
    ];
    if (continuous.length > 0 && this.scanType === RegistryScanType.BASIC) {
      problems.push(propProblem('continuousScanRepositories', continuous, 'continuous scanning is Amazon Inspector\'s (ENHANCED); '
        + 'basic scanning only scans on push. Set scanType: RegistryScanType.ENHANCED, or drop the list.'));
    } else if (onPush.length + continuous.length === 0) {
      problems.push(propProblem('scanOnPushRepositories', onPush, 'with no repository filter nothing is scanned automatically. '
        + "Name the repositories to scan, for example ['*']."));
    }
    const both = onPush.filter((f) => continuous.includes(f));
    if (both.length > 0) {
      problems.push(propProblem('scanOnPushRepositories', both[0], 'is also in continuousScanRepositories, and continuous scanning includes '
        + 'the scan on push. Keep it in one list.'));
    }
    reportProblems(this, problems);
    this.filters = { onPush, continuous };

    const rule = (scanFrequency: string, filters: string[]) => ({
      scanFrequency,
      repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
    });
    const resource = new ecr.CfnRegistryScanningConfiguration(this, 'Resource', {
      scanType: this.scanType,
      rules: [
        ...(onPush.length > 0 ? [rule('SCAN_ON_PUSH', onPush)] : []),
        ...(continuous.length > 0 ? [rule('CONTINUOUS_SCAN', continuous)] : []),
      ],
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
  }

  /**
   * How the images of a repository are scanned automatically: `CONTINUOUS_SCAN`, `SCAN_ON_PUSH`, or `NONE` when no
   * filter matches (a filter without `*` matches the names that contain it; continuous filters win).
   */
  public frequencyOf(repositoryName: string): string {
    if (this.filters.continuous.some((f) => scanFilterMatches(f, repositoryName))) return 'CONTINUOUS_SCAN';
    return this.filters.onPush.some((f) => scanFilterMatches(f, repositoryName)) ? 'SCAN_ON_PUSH' : 'NONE';
  }
}

const SINGLETON_KIND = 'scanning configuration';

function scanFilterMatches(filter: string, name: string): boolean {
  if (!filter.includes('*')) return name.includes(filter);
  const pattern = filter.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}
