// The reference app that `npx cdk synth` runs (cdk.json). It synthesizes with no AWS account, Docker or network.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ImageRepository, LifecyclePresets } from '../src';

const app = new App();
const stack = new Stack(app, 'CdkEcrPlatformRegistry', {
  description: 'cdk-ecr-platform reference: image repository with the recommended lifecycle policy',
});

new ImageRepository(stack, 'Service', {
  repositoryName: 'platform/sample-service',
  lifecyclePolicy: LifecyclePresets.recommended({
    protectedTags: ['prod*'],
    shortLivedTagPatterns: ['dev-*', 'pr-*'],
    archiveAfterIdle: Duration.days(180),
    expireArchivedAfter: Duration.days(365),
  }),
});
