import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  ImageRepository, LifecyclePresets, PullThroughCacheRule, RegistryReplication, RepositoryCreationTemplate, RepositoryCreationTrigger,
  UpstreamRegistry,
} from '../../src';
import { synthesisProblems } from '../support/problems';

// What ECR gives the repositories it creates (ECR API reference, CreateRepositoryCreationTemplate `prefix`; User Guide,
// repository creation templates and private image replication), checked across the whole app at synth.
const PRIMARY = { account: '111111111111', region: 'eu-west-1' };
const REPLICA = { account: '111111111111', region: 'eu-central-1' };
const settings = { mutableTagPatterns: ['dev', 'prod'], lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: ['dev', 'prod'] }) };

function app(env: { primary?: typeof PRIMARY; replica?: typeof REPLICA } = {}) {
  const root = new App();
  const primary = new Stack(root, 'Registry', { env: 'primary' in env ? env.primary : PRIMARY });
  const replica = new Stack(root, 'Replica', { env: 'replica' in env ? env.replica : REPLICA });
  const original = new ImageRepository(primary, 'Storefront', { repositoryName: 'platform/storefront', ...settings });
  original.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
  new RegistryReplication(primary, 'Replication', { rules: [{ destinations: [{ region: replica.region }], repositoryPrefixes: ['platform/'] }] });
  return { root, primary, replica };
}

const template = (s: Stack, id: string, prefix: string, more: object = {}) =>
  new RepositoryCreationTemplate(s, id, { prefix, appliedFor: [RepositoryCreationTrigger.REPLICATION], ...settings, ...more });
const COPY = "[Registry/Replication] replication copies 'platform/storefront' (Registry/Storefront) to account 111111111111 in eu-central-1";

