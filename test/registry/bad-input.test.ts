import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as signer from 'aws-cdk-lib/aws-signer';
import {
  OrganizationRegistryBaseline, PullThroughCacheRule, PullTimeUpdateExclusion, RegistryGrantee, RegistryPolicy, RegistryReplication,
  RegistryScanning, RegistryScanType, RegistrySigning, RepositoryCreationTemplate, RepositoryCreationTrigger, RepositoryFleet, UpstreamRegistry,
  LifecyclePolicy, ImageBuildProject, ImageRepository, ScanGate,
} from '../../src';
import { synthesisProblems } from '../support/problems';

const githubSource = () => codebuild.Source.gitHub({ owner: 'example-org', repo: 'app' });

const ENV = { account: '111111111111', region: 'eu-west-1' };
const stackOf = () => new Stack(new App(), 'Stack', { env: ENV });
const notation = (s: Stack, id = 'Profile') => new signer.SigningProfile(s, id, { platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA });
/** Covers every cache's repositories with a creation template, so a case shows only its own problem. */
const withCacheTemplate = (s: Stack) => {
  new RepositoryCreationTemplate(s, 'CacheTemplates', { prefix: 'ROOT', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
  return s;
};
const namedSecret = (s: Stack, name: string) => new secretsmanager.Secret(s, 'Credential', { secretName: name });
const PREFIX_RULE = "a prefix is 2 to 30 characters of lower-case repository name components joined by '/' (for example 'docker-hub' or 'team/app'), or ROOT for every repository.";
const SCAN_FILTER_RULE = "a scanning filter is 1 to 255 lower-case letters, digits, '.', '_', '-', '/' and '*' wildcards, starting and ending with a letter, digit or '*', for example 'platform/*'.";

const EVERY_TAG_MUTABLE = 'matches every tag, so any push could move any tag, releases included, as in a MUTABLE repository. '
  + "Name the tags that move (for example 'dev' or 'env-*'), or set tagMutability: ecr.TagMutability.MUTABLE (without patterns) if every tag should move.";
const TAG_CHARACTERS = 'free of control characters and line breaks';

describe('registry constructs report bad props at synth, each naming construct, prop, value and fix', () => {
  test.each<[string, (s: Stack) => void, string]>([
    // Scanning
    ['continuous scanning with basic', (s) => new RegistryScanning(s, 'Scanning', { continuousScanRepositories: ['platform/*'] }),
      "[Stack/Scanning] prop 'continuousScanRepositories': got [\"platform/*\"]; continuous scanning is Amazon Inspector's (ENHANCED); basic scanning only scans on push. Set scanType: RegistryScanType.ENHANCED, or drop the list."],
    ['no scanning filter at all', (s) => new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: [] }),
      "[Stack/Scanning] prop 'scanOnPushRepositories': got []; with no repository filter nothing is scanned automatically. Name the repositories to scan, for example ['*']."],
    ['an upper-case scanning filter', (s) => new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: ['Platform/*'] }),
      `[Stack/Scanning] prop 'scanOnPushRepositories[0]': got "Platform/*"; ${SCAN_FILTER_RULE}`],
    ['a scanning filter ending in a slash', (s) => new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: ['platform/'] }),
      `[Stack/Scanning] prop 'scanOnPushRepositories[0]': got "platform/"; ${SCAN_FILTER_RULE}`],
    ['101 scanning filters', (s) => new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: Array.from({ length: 101 }, (_, i) => `team${i}/*`) }),
      "[Stack/Scanning] prop 'scanOnPushRepositories': got \"101 filters\"; ECR takes at most 100 filters per rule. Combine them with wildcards or prefixes."],
    ['a filter in both scanning lists', (s) => new RegistryScanning(s, 'Scanning', { scanType: RegistryScanType.ENHANCED, continuousScanRepositories: ['*'] }),
      "[Stack/Scanning] prop 'scanOnPushRepositories': got \"*\"; is also in continuousScanRepositories, and continuous scanning includes the scan on push. Keep it in one list."],
    ['a second scanning configuration', (s) => {
      new RegistryScanning(s, 'Scanning');
      new RegistryScanning(new Stack(s.node.root as App, 'Other', { env: ENV }), 'Scanning');
    }, "[Other/Scanning] the registry of account 111111111111 in eu-west-1 has one scanning configuration, and 'Stack/Scanning' already declares it. Declare it once and add to it, or deploy the two to different accounts or regions."],
    // Replication
    ['replication onto itself', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [{ region: 'eu-west-1' }] }] }),
      "[Stack/Replication] prop 'rules[0].destinations[0].region': got \"eu-west-1\"; is this registry's own region and account; an image cannot be replicated onto itself. Name another region or account."],
    ['a replication region that is no region', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [{ region: 'Frankfurt' }] }] }),
      "[Stack/Replication] prop 'rules[0].destinations[0].region': got \"Frankfurt\"; a region is a code such as 'eu-west-1' or 'us-gov-west-1'."],
    ['a replication account of 11 digits', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [{ region: 'us-east-1', account: '22222222222' }] }] }),
      "[Stack/Replication] prop 'rules[0].destinations[0].account': got \"22222222222\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['a replication rule without destinations', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [] }] }),
      "[Stack/Replication] prop 'rules[0].destinations': got []; name at least one destination region."],
    ['a replication destination twice', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [{ region: 'us-east-1' }, { region: 'us-east-1' }] }] }),
      "[Stack/Replication] prop 'rules[0].destinations': got \"this account us-east-1\"; is listed twice. Remove the duplicate."],
    ['a replication prefix with a wildcard', (s) => new RegistryReplication(s, 'Replication', { rules: [{ destinations: [{ region: 'us-east-1' }], repositoryPrefixes: ['platform/*'] }] }),
      "[Stack/Replication] prop 'rules[0].repositoryPrefixes[0]': got \"platform/*\"; a replication filter is the start of repository names: 2 to 256 lower-case letters, digits, '.', '_', '-' and '/', without wildcards, for example 'platform/'."],
    ['no replication rule', (s) => new RegistryReplication(s, 'Replication'),
      "[Stack/Replication] prop 'rules': got []; a replication configuration without rules replicates nothing. Add a rule, or remove the construct."],
    ['11 replication rules', (s) => new RegistryReplication(s, 'Replication', { rules: Array.from({ length: 11 }, (_, i) => ({ destinations: [{ region: 'us-east-1' }], repositoryPrefixes: [`team${i}`] })) }),
      "[Stack/Replication] prop 'rules': got \"11 rules\"; ECR takes at most 10. Merge rules with the same destinations."],
    ['26 replication destinations', (s) => new RegistryReplication(s, 'Replication', {
      rules: [{ destinations: Array.from({ length: 26 }, (_, i) => ({ region: 'us-east-1', account: String(200000000000 + i) })) }],
    }), "[Stack/Replication] prop 'rules': got \"26 distinct destinations\"; ECR takes at most 25 across all rules. Replicate to fewer regions or accounts."],
    // Pull-through cache
    ['a cache prefix with capitals', (s) => new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.ecrPublic(), ecrRepositoryPrefix: 'ECR-Public' }),
      `[Stack/Cache] prop 'ecrRepositoryPrefix': got "ECR-Public"; ${PREFIX_RULE}`],
    ['a cache prefix of 31 characters', (s) => new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.quay(), ecrRepositoryPrefix: 'q'.repeat(31) }),
      `[Stack/Cache] prop 'ecrRepositoryPrefix': got "${'q'.repeat(31)}"; ${PREFIX_RULE}`],
    ['a ROOT cache of Docker Hub', (s) => new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.kubernetes(), ecrRepositoryPrefix: 'ROOT' }),
      "[Stack/Cache] prop 'ecrRepositoryPrefix': got \"ROOT\"; 'ROOT' caches into every repository name, which ECR takes only for an ECR upstream. Give the cache a prefix such as 'docker-hub'."],
    ['a credential without the ECR prefix', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', { upstream: UpstreamRegistry.dockerHub(namedSecret(s, 'docker-hub')) }),
      "[Stack/Cache] prop 'upstream.credential': got \"docker-hub\"; ECR reads only secrets named 'ecr-pullthroughcache/...'. Store the credential as 'ecr-pullthroughcache/docker-hub'."],
    ['a credential with a generated name', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', { upstream: UpstreamRegistry.githubContainerRegistry(new secretsmanager.Secret(s, 'Credential')) }),
      "[Stack/Cache] prop 'upstream.credential': got \"Stack/Credential\"; a generated secret name does not start with 'ecr-pullthroughcache/', which ECR requires. Give the secret a secretName such as 'ecr-pullthroughcache/docker-hub'."],
    ['a credential under a customer managed key', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', {
      upstream: UpstreamRegistry.gitlabContainerRegistry(new secretsmanager.Secret(s, 'Credential', { secretName: 'ecr-pullthroughcache/gitlab', encryptionKey: new kms.Key(s, 'Key') })),
    }), "[Stack/Cache] prop 'upstream.credential': got \"Stack/Credential\"; is encrypted with a customer managed key; ECR reads pull-through cache credentials only under the default aws/secretsmanager key. Drop the encryptionKey of the secret."],
    ['a credential of another region', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', {
      upstream: UpstreamRegistry.dockerHub(secretsmanager.Secret.fromSecretCompleteArn(s, 'Credential', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ecr-pullthroughcache/docker-hub-AbCdEf')),
    }), "[Stack/Cache] prop 'upstream.credential': got \"arn:aws:secretsmanager:us-east-1:111111111111:secret:ecr-pullthroughcache/docker-hub-AbCdEf\"; is a secret of 111111111111 in us-east-1; ECR reads the credential in the cache's own account and region (111111111111 in eu-west-1). Store a copy there."],
    ['an Azure registry name with a dot', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', { upstream: UpstreamRegistry.azureContainerRegistry('myreg.azurecr.io', namedSecret(s, 'ecr-pullthroughcache/azure')) }),
      "[Stack/Cache] prop 'upstream.registryName': got \"myreg.azurecr.io\"; an Azure container registry name is 5 to 50 letters and digits, the part before '.azurecr.io'."],
    ['an ECR upstream that is this registry', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', { upstream: UpstreamRegistry.privateEcr({ account: '111111111111', region: 'eu-west-1' }) }),
      "[Stack/Cache] prop 'upstream.account': got \"111111111111 in eu-west-1\"; is this registry itself; a cache of itself would never fetch anything. Name another region or account."],
    ['an upstream prefix with a ROOT cache', (s) => new PullThroughCacheRule(withCacheTemplate(s), 'Cache', {
      upstream: UpstreamRegistry.privateEcr({ account: '222222222222', region: 'eu-west-1', upstreamRepositoryPrefix: 'shared' }), ecrRepositoryPrefix: 'ROOT',
    }), "[Stack/Cache] prop 'upstream.upstreamRepositoryPrefix': got \"shared\"; ECR takes an upstream prefix only with a cache prefix other than 'ROOT'. Give the cache a prefix."],
    ['two caches of one prefix', (s) => {
      withCacheTemplate(s);
      new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.ecrPublic(), ecrRepositoryPrefix: 'public' });
      new PullThroughCacheRule(s, 'Other', { upstream: UpstreamRegistry.quay(), ecrRepositoryPrefix: 'public' });
    }, "[Stack/Other] the registry of account 111111111111 in eu-west-1 already has the pull-through cache rule 'public', declared by 'Stack/Cache'. Use another prefix, or declare it once."],
    ['51 cache rules', (s) => Array.from({ length: 51 }, (_, i) => new PullThroughCacheRule(i === 0 ? withCacheTemplate(s) : s, `Cache${i}`, { upstream: UpstreamRegistry.quay(), ecrRepositoryPrefix: `quay${i}` })),
      '[Stack/Cache50] the registry of account 111111111111 in eu-west-1 takes at most 50 pull-through cache rules, and this is number 51. Merge some of them.'],
    // Creation templates
    ['a template without trigger', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [] }),
      "[Stack/Template] prop 'appliedFor': got []; name when ECR applies the template: PULL_THROUGH_CACHE, REPLICATION or CREATE_ON_PUSH."],
    ['a template trigger twice', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.REPLICATION] }),
      "[Stack/Template] prop 'appliedFor': got \"REPLICATION\"; is listed twice. Remove the duplicate."],
    ['a template prefix with a wildcard', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform/*', appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH] }),
      "[Stack/Template] prop 'prefix': got \"platform/*\"; a prefix is 2 to 256 characters of lower-case repository name components joined by '/' (for example 'docker-hub' or 'team/app'), or ROOT for every repository."],
    ['a template with an AWS tag', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { 'aws:owner': 'me' } }),
      "[Stack/Template] prop 'resourceTags': got \"aws:owner\"; a tag key is 1 to 128 characters and does not start with 'aws:'. Rename it."],
    ['a template with a key and AES256', (s) => new RepositoryCreationTemplate(s, 'Template', {
      prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], encryption: ecr.RepositoryEncryption.AES_256, encryptionKey: new kms.Key(s, 'Key'),
    }), "[Stack/Template] prop 'encryptionKey': got \"Stack/Key\"; is only used with KMS or KMS_DSSE encryption, and encryption is AES256. Drop the key or set encryption to KMS."],
    ['a template with an empty lifecycle policy', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], lifecyclePolicy: new LifecyclePolicy() }),
      "[Stack/Template] prop 'lifecyclePolicy': policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.\n[Stack/Template] prop 'lifecyclePolicy': policy: text: got 12 characters; ECR needs at least 100. Add rule descriptions."],
    ['a template description of 257 characters', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], description: 'd'.repeat(257) }),
      "[Stack/Template] prop 'description': got \"257 characters\"; ECR takes at most 256. Shorten it."],
    ['a template with a key of another region', (s) => new RepositoryCreationTemplate(s, 'Template', {
      prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], encryptionKey: kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'),
    }), "[Stack/Template] prop 'encryptionKey': got \"Stack/Key\"; is a key of us-east-1, and ECR encrypts a repository only with a key of the repository's own region (eu-west-1). "
      + 'Use a key of eu-west-1 (a multi-Region replica key, if it must be the same key).'],
    ['a template that makes every tag mutable', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], mutableTagPatterns: ['*'] }),
      `[Stack/Template] prop 'mutableTagPatterns[0]': got "*"; ${EVERY_TAG_MUTABLE}`],
    ['a template tag value with a line break', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { team: 'store\nfront' } }),
      `[Stack/Template] prop 'resourceTags.team': got "store\\nfront"; a tag value is ${TAG_CHARACTERS}. Fix the value.`],
    ['a template tag value with a tab', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { team: 'a\tb' } }),
      `[Stack/Template] prop 'resourceTags.team': got "a\\tb"; a tag value is ${TAG_CHARACTERS}. Fix the value.`],
    ['a template tag key with a control character', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { 'cost\u0007center': 'x' } }),
      `[Stack/Template] prop 'resourceTags': got "cost\\u0007center"; a tag key is ${TAG_CHARACTERS}. Rename it.`],
    // Repository fleets
    ['a fleet whose defaults make every tag mutable', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['team/app'], shards: 1, defaults: { mutableTagPatterns: ['*'] } }),
      `[Stack/Fleet/Shard1/team--app] prop 'mutableTagPatterns[0]': got "*"; ${EVERY_TAG_MUTABLE}`],
    ['a fleet of NaN shards', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['team/app'], shards: NaN }),
      "[Stack/Fleet] prop 'shards': got NaN; a whole number of nested stacks from 1 to 500."],
    ['a fleet of 2.5 shards', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['team/app'], shards: 2.5 }),
      "[Stack/Fleet] prop 'shards': got 2.5; a whole number of nested stacks from 1 to 500."],
    ['a fleet repository with an empty name', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['team/app'], repositories: [{ repositoryName: '' }] }),
      "[Stack/Fleet] prop 'repositories[0].repositoryName': got \"\"; must be 2 to 256 characters long, got 0. Shorten or lengthen it."],
    ['two fleet repositories of one construct id', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['team/app', 'team--app'] }),
      "[Stack/Fleet] prop 'repositoryNames[1]': got \"team--app\"; makes the construct id 'team--app', as \"team/app\" (repositoryNames[0]) does: "
      + "a construct id writes '/' as '--'. Declare one of the two as an ImageRepository outside the fleet."],
    ['two templates of one prefix', (s) => {
      new RepositoryCreationTemplate(s, 'Template', { prefix: 'ROOT', appliedFor: [RepositoryCreationTrigger.REPLICATION] });
      new RepositoryCreationTemplate(s, 'Again', { prefix: 'ROOT', appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH] });
    }, "[Stack/Again] the registry of account 111111111111 in eu-west-1 already has the repository creation template 'ROOT', declared by 'Stack/Template'. Use another prefix, or declare it once."],
    // Signing
    ['a signing profile of the Lambda platform', (s) => new RegistrySigning(s, 'Signing', {
      rules: [{ signingProfile: new signer.SigningProfile(s, 'Profile', { platform: signer.Platform.AWS_LAMBDA_SHA384_ECDSA }) }],
    }), "[Stack/Signing] prop 'rules[0].signingProfile': got \"AWSLambda-SHA384-ECDSA\"; container images are signed on the Notation-OCI-SHA384-ECDSA platform. Create the profile with signer.Platform.NOTATION_OCI_SHA384_ECDSA."],
    ['a signing filter with a space', (s) => new RegistrySigning(s, 'Signing', { rules: [{ signingProfile: notation(s), repositoryFilters: ['platform app'] }] }),
      "[Stack/Signing] prop 'rules[0].repositoryFilters[0]': got \"platform app\"; a signing filter is a repository name with '*' wildcards (1 to 256 characters), for example 'platform/*' or '*prod*'."],
    ['11 signing rules', (s) => new RegistrySigning(s, 'Signing', { rules: Array.from({ length: 11 }, (_, i) => ({ signingProfile: notation(s, `P${i}`), repositoryFilters: [`team${i}/*`] })) }),
      "[Stack/Signing] prop 'rules': got \"11 rules\"; ECR takes at most 10. Merge rules that use the same profile."],
    // Image builds against the registry's scanning
    ['a basic scan gate under enhanced scanning', (s) => {
      new RegistryScanning(s, 'Scanning', { scanType: RegistryScanType.ENHANCED });
      new ImageBuildProject(s, 'Build', { repository: new ImageRepository(s, 'Repo', { repositoryName: 'team/app' }), source: githubSource() });
    }, "[Stack/Build] prop 'scanGate': got \"basic\"; the registry scans with enhanced scanning (Stack/Scanning), and ScanGate.basic() waits for basic scan results, which never come. Use ScanGate.enhanced()."],
    ['an enhanced scan gate under basic scanning, declared after the build', (s) => {
      new ImageBuildProject(s, 'Build', { repository: new ImageRepository(s, 'Repo', { repositoryName: 'team/app' }), source: githubSource(), scanGate: ScanGate.enhanced() });
      new RegistryScanning(s, 'Scanning');
    }, "[Stack/Build] prop 'scanGate': got \"enhanced\"; the registry scans with basic scanning (Stack/Scanning), and ScanGate.enhanced() waits for enhanced scan results, which never come. Use ScanGate.basic()."],
    ['a scan gate on a repository no scanning filter matches', (s) => {
      new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: ['platform/*', 'shared'] });
      new ImageBuildProject(s, 'Build', { repository: new ImageRepository(s, 'Repo', { repositoryName: 'team/app' }), source: githubSource() });
    }, "[Stack/Build] prop 'scanGate': got \"basic\"; the repository 'team/app' matches none of the registry's scanning filters (Stack/Scanning), so no scan ever completes and the gate would wait until it times out. Add it to scanOnPushRepositories, or use ScanGate.none()."],
    // Pull-time update exclusions
    ['an exclusion of a session', (s) => new PullTimeUpdateExclusion(s, 'Exclusion', { principalArn: 'arn:aws:sts::111111111111:assumed-role/scanner/session' }),
      "[Stack/Exclusion] prop 'principalArn': got \"arn:aws:sts::111111111111:assumed-role/scanner/session\"; an IAM role or user ARN such as 'arn:aws:iam::111111111111:role/scanner' (at most 200 characters; for a session 'arn:aws:sts::...:assumed-role/...', use its role's ARN)."],
    // Registry policy
    ['an empty registry policy', (s) => new RegistryPolicy(s, 'Policy'),
      "[Stack/Policy] prop 'statements': got []; a registry policy without statements admits nothing. Grant something, or remove the construct."],
    ['a registry policy statement without resources', (s) => new RegistryPolicy(s, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ['ecr:ReplicateImage'], principals: [new iam.AccountPrincipal('222222222222')] })],
    }), "[Stack/Policy] prop 'statements[0]': got [\"ecr:ReplicateImage\"]; a registry policy statement names its repositories, for example 'arn:aws:ecr:<region>:<account>:repository/*'. Add resources."],
    // Organization baseline
    ['an organizational unit id that is an account', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: ['222222222222'], regions: ['eu-west-1'] }),
      "[Stack/Org] prop 'organizationalUnitIds': got \"222222222222\"; an organizational unit id is 'ou-<root>-<unit>' (for example 'ou-ab12-11111111'), the root's 'r-<root>'. See 'aws organizations list-roots'."],
    ['an organization baseline without regions', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: ['ou-ab12-11111111'], regions: [] }),
      "[Stack/Org] prop 'regions': got []; name at least one region, for example ['eu-west-1']."],
    ['an organization baseline with a credential', (s) => new OrganizationRegistryBaseline(s, 'Org', {
      organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'], pullThroughCaches: [{ upstream: UpstreamRegistry.dockerHub(namedSecret(s, 'ecr-pullthroughcache/docker-hub')) }],
    }), "[Stack/Org] prop 'pullThroughCaches': got \"docker-hub\"; needs a credential secret in each target account, which a StackSet from this account cannot provide. Use a per-account 'RegistryBaseline' for it."],
    ['a concurrency of 0 percent', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'], maxConcurrentPercentage: 0 }),
      "[Stack/Org] prop 'maxConcurrentPercentage': got 0; a whole percentage from 1 to 100."],
    // Messages of the other checks, one case each.
    ['a scanning filter twice', (s) => new RegistryScanning(s, 'Scanning', { scanOnPushRepositories: ['a/*', 'a/*'] }),
      "[Stack/Scanning] prop 'scanOnPushRepositories': got \"a/*\"; is listed twice. Remove the duplicate."],
    ['51 template tags', (s) => new RepositoryCreationTemplate(s, 'T', {
      prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
    }), "[Stack/T] prop 'resourceTags': got \"51 tags\"; ECR takes at most 50. Drop some."],
    ['a template tag value over 256 characters', (s) => new RepositoryCreationTemplate(s, 'T', {
      prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { team: 'x'.repeat(257) },
    }), "[Stack/T] prop 'resourceTags.team': got \"257 characters\"; a tag value is at most 256 characters. Shorten it."],
    ['an organization baseline for no unit', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: [], regions: ['eu-west-1'] }),
      "[Stack/Org] prop 'organizationalUnitIds': got []; name at least one organizational unit ('ou-...') or the root ('r-...')."],
    ['an organization baseline region twice', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: ['ou-ab12-11111111'], regions: ['eu-west-1', 'eu-west-1'] }),
      "[Stack/Org] prop 'regions': got \"eu-west-1\"; is listed twice. Remove the duplicate."],
    ['an organization baseline region three times, reported once', (s) => new OrganizationRegistryBaseline(s, 'Org', { organizationalUnitIds: ['ou-ab12-11111111'], regions: ['eu-west-1', 'eu-west-1', 'eu-west-1'] }),
      "[Stack/Org] prop 'regions': got \"eu-west-1\"; is listed twice. Remove the duplicate."],
    ['two template triggers twice each', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.CREATE_ON_PUSH, RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.CREATE_ON_PUSH] }),
      "[Stack/Template] prop 'appliedFor': got \"REPLICATION\"; is listed twice. Remove the duplicate.\n[Stack/Template] prop 'appliedFor': got \"CREATE_ON_PUSH\"; is listed twice. Remove the duplicate."],
    ['a StackSet name CloudFormation refuses', (s) => new OrganizationRegistryBaseline(s, 'Org', {
      organizationalUnitIds: ['ou-ab12-11111111'], regions: ['eu-west-1'], stackSetName: '1bad name',
    }), "[Stack/Org] prop 'stackSetName': got \"1bad name\"; a StackSet name is 1 to 128 letters, digits and hyphens, starting with a letter."],
    ['a replication rule with an empty prefix list', (s) => new RegistryReplication(s, 'R', { rules: [{ destinations: [{ region: 'us-east-1' }], repositoryPrefixes: [] }] }),
      "[Stack/R] prop 'rules[0].repositoryPrefixes': got []; name at least one prefix, or omit the list to replicate every repository."],
    ['a signing configuration without rules', (s) => new RegistrySigning(s, 'S', { rules: [] }),
      "[Stack/S] prop 'rules': got []; a signing configuration without rules signs nothing. Add a rule, or remove the construct."],
    ['a signing rule with an empty filter list', (s) => new RegistrySigning(s, 'S', { rules: [{ signingProfile: notation(s), repositoryFilters: [] }] }),
      "[Stack/S] prop 'rules[0].repositoryFilters': got []; name at least one filter, or omit the list to sign every repository."],
    ['a template policy statement with a resource', (s) => new RepositoryCreationTemplate(s, 'Template', { prefix: 'platform', appliedFor: [RepositoryCreationTrigger.REPLICATION] })
      .addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], resources: ['*'], principals: [new iam.AccountPrincipal('222222222222')] })),
    "[Stack/Template] prop 'statement.resources': got [\"*\"]; a repository policy applies to its repository and takes no Resource. Remove the resources."],
    ['a template statement without principals', (s) => new RepositoryCreationTemplate(s, 'T', { prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION] })
      .addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'] })),
    "[Stack/T] prop 'statement.principals': got []; a repository policy statement names the principals it admits. Add principals."],
    ['a template grant to a short account id', (s) => { new RepositoryCreationTemplate(s, 'T', { prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION] }).grantPullToAccounts(['12345']); },
      "[Stack/T] prop 'accountIds': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['a template statement for a short account id', (s) => new RepositoryCreationTemplate(s, 'T', { prefix: 'p/', appliedFor: [RepositoryCreationTrigger.REPLICATION] })
      .addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], principals: [new iam.AccountPrincipal('12345')] })),
    "[Stack/T] prop 'statement.principals': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
  ])('%s', (_name, build, message) => {
    const stack = stackOf();
    build(stack);
    expect(synthesisProblems(stack)).toBe(message);
  });

  test.each<[string, (s: Stack) => unknown, string]>([
    ['a replication rule added onto itself', (s) => new RegistryReplication(s, 'Replication').addRule({ destinations: [{ region: 'eu-west-1', account: '111111111111' }] }),
      "[Stack/Replication] prop 'destinations[0].region': got \"eu-west-1\"; is this registry's own region and account; an image cannot be replicated onto itself. Name another region or account."],
    ['replication granted to no account', (s) => new RegistryPolicy(s, 'Policy').grantReplicationFrom([]),
      "[Stack/Policy] prop 'sourceAccountIds': got []; name at least one account."],
    ['a cache granted to a bad organization', (s) => new RegistryPolicy(s, 'Policy').grantPullThroughCache(
      new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.ecrPublic() }), RegistryGrantee.organization('org-1')),
    "[Stack/Policy] prop 'organizationId': got \"org-1\"; an organization id is 'o-' followed by 10 to 32 lower-case letters or digits (see 'aws organizations describe-organization')."],
    ['a pull grant on a wildcard prefix', (s) => new RegistryPolicy(s, 'Policy').grantPull(RegistryGrantee.accounts(['222222222222']), 'platform/*'),
      "[Stack/Policy] prop 'repositoryPrefix': got \"platform/*\"; a replication filter is the start of repository names: 2 to 256 lower-case letters, digits, '.', '_', '-' and '/', without wildcards, for example 'platform/'."],
    ['a signing profile of another region', (s) => new RegistrySigning(s, 'Signing').addRule({
      signingProfile: notation(new Stack(s.node.root as App, 'Virginia', { env: { ...ENV, region: 'us-east-1' } })),
    }), "[Stack/Signing] prop 'signingProfile': got \"Virginia/Profile\"; is a profile of us-east-1; ECR signs with a profile of the registry's own region (eu-west-1). Create a profile there."],
    ['a registry policy statement without principals', (s) => new RegistryPolicy(s, 'P')
      .addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:ReplicateImage'], resources: ['*'] })),
    "[Stack/P] prop 'statement': got [\"ecr:ReplicateImage\"]; a registry policy statement names the principals it admits. Add principals."],
    ['replication from accounts with an empty prefix list', (s) => new RegistryPolicy(s, 'P').grantReplicationFrom(['222222222222'], { repositoryPrefixes: [] }),
      "[Stack/P] prop 'repositoryPrefixes': got []; name at least one prefix, or omit the option for every repository."],
    ['a repository the fleet does not have', (s) => new RepositoryFleet(s, 'Fleet', { repositoryNames: ['a/b'] }).repository('c/d'),
      "[Stack/Fleet] prop 'repositoryName': got \"c/d\"; is not one of this fleet's repositories (1). Check the name, or add it to the fleet."],
  ])('method: %s', (_name, call, message) => {
    expect(() => call(stackOf())).toThrow(new Error(message));
  });
});

test('a registry policy is checked against ECR\'s 10,240 characters with every reference at its longest', () => {
  const grant = (count: number) => {
    const stack = stackOf();
    new RegistryPolicy(stack, 'Policy').grantReplicationFrom(['222222222222'], {
      repositoryPrefixes: Array.from({ length: count }, (_, i) => `team-with-a-much-longer-name-${i}/service-with-a-long-name-too`),
    });
    return synthesisProblems(stack);
  };
  // 100 prefixes of about 60 characters are well over the limit in any partition (over 100 x 100 characters of ARN),
  // 60 are well under it (about 6,500 characters).
  expect(grant(100)).toMatch(/^\[Stack\/Policy\] prop 'statements': got "(\d+) characters"; ECR takes a registry policy of at most 10240\. Grant by prefix or organization instead of repository by repository\.$/);
  expect(Number(/"(\d+) characters"/.exec(grant(100))![1])).toBeGreaterThan(100 * 100);
  expect(grant(60)).toBe('');
});

test('unresolved tokens are never validated', () => {
  const stack = stackOf();
  const text = (id: string) => new CfnParameter(stack, id).valueAsString;
  new RegistryScanning(stack, 'Scanning', { scanOnPushRepositories: [text('Filter')] });
  new RegistryReplication(stack, 'Replication', { rules: [{ destinations: [{ region: text('Region'), account: text('Account') }], repositoryPrefixes: [text('Prefix')] }] });
  new PullThroughCacheRule(stack, 'Cache', { upstream: UpstreamRegistry.privateEcr({ account: text('Upstream'), region: text('UpstreamRegion') }), ecrRepositoryPrefix: text('CachePrefix') });
  new RepositoryCreationTemplate(stack, 'Template', { prefix: text('TemplatePrefix'), appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags: { team: text('Team') } });
  new PullTimeUpdateExclusion(stack, 'Exclusion', { principalArn: text('Scanner') });
  new RegistryPolicy(stack, 'Policy').grantReplicationFrom([text('Source')]);
  expect(synthesisProblems(stack)).toBe('');
});
