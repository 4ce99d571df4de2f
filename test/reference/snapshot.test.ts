import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CROSS_ACCOUNT, FLAG_CONTEXTS, referencePlatform } from './platform';
import { ReferencePlatform } from '../../src';
import { withBuiltinValidation } from '../support/validation';

withBuiltinValidation();

const stacksOf = (platform: ReferencePlatform) => [
  platform.registry, ...platform.replicaStacks, platform.delivery, ...platform.ecsStacks, ...platform.eksStacks, ...platform.lambdaStacks,
];

// The infrastructure review: every stack of the reference app, whole, as a snapshot (update with `npx projen test:update`),
// under aws-cdk-lib's default flags and under the recommended ones the reference app (and every `cdk init` app) has.
describe.each(FLAG_CONTEXTS)('reference stacks, %s', (_flags, context) => {
  const { platform } = referencePlatform({}, new App({ context }));
  const stacks = stacksOf(platform);

  test('the default app has the registry, its copy in a second region, the storefront pipeline, and one environment\'s ECS, EKS and Lambda stacks', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(['Registry', 'Registry-eu-central-1', 'Delivery', 'Ecs-dev', 'Eks-dev', 'Lambda-dev']);
  });

  test.each(stacks.map((s) => [s.node.id, s] as const))('%s', (_id, stack) => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

// What a reviewer or a CI job without AWS credentials reads of the README's deployment: `npx cdk synth -c
// registryAccount=111111111111 -c workloads='{"dev":"222222222222","prod":"333333333333"}'`, with the app's flags.
describe('reference stacks across three accounts, recommended flags', () => {
  const { app, platform } = referencePlatform(CROSS_ACCOUNT, new App({ context: FLAG_CONTEXTS[1][1] }));
  const stacks = stacksOf(platform);

  test('synthesizes offline: no context is left for the CDK CLI to look up, which would need the accounts\' credentials', () => {
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test.each(stacks.map((s) => [s.node.id, s] as const))('%s', (_id, stack) => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
