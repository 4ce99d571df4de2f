import { Stack, StackProps } from 'aws-cdk-lib';
import * as codeconnections from 'aws-cdk-lib/aws-codeconnections';
import { Construct } from 'constructs';
import { ImageBuildProject } from '../image-build/project';
import { ImagePromotionPipeline } from '../pipeline/promotion-pipeline';

/** The stacks of one environment that run a delivered service's image. */
export interface EnvironmentStacks {
  /** The environment. */
  readonly environment: string;
  /** Stacks with the image parameter `ImageDigest` (`ReferencePlatform`'s workload stacks), in any account and region. */
  readonly stacks: Stack[];
}

/** A service the delivery stack takes from commit to production. */
export interface DeliveredService {
  /** The service: its GitHub repository and its pipeline are named after it. */
  readonly name: string;
  /** The service's image build, without a source of its own. */
  readonly buildProject: ImageBuildProject;
  /** The stacks that run the service, per environment. */
  readonly releases: EnvironmentStacks[];
}

/** Properties of the delivery stack. */
export interface DeliveryStackProps extends StackProps {
  /** The services delivered, each by a pipeline of its own. */
  readonly services: DeliveredService[];
  /** The GitHub owner of the services' repositories. */
  readonly githubOwner: string;
  /**
   * The CodeConnections connection to GitHub.
   * @default - a new connection, `platform-github`, PENDING until someone with access to the GitHub organization
   * approves it in the console (Developer Tools > Settings > Connections); the pipelines' sources fail until then
   */
  readonly connectionArn?: string;
  /** Environment names in promotion order. */
  readonly environments: string[];
}

/**
 * The services' promotion pipelines in the registry's account: each commit of a service's `main` is built once,
 * gated on its scan and released by digest to the first environment's stacks, then promoted (after an approval each)
 * to the next environments' tags and released to their stacks, in whatever account and region they run. A release
 * sets the stacks' `ImageDigest` parameter, which is what the workloads run: moving tags decide nothing.
 */
export class DeliveryStack extends Stack {
  /** The pipelines, by service. */
  public readonly pipelines: { [service: string]: ImagePromotionPipeline } = {};

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const connectionArn = props.connectionArn ?? new codeconnections.CfnConnection(this, 'Connection', {
      connectionName: 'platform-github',
      providerType: 'GitHub',
    }).attrConnectionArn;
    for (const service of props.services) {
      const stacks = new Map(service.releases.map((r) => [r.environment, r.stacks]));
      this.pipelines[service.name] = new ImagePromotionPipeline(this, `${service.name}Promotion`, {
        connectionArn,
        sourceOwner: props.githubOwner,
        sourceRepository: service.name,
        buildProject: service.buildProject,
        pipelineName: service.name,
        environments: props.environments.map((name) => ({
          name,
          stackReleases: (stacks.get(name) ?? []).map((stack) => ({ stack })),
        })),
      });
    }
  }
}
