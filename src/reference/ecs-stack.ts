import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { pullerRolePath, runningCount, WORKLOAD_USER_ID, workloadImage, WorkloadImageProps, WorkloadRepositoryProps } from './image-reference';
import { createIsolatedVpc, deployTimeAvailabilityZones, VPC_CIDR } from './network';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { allowLogsToUseKey, createKey } from '../private/kms';

/** The container of the reference ECS task that runs the image. */
export const ECS_CONTAINER_NAME = 'app';

/** Properties of the ECS workload stack. */
export interface EcsServiceStackProps extends StackProps, WorkloadImageProps, WorkloadRepositoryProps {
  /**
   * The VPC to run in.
   * @default - a new VPC with isolated subnets only, VPC endpoints and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * How many tasks run.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * ACM certificate of the load balancer's HTTPS listener.
   * @default - an HTTP listener, reachable only from `allowedCidrs` inside the VPC
   */
  readonly certificateArn?: string;
  /**
   * CIDR ranges that may reach the load balancer.
   * @default - only the VPC itself (an internal load balancer)
   */
  readonly allowedCidrs?: string[];
  /**
   * Name of the cluster.
   * @default - generated
   */
  readonly clusterName?: string;
  /**
   * Name of the service.
   * @default - generated
   */
  readonly serviceName?: string;
}

/**
 * A Fargate service behind an internal Application Load Balancer, running an image of the registry by digest: the
 * digest its last release recorded (no task before the first), or a pinned one. The task execution role can only
 * pull; the application secret comes from Secrets Manager.
 */
export class EcsServiceStack extends Stack {
  /** The service. */
  public readonly service: ecs.FargateService;
  /** The load balancer in front of it. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The digest the service runs: the release record (a stack parameter) unless `imageDigest` pins one. */
  public readonly imageDigest: string;

  /**
   * The Availability Zones of the stack's VPC, known without calling AWS. With an account and a region: the names the
   * context key `availability-zones:account=<account>:region=<region>` gives (in `cdk.context.json` or `cdk.json`),
   * otherwise the first two zones CloudFormation lists in the deploying account (`Fn::GetAZs`). Without: aws-cdk-lib's.
   */
  public override get availabilityZones(): string[] {
    return deployTimeAvailabilityZones(this) ?? super.availabilityZones;
  }

  constructor(scope: Construct, id: string, props: EcsServiceStackProps) {
    super(scope, id, props);
    const image = workloadImage(this, props);
    this.imageDigest = image.digest;
    const key = createKey(this, 'Key', 'Encrypts the service logs and secret');
    allowLogsToUseKey(key);

    const vpc = props.vpc ?? createIsolatedVpc(this, key);
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, clusterName: props.clusterName, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    // The role that pulls the image, under the path the registry admits from each workload account.
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Starts the ${props.repositoryName} tasks: pulls their image, writes their logs, reads their secret`,
      path: pullerRolePath(props.repositoryName),
    });
    // Pull on this repository only (plus the registry login).
    image.repository.grantPull(executionRole);
    const task = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512, executionRole });
    const secret = new secretsmanager.Secret(this, 'AppSecret', { description: 'Application secret of the reference service', encryptionKey: key });
    const port = props.containerPort ?? 8080;
    task.addContainer(ECS_CONTAINER_NAME, {
      // By digest, or a placeholder until the first release (no task runs it).
      image: ecs.ContainerImage.fromRegistry(image.uri),
      portMappings: [{ containerPort: port }],
      memoryLimitMiB: 512,
      // The same numeric user and group as the EKS pods.
      user: `${WORKLOAD_USER_ID}:${WORKLOAD_USER_ID}`,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'app',
        logGroup: new logs.LogGroup(this, 'AppLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN }),
      }),
      secrets: { APP_SECRET: ecs.Secret.fromSecretsManager(secret) },
      readonlyRootFilesystem: true,
      healthCheck: { command: ['CMD-SHELL', `wget -qO- http://localhost:${port}/health || exit 1`], interval: Duration.seconds(30) },
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: props.serviceName,
      taskDefinition: task,
      // No task before the first release: nothing to start, so the first deployment cannot fail on a missing image.
      desiredCount: runningCount(image, props.desiredCount ?? 2),
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc, internetFacing: false, dropInvalidHeaderFields: true, deletionProtection: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    const listener = props.certificateArn
      ? this.loadBalancer.addListener('Https', {
        port: 443, open: false, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS, certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      })
      : this.loadBalancer.addListener('Http', { port: 80, open: false });
    const allowed = props.allowedCidrs ?? [props.vpc ? vpc.vpcCidrBlock : VPC_CIDR];
    for (const cidr of allowed) listener.connections.allowDefaultPortFrom(ec2.Peer.ipv4(cidr));
    listener.addTargets('App', { port, protocol: elbv2.ApplicationProtocol.HTTP, targets: [this.service], healthCheck: { path: '/health' } });

    // What this reference leaves to the team that adopts it, each for a stated reason.
    acknowledge(executionRole, 'the execution role\'s inline policy is CDK\'s grants on its log group and its secret',
      ...inEveryPack('IAMNoInlinePolicy'));
    acknowledge(secret, 'a sample application secret: how to rotate it depends on what it protects; add a rotation schedule with its Lambda',
      'AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled');
    acknowledge(accessLogs, 'the load balancer\'s access log bucket: log delivery supports only SSE-S3, a log bucket does not log '
      + 'itself, and logs expire after a year instead of being replicated',
    'AwsSolutions-S1', ...inEveryPack('S3BucketLoggingEnabled'), ...inEveryPack('S3BucketReplicationEnabled'), ...inEveryPack('S3DefaultEncryptionKMS'),
    'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', 'cdk-validator-cfnguard::s3_event_notifications_enabled_check');
    acknowledge(this.loadBalancer, 'an internal load balancer reachable only from inside the VPC; put a WAF web ACL on the public entry point',
      'NIST.800.53.R5-ALBWAFEnabled', 'PCI.DSS.321-ALBWAFEnabled');
    if (!props.certificateArn) {
      acknowledge(listener, 'internal HTTP until the adopting team passes certificateArn, which makes the listener HTTPS',
        ...inEveryPack('ALBHttpToHttpsRedirection'), ...inEveryPack('ELBv2ACMCertificateRequired'),
        'cdk-validator-cfnguard::alb_http_to_https_redirection_check');
    }
  }
}
