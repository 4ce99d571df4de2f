import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as signer from 'aws-cdk-lib/aws-signer';
import {
  OrganizationRegistryBaseline, PullThroughCacheRule, PullTimeUpdateExclusion, RegistryBaseline, RegistryGrantee, RegistryPolicy,
  RegistryReplication, RegistryScanning, RegistryScanType, RegistrySigning, RepositoryCreationTemplate, RepositoryCreationTrigger,
  UpstreamRegistry,
} from '../../src';
import { guardFindings, nagFindings } from '../support/compliance';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const stackOf = () => new Stack(new App(), 'Stack', { env: ENV });
/** A stack whose caches' repositories are covered by a creation template (synth refuses a cache without one). */
const cacheStackOf = () => {
  const stack = stackOf();
  new RepositoryCreationTemplate(stack, 'CacheTemplates', { prefix: 'ROOT', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
  return stack;
};
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const credential = (s: Stack, name: string) => new secretsmanager.Secret(s, `Credential-${name}`, { secretName: `ecr-pullthroughcache/${name}` });

describe('RegistryScanning', () => {
  test('defaults: basic scanning on push of every repository, kept when the stack goes', () => {
    const stack = stackOf();
    new RegistryScanning(stack, 'Scanning');
    const resources = Template.fromStack(stack).findResources('AWS::ECR::RegistryScanningConfiguration');
    expect(Object.values(resources)).toEqual([{
      Type: 'AWS::ECR::RegistryScanningConfiguration',
      Properties: { ScanType: 'BASIC', Rules: [{ ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] }] },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    }]);
  });

  test('enhanced: scan on push everywhere, continuous rescans of the release repositories', () => {
    const stack = stackOf();
    const scanning = new RegistryScanning(stack, 'Scanning', { scanType: RegistryScanType.ENHANCED, continuousScanRepositories: ['platform/*'] });
    expect(scanning.scanType).toBe('ENHANCED');
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [
        { ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] },
        { ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: 'platform/*', FilterType: 'WILDCARD' }] },
      ],
    });
  });

  test('one per registry: two account-agnostic stacks may share a registry, a StackSet template is another registry', () => {
    const app = new App();
    new RegistryScanning(new Stack(app, 'A'), 'Scanning');
    new RegistryScanning(new Stack(app, 'B'), 'Scanning');
    expect(synthesisProblems(app)).toBe("[B/Scanning] the registry these stacks deploy to (account-agnostic stacks may share one) has one scanning configuration, and 'A/Scanning' already declares it. "
      + 'Declare it once and add to it, or deploy the two to different accounts or regions.');

    const other = new App();
    new RegistryScanning(new Stack(other, 'A'), 'Scanning');
    new OrganizationRegistryBaseline(new Stack(other, 'Org', { env: ENV }), 'Org', { organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'] });
    new RegistryScanning(new Stack(other, 'Ireland', { env: ENV }), 'Scanning');
    new RegistryScanning(new Stack(other, 'Virginia', { env: { ...ENV, region: 'us-east-1' } }), 'Scanning');
    expect(synthesisProblems(other)).toBe('');
  });
});

test('RegistryScanning.frequencyOf: a filter without * matches the names that contain it; continuous filters win', () => {
  const scanning = new RegistryScanning(stackOf(), 'Scanning', {
    scanType: RegistryScanType.ENHANCED, scanOnPushRepositories: ['team', 'tools/*-cli'], continuousScanRepositories: ['platform/*'],
  });
  expect(['platform/app', 'my-team/app', 'tools/aws-cli', 'tools/cli', 'other/app'].map((name) => scanning.frequencyOf(name)))
    .toEqual(['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'SCAN_ON_PUSH', 'NONE', 'NONE']);
  expect(RegistryScanning.of(scanning, '111111111111', 'eu-west-1')).toBe(scanning);
  expect(RegistryScanning.of(scanning, '222222222222', 'eu-west-1')).toBeUndefined();
});

describe('RegistryReplication', () => {
  test('renders each rule; a destination without account is this registry\'s account', () => {
    const stack = stackOf();
    const replication = new RegistryReplication(stack, 'Replication', { rules: [{ destinations: [{ region: 'us-east-1' }], repositoryPrefixes: ['platform/'] }] });
    replication.addRule({ destinations: [{ region: 'eu-central-1', account: '222222222222' }, { region: 'us-east-1' }] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          { Destinations: [{ Region: 'us-east-1', RegistryId: '111111111111' }], RepositoryFilters: [{ Filter: 'platform/', FilterType: 'PREFIX_MATCH' }] },
          { Destinations: [{ Region: 'eu-central-1', RegistryId: '222222222222' }, { Region: 'us-east-1', RegistryId: '111111111111' }] },
        ],
      },
    });
    expect(replication.destinations).toEqual([{ region: 'us-east-1', account: '111111111111' }, { region: 'eu-central-1', account: '222222222222' }]);
    expect(replication.replicaRegions).toEqual(['us-east-1']);
  });
});

