import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';
import { CROSS_ACCOUNT, kubectlLayer, once, referencePlatform, TWO_REGIONS } from './platform';
import { resolveCfn } from '../../packages/ecr-access/src/resolve';
import { EcsServiceStack, EksWorkloadStack, RegistryStack } from '../../src';
import { main as cliMain } from '../../src/cli/ecr-lifecycle';
import { synthesisProblems } from '../support/problems';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

// Synthesized once for the file (each takes seconds); the tests that use them only read them.
const defaultPlatform = once(() => referencePlatform());
const crossAccountPlatform = once(() => referencePlatform(CROSS_ACCOUNT));

/** The release actions of a service's pipeline, with their stage. */
function releaseActions(delivery: import('aws-cdk-lib').Stack, service: string): any[] {
  const pipelines = Template.fromStack(delivery).findResources('AWS::CodePipeline::Pipeline', { Properties: { Name: service } });
  return Object.values(pipelines)[0].Properties.Stages.flatMap((stage: any) => stage.Actions
    .filter((a: any) => a.Name.startsWith('Release-')).map((a: any) => ({ ...a, Stage: stage.Name })));
}

const REGISTRY_REFS = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111111111111' };
const variables = (action: any) => Object.fromEntries(JSON.parse(resolveCfn(action.Configuration.EnvironmentVariables, REGISTRY_REFS))
  .map((v: any) => [v.name, v.value]));