describe('replicated copies get the settings of their original', () => {
  test('Noncompliance 1: the template of the repository\'s own name covers only the names under it, so the copy gets ECR\'s defaults', () => {
    const { root, replica } = app();
    template(replica, 'Template', 'platform/storefront').grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    expect(synthesisProblems(root)).toBe(`${COPY}, where no REPLICATION creation template covers it (the template Replica/Template of prefix `
      + "'platform/storefront' covers 'platform/storefront/...', not 'platform/storefront' itself: ECR adds '/' to a prefix), so ECR creates it with "
      + 'its defaults (MUTABLE, AES256, no lifecycle or repository policy): tag mutability MUTABLE instead of IMMUTABLE_WITH_EXCLUSION (dev, prod), '
      + "no lifecycle policy, no repository policy. Declare a REPLICATION template there whose prefix covers it, such as 'platform' (ECR adds '/' "
      + "to a prefix), or declare the copy as an ImageRepository named 'platform/storefront' in account 111111111111 in eu-central-1 with the original's settings.");
  });

  test('Noncompliance 2: no template at all in the destination', () => {
    const { root } = app();
    expect(synthesisProblems(root)).toBe(`${COPY}, where no REPLICATION creation template covers it, so ECR creates it with its defaults `
      + '(MUTABLE, AES256, no lifecycle or repository policy): tag mutability MUTABLE instead of IMMUTABLE_WITH_EXCLUSION (dev, prod), '
      + "no lifecycle policy, no repository policy. Declare a REPLICATION template there whose prefix covers it, such as 'platform' (ECR adds '/' "
      + "to a prefix), or declare the copy as an ImageRepository named 'platform/storefront' in account 111111111111 in eu-central-1 with the original's settings.");
  });

  test('Noncompliance 3: a covering template that is weaker (mutable, AES256 where the original is KMS, no repository policy)', () => {
    const { root, primary, replica } = app();
    new ImageRepository(primary, 'Catalog', { repositoryName: 'platform/catalog', encryption: ecr.RepositoryEncryption.KMS });
    template(replica, 'Template', 'platform', { mutableTagPatterns: undefined, tagMutability: ecr.TagMutability.MUTABLE });
    expect(synthesisProblems(root)).toBe([
      `${COPY}, created there from the REPLICATION creation template Replica/Template (prefix 'platform'): tag mutability MUTABLE instead of `
      + "IMMUTABLE_WITH_EXCLUSION (dev, prod), no repository policy. Give the template the original's settings, or declare the copy as an "
      + "ImageRepository named 'platform/storefront' in account 111111111111 in eu-central-1 with the original's settings.",
      "[Registry/Replication] replication copies 'platform/catalog' (Registry/Catalog) to account 111111111111 in eu-central-1, created there from "
      + "the REPLICATION creation template Replica/Template (prefix 'platform'): tag mutability MUTABLE instead of IMMUTABLE, another lifecycle policy, "
      + "encryption AES256 instead of KMS. Give the template the original's settings, or declare the copy as an ImageRepository named "
      + "'platform/catalog' in account 111111111111 in eu-central-1 with the original's settings.",
    ].join('\n'));
  });

  test('Noncompliance 4: which of two matching templates ECR takes is not documented, so each must do', () => {
    const { root, replica } = app();
    template(replica, 'Platform', 'platform').grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    template(replica, 'Root', 'ROOT');
    template(replica, 'Any', 'platform/', { prefix: 'platform/', appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH] });
    expect(synthesisProblems(root)).toBe('');
    const second = app();
    template(second.replica, 'Platform', 'platform').grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    new RepositoryCreationTemplate(second.replica, 'Nested', { prefix: 'platform/storefront', appliedFor: [RepositoryCreationTrigger.REPLICATION] });
    new ImageRepository(second.primary, 'Deep', { repositoryName: 'platform/storefront/assets', ...settings })
      .grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    expect(synthesisProblems(second.root)).toBe("[Registry/Replication] replication copies 'platform/storefront/assets' (Registry/Deep) to account "
      + "111111111111 in eu-central-1, created there from the REPLICATION creation template Replica/Nested (prefix 'platform/storefront'): tag mutability "
      + "IMMUTABLE instead of IMMUTABLE_WITH_EXCLUSION (dev, prod), another lifecycle policy, no repository policy. Give the template the original's "
      + "settings, or declare the copy as an ImageRepository named 'platform/storefront/assets' in account 111111111111 in eu-central-1 with the original's settings.");
  });

  test('Noncompliance 5: a repository of the same name declared in the destination keeps its own, weaker settings', () => {
    const { root, replica } = app();
    template(replica, 'Template', 'platform').grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    new ecr.Repository(replica, 'Copy', { repositoryName: 'platform/storefront' });
    expect(synthesisProblems(root)).toBe(`${COPY}, into the repository Replica/Copy declared there, which keeps its own settings: tag mutability `
      + 'MUTABLE instead of IMMUTABLE_WITH_EXCLUSION (dev, prod), no lifecycle policy, no repository policy. Give Replica/Copy the settings of Registry/Storefront.');
  });

  test('Compliance 1: the copy declared in the destination with the original\'s settings and grants', () => {
    const { root, replica } = app();
    new ImageRepository(replica, 'Copy', { repositoryName: 'platform/storefront', ...settings })
      .grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/storefront/*'] });
    expect(synthesisProblems(root)).toBe('');
  });

  test('Noncompliance 6: account-agnostic stacks of one app share their account, so the copy there is compared', () => {
    const { root, replica } = app({ primary: { region: 'eu-west-1' } as typeof PRIMARY, replica: { region: 'eu-central-1' } as typeof REPLICA });
    new ImageRepository(replica, 'Copy', { repositoryName: 'platform/storefront', ...settings });
    expect(synthesisProblems(root)).toBe("[Registry/Replication] replication copies 'platform/storefront' (Registry/Storefront) to this app's account "
      + 'in eu-central-1, into the repository Replica/Copy declared there, which keeps its own settings: no repository policy. '
      + 'Give Replica/Copy the settings of Registry/Storefront.');
  });

  test('Compliance 2: repositories the rules do not copy, and names and prefixes synth cannot know, are not checked', () => {
    const { root, primary } = app();
    root.node.findChild('Registry').node.tryRemoveChild('Storefront');
    new ImageRepository(primary, 'Tools', { repositoryName: 'tools/lint' });
    new ImageRepository(primary, 'Named', { repositoryName: new CfnParameter(primary, 'Name').valueAsString });
    new ImageRepository(primary, 'Generated');
    expect(synthesisProblems(root)).toBe('');
  });
});

describe('a pull-through cache needs a PULL_THROUGH_CACHE template covering its repositories', () => {
  test('Noncompliance 1: a cache without template', () => {
    const stack = new Stack(new App(), 'Stack', { env: PRIMARY });
    new PullThroughCacheRule(stack, 'Cache', { upstream: UpstreamRegistry.quay() });
    new RepositoryCreationTemplate(stack, 'Replicas', { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION] });
    expect(synthesisProblems(stack)).toBe("[Stack/Cache] the pull-through cache 'quay' creates its repositories 'quay/<repository>' with ECR's defaults "
      + '(MUTABLE, AES256, no lifecycle or repository policy): no PULL_THROUGH_CACHE creation template of account 111111111111 in eu-west-1 '
      + "covers them. Add a RepositoryCreationTemplate with prefix 'quay' and appliedFor PULL_THROUGH_CACHE (RegistryBaseline creates one per cache).");
  });

  test.each([
    ['its own prefix', 'quay'],
    ['its prefix with the slash', 'quay/'],
    ['ROOT', 'ROOT'],
  ])('Compliance: a template of %s', (_name, prefix) => {
    const stack = new Stack(new App(), 'Stack', { env: PRIMARY });
    new PullThroughCacheRule(stack, 'Cache', { upstream: UpstreamRegistry.quay(), ecrRepositoryPrefix: 'quay' });
    new RepositoryCreationTemplate(stack, 'Template', { prefix, appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
    expect(synthesisProblems(stack)).toBe('');
  });
});
