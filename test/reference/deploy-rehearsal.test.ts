// Deploy rehearsal of the reference platform in moto: the synthesized templates go through CloudFormation
// create-stack (moto_server, boto3), and what came out is read back through the service APIs and compared with the
// app's props. moto is an emulator: it creates some resource types, ignores some properties and skips whole types.
// docs/deploy-rehearsal.md lists what this verifies and what it does not; the tests below assert both, so a moto
// upgrade that changes either shows up here.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ECS_SERVICE, EKS_SERVICE, LAMBDA_SERVICE, ReferencePlatform } from '../../src/reference';
import { CfnTemplate, DeployedStack, missingMoto, Moto, MOTO_ACCOUNT, motoCloudFormationTypes } from '../support/moto';
import { describeNeeding } from '../support/system-deps';
import { withAssetStaging } from '../support/validation';

// These tests use the assets of the assemblies they synthesize.
withAssetStaging();

jest.setTimeout(5 * 60_000);

const REGION = 'us-east-1';
const REPLICA_REGION = 'us-west-2';
const REGISTRY_ENV = { account: MOTO_ACCOUNT, region: REGION };
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const WORKLOAD = 'dev';
const REPOSITORY_NAMES = [ECS_SERVICE, EKS_SERVICE, LAMBDA_SERVICE].map((service) => `platform/${service}`);

interface Repository {
  repositoryName: string;
  repositoryArn: string;
  repositoryUri: string;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: { filterType: string; filter: string }[];
  imageScanningConfiguration: Record<string, unknown>;
  encryptionConfiguration: Record<string, unknown>;
}

let moto: Moto | undefined;
let assembly: CloudAssembly;
let outdir: string;

function m(): Moto {
  if (!moto) throw new Error('moto_server did not start (see beforeAll)');
  return moto;
}

/** The platform as app/main.ts builds it, placed in moto's account, without the compliance plugins. */
function synthesize(): CloudAssembly {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-rehearsal-cdk-out-'));
  const app = new App({
    outdir,
    // What `cdk synth` would look up and cache in cdk.context.json; without it a VPC gets dummy zones moto rejects.
    context: { [`availability-zones:account=${MOTO_ACCOUNT}:region=${REGION}`]: [`${REGION}a`, `${REGION}b`] },
  });
  new ReferencePlatform(app, {
    registryEnv: REGISTRY_ENV,
    environments: ENVIRONMENTS,
    workloads: [{ name: WORKLOAD, env: REGISTRY_ENV }],
    replicaRegions: [REPLICA_REGION],
    kubectlLayer: { createLayer: (scope) => new KubectlV33Layer(scope, 'KubectlLayer') },
  });
  return app.synth();
}

function template(stack: string): CfnTemplate {
  return assembly.getStackByName(stack).template as CfnTemplate;
}

function resourcesOfType(deployed: DeployedStack, type: string): string[] {
  return Object.values(deployed.resources).filter((r) => r.type === type).map((r) => r.physicalId).sort();
}

async function repositories(): Promise<Repository[]> {
  const response = await m().call<{ repositories: Repository[] }>('ecr', 'describe_repositories', { repositoryNames: REPOSITORY_NAMES });
  return response.repositories.sort((a, b) => a.repositoryName.localeCompare(b.repositoryName));
}

