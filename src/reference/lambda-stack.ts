import { Annotations, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WorkloadImageProps, workloadImage, WorkloadRepositoryProps } from './image-reference';
import { ImageFunction } from '../lambda/image-function';
import { acknowledge, inEveryPack } from '../private/acknowledge';
import { allowLogsToUseKey, createKey } from '../private/kms';

/** Properties of the Lambda workload stack. */
export interface LambdaServiceStackProps extends StackProps, WorkloadRepositoryProps, WorkloadImageProps {
  /**
   * Memory of the function, in MiB.
   * @default 512
   */
  readonly memorySize?: number;
}

/**
 * A Lambda function that runs the service's image from the registry by digest (Lambda never follows a tag): the digest
 * its last release recorded (the function is created by the first), or a pinned one; in the
 * registry's account or another one through the repository's `grantPullToLambda`. Its logs go to a KMS-encrypted log
 * group it alone may write to.
 */
export class LambdaServiceStack extends Stack {
  /** The function (created by the first release unless `imageDigest` pins one). */
  public readonly function: lambda.IFunction;
  /** The digest the function runs: the release record (a stack parameter) unless `imageDigest` pins one. */
  public readonly imageDigest: string;

  constructor(scope: Construct, id: string, props: LambdaServiceStackProps) {
    super(scope, id, props);
    const image = workloadImage(this, props);
    this.imageDigest = image.digest;

    const key = createKey(this, 'Key', 'Encrypts the function logs');
    allowLogsToUseKey(key);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN });
    // Logging only, in a customer managed policy: the image is pulled by the Lambda service, not by this role.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `Runs ${props.repositoryName}: writes its logs`,
      managedPolicies: [new iam.ManagedPolicy(this, 'LogsPolicy', {
        description: `Writes the logs of ${props.repositoryName}`,
        statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
      })],
    });
    const service = new ImageFunction(this, 'Service', {
      repository: image.repository,
      imageDigest: image.digest,
      role,
      logGroup,
      memorySize: props.memorySize ?? 512,
      timeout: Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
    });
    this.function = service.function;
    // The registry (RegistryStack, RegistryReplicaStack) admits Lambda for this account with grantPullToLambda.
    Annotations.of(service).acknowledgeWarning(ImageFunction.IMPORTED_REPOSITORY_WARNING,
      'the registry stacks call grantPullToLambda for the registry\'s and every workload account');
    // Lambda creates no function without an image: the function exists from the first release on.
    if (image.released) (service.function.node.defaultChild as lambda.CfnFunction).cfnOptions.condition = image.released;

    acknowledge(role, 'X-Ray tracing writes through the role\'s default policy that aws-cdk-lib adds for Tracing.ACTIVE; '
      + 'xray:PutTraceSegments and xray:PutTelemetryRecords have no resource scope', 'AwsSolutions-IAM5[Resource::*]', ...inEveryPack('IAMNoInlinePolicy'));
    acknowledge(service.function, 'the sample function reaches no VPC resource; put it in the VPC of what it calls (Lambda pulls its image '
      + 'outside the VPC either way)', ...inEveryPack('LambdaInsideVPC'), 'cdk-validator-cfnguard::lambda_inside_vpc_check');
    acknowledge(service.function, 'reserving concurrency fails in accounts whose concurrency quota is still the new-account 10 '
      + '(Lambda keeps 10 unreserved); set it once the quota is raised', ...inEveryPack('LambdaConcurrency'));
    acknowledge(service.function, 'invoked synchronously by its callers, who see the error; an asynchronous caller should add an '
      + 'on-failure destination', ...inEveryPack('LambdaDLQ'));
  }
}
