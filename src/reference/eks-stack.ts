import { CfnMapping, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EKS_ADDON_REGISTRY_ACCOUNTS } from './eks-registries';
import { pullerRolePath, runningCount, WORKLOAD_USER_ID, workloadImage, WorkloadImageProps, WorkloadRepositoryProps } from './image-reference';
import { createIsolatedVpc, deployTimeAvailabilityZones, VPC_CIDR, warnOnEksDeployTimeZones } from './network';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { ecrGrantee, libraryPolicyOf } from '../private/ecr-access';
import { propProblem, reportProblems } from '../private/errors';
import { iamFindingIds, wildcardResourceFindingId } from '../private/findings';
import { allowLogsToUseKey, createKey } from '../private/kms';
import { formatRepositoryArn } from '../private/repository-arn';
import { PULL_ACTIONS } from '../repository/actions';

/** Node policies every EKS worker needs; registry access comes from pull grants instead. */
const WORKER_NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy'];
/** What the kubectl handler needs besides its cluster: logs, and network interfaces in the VPC. */
const KUBECTL_HANDLER_POLICIES = ['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole'];

/** Creates the kubectl layer inside the stack that uses it (the layer is an asset of that stack). */
export interface IKubectlLayerFactory {
  /** A new layer in `scope`. */
  createLayer(scope: Construct): lambda.ILayerVersion;
}

/** Properties of the EKS workload stack. */
export interface EksWorkloadStackProps extends StackProps, WorkloadImageProps, WorkloadRepositoryProps {
  /** Creates the Lambda layer with kubectl and helm that applies the manifests (for example `KubectlV33Layer`). */
  readonly kubectlLayer: IKubectlLayerFactory;
  /**
   * The VPC to run in.
   * @default - a new VPC with isolated subnets only, VPC endpoints and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Kubernetes version.
   * @default eks.KubernetesVersion.V1_33
   */
  readonly kubernetesVersion?: eks.KubernetesVersion;
  /**
   * The workload's name (Deployment, Service and labels).
   * @default 'catalog'
   */
  readonly workloadName?: string;
  /**
   * The port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
}

/**
 * An EKS cluster (aws-eks-v2) with a private endpoint, every control-plane log type and KMS envelope encryption of
 * secrets, a managed node group whose role can pull from the repository and nothing more from ECR, and a Deployment
 * and Service running the image by digest: the one its last release recorded (no pod before the first), or a pinned one.
 */
export class EksWorkloadStack extends Stack {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** The node role, granted pull on the repository. */
  public readonly nodeRole: iam.Role;
  /** The digest the workload runs: the release record (a stack parameter) unless `imageDigest` pins one. */
  public readonly imageDigest: string;

  /**
   * The Availability Zones of the stack's VPC, known without calling AWS. With an account and a region: the names the
   * context key `availability-zones:account=<account>:region=<region>` gives (in `cdk.context.json` or `cdk.json`),
   * otherwise the first two zones CloudFormation lists in the deploying account (`Fn::GetAZs`). Without: aws-cdk-lib's.
   */
  public override get availabilityZones(): string[] {
    return deployTimeAvailabilityZones(this) ?? super.availabilityZones;
  }

