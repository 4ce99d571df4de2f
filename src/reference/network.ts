import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, inEveryPack } from '../private/acknowledge';

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

/**
 * A VPC with isolated subnets only: no internet gateway, no NAT, no public addresses. Workloads reach AWS through
 * VPC endpoints (ECR and S3 for images, logs, secrets, STS, plus `extraEndpoints`); flow logs go to an encrypted group.
 */
export function createIsolatedVpc(scope: Construct, key: kms.IKey, extraEndpoints: ec2.InterfaceVpcEndpointAwsService[] = []): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
    maxAzs: 2,
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
  acknowledge(vpc.node.findChild('all'), 'the flow log role\'s policy is CDK\'s, scoped to its log group', ...inEveryPack('IAMNoInlinePolicy'));
  acknowledge(vpc, 'no resource uses the default security group; every workload and endpoint has its own',
    ...inEveryPack('VPCDefaultSecurityGroupClosed'));
  return vpc;
}