describe('reference platform', () => {
  test('cross-account: each repository policy admits only the pulling roles of the workload accounts, by path', () => {
    const { platform } = crossAccountPlatform();
    const root = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]] });
    const rolePath = (id: string, service: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:role/platform/${service}/*`]] });
    const template = Template.fromStack(platform.registry);
    for (const service of ['storefront', 'catalog']) {
      template.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: `platform/${service}`,
        RepositoryPolicyText: {
          Version: '2012-10-17',
          Statement: [{
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Effect: 'Allow',
            Principal: { AWS: [root('222222222222'), root('333333333333')] },
            Condition: { ArnLike: { 'aws:PrincipalArn': [rolePath('222222222222', service), rolePath('333333333333', service)] } },
          }],
        },
      });
    }
    // The roles that pull carry that path (IAM puts it in the role's ARN).
    for (const [stacks, type] of [[platform.ecsStacks, 'storefront'], [platform.eksStacks, 'catalog']] as const) {
      for (const stack of stacks) {
        const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Path: `/platform/${type}/` } });
        expect(Object.keys(roles)).toEqual([expect.stringMatching(type === 'storefront' ? /^ExecutionRole/ : /^NodeRole/)]);
      }
    }
  });

  test('workloads import the repository by ARN in the registry account and run the digest of their release record', () => {
    const { platform } = crossAccountPlatform();
    const [devEcs] = platform.ecsStacks.map((s) => Template.fromStack(s));
    const image = (t: Template) => JSON.stringify(t.findResources('AWS::ECS::TaskDefinition'));
    expect(image(devEcs)).toContain('111111111111.dkr.ecr.eu-west-1.');
    // By the digest of the stack parameter once released; no tag decides what runs.
    expect(Object.values(devEcs.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0].Image).toEqual({
      'Fn::If': ['Released',
        { 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/platform/storefront@', { Ref: 'ImageDigest' }]] },
        { 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/platform/storefront:none']] }],
    });
    // The execution role's ECR access, in the library's policy: pull on that repository of the registry account, and login.
    devEcs.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/platform/storefront']] },
        }]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^ExecutionRole') }],
    });
  });

  test('first deploy: before any release, every workload stack is created with nothing to run (no task, pod or function without an image)', () => {
    const { platform } = crossAccountPlatform();
    const parameter = {
      Type: 'String',
      Default: 'none',
      AllowedPattern: '^(none|sha256:[a-f0-9]{64})$',
      ConstraintDescription: 'none, or an image digest: sha256: followed by 64 lower-case hex digits',
      Description: Match.stringLikeRegexp('set by each release; none before the first$'),
    };
    const released = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ImageDigest' }, 'none'] }] };
    for (const stack of [...platform.ecsStacks, ...platform.eksStacks, ...platform.lambdaStacks]) {
      const template = Template.fromStack(stack);
      // `cdk deploy --all` answers every parameter: the release record has a default.
      expect(Object.entries(template.toJSON().Parameters).filter(([, p]: [string, any]) => p.Default === undefined)).toEqual([]);
      template.hasParameter('ImageDigest', parameter);
      template.hasCondition('Released', released);
    }
    for (const stack of platform.ecsStacks) Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DesiredCount: { 'Fn::If': ['Released', 2, 0] } });
    for (const stack of platform.eksStacks) {
      const manifest = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0].Properties.Manifest;
      // Fn::Join joins strings: the count is a string there, and an unquoted number in the manifest it writes.
      const parts: unknown[] = manifest['Fn::Join'][1];
      const at = parts.findIndex((part) => JSON.stringify(part) === JSON.stringify({ 'Fn::If': ['Released', '2', '0'] }));
      expect(String(parts[at - 1]).endsWith('"replicas":')).toBe(true);
    }
    for (const stack of platform.lambdaStacks) {
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
      expect(Object.values(functions).map((f) => [f.Condition, f.Properties.PackageType])).toEqual([['Released', 'Image']]);
    }
  });

  test('a pinned digest needs no release record', () => {
    const stack = new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: DIGEST });
    const template = Template.fromStack(stack);
    expect(template.toJSON().Parameters.ImageDigest).toBeUndefined();
    expect(JSON.stringify(template.findResources('AWS::ECS::TaskDefinition'))).toContain(`team/app@${DIGEST}`);
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
  });

  test('every build of the reference app is run by its service\'s pipeline: no build warns that nothing runs it', () => {
    const { platform } = defaultPlatform();
    expect(Annotations.fromStack(platform.registry).findWarning('*', Match.stringLikeRegexp('buildNothingRuns'))).toEqual([]);
  });

  test('the Lambda stacks\' functions run from the registry, which admits Lambda for their accounts: no function warns of its imported repository', () => {
    const { platform } = crossAccountPlatform();
    for (const stack of platform.lambdaStacks) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('imageFunctionImportedRepository'))).toEqual([]);
    }
  });

  test('the registry stack exposes no environment list of its own (the platform\'s props hold it)', () => {
    expect(Object.keys(defaultPlatform().platform.registry)).not.toContain('environments');
  });

  test('no stack depends on an export of the registry; the registry deploys first', () => {
    const { app, platform } = crossAccountPlatform();
    const assembly = app.synth();
    for (const stack of [...platform.ecsStacks, ...platform.eksStacks]) {
      expect(JSON.stringify(assembly.getStackByName(stack.stackName).template)).not.toContain('Fn::ImportValue');
      expect(stack.dependencies).toContain(platform.registry);
    }
  });

  test('delivery: each service\'s pipeline builds on every push to main and releases each environment by setting its stacks\' record', () => {
    const { app, platform } = crossAccountPlatform();
    expect(synthesisProblems(app)).toBe('');
    const delivery = Template.fromStack(platform.delivery);
    for (const [service, kind] of [['storefront', 'Ecs'], ['catalog', 'Eks'], ['resizer', 'Lambda']]) {
      const pipeline = Object.values(delivery.findResources('AWS::CodePipeline::Pipeline', { Properties: { Name: service } }))[0].Properties;
      expect(pipeline.Stages.map((stage: any) => stage.Name)).toEqual(['Source', 'Build', 'Promote-dev', 'Promote-staging', 'Promote-prod']);
      // On every push to main: CodePipeline's source action with change detection (the default) starts the pipeline.
      expect(pipeline.Stages[0].Actions[0].Configuration).toEqual(expect.objectContaining({ FullRepositoryId: `example-org/${service}`, BranchName: 'main' }));
      expect(pipeline.Stages[0].Actions[0].Configuration.DetectChanges).not.toBe(false);
      const releases = releaseActions(platform.delivery, service);
      expect(releases.map((a) => [a.Stage, a.Name, a.RunOrder])).toEqual([
        ['Promote-dev', `Release-${kind}-dev`, 1],
        ['Promote-prod', `Release-${kind}-prod`, 3],
      ]);
      expect(releases.map(variables)).toEqual(['dev', 'prod'].map((env, i) => {
        const account = ['222222222222', '333333333333'][i];
        return {
          IMAGE_DIGEST: '#{Build.IMAGE_DIGEST}',
          IMAGE_REPOSITORY: `platform/${service}`,
          IMAGE_REGISTRY_ID: '111111111111',
          STACK_NAME: `${kind}-${env}`,
          STACK_REGION: 'eu-west-1',
          PARAMETER_NAME: 'ImageDigest',
          DEPLOY_ROLE_ARN: `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-west-1`,
          EXECUTION_ROLE_ARN: `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`,
          RELEASE_ENVIRONMENT: env,
        };
      }));
      // prod's release comes after its approval and the promotion of the digest to the prod tag (scan gate again).
      const prod = pipeline.Stages.find((stage: any) => stage.Name === 'Promote-prod');
      expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['Promote', 2], [`Release-${kind}-prod`, 3]]);
    }
    // The pipelines release to stacks that exist: Delivery deploys last.
    expect(platform.delivery.dependencies.map((d) => d.node.id).sort()).toEqual(
      ['Ecs-dev', 'Ecs-prod', 'Eks-dev', 'Eks-prod', 'Lambda-dev', 'Lambda-prod', 'Registry']);
    // Every build runs in its pipeline: none has a source of its own to build from.
    const registry = Template.fromStack(platform.registry);
    expect(Object.values(registry.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties.Source.Type)).toEqual(['CODEPIPELINE', 'CODEPIPELINE', 'CODEPIPELINE']);
  });

  test('delivery: a release project may assume only the deploy roles of its own environment', () => {
    const { platform } = crossAccountPlatform();
    const delivery = Template.fromStack(platform.delivery);
    const assumed = Object.values(delivery.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement
      .filter((st: any) => st.Action === 'sts:AssumeRole' && JSON.stringify(st.Resource).includes('cdk-'))
      .map((st: any) => [p.Properties.Roles[0].Ref.replace(/[A-F0-9]{8}$/, ''), resolveCfn(st.Resource, REGISTRY_REFS)]));
    expect(assumed.sort()).toEqual([
      ['catalogPromotionReleasedevRole', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1'],
      ['catalogPromotionReleaseprodRole', 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1'],
      ['resizerPromotionReleasedevRole', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1'],
      ['resizerPromotionReleaseprodRole', 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1'],
      ['storefrontPromotionReleasedevRole', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1'],
      ['storefrontPromotionReleaseprodRole', 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1'],
    ]);
  });

  test('delivery: an environment in another region is released like the others, after its approval, by updating its stacks there', () => {
    const { app, platform } = referencePlatform({ ...TWO_REGIONS, replicaRegions: [] });
    expect(synthesisProblems(app)).toBe('');
    for (const [service, kind] of [['storefront', 'Ecs'], ['catalog', 'Eks'], ['resizer', 'Lambda']]) {
      const releases = releaseActions(platform.delivery, service);
      expect(releases.map((a) => [a.Stage, a.Name, a.RunOrder])).toEqual([['Promote-dev', `Release-${kind}-dev`, 1], ['Promote-prod', `Release-${kind}-prod`, 3]]);
      expect(releases.map((a) => {
        const { STACK_NAME, STACK_REGION, DEPLOY_ROLE_ARN, EXECUTION_ROLE_ARN } = variables(a);
        return { STACK_NAME, STACK_REGION, DEPLOY_ROLE_ARN, EXECUTION_ROLE_ARN };
      })).toEqual([
        {
          STACK_NAME: `${kind}-dev`,
          STACK_REGION: 'eu-west-1',
          DEPLOY_ROLE_ARN: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
          EXECUTION_ROLE_ARN: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1',
        },
        {
          STACK_NAME: `${kind}-prod`,
          STACK_REGION: 'us-east-1',
          DEPLOY_ROLE_ARN: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1',
          EXECUTION_ROLE_ARN: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-us-east-1',
        },
      ]);
      // A release reads only the source artifact, in the pipeline's region: one artifact store, no replication bucket.
      const [pipeline] = Object.values(Template.fromStack(platform.delivery).findResources('AWS::CodePipeline::Pipeline', { Properties: { Name: service } }));
      const { ArtifactStore, ArtifactStores } = pipeline.Properties;
      expect([ArtifactStore.Location, ArtifactStores]).toEqual([{ Ref: expect.stringMatching(new RegExp(`^${service}PromotionArtifacts`)) }, undefined]);
      const prod = pipeline.Properties.Stages.find((stage: any) => stage.Name === 'Promote-prod');
      expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder, a.Region])).toEqual([['Approve', 1, undefined], ['Promote', 2, undefined], [`Release-${kind}-prod`, 3, undefined]]);
    }
    expect(platform.replicaStacks.map((s) => s.stackName)).toEqual(['Registry-us-east-1']);
    expect(platform.bootstrapCommands()).toEqual([
      'npx cdk bootstrap aws://111111111111/eu-west-1 aws://111111111111/us-east-1',
      'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 111111111111 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
      'npx cdk bootstrap aws://333333333333/us-east-1 --trust 111111111111 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
  });

  test('VPCs of known accounts get their zones without calling AWS: the first two CloudFormation lists in the deploying account, or the names context gives', () => {
    const zonesOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone);
    // Fn::GetAZs lists the zones of the account and region that deploy (CloudFormation, "Fn::GetAZs"); a name guessed
    // from the region could be a zone that account lacks, as the oldest regions map names per account ("AZ IDs").
    const { platform } = crossAccountPlatform();
    for (const stack of [...platform.ecsStacks, ...platform.eksStacks]) {
      expect([stack.stackName, zonesOf(stack)]).toEqual([stack.stackName, [0, 1].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] }))]);
    }
    // Names for one account and region (chosen by zone ID), under the key aws-cdk-lib reads before it would call AWS.
    const context = { 'availability-zones:account=333333333333:region=eu-west-1': ['eu-west-1c', 'eu-west-1b', 'eu-west-1a'] };
    const named = referencePlatform(CROSS_ACCOUNT, new App({ context })).platform;
    expect([...named.ecsStacks, ...named.eksStacks].map((s) => [s.stackName, zonesOf(s).map((zone) => (typeof zone === 'string' ? zone : 'Fn::GetAZs'))])).toEqual([
      ['Ecs-dev', ['Fn::GetAZs', 'Fn::GetAZs']], ['Ecs-prod', ['eu-west-1c', 'eu-west-1b']],
      ['Eks-dev', ['Fn::GetAZs', 'Fn::GetAZs']], ['Eks-prod', ['eu-west-1c', 'eu-west-1b']],
    ]);
  });

  // EKS refuses some zones (CreateCluster's UnsupportedAvailabilityZoneException); a zone name maps to a zone ID of each
  // account's own, so in these regions the deploying account's first two zones may include the refused one.
  test.each<[string, string | undefined]>([['us-east-1', 'use1-az3'], ['us-west-1', 'usw1-az2'], ['ca-central-1', 'cac1-az3'], ['eu-west-1', undefined]])(
    'EKS in %s, zones decided at deploy time: a warning names the zone EKS refuses (%s) and the context key that avoids it', (region, refused) => {
      const key = `availability-zones:account=222222222222:region=${region}`;
      const warnings = (context: Record<string, unknown>) => Annotations.fromStack(new EksWorkloadStack(new App({ context }), 'Eks', {
        env: { account: '222222222222', region }, repositoryName: 'team/app', kubectlLayer,
      })).findWarning('*', Match.stringLikeRegexp('eksAvailabilityZones')).map((w) => w.entry.data);
      expect(warnings({})).toEqual(refused ? ['the EKS cluster\'s subnets take the first 2 Availability Zones CloudFormation lists for account '
        + `222222222222 in ${region} (Fn::GetAZs), and Amazon EKS refuses the zone ${refused} there, one of those 2 in some accounts (each account `
        + `maps zone names to zone IDs of its own): name 2 zones whose IDs are not ${refused} in the context key '${key}' (aws ec2 `
        + `describe-availability-zones --region ${region} lists each name with its ZoneId). [ack: cdk-ecr-platform:eksAvailabilityZones]`] : []);
      // Named zones: nothing left to CloudFormation.
      expect(warnings({ [key]: [`${region}a`, `${region}b`] })).toEqual([]);
    });

  test('ECS: isolated VPC without internet access, Container Insights, internal ALB, non-root container, secret from Secrets Manager', () => {
    const template = Template.fromStack(defaultPlatform().platform.ecsStacks[0]);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.eu-west-1.${service}`, PrivateDnsEnabled: true });
    }
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }, { Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        User: '1000:1000',
        ReadonlyRootFilesystem: true,
        Secrets: [{ Name: 'APP_SECRET', ValueFrom: { Ref: Match.stringLikeRegexp('^AppSecret') } }],
        Environment: Match.absent(),
      })],
    });
  });

  test('EKS: private endpoint, every control-plane log, node role without the registry read-only policy, manifest with the image', () => {
    const template = Template.fromStack(defaultPlatform().platform.eksStacks[0]);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
      Logging: { ClusterLogging: { EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({ Type: type })) } },
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
    });
    const nodeRole = Object.values(template.findResources('AWS::IAM::Role')).find((r) => JSON.stringify(r).includes('AmazonEKSWorkerNodePolicy'));
    expect(JSON.stringify(nodeRole)).not.toContain('AmazonEC2ContainerRegistryReadOnly');
    const manifest = JSON.stringify(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(manifest).toContain('/platform/catalog@');
    expect(manifest).toMatch(/kind\W+Deployment/);
    expect(manifest).toMatch(/kind\W+Service/);
  });

  test('EKS: the nodes may pull the EKS add-on images of their region (from "Amazon container image registries")', () => {
    const addOnPull = (resource: unknown) => ({
      // Beside the pull on the workload repository, in one statement of the node role's ECR access policy.
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow', Resource: Match.arrayWith([resource]) }]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^NodeRole') }],
    });
    // In eu-west-1 they live in account 602401143452.
    Template.fromStack(defaultPlatform().platform.eksStacks[0]).hasResourceProperties('AWS::IAM::ManagedPolicy',
      addOnPull({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:602401143452:repository/*']] }));
    // A stack of no fixed region carries the table and looks its region up at deploy time.
    const agnostic = Template.fromStack(new EksWorkloadStack(new App(), 'Eks', { repositoryName: 'team/app', kubectlLayer }));
    expect(agnostic.toJSON().Mappings.EksAddOnRegistry).toEqual(expect.objectContaining({
      'eu-west-1': { account: '602401143452' }, 'us-gov-west-1': { account: '013241004608' }, 'ap-east-1': { account: '800184023465' },
    }));
    agnostic.hasResourceProperties('AWS::IAM::ManagedPolicy', addOnPull({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':',
        { 'Fn::FindInMap': ['EksAddOnRegistry', { Ref: 'AWS::Region' }, 'account'] }, ':repository/*']],
    }));
    expect(synthesisProblems(referencePlatform({ registryEnv: { region: 'xx-nowhere-1' } }).app)).toBe(
      '[Eks-dev] prop \'env.region\': got "xx-nowhere-1"; has no EKS add-on registry that this library knows (39 regions). '
      + 'Add the account of the region from the EKS User Guide ("Amazon container image registries") to EKS_ADDON_REGISTRY_ACCOUNTS.');
  });

  test('EKS: the kubectl provider reaches Lambda and the custom-resource response URL from the isolated subnets', () => {
    const template = Template.fromStack(defaultPlatform().platform.eksStacks[0]);
    // The framework function invokes the handler through Lambda's API.
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.lambda', PrivateDnsEnabled: true, VpcEndpointType: 'Interface' });
    // It PUTs its answer to a pre-signed S3 URL: HTTPS out, which only the S3 gateway endpoint carries.
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] } });
    const [group] = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^kubectl provider') } }));
    expect(group.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '10.0.0.0/16', Description: 'HTTPS inside the VPC', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS to S3 through the gateway endpoint (custom-resource responses); the VPC has no other route out', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
    // That rule reaches S3 only because the VPC routes nothing else out: no internet or NAT gateway, no default route.
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(Object.values(template.findResources('AWS::EC2::Route'))).toEqual([]);
    // Both functions of the provider sit in the isolated subnets with that group.
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.VpcConfig);
    expect(functions).toHaveLength(2);
    for (const f of functions) expect(f.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^KubectlSecurityGroup/), 'GroupId'] }]);
  });

  test('EKS: the kubectl handler\'s role has its logs, its network interfaces and its cluster, nothing of ECR', () => {
    const template = Template.fromStack(defaultPlatform().platform.eksStacks[0]);
    const [id] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { Description: 'kubectl handler: applies the manifests of the cluster' } }));
    const role = template.toJSON().Resources[id];
    expect(role.Properties.ManagedPolicyArns).toEqual(['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole']
      .map((name) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] })));
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Action: 'eks:DescribeCluster', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] } }] },
      Roles: [{ Ref: id }],
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id }] } }))).toBe('{}');
    // The handler runs with it, and so does every manifest.
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'onEvent handler for EKS kubectl resource provider' } }));
    expect(handler.Properties.Role).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
  });

  test('pods run as the same numeric user and group as the ECS tasks', () => {
    const { platform } = defaultPlatform();
    const [ecsUser] = Object.values(Template.fromStack(platform.ecsStacks[0]).findResources('AWS::ECS::TaskDefinition')).map((t) => t.Properties.ContainerDefinitions[0].User);
    const text = Object.values(Template.fromStack(platform.eksStacks[0]).findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0].Properties.Manifest;
    // The manifest is JSON with the image URI as a reference: read it with the reference as a placeholder.
    // The replica count (a condition) stands outside quotes, the image inside.
    const parts: unknown[] = text['Fn::Join'][1];
    const manifest = JSON.parse(parts.map((part, i) => (typeof part === 'string' ? part : String(parts[i - 1]).endsWith('"') ? 'IMAGE' : '0')).join(''));
    const pod = manifest.find((m: { kind: string }) => m.kind === 'Deployment').spec.template.spec.securityContext;
    expect(ecsUser).toBe('1000:1000');
    expect(pod).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test.each<[string, () => IConstruct, string]>([
    ['a workload outside the environments', () => referencePlatform({ workloads: [{ name: 'qa' }] }).app,
      '[Registry] prop \'workloads\': got "qa"; is not one of the environments ["dev","staging","prod"]. Add it to \'environments\'.'],
    ['a malformed digest', () => new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: 'sha256:xyz' }),
      '[Ecs] prop \'imageDigest\': got "sha256:xyz"; a digest is \'sha256:\' followed by 64 lower-case hex digits. Copy it from \'aws ecr describe-images\'.'],
    ['workload accounts without the registry\'s', () => referencePlatform({ workloads: [{ name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } }] }).app,
      '[Registry] prop \'registryEnv.account\': got nothing; the workloads run in accounts ["222222222222"] and pull from the registry\'s account, '
      + 'which must be known: give it (context registryAccount).'],
    ...[['one zone', ['eu-west-1a']], ['one zone twice', ['eu-west-1a', 'eu-west-1a']], ['a zone of another region', ['eu-west-1a', 'us-east-1b']]]
      .map(([name, zones]): [string, () => IConstruct, string] => [
        `${name} for a VPC, by context`,
        () => new EcsServiceStack(new App({ context: { 'availability-zones:account=333333333333:region=eu-west-1': zones } }), 'Ecs', {
          env: { account: '333333333333', region: 'eu-west-1' }, repositoryName: 'team/app',
        }),
        `[Ecs/Vpc] context 'availability-zones:account=333333333333:region=eu-west-1': got ${JSON.stringify(zones)}; the VPC spans 2 Availability Zones: `
      + 'give at least 2 different zone names of eu-west-1 (the region followed by a letter) that account 333333333333 has '
      + '(aws ec2 describe-availability-zones --region eu-west-1), or remove the key to take the first zones CloudFormation lists in that account.',
      ]),
    ['two services with one name', () => new RegistryStack(new App(), 'Registry', {
      services: ['a', 'a'].map((name) => ({ name, source: codebuild.Source.gitHub({ owner: 'o', repo: name }) })),
    }), '[Registry] prop \'services\': got "a"; two services share this name. Rename one.'],
    ['no service', () => new RegistryStack(new App(), 'Registry', { services: [] }), '[Registry] prop \'services\': got []; name at least one service.'],
    ['no environment', () => new RegistryStack(new App(), 'Registry', {
      services: [{ name: 'a', source: codebuild.Source.gitHub({ owner: 'o', repo: 'a' }) }], environments: [],
    }), '[Registry] prop \'environments\': got []; name at least one environment, for example dev.'],
  ])('bad input: %s', (_name, make, message) => {
    // Reported when the app synthesizes, with every other problem of the app, one line each.
    expect(synthesisProblems(make())).toBe(message);
  });

  test('workloads in another region pull from that region\'s copy, declared with the original\'s settings and grants, which replication fills', () => {
    const { app, platform } = referencePlatform({
      registryEnv: { account: '111111111111', region: 'eu-west-1' },
      workloads: [{ name: 'dev', env: { account: '222222222222', region: 'us-east-1' } }],
      replicaRegions: [],
    });
    expect(synthesisProblems(app)).toBe('');
    expect(platform.replicaStacks.map((s) => `${s.stackName} ${s.account} ${s.region}`)).toEqual(['Registry-us-east-1 111111111111 us-east-1']);
    Template.fromStack(platform.registry).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [{ Destinations: [{ Region: 'us-east-1', RegistryId: '111111111111' }], RepositoryFilters: [{ Filter: 'platform/', FilterType: 'PREFIX_MATCH' }] }],
      },
    });
    // Replication pushes into the repository of the same name when there is one (creation templates apply only to the
    // repositories ECR creates, and a prefix covers the names under it): each copy is declared like its original.
    const replica = Template.fromStack(platform.replicaStacks[0]);
    const byName = (t: Template): Record<string, any> => Object.fromEntries(Object.values(t.findResources('AWS::ECR::Repository')).map((r) => [r.Properties.RepositoryName, r]));
    const [originals, copies] = [byName(Template.fromStack(platform.registry)), byName(replica)];
    expect(Object.keys(copies)).toEqual(['platform/storefront', 'platform/catalog', 'platform/resizer']);
    for (const [name, copy] of Object.entries(copies)) {
      const original = originals[name];
      expect([copy.DeletionPolicy, copy.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
      for (const setting of ['ImageTagMutability', 'ImageTagMutabilityExclusionFilters', 'LifecyclePolicy', 'EncryptionConfiguration', 'ImageScanningConfiguration']) {
        expect([name, setting, copy.Properties[setting]]).toEqual([name, setting, original.Properties[setting]]);
      }
    }
    const policies = (t: Record<string, any>, region: string) => Object.values(t).map((r) =>
      JSON.stringify(resolveCfn(r.Properties.RepositoryPolicyText, { 'AWS::Partition': 'aws', 'AWS::Region': region })).split(`:${region}:`).join(':REGION:'));
    expect(policies(copies, 'us-east-1')).toEqual(policies(originals, 'eu-west-1'));
    expect(resolveCfn(copies['platform/storefront'].Properties.RepositoryPolicyText, { 'AWS::Partition': 'aws' })).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/platform/storefront/*'] } },
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      }],
    });
    // A copy a future service adds before this stack declares it is created from the template of the prefix: immutable
    // tags and the lifecycle policy, never ECR's mutable default.
    const templates = Object.values(replica.findResources('AWS::ECR::RepositoryCreationTemplate')).map((t) => t.Properties);
    expect(templates.map((t) => [t.Prefix, t.AppliedFor, t.ImageTagMutability, t.LifecyclePolicy, t.RepositoryPolicy])).toEqual([
      ['platform', ['REPLICATION'], 'IMMUTABLE_WITH_EXCLUSION', originals['platform/storefront'].Properties.LifecyclePolicy.LifecyclePolicyText, undefined],
    ]);
    // The ECS task pulls from us-east-1.
    const task = Object.values(Template.fromStack(platform.ecsStacks[0]).findResources('AWS::ECS::TaskDefinition'))[0];
    expect(resolveCfn(task.Properties.ContainerDefinitions[0].Image['Fn::If'][1], { 'AWS::URLSuffix': 'amazonaws.com', 'ImageDigest': DIGEST }))
      .toBe(`111111111111.dkr.ecr.us-east-1.amazonaws.com/platform/storefront@${DIGEST}`);
  });

  test('every problem of an app is reported at once, each naming its construct', () => {
    const app = new App();
    new EcsServiceStack(app, 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: 'sha256:xyz' });
    new EksWorkloadStack(app, 'Eks', { repositoryName: 'team/app', imageDigest: 'sha256:abc', kubectlLayer });
    new RegistryStack(app, 'Registry', { services: [{ name: 'a', source: codebuild.Source.gitHub({ owner: 'o', repo: 'a' }) }], environments: [] });
    expect(synthesisProblems(app).split('\n').map((line) => line.slice(0, line.indexOf(':') + 1))).toEqual([
      '[Ecs] prop \'imageDigest\':', '[Eks] prop \'imageDigest\':', '[Registry] prop \'environments\':',
    ]);
  });

  test('an unknown service is refused by name', () => {
    const registry = defaultPlatform().platform.registry;
    expect(() => registry.repository('billing')).toThrow(new Error('[Registry] prop \'service\': got "billing"; this registry holds ["storefront","catalog","resizer"].'));
    expect(registry.buildProject('catalog').project.node.path).toBe('Registry/catalogBuild/Project');
    expect(() => registry.buildProject('billing')).toThrow(new Error('[Registry] prop \'service\': got "billing"; this registry holds ["storefront","catalog","resizer"].'));
  });

  test('each service\'s image is built for the compute that runs it: the catalog for its Graviton nodes, natively on ARM', () => {
    const projects = Template.fromStack(defaultPlatform().platform.registry).findResources('AWS::CodeBuild::Project');
    expect(Object.values(projects).map(({ Properties: { Environment: e } }) => ({
      platforms: e.EnvironmentVariables.find((v: { Name: string }) => v.Name === 'PLATFORMS').Value, image: e.Image, type: e.Type,
    }))).toEqual([
      { platforms: 'linux/amd64', image: 'aws/codebuild/standard:7.0', type: 'LINUX_CONTAINER' },
      { platforms: 'linux/arm64', image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', type: 'ARM_CONTAINER' },
      { platforms: 'linux/amd64', image: 'aws/codebuild/standard:7.0', type: 'LINUX_CONTAINER' },
    ]);
  });

  test('an amd64 catalog build for the Graviton node group fails synthesis, naming both', () => {
    const app = new App();
    new RegistryStack(app, 'Registry', { services: [{ name: 'catalog', source: codebuild.Source.gitHub({ owner: 'o', repo: 'catalog' }) }] });
    new EksWorkloadStack(app, 'Eks-dev', { repositoryName: 'platform/catalog', kubectlLayer });
    expect(synthesisProblems(app)).toBe("[Registry/catalogBuild] the Kubernetes manifest 'Eks-dev/Cluster/manifest-Workload' runs images of "
      + "'platform/catalog' on the managed node group 'Eks-dev/Cluster/NodegroupNodes', whose nodes are arm64 (amiType AL2023_ARM_64_STANDARD), "
      + 'and this build pushes linux/amd64 only: its pods would never start ("exec format error") while the stack reports success. '
      + "Add ImagePlatform.LINUX_ARM64 to the build's 'platforms', or give the node group x86_64 nodes (amiType and instanceTypes).");
  });

  test('the README\'s ecr-lifecycle example previews a template the reference app synthesizes', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/ecr-lifecycle preview --template (cdk\.out\/\S+\.template\.json)/g)].map((m) => m[1]);
    expect(examples).toEqual(['cdk.out/Registry.template.json']);
    const assembly = defaultPlatform().app.synth();
    const template = path.join(assembly.directory, path.basename(examples[0]));
    const images = path.join(assembly.directory, 'images.json');
    fs.writeFileSync(images, JSON.stringify({ imageDetails: [{ imageDigest: `sha256:${'1'.repeat(64)}`, imageTags: ['sha-1a2b3c4'], imagePushedAt: 1767225600 }] }));
    let out = '';
    const status = cliMain(['preview', '--template', template, '--images', images, '--format', 'json'], { out: (t) => { out += t; }, err: (t) => { out += t; }, isTTY: false });
    expect({ status, repositories: JSON.parse(out).repositories.map((r: { repositoryName: string }) => r.repositoryName) })
      .toEqual({ status: 0, repositories: ['platform/storefront', 'platform/catalog', 'platform/resizer'] });
  });
});

describe('first deploy', () => {
  test('the README\'s bootstrap commands are the ones the platform\'s stacks need (every account and region, workloads trusting the registry)', () => {
    const { platform } = crossAccountPlatform();
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const commandsIn = (marker: string) => readme.slice(readme.indexOf(`<!-- ${marker} -->`), readme.indexOf(`<!-- /${marker} -->`))
      .split('\n').map((line) => line.trim()).filter((line) => line.startsWith('npx cdk bootstrap'));
    expect(commandsIn('bootstrap')).toEqual(platform.bootstrapCommands());
    // Derived from the stacks, not written down: with -c workloadRegion=us-east-1 (the README's second block) that region
    // comes to the registry's account, for the copy, and replaces eu-west-1 in the workload accounts, for the releases.
    const workloadRegion = referencePlatform({ ...CROSS_ACCOUNT, workloads: CROSS_ACCOUNT.workloads.map((w) => ({ ...w, env: { ...w.env, region: 'us-east-1' } })) });
    expect(commandsIn('bootstrap workloadRegion=us-east-1')).toEqual(workloadRegion.platform.bootstrapCommands());
    // One account: every region of the credentials' account, no trust needed.
    expect(defaultPlatform().platform.bootstrapCommands()).toEqual(['npx cdk bootstrap aws://ACCOUNT/eu-central-1 aws://ACCOUNT/eu-west-1']);
  });

  test('the organization baseline, behind context, targets the units in the registry\'s and the replica regions', () => {
    const { app, platform } = referencePlatform({ ...CROSS_ACCOUNT, organization: { organizationalUnitIds: ['ou-ab12-11111111'] } });
    expect(synthesisProblems(app)).toBe('');
    const template = Template.fromStack(platform.organization!);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111'] }, Regions: ['eu-west-1', 'eu-central-1'] }],
    });
    expect(platform.organization!.account).toBe('111111111111');
    const managed = referencePlatform({ ...CROSS_ACCOUNT, organization: { organizationalUnitIds: ['ou-ab12-11111111'], managementAccount: '999999999999' } }).platform;
    expect(managed.organization!.account).toBe('999999999999');
    // The management account deploys its stack itself: it never trusts the registry's account (which would administer the organization).
    expect(managed.bootstrapCommands().filter((c) => c.includes('999999999999'))).toEqual(['npx cdk bootstrap aws://999999999999/eu-west-1']);
  });
});
