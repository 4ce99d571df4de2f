// Integration snapshot of the registry stack: `npx projen integ:registry:snapshot` records it under
// test/registry.integ.snapshot, and test/reference/snapshot.test.ts fails when the synthesized stacks drift from it.
import { App } from 'aws-cdk-lib';
import { referencePlatform } from './reference/platform';

export const app = new App();
referencePlatform({ workloads: [] }, app);