  constructor(scope: Construct, id: string, props: EksWorkloadStackProps) {
    super(scope, id, props);
    const workload = workloadImage(this, props);
    const { repository, uri: image } = workload;
    this.imageDigest = workload.digest;
    const key = createKey(this, 'Key', 'Encrypts the cluster secrets and logs');
    allowLogsToUseKey(key);
    // Nodes call EC2 (VPC CNI), EKS and its pod-identity auth; the kubectl provider's framework function invokes the
    // kubectl handler through Lambda's API (docs/deploy-rehearsal.md lists who reaches what, and why).
    const vpc = props.vpc ?? createIsolatedVpc(this, key, [
      ec2.InterfaceVpcEndpointAwsService.EC2, ec2.InterfaceVpcEndpointAwsService.EKS, ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
      ec2.InterfaceVpcEndpointAwsService.LAMBDA,
    ]);
    if (!props.vpc) warnOnEksDeployTimeZones(this);
    // The kubectl handler and its custom-resource framework function share a security group of their own, which the
    // control plane admits on HTTPS. Besides the VPC (the cluster endpoint, the interface endpoints), the framework must
    // PUT its answer to CloudFormation's pre-signed S3 URL, which the S3 gateway endpoint carries: the managed prefix
    // list of S3 has no CloudFormation attribute to name it by, and the VPC routes nothing else outside itself, so HTTPS
    // anywhere reaches the VPC and S3 only.
    const kubectlSecurityGroup = new ec2.SecurityGroup(this, 'KubectlSecurityGroup', {
      vpc, description: 'kubectl provider: HTTPS to the cluster endpoint, the VPC endpoints and S3', allowAllOutbound: false,
    });
    kubectlSecurityGroup.addEgressRule(ec2.Peer.ipv4(props.vpc ? vpc.vpcCidrBlock : VPC_CIDR), ec2.Port.tcp(443), 'HTTPS inside the VPC');
    kubectlSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint (custom-resource responses); the VPC has no other route out');
    // The kubectl handler's own role: its logs, its network interfaces and its cluster, nothing of ECR (aws-cdk-lib's
    // default role reads every repository of the account). Passed without policy updates, so it stays that way.
    const kubectlRole = new iam.Role(this, 'KubectlRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'kubectl handler: applies the manifests of the cluster',
      managedPolicies: KUBECTL_HANDLER_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: props.kubernetesVersion ?? eks.KubernetesVersion.V1_33,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      clusterLogging: [
        eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER, eks.ClusterLoggingTypes.SCHEDULER,
      ],
      secretsEncryptionKey: key,
      defaultCapacity: 0,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      kubectlProviderOptions: {
        kubectlLayer: props.kubectlLayer.createLayer(this),
        securityGroups: [kubectlSecurityGroup],
        role: kubectlRole.withoutPolicyUpdates(),
      },
    });
    // aws-cdk-lib declares a condition for the ECR Public policy it attaches to its own handler role; with this role
    // nothing uses it, and CloudFormation warns about unused conditions.
    this.node.tryRemoveChild('HasEcrPublic');
    const kubectlPolicy = new iam.ManagedPolicy(this, 'KubectlPolicy', {
      description: 'kubectl handler: reads its cluster for its kubeconfig',
      statements: [new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [this.cluster.clusterArn] })],
      roles: [kubectlRole],
    });
    // Every manifest goes through the provider's functions: they wait for the handler's permissions.
    this.cluster.node.findChild('KubectlProvider').node.addDependency(kubectlPolicy);
    // Under @aws-cdk/aws-lambda:useCdkManagedLogGroup (recommended, so in every app `cdk init` makes) the provider's
    // functions get log groups of their own, unencrypted: the stack's key encrypts them, like every other log here.
    for (const logGroup of this.cluster.node.findChild('KubectlProvider').node.findAll().filter((c): c is logs.CfnLogGroup => c instanceof logs.CfnLogGroup)) {
      logGroup.kmsKeyId ??= key.keyArn;
    }

    this.cluster.clusterSecurityGroup.addIngressRule(kubectlSecurityGroup, ec2.Port.tcp(443), 'kubectl handler');

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EKS worker nodes: the worker and CNI policies, pull on the workload repository and on the EKS add-on images',
      managedPolicies: WORKER_NODE_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
      // The registry admits the roles under this path of each workload account.
      path: pullerRolePath(props.repositoryName),
    });
    repository.grantPull(this.nodeRole);
    this.grantEksAddOnPull(this.nodeRole);
    this.cluster.addNodegroupCapacity('Nodes', {
      nodeRole: this.nodeRole,
      instanceTypes: [new ec2.InstanceType('m7g.large')],
      amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
      minSize: 2,
      maxSize: 4,
    });

    acknowledge(this.cluster, 'the EKS service role needs AmazonEKSClusterPolicy; aws-cdk-lib renders the deprecated Resources field '
      + 'of the secrets encryption config; the kubectl handler reaches the private endpoint through the VPC endpoints',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]', 'CloudFormation-Validate::W9009',
    '@aws-cdk/aws-eks:isolatedSubnetsForKubectlPrivateSubnets');
    acknowledge(this.cluster.node.findChild('KubectlProvider'), 'aws-cdk-lib\'s kubectl provider: its runtime, role policy and '
      + 'networking are the library\'s; it runs only during deployments',
    'AwsSolutions-L1', ...inEveryPack('IAMNoInlinePolicy'), ...iamFindingIds(this.cluster.node.findChild('KubectlProvider')), 'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency',
    'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'cdk-validator-cfnguard::lambda_inside_vpc_check');
    acknowledge(kubectlRole, 'a Lambda function in a VPC needs its logs and its network interfaces, which these AWS managed policies grant',
      ...iamFindingIds(kubectlRole));
    acknowledge(this.nodeRole, 'every EKS node needs the worker and CNI policies',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKS_CNI_Policy]');

    const name = props.workloadName ?? 'catalog';
    const port = props.containerPort ?? 8080;
    const labels = { 'app.kubernetes.io/name': name };
    this.cluster.addManifest('Workload', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels },
      spec: {
        // No pod before the first release.
        replicas: runningCount(workload, 2, true),
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            // The same numeric user as the ECS task: an image without a numeric USER runs on both alike.
            securityContext: { runAsNonRoot: true, runAsUser: WORKLOAD_USER_ID, runAsGroup: WORKLOAD_USER_ID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name,
              image,
              ports: [{ containerPort: port }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } },
            }],
          },
        },
      },
    }, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ port: 80, targetPort: port }] },
    });
  }

  /**
   * Lets the nodes pull the images of EKS's own add-ons (VPC CNI, kube-proxy, CoreDNS), which live in an EKS account
   * of the region: pull on that registry's repositories only, instead of AmazonEC2ContainerRegistryPullOnly (pull from
   * any registry that admits the role).
   */
  private grantEksAddOnPull(role: iam.Role): void {
    const region = this.region;
    if (!Token.isUnresolved(region) && !(region in EKS_ADDON_REGISTRY_ACCOUNTS)) {
      reportProblems(this, [propProblem('env.region', region, `has no EKS add-on registry that this library knows (${Object.keys(EKS_ADDON_REGISTRY_ACCOUNTS).length} regions). `
        + 'Add the account of the region from the EKS User Guide ("Amazon container image registries") to EKS_ADDON_REGISTRY_ACCOUNTS.')]);
      return;
    }
    const accounts = new CfnMapping(this, 'EksAddOnRegistry', {
      mapping: Object.fromEntries(Object.entries(EKS_ADDON_REGISTRY_ACCOUNTS).map(([r, account]) => [r, { account }])),
      lazy: true,
    });
    const repositories = formatRepositoryArn(this, '*', { account: accounts.findInMap(this.region, 'account') });
    const grantee = ecrGrantee(role);
    iam.Grant.addToPrincipal({ grantee, actions: PULL_ACTIONS, resourceArns: [repositories] });
    acknowledge(libraryPolicyOf(grantee)!, 'nodes pull the images of EKS\'s own add-ons (VPC CNI, kube-proxy, CoreDNS) from the '
      + 'EKS registry account of the region; AWS names no repository list, so the scope is that registry', wildcardResourceFindingId(this, repositories));
  }
}
