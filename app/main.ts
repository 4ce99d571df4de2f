// The reference app that `npx cdk synth` runs (cdk.json). It synthesizes with no AWS account, Docker or network.
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { LifecyclePresets } from '../src';

const app = new App();
const stack = new Stack(app, 'CdkEcrPlatformRegistry', {
  description: 'cdk-ecr-platform reference: image repository with the recommended lifecycle policy',
});

const policy = LifecyclePresets.recommended({
  protectedTags: ['prod*'],
  shortLivedTagPatterns: ['dev-*', 'pr-*'],
  archiveAfterIdle: Duration.days(180),
  expireArchivedAfter: Duration.days(365),
});
const problems = policy.validate();
if (problems.length > 0) throw new Error(`lifecycle policy of ${stack.stackName}:\n  ${problems.join('\n  ')}`);

const repository = new ecr.Repository(stack, 'Service', {
  repositoryName: 'platform/sample-service',
  imageTagMutability: ecr.TagMutability.IMMUTABLE,
  imageScanOnPush: true,
  removalPolicy: RemovalPolicy.RETAIN,
});
(repository.node.defaultChild as ecr.CfnRepository).lifecyclePolicy = { lifecyclePolicyText: policy.toJson() };