describeNeeding(missingMoto(), 'deploy rehearsal of the reference platform in moto', () => {
  beforeAll(async () => {
    moto = await Moto.start(REGION);
    assembly = synthesize();
    await m().bootstrap(MOTO_ACCOUNT);
  });

  afterAll(async () => {
    await moto?.stop();
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  describe('Registry stack, as synthesized', () => {
    let registry: DeployedStack;

    beforeAll(async () => {
      registry = await m().deployStack(assembly, 'Registry');
    });

    test('reaches CREATE_COMPLETE with a repository per service, named as the app names them', async () => {
      expect(resourcesOfType(registry, 'AWS::ECR::Repository')).toEqual([...REPOSITORY_NAMES].sort());
      expect((await repositories()).map((r) => [r.repositoryName, r.repositoryUri])).toEqual([...REPOSITORY_NAMES].sort().map((name) =>
        [name, `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`]));
    });

    test('tags are immutable except the environment tags, which promotions move', async () => {
      for (const repository of await repositories()) {
        expect(repository.imageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
        expect(repository.imageTagMutabilityExclusionFilters).toEqual(ENVIRONMENTS.map((filter) => ({ filterType: 'WILDCARD', filter })));
      }
    });

    test('scan on push and AES256 encryption reach moto, whose ECR API does not return them', async () => {
      // moto 5.2 stores the CloudFormation spelling (ScanOnPush, EncryptionType) and its ECR API then answers {}:
      // the API may give the right value or nothing, and moto's stored state must hold the template's values.
      for (const repository of await repositories()) {
        expect([{}, { scanOnPush: true }]).toContainEqual(repository.imageScanningConfiguration);
        expect([{}, { encryptionType: 'AES256' }]).toContainEqual(repository.encryptionConfiguration);
      }
      const stored = (await m().state('ecr')).Repository.filter((r) => REPOSITORY_NAMES.includes(r.name));
      expect(stored).toHaveLength(REPOSITORY_NAMES.length);
      const lowerKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
      for (const repository of stored) {
        expect(lowerKeys(repository.image_scanning_configuration)).toEqual({ scanonpush: true });
        expect(lowerKeys(repository.encryption_configuration)).toEqual({ encryptiontype: 'AES256' });
      }
    });

    test('the lifecycle policy is in the template, but moto ignores it', async () => {
      const policies = Object.values(template('Registry').Resources)
        .filter((r) => r.Type === 'AWS::ECR::Repository')
        .map((r) => JSON.parse(r.Properties!.LifecyclePolicy.LifecyclePolicyText));
      // The policy in ECR's lifecycle policy syntax (ECR User Guide, "Lifecycle policy properties"): a retain anchor per
      // environment tag, then the newest 30 releases and 50 commit images, then untagged images after 14 days.
      const rule = (rulePriority: number, description: string, selection: Record<string, unknown>) => ({ rulePriority, description, selection, action: { type: 'expire' } });
      const tagged = (pattern: string, countNumber: number) => ({ tagStatus: 'tagged', tagPatternList: [pattern], countType: 'imageCountMoreThan', countNumber });
      const expected = {
        rules: [
          ...ENVIRONMENTS.map((env, i) => rule(i + 1, `Retain every image tagged ${env}`, tagged(env, 100_000))),
          rule(4, 'Keep the newest 30 images tagged *.*.*; expire older ones', tagged('*.*.*', 30)),
          rule(5, 'Keep the newest 50 images tagged sha-*; expire older ones', tagged('sha-*', 50)),
          rule(6, 'Expire untagged images pushed more than 14 days ago', { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
        ],
      };
      expect(policies).toEqual(REPOSITORY_NAMES.map(() => expected));

      const outcomes = await m().calls(REPOSITORY_NAMES.map((repositoryName) => ({ service: 'ecr', operation: 'get_lifecycle_policy', params: { repositoryName } })));
      expect(outcomes.map((o) => o.error?.code)).toEqual(REPOSITORY_NAMES.map(() => 'LifecyclePolicyNotFoundException'));
    });

    test('no stack owns a digest record: the builds create them, so a deployment never rolls one back', async () => {
      const names = REPOSITORY_NAMES.flatMap((repository) => ENVIRONMENTS.map((env) => `/image-build/${repository}/${env}`));
      const response = await m().call<{ Parameters: unknown[]; InvalidParameters: string[] }>('ssm', 'get_parameters', { Names: names });
      expect(response.Parameters).toEqual([]);
      expect(response.InvalidParameters.sort()).toEqual([...names].sort());
    });

    test('scan findings of each repository go through an EventBridge rule to the KMS-encrypted topic', async () => {
      const topics = resourcesOfType(registry, 'AWS::SNS::Topic');
      expect(topics).toEqual([expect.stringMatching(new RegExp(`^arn:aws:sns:${REGION}:${MOTO_ACCOUNT}:`))]);
      const [topicArn] = topics;
      const attributes = (await m().call<{ Attributes: Record<string, string> }>('sns', 'get_topic_attributes', { TopicArn: topicArn })).Attributes;
      const keys = resourcesOfType(registry, 'AWS::KMS::Key');
      expect(keys.some((key) => attributes.KmsMasterKeyId?.endsWith(`:key/${key}`))).toBe(true);

      const rules = resourcesOfType(registry, 'AWS::Events::Rule');
      expect(rules).toHaveLength(REPOSITORY_NAMES.length);
      const results = await m().calls(rules.flatMap((Name) => [
        { service: 'events', operation: 'describe_rule', params: { Name } },
        { service: 'events', operation: 'list_targets_by_rule', params: { Rule: Name } },
      ]));
      const seen: string[] = [];
      for (let i = 0; i < results.length; i += 2) {
        const pattern = JSON.parse(results[i].result.EventPattern);
        const targets = results[i + 1].result.Targets as { Arn: string }[];
        expect(pattern.source).toContain('aws.ecr');
        expect(targets.map((t) => t.Arn)).toEqual([topicArn]);
        seen.push(...REPOSITORY_NAMES.filter((name) => JSON.stringify(pattern).includes(`"${name}"`)));
      }
      expect(seen.sort()).toEqual([...REPOSITORY_NAMES].sort());
    });

    test('the registry settings moto\'s CloudFormation skips are taken by its ECR API as CloudFormation\'s handlers send them', async () => {
      const modelled = await motoCloudFormationTypes();
      const resources = Object.values(template('Registry').Resources);
      const settings = ['AWS::ECR::PullThroughCacheRule', 'AWS::ECR::RegistryScanningConfiguration', 'AWS::ECR::ReplicationConfiguration', 'AWS::ECR::RepositoryCreationTemplate'];
      // Exactly these types are in the template and not created by moto's CloudFormation (docs/deploy-rehearsal.md).
      expect(settings.filter((t) => resources.some((r) => r.Type === t) && !modelled.has(t))).toEqual(settings);
      const of = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties!);
      const [scanning] = of('AWS::ECR::RegistryScanningConfiguration');
      const [replication] = of('AWS::ECR::ReplicationConfiguration');
      const filters = (list: any[]) => list.map((f) => ({ filter: f.Filter, filterType: f.FilterType }));
      await m().call('ecr', 'put_registry_scanning_configuration', {
        scanType: scanning.ScanType,
        rules: scanning.Rules.map((r: any) => ({ scanFrequency: r.ScanFrequency, repositoryFilters: filters(r.RepositoryFilters) })),
      });
      await m().call('ecr', 'put_replication_configuration', {
        replicationConfiguration: {
          rules: replication.ReplicationConfiguration.Rules.map((r: any) => ({
            destinations: r.Destinations.map((d: any) => ({ region: d.Region, registryId: d.RegistryId })),
            repositoryFilters: filters(r.RepositoryFilters),
          })),
        },
      });
      // Read back: what the app asks for (enhanced scanning, release repositories rescanned; copies in the second region).
      expect((await m().call('ecr', 'get_registry_scanning_configuration')).scanningConfiguration).toEqual({
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'platform/*', filterType: 'WILDCARD' }] },
        ],
      });
      expect((await m().call('ecr', 'describe_registry')).replicationConfiguration).toEqual({
        rules: [{ destinations: [{ region: REPLICA_REGION, registryId: MOTO_ACCOUNT }], repositoryFilters: [{ filter: 'platform/', filterType: 'PREFIX_MATCH' }] }],
      });

      // moto has no pull-through cache or creation template API; botocore still checks each request against ECR's API
      // model before sending it, so a shape ECR would refuse fails here as ParamValidationError.
      const outcomes = await m().calls([
        ...of('AWS::ECR::PullThroughCacheRule').map((p) => ({
          service: 'ecr',
          operation: 'create_pull_through_cache_rule',
          params: {
            ecrRepositoryPrefix: p.EcrRepositoryPrefix,
            upstreamRegistryUrl: p.UpstreamRegistryUrl,
            upstreamRegistry: p.UpstreamRegistry,
            ...(p.CredentialArn ? { credentialArn: `arn:aws:secretsmanager:${REGION}:${MOTO_ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf` } : {}),
          },
        })),
        ...of('AWS::ECR::RepositoryCreationTemplate').map((p) => ({
          service: 'ecr',
          operation: 'create_repository_creation_template',
          params: {
            prefix: p.Prefix,
            appliedFor: p.AppliedFor,
            description: p.Description,
            imageTagMutability: p.ImageTagMutability,
            encryptionConfiguration: { encryptionType: p.EncryptionConfiguration.EncryptionType },
            lifecyclePolicy: p.LifecyclePolicy,
          },
        })),
      ]);
      // Every request passes the model, then reaches moto, which answers HTTP 500 (not implemented).
      expect(outcomes.map((o) => o.error?.code)).toEqual(outcomes.map(() => '500'));
      // The check can fail: a prefix ECR refuses (under 2 characters) never leaves botocore.
      const refused = await m().tryCall('ecr', 'create_pull_through_cache_rule', { ecrRepositoryPrefix: 'd', upstreamRegistryUrl: 'public.ecr.aws' });
      expect(refused.error?.code).toBe('ParamValidationError');
    });

    test('CodeBuild projects and the topic policy are not created: moto does not model them', async () => {
      const modelled = await motoCloudFormationTypes();
      const skipped = [...new Set(Object.values(template('Registry').Resources).map((r) => r.Type))].filter((t) => !modelled.has(t)).sort();
      expect(skipped).toEqual(expect.arrayContaining(['AWS::CodeBuild::Project']));
      expect(Object.values(registry.resources).map((r) => r.type)).not.toContain('AWS::CodeBuild::Project');
      expect((await m().call<{ projects: string[] }>('codebuild', 'list_projects')).projects).toEqual([]);
    });

    test('only the exports of the builds to the Delivery stack are left out: moto fails a stack on an output of a skipped resource', () => {
      const outputs = Object.entries(template('Registry').Outputs ?? {}) as [string, any][];
      const ofProject = outputs.filter(([, o]) => JSON.stringify(o.Value).includes('BuildProject')).map(([name]) => name).sort();
      // Each service's pipeline takes its build's name and ARN.
      expect(ofProject).toHaveLength(6);
      expect(registry.droppedOutputs).toEqual(ofProject);
    });
  });

  describe(`Ecs-${WORKLOAD} stack, without what moto cannot create`, () => {
    let ecs: DeployedStack;
    let storefront: Repository;

    beforeAll(async () => {
      ecs = await m().deployStack(assembly, `Ecs-${WORKLOAD}`, { adaptForMoto: true });
      storefront = (await repositories()).find((r) => r.repositoryName === `platform/${ECS_SERVICE}`)!;
    });

    test('only custom resources and types moto does not model are left out; the ECS, load balancer and VPC resources are not', () => {
      const left = ecs.removed.map((r) => r.type);
      // Exactly these (docs/deploy-rehearsal.md): a type moto starts or stops modelling changes what this rehearsal proves.
      expect(ecs.removed.map((r) => `${r.type} (${r.reason})`).sort()).toEqual([
        'AWS::EC2::SecurityGroupEgress (not modelled by moto)',
        'AWS::S3::BucketPolicy (not modelled by moto)',
        'AWS::SecretsManager::Secret (not modelled by moto)',
      ]);
      for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::EC2::VPC', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
        expect(left).not.toContain(type);
        expect(Object.values(ecs.resources).map((r) => r.type)).toContain(type);
      }
    });

    const running = async () => {
      const [cluster] = resourcesOfType(ecs, 'AWS::ECS::Cluster');
      const [service] = resourcesOfType(ecs, 'AWS::ECS::Service');
      const described = (await m().call<{ services: { taskDefinition: string; desiredCount: number }[] }>('ecs', 'describe_services', { cluster, services: [service] })).services;
      expect(described).toHaveLength(1);
      const task = (await m().call<{ taskDefinition: { containerDefinitions: { image: string }[] } }>('ecs', 'describe_task_definition', {
        taskDefinition: described[0].taskDefinition,
      })).taskDefinition;
      return { desiredCount: described[0].desiredCount, images: task.containerDefinitions.map((c) => c.image) };
    };

    test('created before any image exists, the service runs nothing (the first deploy cannot fail on a missing image)', async () => {
      expect(await running()).toEqual({ desiredCount: 0, images: [`${storefront.repositoryUri}:none`] });
    });

    test('the one pull grant among the role policies is on that repository only', async () => {
      const roles = resourcesOfType(ecs, 'AWS::IAM::Role');
      const [inline, attached] = await Promise.all([
        m().calls(roles.map((RoleName) => ({ service: 'iam', operation: 'list_role_policies', params: { RoleName } }))),
        m().calls(roles.map((RoleName) => ({ service: 'iam', operation: 'list_attached_role_policies', params: { RoleName } }))),
      ]);
      const inlinePolicies = roles.flatMap((RoleName, i) => (inline[i].result.PolicyNames as string[])
        .map((PolicyName) => ({ RoleName, PolicyName })));
      const inlineDocuments = (await m().calls(inlinePolicies.map((params) => ({ service: 'iam', operation: 'get_role_policy', params }))))
        .map((d) => d.result.PolicyDocument);
      // Customer managed policies (the library's ECR access policy among them); AWS managed ones grant no pull here.
      const managedArns = [...new Set(attached.flatMap((a) => (a.result.AttachedPolicies as { PolicyArn: string }[]).map((p) => p.PolicyArn)))]
        .filter((arn) => !arn.startsWith('arn:aws:iam::aws:'));
      const managedDocuments = (await m().calls(managedArns.map((PolicyArn) => ({ service: 'iam', operation: 'get_policy_version', params: { PolicyArn, VersionId: 'v1' } }))))
        .map((v) => v.result.PolicyVersion.Document);
      const statements = [...inlineDocuments, ...managedDocuments]
        // moto keeps a role's own inline Policies as Python text: those are not JSON and grant no ECR access here.
        .map((document) => (typeof document === 'string' && document.startsWith('{') ? JSON.parse(document) : document))
        .filter((document) => typeof document === 'object')
        .flatMap((document) => document.Statement as { Action: string | string[]; Resource: string | string[] }[]);
      const pulls = statements.filter((s) => ([] as string[]).concat(s.Action).includes('ecr:BatchGetImage'));
      expect(pulls).toHaveLength(1);
      expect(([] as string[]).concat(pulls[0].Resource)).toEqual([storefront.repositoryArn]);
    });

    test('an internal Application Load Balancer forwards to a target group of IP targets', async () => {
      const [loadBalancer] = resourcesOfType(ecs, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      const [targetGroup] = resourcesOfType(ecs, 'AWS::ElasticLoadBalancingV2::TargetGroup');
      const [lb, listeners, groups] = await m().calls([
        { service: 'elbv2', operation: 'describe_load_balancers', params: { LoadBalancerArns: [loadBalancer] } },
        { service: 'elbv2', operation: 'describe_listeners', params: { LoadBalancerArn: loadBalancer } },
        { service: 'elbv2', operation: 'describe_target_groups', params: { TargetGroupArns: [targetGroup] } },
      ]);
      expect(lb.result.LoadBalancers[0]).toMatchObject({ Type: 'application', Scheme: 'internal' });
      expect(listeners.result.Listeners.flatMap((l: any) => l.DefaultActions)).toContainEqual(expect.objectContaining({ Type: 'forward', TargetGroupArn: targetGroup }));
      expect(groups.result.TargetGroups[0].TargetType).toBe('ip');
    });
  });

  describe(`Eks-${WORKLOAD} stack`, () => {
    test('moto cannot create it: it does not model EKS clusters and node groups', async () => {
      const modelled = await motoCloudFormationTypes();
      const types = new Set(Object.values(template(`Eks-${WORKLOAD}`).Resources).map((r) => r.Type));
      for (const type of ['AWS::EKS::Cluster', 'AWS::EKS::Nodegroup']) {
        expect(types).toContain(type);
        expect(modelled).not.toContain(type);
      }
      // Tried as synthesized, so that a moto that learns EKS makes this test (and the doc) out of date.
      await expect(m().deployStack(assembly, `Eks-${WORKLOAD}`, { timeoutMs: 30_000 })).rejects.toThrow(`Eks-${WORKLOAD}`);
      expect((await m().call<{ clusters: string[] }>('eks', 'list_clusters')).clusters).toEqual([]);
    });
  });
});
