import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { bucketNameProblems, roleNameProblems } from './validation';
import { acknowledge } from '../private/acknowledge';
import { propProblem, reportProblems } from '../private/errors';
import { wildcardResourceFindingId } from '../private/findings';
import { declareUniqueName, IAM_ROLE_NAME } from '../private/unique-names';
import { accountIdProblems } from '../repository/validation';

/**
 * The IAM path of every `ImagePromotionPipeline`'s own role: deploy roles of other accounts trust the roles under this
 * path of the pipeline's account, not the whole account (a trust policy cannot name a role that does not exist yet,
 * and the deploy role is created before the pipeline).
 */
export const PIPELINE_ROLE_PATH = '/image-promotion/';

/** What the ECS deploy action does with the service, by resource (Service Authorization Reference for `ecs`). */
export const ECS_DEPLOY_SERVICE_ACTIONS = ['ecs:DescribeServices', 'ecs:UpdateService'];
/**
 * Actions the deploy action makes on `*`: `ecs:DescribeTaskDefinition` has no resource type, and
 * `ecs:RegisterTaskDefinition` is authorized before the revision exists (CodePipeline's documented service role policy
 * grants it on `*`); `iam:PassRole` below decides which roles a revision may carry.
 */
export const ECS_DEPLOY_UNSCOPED_ACTIONS = ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'];
/** Reads of the artifact the deploy action takes (`imagedefinitions.json`), in a versioned bucket. */
export const ARTIFACT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

/** Properties of an `EcsDeployRole`. */
export interface EcsDeployRoleProps {
  /** The account of the `ImagePromotionPipeline` that deploys. */
  readonly pipelineAccount: string;
  /**
   * The role's name: the pipeline imports the role by ARN (`arn:aws:iam::<account>:role/<roleName>`), so the name is
   * known to both stacks before either is deployed.
   */
  readonly roleName: string;
  /** The services the pipeline deploys with this role; all of this stack's account and region. */
  readonly services: ecs.BaseService[];
  /**
   * The name of the pipeline's artifact bucket (`ImagePromotionPipelineProps.artifactBucketName`), where the action
   * reads the image definitions.
   */
  readonly artifactBucketName: string;
}

/**
 * The role an `ImagePromotionPipeline` of another account (or of this one) assumes to deploy ECS services of this
 * account: trusted by the pipeline roles of the pipeline's account only, and allowed what CodePipeline's ECS deploy
 * action does, on these services only: describe and update the services, register revisions of their task
 * definitions' families, pass their task and execution roles to ECS tasks, and read the artifacts (S3 objects of the
 * named bucket, decrypted through S3 in this region with a key of the pipeline's account). The pipeline's bucket and
 * key policies admit the role by ARN, so deploy this stack before the pipeline's.
 */
export class EcsDeployRole extends Construct {
  /** The role's ARN, without the role being created: what the pipeline's stack imports. */
  public static roleArn(scope: Construct, account: string, roleName: string): string {
    return Stack.of(scope).formatArn({ service: 'iam', region: '', account, resource: 'role', resourceName: roleName });
  }

  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EcsDeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { pipelineAccount, roleName, artifactBucketName, services } = props;
    const nameProblems = roleNameProblems('roleName', roleName);
    reportProblems(this, [
      ...(Token.isUnresolved(pipelineAccount) ? [] : accountIdProblems('pipelineAccount', pipelineAccount)),
      ...nameProblems,
      ...bucketNameProblems('artifactBucketName', artifactBucketName),
      ...(services.length === 0 ? [propProblem('services', [], 'name at least one service to deploy.')] : []),
    ]);

    // A name IAM refuses is reported above; aws-cdk-lib would throw before the report.
    this.role = new iam.Role(this, 'Role', {
      roleName: nameProblems.length === 0 ? roleName : undefined,
      description: `Deploys ${services.map((s) => s.node.path).join(', ')} for the image promotion pipelines of ${pipelineAccount}`,
      // Only the pipelines' own roles: CodePipeline assumes an action's role with the pipeline's role.
      assumedBy: new iam.AccountPrincipal(pipelineAccount).withConditions({
        ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${pipelineAccount}:role${PIPELINE_ROLE_PATH}*` },
      }),
    });
    declareUniqueName(this, this.role.node.defaultChild as iam.CfnRole, IAM_ROLE_NAME);
    // Without a service there is nothing to allow (reported above).
    if (services.length === 0) return;
    const ecsArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ecs', resource, resourceName });
    const tasks = services.map((s) => ecsArn('task', `${s.cluster.clusterName}/*`));
    const artifacts = `arn:${stack.partition}:s3:::${artifactBucketName}/*`;
    // The pipeline's key is not known here: any key of the pipeline's account, used by S3 in this region only.
    const pipelineKeys = stack.formatArn({ service: 'kms', account: pipelineAccount, resource: 'key', resourceName: '*' });
    const passedRoles = services.flatMap((s) => [s.taskDefinition.taskRole, s.taskDefinition.executionRole])
      .filter((r): r is iam.IRole => r !== undefined);
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'What the ECS deploy action of an image promotion pipeline does',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ECS_DEPLOY_SERVICE_ACTIONS, resources: services.map((s) => s.serviceArn) }),
        new iam.PolicyStatement({ actions: ECS_DEPLOY_UNSCOPED_ACTIONS, resources: ['*'] }),
        // The new revision carries the family's tags: tagging only while registering ("Grant permission to tag
        // resources on creation", Amazon ECS Developer Guide).
        new iam.PolicyStatement({ actions: ['ecs:TagResource'], resources: ['*'], conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } }),
        // The action follows the deployment's tasks in the service's cluster. ListTasks by cluster (Fargate has no
        // container instance) is authorized on `*`, narrowed by the cluster condition key.
        new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: tasks }),
        new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: { ArnEquals: { 'ecs:cluster': services.map((s) => s.cluster.clusterArn) } } }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: passedRoles.map((r) => r.roleArn),
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
        new iam.PolicyStatement({ actions: ARTIFACT_READ_ACTIONS, resources: [artifacts] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [pipelineKeys],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } },
        }),
      ],
    });
    acknowledge(policy, 'the ECS deploy action reads and registers task definitions (authorized on *; PassRole limits the roles a revision '
      + 'carries), tags only while registering, lists tasks of the services\' clusters only, follows their tasks, reads the objects of the '
      + 'artifact bucket, and decrypts with a key of the pipeline\'s account through S3 only',
    ...['*', ...tasks, artifacts, pipelineKeys].map((resource) => wildcardResourceFindingId(this, resource)));
  }
}
