/** The reference platform as the tests build it: the app's defaults, or accounts when given. */
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App } from 'aws-cdk-lib';
import { ReferencePlatform, ReferencePlatformProps } from '../../src';

export const kubectlLayer = { createLayer: (scope: import('constructs').Construct) => new KubectlV33Layer(scope, 'KubectlLayer') };

export function referencePlatform(props: Partial<ReferencePlatformProps> = {}, app = new App()) {
  const platform = new ReferencePlatform(app, { registryEnv: { region: 'eu-west-1' }, replicaRegions: ['eu-central-1'], kubectlLayer, ...props });
  return { app, platform };
}
