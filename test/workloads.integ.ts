// Integration snapshot of the ECS and EKS workload stacks of one environment (see registry.integ.ts for the tasks).
import { App } from 'aws-cdk-lib';
import { EcsServiceStack, EksWorkloadStack } from '../src';
import { kubectlLayer } from './reference/platform';

export const app = new App();
const env = { region: 'eu-west-1' };
new EcsServiceStack(app, 'Ecs-dev', { env, repositoryName: 'platform/storefront' });
new EksWorkloadStack(app, 'Eks-dev', { env, repositoryName: 'platform/catalog', kubectlLayer });
