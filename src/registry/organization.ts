import { CfnResource, CfnStackSet, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { RegistryBaseline, RegistryBaselineProps } from './baseline';
import { regionProblems } from './validation';
import { propProblem, repeatedProblems, reportProblems } from '../private/errors';
import { markSeparateDeployment } from '../private/registry-singleton';
import { resolvedOnly } from '../private/tokens';

const ORGANIZATIONAL_UNIT = /^(?:ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const STACK_SET_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/;

/** Properties of an `OrganizationRegistryBaseline`. */
export interface OrganizationRegistryBaselineProps extends RegistryBaselineProps {
  /**
   * The organizational units (or the root, `r-...`) whose accounts get the baseline, now and when they join later.
   * CloudFormation never deploys a service-managed StackSet to the management account: give it a `RegistryBaseline`
   * in a stack of its own if it holds repositories.
   */
  readonly organizationalUnitIds: string[];
  /** The regions of each account that get the baseline. */
  readonly regions: string[];
  /**
   * The StackSet's name, unique in the administering account.
   * @default 'cdk-ecr-platform-registry-baseline'
   */
  readonly stackSetName?: string;
  /**
   * Whether this stack is deployed by a delegated administrator account of CloudFormation StackSets rather than by the
   * management account.
   * @default false
   */
  readonly delegatedAdministrator?: boolean;
  /**
   * Keep an account's registry settings when it leaves the organizational units (its repositories would lose their
   * scanning and caches otherwise).
   * @default true
   */
  readonly retainStacksOnAccountRemoval?: boolean;
  /**
   * The share of accounts deployed at once in each region, in percent; a failure stops the operation before the next
   * batch.
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;
}

/**
 * A `RegistryBaseline` for every account of some organizational units, in every region given, through a
 * CloudFormation StackSet with service-managed permissions and automatic deployment: accounts that join the units get
 * the baseline, with no `cdk deploy` per account. Deploy it from the management account or a StackSets delegated
 * administrator; AWS Organizations needs trusted access for CloudFormation StackSets.
 *
 * The baseline is synthesized as a template of its own (a file asset of this stack, published by `cdk deploy`), so
 * its settings are checked like any other stack's. Its registries are those of the target accounts, so credentials
 * (pull-through cache secrets) cannot come from this account: use upstreams without credentials, or a per-account
 * baseline.
 */
export class OrganizationRegistryBaseline extends Construct {
  /** The registry baseline every target account gets. */
  public readonly baseline: RegistryBaseline;
  /** The stack that holds the baseline: the StackSet's template. */
  public readonly template: Stack;

  constructor(scope: Construct, id: string, props: OrganizationRegistryBaselineProps) {
    super(scope, id);
    const units = props.organizationalUnitIds;
    const percentage = props.maxConcurrentPercentage ?? 25;
    const name = props.stackSetName ?? 'cdk-ecr-platform-registry-baseline';
    reportProblems(this, [
      ...(units.length === 0 ? [propProblem('organizationalUnitIds', [], "name at least one organizational unit ('ou-...') or the root ('r-...').")] : []),
      ...resolvedOnly(units).filter((u) => !ORGANIZATIONAL_UNIT.test(u)).map((u) => propProblem('organizationalUnitIds', u,
        "an organizational unit id is 'ou-<root>-<unit>' (for example 'ou-ab12-11111111'), the root's 'r-<root>'. See 'aws organizations list-roots'.")),
      ...(props.regions.length === 0 ? [propProblem('regions', [], "name at least one region, for example ['eu-west-1'].")] : []),
      ...resolvedOnly(props.regions).flatMap((r) => regionProblems('regions', r)),
      ...repeatedProblems('regions', props.regions),
      ...(Token.isUnresolved(name) || STACK_SET_NAME.test(name) ? [] : [propProblem('stackSetName', name,
        'a StackSet name is 1 to 128 letters, digits and hyphens, starting with a letter.')]),
      ...(Token.isUnresolved(percentage) || (Number.isInteger(percentage) && percentage >= 1 && percentage <= 100) ? []
        : [propProblem('maxConcurrentPercentage', percentage, 'a whole percentage from 1 to 100.')]),
      ...(props.pullThroughCaches ?? []).filter((c) => c.upstream.credential).map((c) => propProblem('pullThroughCaches', c.upstream.registryType,
        "needs a credential secret in each target account, which a StackSet from this account cannot provide. Use a per-account 'RegistryBaseline' for it.")),
    ]);

    const template = new servicecatalog.ProductStack(this, 'Template', { description: 'cdk-ecr-platform registry baseline' });
    markSeparateDeployment(template);
    this.template = template;
    this.baseline = new RegistryBaseline(template, 'Baseline', props);
    const templateUrl = servicecatalog.CloudFormationTemplate.fromProductStack(template).bind(this).httpUrl!;

    new CfnStackSet(this, 'Resource', {
      stackSetName: name,
      description: 'Amazon ECR registry baseline of cdk-ecr-platform: scanning, pull-through caches, creation templates',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.delegatedAdministrator ? 'DELEGATED_ADMIN' : 'SELF',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval ?? true },
      managedExecution: { Active: true },
      operationPreferences: { regionConcurrencyType: 'PARALLEL', maxConcurrentPercentage: percentage, failureToleranceCount: 0 },
      // Roles of the baseline (an ECR-to-ECR cache, a template's role) have generated names.
      capabilities: Lazy.list({ produce: () => (hasIamResources(template) ? ['CAPABILITY_IAM'] : undefined) }),
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: units }, regions: props.regions }],
      templateUrl,
    });
  }
}

function hasIamResources(stack: Stack): boolean {
  return stack.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType.startsWith('AWS::IAM::'));
}
