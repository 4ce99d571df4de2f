import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { kubectlLayer, referencePlatform } from './platform';
import { EcsServiceStack, EksWorkloadStack, RegistryStack } from '../../src';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const CROSS_ACCOUNT = {
  registryEnv: { account: '111111111111', region: 'eu-west-1' },
  workloads: [
    { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
    { name: 'prod', env: { account: '333333333333', region: 'eu-west-1' }, imageDigest: DIGEST },
  ],
};

describe('reference platform', () => {
  test('cross-account: the registry lets exactly the workload accounts pull, through each repository policy', () => {
    const { platform } = referencePlatform(CROSS_ACCOUNT);
    const root = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]] });
    Template.fromStack(platform.registry).allResourcesProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Version: '2012-10-17',
        Statement: [{
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Effect: 'Allow',
          Principal: { AWS: [root('222222222222'), root('333333333333')] },
        }],
      },
    });
  });

  test('workloads import the repository by ARN in the registry account, and prefer the digest', () => {
    const { platform } = referencePlatform(CROSS_ACCOUNT);
    const [devEcs, prodEcs] = platform.ecsStacks.map((s) => Template.fromStack(s));
    const image = (t: Template) => JSON.stringify(t.findResources('AWS::ECS::TaskDefinition'));
    expect(image(devEcs)).toContain('111111111111.dkr.ecr.eu-west-1.');
    expect(image(devEcs)).toContain('platform/storefront:dev');
    expect(image(prodEcs)).toContain(`platform/storefront@${DIGEST}`);
    // The execution role's ECR access, in the library's policy: pull on that repository of the registry account, and login.
    devEcs.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/platform/storefront']] },
        }]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^TaskExecutionRole') }],
    });
  });

  test('no stack depends on an export of the registry; the registry deploys first', () => {
    const { app, platform } = referencePlatform(CROSS_ACCOUNT);
    const assembly = app.synth();
    for (const stack of [...platform.ecsStacks, ...platform.eksStacks]) {
      expect(JSON.stringify(assembly.getStackByName(stack.stackName).template)).not.toContain('Fn::ImportValue');
      expect(stack.dependencies).toContain(platform.registry);
    }
  });

  test('ECS: isolated VPC without internet access, Container Insights, internal ALB, non-root container, secret from Secrets Manager', () => {
    const template = Template.fromStack(referencePlatform().platform.ecsStacks[0]);
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
        User: '1000',
        ReadonlyRootFilesystem: true,
        Secrets: [{ Name: 'APP_SECRET', ValueFrom: { Ref: Match.stringLikeRegexp('^AppSecret') } }],
        Environment: Match.absent(),
      })],
    });
  });

  test('EKS: private endpoint, every control-plane log, node role without the registry read-only policy, manifest with the image', () => {
    const template = Template.fromStack(referencePlatform().platform.eksStacks[0]);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
      Logging: { ClusterLogging: { EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({ Type: type })) } },
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
    });
    const nodeRole = Object.values(template.findResources('AWS::IAM::Role')).find((r) => JSON.stringify(r).includes('AmazonEKSWorkerNodePolicy'));
    expect(JSON.stringify(nodeRole)).not.toContain('AmazonEC2ContainerRegistryReadOnly');
    const manifest = JSON.stringify(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(manifest).toContain('platform/catalog:dev');
    expect(manifest).toMatch(/kind\W+Deployment/);
    expect(manifest).toMatch(/kind\W+Service/);
  });

  test.each<[string, () => unknown, string]>([
    ['a workload outside the environments', () => referencePlatform({ workloads: [{ name: 'qa' }] }),
      '[Registry] prop \'workloads\': got "qa"; is not one of the environments ["dev","staging","prod"]. Add it to \'environments\'.'],
    ['both a digest and a tag', () => new EcsServiceStack(new App(), 'Ecs', { repositoryName: 'team/app', imageDigest: DIGEST, environmentTag: 'dev' }),
      '[Ecs] prop \'imageDigest\': got "' + DIGEST + '"; give exactly one of \'imageDigest\' (preferred) and \'environmentTag\'.'],
    ['neither a digest nor a tag', () => new EksWorkloadStack(new App(), 'Eks', { repositoryName: 'team/app', kubectlLayer }),
      '[Eks] prop \'imageDigest\': got nothing; give exactly one of \'imageDigest\' (preferred) and \'environmentTag\'.'],
    ['a malformed digest', () => new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: 'sha256:xyz' }),
      '[Ecs/Repository] prop \'tagOrDigest\': got "sha256:xyz"; a digest is \'sha256:\' followed by 64 lower-case hex digits. Copy it from \'aws ecr describe-images\'.'],
    ['two services with one name', () => new RegistryStack(new App(), 'Registry', {
      services: ['a', 'a'].map((name) => ({ name, source: codebuild.Source.gitHub({ owner: 'o', repo: name }) })),
    }), '[Registry] prop \'services\': got "a"; two services share this name. Rename one.'],
    ['no environment', () => new RegistryStack(new App(), 'Registry', {
      services: [{ name: 'a', source: codebuild.Source.gitHub({ owner: 'o', repo: 'a' }) }], environments: [],
    }), '[Registry] prop \'environments\': got []; name at least one environment, for example dev.'],
  ])('bad input: %s', (_name, make, message) => {
    expect(make).toThrow(new Error(message));
  });

  test('an unknown service is refused by name', () => {
    const registry = referencePlatform().platform.registry;
    expect(() => registry.repository('billing')).toThrow(new Error('[Registry] prop \'service\': got "billing"; this registry holds ["storefront","catalog"].'));
    expect(registry.buildProject('catalog').project).toBeDefined();
  });
});
