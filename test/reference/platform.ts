/** The reference platform as the tests build it: the app's defaults, or accounts when given. */
import * as fs from 'fs';
import * as path from 'path';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App } from 'aws-cdk-lib';
import { ReferencePlatform, ReferencePlatformProps } from '../../src';

export const kubectlLayer = { createLayer: (scope: import('constructs').Construct) => new KubectlV33Layer(scope, 'KubectlLayer') };

export function referencePlatform(props: Partial<ReferencePlatformProps> = {}, app = new App()) {
  const platform = new ReferencePlatform(app, { registryEnv: { region: 'eu-west-1' }, replicaRegions: ['eu-central-1'], kubectlLayer, ...props });
  return { app, platform };
}

/** The README's deployment: the registry in 111111111111, dev in 222222222222 and prod in 333333333333, all in eu-west-1. */
export const CROSS_ACCOUNT = {
  registryEnv: { account: '111111111111', region: 'eu-west-1' },
  workloads: [
    { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
    { name: 'prod', env: { account: '333333333333', region: 'eu-west-1' } },
  ],
};

/** The same accounts with prod in a second region, us-east-1. */
export const TWO_REGIONS = {
  ...CROSS_ACCOUNT,
  workloads: [CROSS_ACCOUNT.workloads[0], { name: 'prod', env: { account: '333333333333', region: 'us-east-1' } }],
};

/** Builds on the first call and returns the same thing after: for platforms a test file's tests only read. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** The context of the reference app's cdk.json, which the cdk CLI gives every app it runs in this directory. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/**
 * The feature flags the reference platform is tested under: aws-cdk-lib's defaults (an app without flags), and the
 * flags of the reference app's cdk.json, which are every flag `cdk init` recommends, as users' apps have them.
 */
export const FLAG_CONTEXTS: [string, Record<string, unknown>][] = [
  ['default flags', {}],
  ['recommended flags', Object.fromEntries(Object.entries(CDK_JSON_CONTEXT).filter(([key]) => key.startsWith('@aws-cdk/')))],
];
