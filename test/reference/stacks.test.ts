import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';
import { kubectlLayer, referencePlatform } from './platform';
import { resolveCfn } from '../../packages/ecr-access/src/resolve';
import { EcsServiceStack, EksWorkloadStack, RegistryStack } from '../../src';
import { main as cliMain } from '../../src/cli/ecr-lifecycle';
import { synthesisProblems } from '../support/problems';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const CROSS_ACCOUNT = {
  registryEnv: { account: '111111111111', region: 'eu-west-1' },
  workloads: [
    { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
    { name: 'prod', env: { account: '333333333333', region: 'eu-west-1' }, imageDigest: DIGEST },
  ],
};

describe('reference platform', () => {
  test('cross-account: each repository policy admits only the pulling roles of the workload accounts, by path', () => {
    const { platform } = referencePlatform(CROSS_ACCOUNT);
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
      Roles: [{ Ref: Match.stringLikeRegexp('^ExecutionRole') }],
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

  test('delivery: the storefront pipeline deploys each environment by digest through the role of that environment\'s account', () => {
    const { app, platform } = referencePlatform(CROSS_ACCOUNT);
    expect(synthesisProblems(app)).toBe('');
    const delivery = Template.fromStack(platform.delivery);
    const pipeline = Object.values(delivery.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    const deploys = pipeline.Stages.flatMap((stage: any) => stage.Actions.filter((a: any) => a.ActionTypeId.Provider === 'ECS')
      .map((a: any) => [stage.Name, a.Configuration, resolveCfn(a.RoleArn, { 'AWS::Partition': 'aws' })]));
    expect(deploys).toEqual([
      ['Promote-dev', { ClusterName: 'storefront-dev', ServiceName: 'storefront' }, 'arn:aws:iam::222222222222:role/storefront-dev-deploy'],
      ['Promote-prod', { ClusterName: 'storefront-prod', ServiceName: 'storefront' }, 'arn:aws:iam::333333333333:role/storefront-prod-deploy'],
    ]);
    expect(pipeline.Stages.map((stage: any) => stage.Name)).toEqual(['Source', 'Build', 'Promote-dev', 'Promote-staging', 'Promote-prod']);
    delivery.hasResourceProperties('AWS::S3::Bucket', { BucketName: '111111111111-eu-west-1-storefront-pipeline' });
    // The pipeline's bucket and key policies name the deploy roles, so those stacks deploy first.
    expect(platform.delivery.dependencies.map((d) => d.node.id).sort()).toEqual(['Ecs-dev', 'Ecs-prod', 'Registry']);
    platform.ecsStacks.forEach((stack, i) => {
      const environment = ['dev', 'prod'][i];
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'storefront' });
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: `storefront-${environment}` });
      const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: `storefront-${environment}-deploy` } });
      const trust = resolveCfn(Object.values(roles)[0].Properties.AssumeRolePolicyDocument, { 'AWS::Partition': 'aws' });
      expect(trust.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/image-promotion/*' } },
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      }]);
      const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: 'What the ECS deploy action of an image promotion pipeline does' } }))[0];
      expect(resolveCfn(policy.Properties.PolicyDocument.Statement.slice(-2), { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' })).toEqual([
        { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: 'arn:aws:s3:::111111111111-eu-west-1-storefront-pipeline/*' },
        {
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          Effect: 'Allow',
          Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
        },
      ]);
    });
    // The storefront build runs in the pipeline only; the other services build on their repository's pushes.
    const registry = Template.fromStack(platform.registry);
    registry.hasResourceProperties('AWS::CodeBuild::Project', { Source: { Type: 'CODEPIPELINE' }, Artifacts: { Type: 'CODEPIPELINE' } });
    expect(Object.values(registry.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties.Source.Type)).toEqual(['CODEPIPELINE', 'GITHUB', 'GITHUB']);
  });

  test('delivery: an environment in another region gets its tag promoted, and no deployment the pipeline could not make', () => {
    const { app, platform } = referencePlatform({
      registryEnv: { account: '111111111111', region: 'eu-west-1' },
      workloads: [{ name: 'dev', env: { account: '222222222222', region: 'us-east-1' } }],
      replicaRegions: [],
    });
    expect(synthesisProblems(app)).toBe('');
    const stages = Object.values(Template.fromStack(platform.delivery).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    expect(stages.flatMap((stage: any) => stage.Actions.map((a: any) => a.ActionTypeId.Provider))).not.toContain('ECS');
    expect(platform.ecsStacks[0].deployRole).toBeUndefined();
    expect(platform.delivery.dependencies.map((d) => d.node.id)).toEqual(['Registry']);
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
        User: '1000:1000',
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

  test('EKS: the nodes may pull the EKS add-on images of their region (from "Amazon container image registries")', () => {
    const addOnPull = (resource: unknown) => ({
      // Beside the pull on the workload repository, in one statement of the node role's ECR access policy.
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow', Resource: Match.arrayWith([resource]) }]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^NodeRole') }],
    });
    // In eu-west-1 they live in account 602401143452.
    Template.fromStack(referencePlatform().platform.eksStacks[0]).hasResourceProperties('AWS::IAM::ManagedPolicy',
      addOnPull({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:602401143452:repository/*']] }));
    // A stack of no fixed region carries the table and looks its region up at deploy time.
    const agnostic = Template.fromStack(new EksWorkloadStack(new App(), 'Eks', { repositoryName: 'team/app', environmentTag: 'dev', kubectlLayer }));
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
    const template = Template.fromStack(referencePlatform().platform.eksStacks[0]);
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
    const template = Template.fromStack(referencePlatform().platform.eksStacks[0]);
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
    const { platform } = referencePlatform();
    const [ecsUser] = Object.values(Template.fromStack(platform.ecsStacks[0]).findResources('AWS::ECS::TaskDefinition')).map((t) => t.Properties.ContainerDefinitions[0].User);
    const text = Object.values(Template.fromStack(platform.eksStacks[0]).findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0].Properties.Manifest;
    // The manifest is JSON with the image URI as a reference: read it with the reference as a placeholder.
    const manifest = JSON.parse(text['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'IMAGE')).join(''));
    const pod = manifest.find((m: { kind: string }) => m.kind === 'Deployment').spec.template.spec.securityContext;
    expect(ecsUser).toBe('1000:1000');
    expect(pod).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test.each<[string, () => IConstruct, string]>([
    ['a workload outside the environments', () => referencePlatform({ workloads: [{ name: 'qa' }] }).app,
      '[Registry] prop \'workloads\': got "qa"; is not one of the environments ["dev","staging","prod"]. Add it to \'environments\'.'],
    ['both a digest and a tag', () => new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: DIGEST, environmentTag: 'dev' }),
      '[Ecs] prop \'imageDigest\': got "' + DIGEST + '"; give exactly one of \'imageDigest\' (preferred) and \'environmentTag\'.'],
    ['neither a digest nor a tag', () => new EksWorkloadStack(new App(), 'Eks', { repositoryName: 'team/app', kubectlLayer }),
      '[Eks] prop \'imageDigest\': got nothing; give exactly one of \'imageDigest\' (preferred) and \'environmentTag\'.'],
    ['a malformed digest', () => new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: 'sha256:xyz' }),
      '[Ecs] prop \'imageDigest\': got "sha256:xyz"; a digest is \'sha256:\' followed by 64 lower-case hex digits. Copy it from \'aws ecr describe-images\'.'],
    ['a malformed environment tag', () => new EcsServiceStack(new App(), 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', environmentTag: '-dev' }),
      '[Ecs] prop \'environmentTag\': got "-dev"; an image tag is 1 to 300 letters, digits, \'_\', \'.\' or \'-\' and does not start with \'.\' or \'-\'. Fix the tag, or pass a digest (sha256:<64 hex>).'],
    ['workload accounts without the registry\'s', () => referencePlatform({ workloads: [{ name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } }] }).app,
      '[Registry] prop \'registryEnv.account\': got nothing; the workloads run in accounts ["222222222222"] and pull from the registry\'s account, '
      + 'which must be known: give it (context registryAccount).'],
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

  test('workloads in another region pull from that region\'s copy, which replication fills and creation templates keep as safe', () => {
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
    const replica = Template.fromStack(platform.replicaStacks[0]);
    const templates = Object.values(replica.findResources('AWS::ECR::RepositoryCreationTemplate')).map((t) => t.Properties);
    expect(templates.map((t) => [t.Prefix, t.AppliedFor, t.ImageTagMutability, JSON.parse(resolveCfn(t.RepositoryPolicy, { 'AWS::Partition': 'aws' }))])).toEqual(
      ['storefront', 'catalog', 'resizer'].map((service) => [`platform/${service}`, ['REPLICATION'], 'IMMUTABLE_WITH_EXCLUSION', {
        Statement: [{
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Condition: { ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::222222222222:role/platform/${service}/*`] } },
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        },
        // The Lambda function's copy: Lambda's cross-account policy for container images (the Lambda service for the
        // functions of the registry's and the workload's accounts in this region, and the workload account).
        ...(service === 'resizer' ? [{
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Condition: { StringLike: { 'aws:sourceArn': ['arn:aws:lambda:us-east-1:111111111111:function:*', 'arn:aws:lambda:us-east-1:222222222222:function:*'] } },
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        }, {
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        }] : [])],
        Version: '2012-10-17',
      }]));
    // The same lifecycle policy as the originals.
    const original = Template.fromStack(platform.registry).findResources('AWS::ECR::Repository');
    const copies = replica.findResources('AWS::ECR::RepositoryCreationTemplate');
    expect(Object.values(copies).map((t) => t.Properties.LifecyclePolicy))
      .toEqual(Object.values(original).map((r) => r.Properties.LifecyclePolicy.LifecyclePolicyText));
    // The ECS task pulls from us-east-1.
    const task = Object.values(Template.fromStack(platform.ecsStacks[0]).findResources('AWS::ECS::TaskDefinition'))[0];
    expect(resolveCfn(task.Properties.ContainerDefinitions[0].Image, { 'AWS::URLSuffix': 'amazonaws.com' })).toBe('111111111111.dkr.ecr.us-east-1.amazonaws.com/platform/storefront:dev');
  });

  test('every problem of an app is reported at once, each naming its construct', () => {
    const app = new App();
    new EcsServiceStack(app, 'Ecs', { env: { region: 'eu-west-1' }, repositoryName: 'team/app', imageDigest: 'sha256:xyz' });
    new EksWorkloadStack(app, 'Eks', { repositoryName: 'team/app', kubectlLayer });
    new RegistryStack(app, 'Registry', { services: [{ name: 'a', source: codebuild.Source.gitHub({ owner: 'o', repo: 'a' }) }], environments: [] });
    expect(synthesisProblems(app).split('\n').map((line) => line.slice(0, line.indexOf(':') + 1))).toEqual([
      '[Ecs] prop \'imageDigest\':', '[Eks] prop \'imageDigest\':', '[Registry] prop \'environments\':',
    ]);
  });

  test('an unknown service is refused by name', () => {
    const registry = referencePlatform().platform.registry;
    expect(() => registry.repository('billing')).toThrow(new Error('[Registry] prop \'service\': got "billing"; this registry holds ["storefront","catalog","resizer"].'));
    expect(registry.buildProject('catalog').project.node.path).toBe('Registry/catalogBuild/Project');
    expect(() => registry.buildProject('billing')).toThrow(new Error('[Registry] prop \'service\': got "billing"; this registry holds ["storefront","catalog","resizer"].'));
  });

  test('each service\'s image is built for the compute that runs it: the catalog for its Graviton nodes, natively on ARM', () => {
    const projects = Template.fromStack(referencePlatform().platform.registry).findResources('AWS::CodeBuild::Project');
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
    new EksWorkloadStack(app, 'Eks-dev', { repositoryName: 'platform/catalog', environmentTag: 'dev', kubectlLayer });
    expect(synthesisProblems(app)).toBe("[Registry/catalogBuild] the Kubernetes manifest 'Eks-dev/Cluster/manifest-Workload' runs images of "
      + "'platform/catalog' on the managed node group 'Eks-dev/Cluster/NodegroupNodes', whose nodes are arm64 (amiType AL2023_ARM_64_STANDARD), "
      + 'and this build pushes linux/amd64 only: its pods would never start ("exec format error") while the stack reports success. '
      + "Add ImagePlatform.LINUX_ARM64 to the build's 'platforms', or give the node group x86_64 nodes (amiType and instanceTypes).");
  });

  test('the README\'s ecr-lifecycle example previews a template the reference app synthesizes', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/ecr-lifecycle preview --template (cdk\.out\/\S+\.template\.json)/g)].map((m) => m[1]);
    expect(examples).toEqual(['cdk.out/Registry.template.json']);
    const assembly = referencePlatform().app.synth();
    const template = path.join(assembly.directory, path.basename(examples[0]));
    const images = path.join(assembly.directory, 'images.json');
    fs.writeFileSync(images, JSON.stringify({ imageDetails: [{ imageDigest: `sha256:${'1'.repeat(64)}`, imageTags: ['sha-1a2b3c4'], imagePushedAt: 1767225600 }] }));
    let out = '';
    const status = cliMain(['preview', '--template', template, '--images', images, '--format', 'json'], { out: (t) => { out += t; }, err: (t) => { out += t; }, isTTY: false });
    expect({ status, repositories: JSON.parse(out).repositories.map((r: { repositoryName: string }) => r.repositoryName) })
      .toEqual({ status: 0, repositories: ['platform/storefront', 'platform/catalog', 'platform/resizer'] });
  });
});
