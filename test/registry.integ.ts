// Integration snapshot of the registry stack: `npx projen integ:registry:snapshot` records it under
// test/registry.integ.snapshot, and `integ:registry:assert` (part of `npx projen test`) fails when the synthesized stack drifts.
import { App } from 'aws-cdk-lib';
import { referencePlatform } from './reference/platform';

const app = new App();
referencePlatform({ workloads: [] }, app);
