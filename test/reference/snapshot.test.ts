import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FLAG_CONTEXTS, referencePlatform } from './platform';
import { withBuiltinValidation } from '../support/validation';

withBuiltinValidation();

// The infrastructure review: every stack of the reference app, whole, as a snapshot (update with `npx projen test:update`),
// under aws-cdk-lib's default flags and under the recommended ones the reference app (and every `cdk init` app) has.
describe.each(FLAG_CONTEXTS)('reference stacks, %s', (_flags, context) => {
  const { platform } = referencePlatform({}, new App({ context }));
  const stacks = [
    platform.registry, ...platform.replicaStacks, platform.delivery, ...platform.ecsStacks, ...platform.eksStacks, ...platform.lambdaStacks,
  ];

  test('the default app has the registry, its copy in a second region, the storefront pipeline, and one environment\'s ECS, EKS and Lambda stacks', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(['Registry', 'Registry-eu-central-1', 'Delivery', 'Ecs-dev', 'Eks-dev', 'Lambda-dev']);
  });

  test.each(stacks.map((s) => [s.node.id, s] as const))('%s', (_id, stack) => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
