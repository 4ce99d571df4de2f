import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OrganizationRegistryBaseline } from '../registry/organization';
import { UpstreamRegistry } from '../registry/pull-through-cache';
import { RegistryScanType } from '../registry/scanning';

/** Properties of the organization stack. */
export interface OrganizationStackProps extends StackProps {
  /** The organizational units whose accounts get the baseline. */
  readonly organizationalUnitIds: string[];
  /** The regions of each account that get it. */
  readonly regions: string[];
  /** Whether the stack is deployed by a StackSets delegated administrator rather than the management account. */
  readonly delegatedAdministrator: boolean;
  /** Prefix of the platform's repositories, rescanned continuously. */
  readonly repositoryPrefix: string;
}

/**
 * The registry baseline of every account of the organizational units, now and when they join: Amazon Inspector
 * enhanced scanning on push with continuous rescans of the platform's repositories, as in the registry, and an ECR
 * Public cache (no credential, which a StackSet could not carry) with its creation template.
 */
export class OrganizationStack extends Stack {
  /** The StackSet and its baseline. */
  public readonly baseline: OrganizationRegistryBaseline;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);
    this.baseline = new OrganizationRegistryBaseline(this, 'Baseline', {
      organizationalUnitIds: props.organizationalUnitIds,
      regions: props.regions,
      delegatedAdministrator: props.delegatedAdministrator,
      scanning: { scanType: RegistryScanType.ENHANCED, continuousScanRepositories: [`${props.repositoryPrefix}/*`] },
      pullThroughCaches: [{ upstream: UpstreamRegistry.ecrPublic() }],
    });
  }
}
