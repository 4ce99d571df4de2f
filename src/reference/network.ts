import { Annotations, ContextProvider, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { Construct } from 'constructs';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { reportProblems, show } from '../private/errors';

/** Services every workload VPC reaches privately: image pulls (ECR, S3 layers), logs and secrets. */
const WORKLOAD_ENDPOINTS = [
  ec2.InterfaceVpcEndpointAwsService.ECR,
  ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ec2.InterfaceVpcEndpointAwsService.STS,
];

/** The CIDR of VPCs the reference stacks create; a literal, so security group rules and their checks can read it. */
export const VPC_CIDR = '10.0.0.0/16';
/** How many Availability Zones a reference VPC spans: the two an ALB and an EKS cluster need at least. */
const VPC_ZONES = 2;

/**
 * The Availability Zones of a workload stack of a known account and region, decided without calling AWS so that
 * `cdk synth` needs no credentials: the first two that CloudFormation lists in the account that deploys
 * (`Fn::Select` of `Fn::GetAZs`). Zone names guessed from the region could name a zone the account lacks: in the
 * oldest regions each account maps names to physical zones of its own (AWS Regions and Availability Zones, "AZ IDs").
 * `undefined` where aws-cdk-lib decides without a call: an environment-agnostic stack (which gets `Fn::GetAZs` too),
 * or one whose zones the CDK's own context key names (`availability-zones:account=<account>:region=<region>`, what
 * `cdk.context.json` caches).
 */
export function deployTimeAvailabilityZones(stack: Stack): string[] | undefined {
  if (!knowsEnvironment(stack) || stack.node.tryGetContext(availabilityZonesKey(stack)) !== undefined) return undefined;
  return Array.from({ length: VPC_ZONES }, (_, i) => Fn.select(i, Fn.getAzs()));
}

/**
 * A VPC with isolated subnets only: no internet gateway, no NAT, no public addresses. Workloads reach AWS through
 * VPC endpoints (ECR and S3 for images, logs, secrets, STS, plus `extraEndpoints`); flow logs go to an encrypted group.
 */
export function createIsolatedVpc(scope: Construct, key: kms.IKey, extraEndpoints: ec2.InterfaceVpcEndpointAwsService[] = []): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
    maxAzs: VPC_ZONES,
    natGateways: 0,
    subnetConfiguration: [{ name: 'workloads', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
    // Nothing uses the default security group; closing it would take a custom resource Lambda outside the VPC.
    restrictDefaultSecurityGroup: false,
    flowLogs: {
      all: {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(scope, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key })),
      },
    },
  });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  // One security group for every interface endpoint: HTTPS from inside the VPC only.
  const endpoints = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
    vpc, allowAllOutbound: false, description: 'VPC endpoints: HTTPS from the VPC',
  });
  endpoints.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC');
  for (const service of [...WORKLOAD_ENDPOINTS, ...extraEndpoints]) {
    // The endpoint's id is its service's short name (ecr.api -> EcrApi), stable across CDK versions.
    const id = service.shortName.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
    vpc.addInterfaceEndpoint(id, { service, privateDnsEnabled: true, securityGroups: [endpoints], open: false });
  }
  reportProblems(vpc, availabilityZoneContextProblems(Stack.of(scope)));
  acknowledge(vpc.node.findChild('all'), 'the flow log role\'s policy is CDK\'s, scoped to its log group', ...inEveryPack('IAMNoInlinePolicy'));
  acknowledge(vpc, 'no resource uses the default security group; every workload and endpoint has its own',
    ...inEveryPack('VPCDefaultSecurityGroupClosed'));
  return vpc;
}

/**
 * Problems of the zone names the context gives a stack's VPC: at least two, each a zone of the stack's region ("its
 * Region code followed by a letter identifier", AWS Regions and Availability Zones); a name of another region fails
 * only when CloudFormation creates the subnet.
 */
function availabilityZoneContextProblems(stack: Stack): string[] {
  if (!knowsEnvironment(stack)) return [];
  const key = availabilityZonesKey(stack);
  const names: unknown = stack.node.tryGetContext(key);
  const zone = new RegExp(`^${stack.region}[a-z]$`);
  if (names === undefined || (Array.isArray(names) && new Set(names).size >= VPC_ZONES && names.every((n) => typeof n === 'string' && zone.test(n)))) return [];
  return [`context '${key}': got ${show(names)}; the VPC spans ${VPC_ZONES} Availability Zones: give at least ${VPC_ZONES} different zone names of `
    + `${stack.region} (the region followed by a letter) that account ${stack.account} has (aws ec2 describe-availability-zones --region ${stack.region}), `
    + 'or remove the key to take the first zones CloudFormation lists in that account.'];
}

/**
 * Zones Amazon EKS refuses for a cluster's subnets, by zone ID: CreateCluster fails with
 * UnsupportedAvailabilityZoneException ("At least one of your specified cluster subnets is in an Availability Zone that
 * does not support Amazon EKS", with the account's valid zones). AWS names them only in that error; these are the
 * ones eksctl avoids.
 */
const EKS_UNSUPPORTED_ZONE_IDS: Record<string, string> = { 'us-east-1': 'use1-az3', 'us-west-1': 'usw1-az2', 'ca-central-1': 'cac1-az3' };

/** Id of the warning that a cluster's zones, decided at deploy time, may include one EKS refuses. */
export const EKS_ZONES_WARNING = 'cdk-ecr-platform:eksAvailabilityZones';

/**
 * Warns when an EKS cluster's VPC takes the deploying account's first zones (`deployTimeAvailabilityZones`) in a region
 * with a zone EKS refuses: which zone ID a name maps to differs per account, so the first two may include it.
 */
export function warnOnEksDeployTimeZones(stack: Stack): void {
  const refused = EKS_UNSUPPORTED_ZONE_IDS[stack.region];
  if (!refused || deployTimeAvailabilityZones(stack) === undefined) return;
  Annotations.of(stack).addWarningV2(EKS_ZONES_WARNING, `the EKS cluster's subnets take the first ${VPC_ZONES} Availability Zones CloudFormation `
    + `lists for account ${stack.account} in ${stack.region} (Fn::GetAZs), and Amazon EKS refuses the zone ${refused} there, one of those `
    + `${VPC_ZONES} in some accounts (each account maps zone names to zone IDs of its own): name ${VPC_ZONES} zones whose IDs are not `
    + `${refused} in the context key '${availabilityZonesKey(stack)}' (aws ec2 describe-availability-zones --region ${stack.region} `
    + 'lists each name with its ZoneId).');
}

function knowsEnvironment(stack: Stack): boolean {
  return !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
}

/** The context key under which aws-cdk-lib reads (and the CDK CLI caches) the zones of the stack's account and region. */
function availabilityZonesKey(stack: Stack): string {
  return ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER }).key;
}