describe('RegistryPolicy', () => {
  test('grantReplicationFrom is the statement of the ECR User Guide\'s cross-account replication example', () => {
    const stack = stackOf();
    const policy = new RegistryPolicy(stack, 'Policy');
    policy.grantReplicationFrom(['222222222222']);
    policy.grantReplicationFrom(['333333333333'], { repositoryPrefixes: ['prod-'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryPolicy', {
      PolicyText: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: arn(':iam::222222222222:root') }, Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: arn(':ecr:eu-west-1:111111111111:repository/*') },
          { Effect: 'Allow', Principal: { AWS: arn(':iam::333333333333:root') }, Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: arn(':ecr:eu-west-1:111111111111:repository/prod-*') },
        ],
      },
    });
  });

  // ECR treats a prefix as ending in '/' ("There is always an assumed / applied to the end of the prefix"), and the
  // ROOT prefix of an ECR upstream caches into every repository name.
  test.each([
    ['a prefix given with its slash', () => ({ upstream: UpstreamRegistry.ecrPublic(), ecrRepositoryPrefix: 'public/' }), 'repository/public/*'],
    ['ROOT', () => ({ upstream: UpstreamRegistry.privateEcr({ account: '222222222222', region: 'eu-west-1' }), ecrRepositoryPrefix: 'ROOT' }), 'repository/*'],
  ])('the registry policy names the repositories of a cache with %s as the cache\'s own grants do', (_name, props, resource) => {
    const stack = cacheStackOf();
    const cache = new PullThroughCacheRule(stack, 'Cache', props());
    new RegistryPolicy(stack, 'Policy').grantPullThroughCache(cache, RegistryGrantee.accounts(['222222222222']));
    const statement = Template.fromStack(stack).toJSON().Resources;
    const policy = Object.values(statement as Record<string, any>).find((r) => r.Type === 'AWS::ECR::RegistryPolicy')!.Properties.PolicyText.Statement[0];
    expect(policy.Resource).toEqual(arn(`:ecr:eu-west-1:111111111111:${resource}`));
  });

  test('cache and pull grants admit named roles of accounts, or organizational units', () => {
    const stack = cacheStackOf();
    const cache = new PullThroughCacheRule(stack, 'Cache', { upstream: UpstreamRegistry.ecrPublic() });
    const policy = new RegistryPolicy(stack, 'Policy');
    policy.grantPullThroughCache(cache, RegistryGrantee.accounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/builds/*'] }));
    policy.grantPull(RegistryGrantee.organization('o-a1b2c3d4e5', { organizationPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] }), 'shared/');
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryPolicy', {
      PolicyText: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: arn(':iam::222222222222:root') },
            Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/builds/*'] } },
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
            Resource: arn(':ecr:eu-west-1:111111111111:repository/ecr-public/*'),
          },
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Condition: {
              'StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
              'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] },
            },
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: arn(':ecr:eu-west-1:111111111111:repository/shared/*'),
          },
        ],
      },
    });
  });
});

describe('PullThroughCacheRule', () => {
  // The registry types and URLs of the ECR API reference (CreatePullThroughCacheRule, upstreamRegistryUrl).
  test.each<[string, (s: Stack) => UpstreamRegistry, string, string, string]>([
    ['ECR Public', () => UpstreamRegistry.ecrPublic(), 'ecr-public', 'public.ecr.aws', 'ecr-public'],
    ['Kubernetes', () => UpstreamRegistry.kubernetes(), 'k8s', 'registry.k8s.io', 'k8s'],
    ['Quay', () => UpstreamRegistry.quay(), 'quay', 'quay.io', 'quay'],
    ['Docker Hub', (s) => UpstreamRegistry.dockerHub(credential(s, 'docker-hub')), 'docker-hub', 'registry-1.docker.io', 'docker-hub'],
    ['GitHub', (s) => UpstreamRegistry.githubContainerRegistry(credential(s, 'ghcr')), 'github-container-registry', 'ghcr.io', 'ghcr'],
    ['GitLab', (s) => UpstreamRegistry.gitlabContainerRegistry(credential(s, 'gitlab')), 'gitlab-container-registry', 'registry.gitlab.com', 'gitlab'],
    ['Azure', (s) => UpstreamRegistry.azureContainerRegistry('MyRegistry', credential(s, 'azure')), 'azure-container-registry', 'myregistry.azurecr.io', 'azure'],
    ['ECR', () => UpstreamRegistry.privateEcr({ account: '222222222222', region: 'us-east-1' }), 'ecr', '222222222222.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
  ])('%s', (_name, upstream, type, url, prefix) => {
    const stack = cacheStackOf();
    const given = upstream(stack);
    const rule = new PullThroughCacheRule(stack, 'Cache', { upstream: given });
    expect(rule.ecrRepositoryPrefix).toBe(prefix);
    expect(stack.resolve(rule.registryUri)).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: prefix,
      UpstreamRegistry: type,
      UpstreamRegistryUrl: url,
      CredentialArn: given.credential ? { Ref: stack.getLogicalId(given.credential.node.defaultChild as secretsmanager.CfnSecret) } : Match.absent(),
    });
    expect(synthesisProblems(stack)).toBe('');
  });

  test('an ECR upstream is read with a role of this account that ECR\'s pull-through cache assumes', () => {
    const stack = cacheStackOf();
    const rule = new PullThroughCacheRule(stack, 'Cache', {
      upstream: UpstreamRegistry.privateEcr({ account: '222222222222', region: 'us-east-1', upstreamRepositoryPrefix: 'shared' }), ecrRepositoryPrefix: 'central',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      UpstreamRepositoryPrefix: 'shared', CustomRoleArn: { 'Fn::GetAtt': [stack.getLogicalId(rule.upstreamRole!.node.defaultChild as iam.CfnRole), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'pullthroughcache.ecr.amazonaws.com' } }] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow', Resource: arn(':ecr:us-east-1:222222222222:repository/shared/*') },
          {
            Action: ['ecr:BatchImportUpstreamImage', 'ecr:CompleteLayerUpload', 'ecr:GetImageCopyStatus', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
            Effect: 'Allow',
            Resource: arn(':ecr:eu-west-1:111111111111:repository/central/*'),
          },
          { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  test('grantPullThrough: pull, import and create in the cache\'s namespace, plus login', () => {
    const stack = cacheStackOf();
    const rule = new PullThroughCacheRule(stack, 'Cache', { upstream: UpstreamRegistry.dockerHub(credential(stack, 'docker-hub')) });
    rule.grantPullThrough(new iam.Role(stack, 'Build', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository', 'ecr:GetDownloadUrlForLayer'],
            Effect: 'Allow',
            Resource: arn(':ecr:eu-west-1:111111111111:repository/docker-hub/*'),
          },
          { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });
});

describe('RepositoryCreationTemplate', () => {
  test('defaults are ImageRepository\'s: immutable, AES256, untagged images expire after 30 days, no role', () => {
    const stack = stackOf();
    new RepositoryCreationTemplate(stack, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'platform',
      AppliedFor: ['REPLICATION'],
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      LifecyclePolicy: JSON.stringify({
        rules: [{
          rulePriority: 1,
          description: 'Expire untagged images pushed more than 30 days ago',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
          action: { type: 'expire' },
        }],
      }),
      RepositoryPolicy: Match.absent(),
      CustomRoleArn: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  test('a customer managed key and tags: ECR\'s role creates, tags and uses the key through grants; pulls granted in the repository policy', () => {
    const stack = stackOf();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const template = new RepositoryCreationTemplate(stack, 'Template', {
      prefix: 'platform/',
      appliedFor: [RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.CREATE_ON_PUSH],
      encryptionKey: key,
      mutableTagPatterns: ['dev'],
      resourceTags: { team: 'platform' },
    });
    template.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::222222222222:role/platform/*'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev' }],
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
      ResourceTags: [{ Key: 'team', Value: 'platform' }],
      CustomRoleArn: { 'Fn::GetAtt': [stack.getLogicalId(template.role!.node.defaultChild as iam.CfnRole), 'Arn'] },
      RepositoryPolicy: {
        'Fn::Join': ['', [
          '{"Statement":[{"Action":["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],'
          + '"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::222222222222:role/platform/*"]}},"Effect":"Allow","Principal":{"AWS":"arn:',
          { Ref: 'AWS::Partition' },
          ':iam::222222222222:root"}}],"Version":"2012-10-17"}',
        ]],
      },
    });
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecr.amazonaws.com' } }] } });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Action: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'], Effect: 'Allow', Resource: arn(':ecr:eu-west-1:111111111111:repository/platform*') },
          { Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
        ],
      },
    });
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('RegistrySigning and PullTimeUpdateExclusion', () => {
  test('signing rules with a Notation profile; pushers may sign, verifiers check revocation', () => {
    const stack = stackOf();
    const profile = new signer.SigningProfile(stack, 'Profile', { platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA });
    const signing = new RegistrySigning(stack, 'Signing', { rules: [{ signingProfile: profile, repositoryFilters: ['platform/*'] }] });
    signing.addRule({ signingProfile: profile });
    const pusher = new iam.Role(stack, 'Pusher', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    signing.grantSign(pusher);
    signing.grantVerify(pusher);
    const t = Template.fromStack(stack);
    const profileArn = { 'Fn::GetAtt': [stack.getLogicalId(profile.node.defaultChild as signer.CfnSigningProfile), 'Arn'] };
    t.hasResourceProperties('AWS::Signer::SigningProfile', { PlatformId: 'Notation-OCI-SHA384-ECDSA' });
    t.hasResourceProperties('AWS::ECR::SigningConfiguration', {
      Rules: [
        { SigningProfileArn: profileArn, RepositoryFilters: [{ Filter: 'platform/*', FilterType: 'WILDCARD_MATCH' }] },
        { SigningProfileArn: profileArn },
      ],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'signer:SignPayload', Effect: 'Allow', Resource: profileArn },
          { Action: 'signer:GetRevocationStatus', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  test('a pull-time update exclusion names the role', () => {
    const stack = stackOf();
    new PullTimeUpdateExclusion(stack, 'Scanner', { principalArn: 'arn:aws:iam::111111111111:role/security/scanner' });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullTimeUpdateExclusion', { PrincipalArn: 'arn:aws:iam::111111111111:role/security/scanner' });
  });
});

describe('RegistryBaseline', () => {
  test('each cache gets a creation template of its prefix; cached tags follow upstream, so they are mutable', () => {
    const stack = stackOf();
    const baseline = new RegistryBaseline(stack, 'Baseline', {
      pullThroughCaches: [{ upstream: UpstreamRegistry.ecrPublic() }, { upstream: UpstreamRegistry.dockerHub(credential(stack, 'docker-hub')) }],
      creationTemplates: [{ prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION] }],
      pullTimeUpdateExclusions: ['arn:aws:iam::111111111111:role/scanner'],
    });
    expect(baseline.creationTemplates.map((t) => t.prefix)).toEqual(['ecr-public', 'docker-hub', 'platform']);
    const t = Template.fromStack(stack);
    for (const prefix of ['ecr-public', 'docker-hub']) {
      t.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: prefix, AppliedFor: ['PULL_THROUGH_CACHE'], ImageTagMutability: 'MUTABLE' });
    }
    t.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'platform', ImageTagMutability: 'IMMUTABLE' });
    t.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    t.resourceCountIs('AWS::ECR::PullTimeUpdateExclusion', 1);

    const other = stackOf();
    const withPolicy = new RegistryBaseline(other, 'Baseline');
    withPolicy.registryPolicy.grantReplicationFrom(['222222222222']);
    expect(withPolicy.registryPolicy).toBe(withPolicy.registryPolicy);
    Template.fromStack(other).resourceCountIs('AWS::ECR::RegistryPolicy', 1);
  });
});

describe('OrganizationRegistryBaseline', () => {
  test('a service-managed StackSet with automatic deployment, whose template is the baseline', () => {
    const app = new App();
    const stack = new Stack(app, 'Org', { env: { account: '999999999999', region: 'us-east-1' } });
    const org = new OrganizationRegistryBaseline(stack, 'Registry', {
      organizationalUnitIds: ['ou-ab12-11111111'],
      regions: ['eu-west-1', 'us-east-1'],
      scanning: { scanType: RegistryScanType.ENHANCED },
      pullThroughCaches: [{ upstream: UpstreamRegistry.ecrPublic() }, { upstream: UpstreamRegistry.privateEcr({ account: '222222222222', region: 'eu-west-1' }) }],
    });
    const assembly = app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'cdk-ecr-platform-registry-baseline',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      Capabilities: ['CAPABILITY_IAM'],
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureToleranceCount: 0 },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111'] }, Regions: ['eu-west-1', 'us-east-1'] }],
      TemplateURL: { 'Fn::Sub': Match.stringLikeRegexp('^https://s3\\.us-east-1\\.\\$\\{AWS::URLSuffix\\}/cdk-hnb659fds-assets-999999999999-us-east-1/[0-9a-f]{64}\\.json$') },
    });
    // The template the StackSet deploys: the baseline, for whichever account and region it lands in.
    const file = fs.readdirSync(assembly.directory).find((f) => f.endsWith('.product.template.json'))!;
    const body = JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf8'));
    expect(Object.values(body.Resources).map((r) => (r as { Type: string }).Type).sort()).toEqual([
      'AWS::ECR::PullThroughCacheRule', 'AWS::ECR::PullThroughCacheRule', 'AWS::ECR::RegistryScanningConfiguration',
      'AWS::ECR::RepositoryCreationTemplate', 'AWS::ECR::RepositoryCreationTemplate', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role',
    ]);
    expect(JSON.stringify(body)).toContain('{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ecr:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":repository/ecr/*"]]}');
    expect(org.template.templateFile).toBe(file);
  });
});

test('every registry construct together passes the four cdk-nag packs and the Control Tower controls', () => {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const baseline = new RegistryBaseline(stack, 'Baseline', {
    scanning: { scanType: RegistryScanType.ENHANCED, continuousScanRepositories: ['platform/*'] },
    pullThroughCaches: [
      { upstream: UpstreamRegistry.dockerHub(credential(stack, 'docker-hub')) },
      { upstream: UpstreamRegistry.privateEcr({ account: '222222222222', region: 'eu-west-1' }) },
    ],
    creationTemplates: [{ prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], encryptionKey: key, resourceTags: { team: 'platform' } }],
    replication: { rules: [{ destinations: [{ region: 'us-east-1' }] }] },
    signing: { rules: [{ signingProfile: new signer.SigningProfile(stack, 'Profile', { platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA }) }] },
  });
  baseline.registryPolicy.grantReplicationFrom(['333333333333']);
  baseline.pullThroughCaches[0].grantPullThrough(new iam.Role(stack, 'Build', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }));
  // The secrets are the user's: rotation of a Docker Hub token is the user's choice, not this library's.
  for (const secret of stack.node.findAll().filter((c) => c instanceof secretsmanager.Secret)) {
    expect(nagFindings(secret)).toEqual(expect.arrayContaining([expect.stringMatching(/SecretsManager/)]));
  }
  const ownFindings = nagFindings(app).filter((f) => !f.includes('/Credential-'));
  expect(ownFindings).toEqual([]);
  expect(guardFindings(app).filter((f) => !f.startsWith('kms_create_grant_aws_service_check @ Key'))).toEqual([]);
});
