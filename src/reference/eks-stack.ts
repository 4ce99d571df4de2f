import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { workloadImage, WorkloadImageProps, WorkloadRepositoryProps } from './image-reference';
import { createIsolatedVpc, VPC_CIDR } from './network';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { iamFindingIds } from '../private/findings';
import { allowLogsToUseKey, createKey } from '../private/kms';

/** Node policies every EKS worker needs; registry access comes from the repository's pull grant instead. */
const WORKER_NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy'];

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
 * and Service running the image by digest or environment tag.
 */
export class EksWorkloadStack extends Stack {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** The node role, granted pull on the repository. */
  public readonly nodeRole: iam.Role;

  constructor(scope: Construct, id: string, props: EksWorkloadStackProps) {
    super(scope, id, props);
    const { repository, uri: image } = workloadImage(this, props);
    const key = createKey(this, 'Key', 'Encrypts the cluster secrets and logs');
    allowLogsToUseKey(key);
    // Nodes and the kubectl handler also call EC2, EKS and its pod-identity auth privately.
    const vpc = props.vpc ?? createIsolatedVpc(this, key, [
      ec2.InterfaceVpcEndpointAwsService.EC2, ec2.InterfaceVpcEndpointAwsService.EKS, ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
    ]);
    // The kubectl handler gets a security group of its own, which the control plane admits on HTTPS.
    const kubectlSecurityGroup = new ec2.SecurityGroup(this, 'KubectlSecurityGroup', {
      vpc, description: 'kubectl handler: HTTPS to the cluster endpoint and the VPC endpoints', allowAllOutbound: false,
    });
    kubectlSecurityGroup.addEgressRule(ec2.Peer.ipv4(props.vpc ? vpc.vpcCidrBlock : VPC_CIDR), ec2.Port.tcp(443), 'HTTPS inside the VPC');
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
      kubectlProviderOptions: { kubectlLayer: props.kubectlLayer.createLayer(this), securityGroups: [kubectlSecurityGroup] },
    });

    this.cluster.clusterSecurityGroup.addIngressRule(kubectlSecurityGroup, ec2.Port.tcp(443), 'kubectl handler');

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EKS worker nodes: the worker and CNI policies, and pull on the workload repository only',
      managedPolicies: WORKER_NODE_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    // Instead of AmazonEC2ContainerRegistryReadOnly, which can read every repository of the account.
    repository.grantPull(this.nodeRole);
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
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
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
}
