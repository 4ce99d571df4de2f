import { Stack, StackProps } from 'aws-cdk-lib';
import * as codeconnections from 'aws-cdk-lib/aws-codeconnections';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ECS_CONTAINER_NAME } from './ecs-stack';
import { ImageBuildProject } from '../image-build/project';
import { EcsDeployRole } from '../pipeline/deploy-role';
import { ImagePromotionPipeline } from '../pipeline/promotion-pipeline';

/** The names a delivered ECS service has in an environment: the pipeline imports it and its deploy role by these. */
export interface EcsDeliveryNames {
  /** The cluster. */
  readonly clusterName: string;
  /** The service. */
  readonly serviceName: string;
  /** The role the pipeline assumes to deploy it. */
  readonly deployRoleName: string;
}

/** The names of `service`'s ECS service in `environment` (one cluster per environment, so several may share an account). */
export function ecsDeliveryNames(service: string, environment: string): EcsDeliveryNames {
  return { clusterName: `${service}-${environment}`, serviceName: service, deployRoleName: `${service}-${environment}-deploy` };
}

/** The artifact bucket of `service`'s pipeline in the registry's account and region: S3 names are global. */
export function pipelineArtifactBucketName(account: string, region: string, service: string): string {
  return `${account}-${region}-${service}-pipeline`;
}

/** An environment whose ECS service the pipeline deploys. */
export interface EcsDeliveryTarget {
  /** The environment. */
  readonly environment: string;
  /**
   * The account of its service.
   * @default - the pipeline's account
   */
  readonly account?: string;
}

/** Properties of the delivery stack. */
export interface DeliveryStackProps extends StackProps {
  /** The service delivered: its GitHub repository and its ECS services are named after it. */
  readonly service: string;
  /** The service's image build, without a source of its own. */
  readonly buildProject: ImageBuildProject;
  /** The GitHub owner of the service's repository. */
  readonly githubOwner: string;
  /**
   * The CodeConnections connection to GitHub.
   * @default - a new connection, PENDING until someone with access to the GitHub organization approves it in the
   * console (Developer Tools > Settings > Connections); the pipeline's source fails until then
   */
  readonly connectionArn?: string;
  /** Environment names in promotion order. */
  readonly environments: string[];
  /** The environments whose ECS service the pipeline deploys; the others get their tag moved only. */
  readonly ecsTargets: EcsDeliveryTarget[];
}

/**
 * The service's promotion pipeline in the registry's account: each commit of `main` is built once, gated on its scan,
 * deployed to the first environment's ECS service by digest, and promoted (after an approval) to the next
 * environments' tags and services, through the `EcsDeployRole` of each workload account.
 */
export class DeliveryStack extends Stack {
  /** The pipeline. */
  public readonly promotion: ImagePromotionPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const connectionArn = props.connectionArn ?? new codeconnections.CfnConnection(this, 'Connection', {
      connectionName: `${props.service}-github`,
      providerType: 'GitHub',
    }).attrConnectionArn;
    const targets = new Map(props.ecsTargets.map((t) => [t.environment, t]));
    this.promotion = new ImagePromotionPipeline(this, 'Promotion', {
      connectionArn,
      owner: props.githubOwner,
      repository: props.service,
      buildProject: props.buildProject,
      pipelineName: props.service,
      artifactBucketName: pipelineArtifactBucketName(this.account, this.region, props.service),
      environments: props.environments.map((name) => {
        const target = targets.get(name);
        if (!target) return { name };
        const account = target.account ?? this.account;
        const names = ecsDeliveryNames(props.service, name);
        const serviceArn = this.formatArn({ service: 'ecs', account, resource: 'service', resourceName: `${names.clusterName}/${names.serviceName}` });
        return {
          name,
          ecsDeployments: [{
            service: ecs.FargateService.fromServiceArnWithCluster(this, `${name}Service`, serviceArn),
            containerName: ECS_CONTAINER_NAME,
            deployRole: iam.Role.fromRoleArn(this, `${name}DeployRole`, EcsDeployRole.roleArn(this, account, names.deployRoleName), { mutable: false }),
          }],
        };
      }),
    });
  }
}
