// Who may pull, push and change the reference platform's repositories, answered by an IAM policy simulator over the
// synthesized templates (identity policies plus repository policies; across accounts both must allow), not by
// reading JSON. Single-account and cross-account, and a mutation that shows the check can fail.
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { referencePlatform } from './platform';
import { AccessModel, AWS_MANAGED_POLICIES, PrincipalRef, RepositoryRef } from '../support/iam-simulation';

const REGISTRY = '111111111111';
const DEV = '222222222222';
const PROD = '333333333333';
const STOREFRONT = { stack: 'Registry', id: 'storefrontRepository' };
const CATALOG = { stack: 'Registry', id: 'catalogRepository' };
const RESIZER = { stack: 'Registry', id: 'resizerRepository' };
const PULL = 'ecr:BatchGetImage';

/** A role outside the app, with AWS's read-only ECR policy: what any admin of a workload account could have. */
const reader = (account: string): PrincipalRef => ({ arn: `arn:aws:iam::${account}:role/ops-admin`, policies: [AWS_MANAGED_POLICIES.AmazonEC2ContainerRegistryReadOnly] });
const everything = (account: string): PrincipalRef => ({
  arn: `arn:aws:iam::${account}:role/account-admin`, policies: [[{ Effect: 'Allow', Action: '*', Resource: '*' }]],
});

function crossAccount(): CloudAssembly {
  return referencePlatform({
    registryEnv: { account: REGISTRY, region: 'eu-west-1' },
    workloads: [{ name: 'dev', env: { account: DEV, region: 'eu-west-1' } }, { name: 'prod', env: { account: PROD, region: 'eu-west-1' } }],
  }).app.synth();
}

/** A registry that lets every AWS account pull, as the EKS add-on registries do; only the caller's identity policy decides. */
const openRepository = (account: string, name: string): RepositoryRef => ({
  arn: `arn:aws:ecr:eu-west-1:${account}:repository/${name}`,
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] },
});

type Case = [string, PrincipalRef, string, RepositoryRef, boolean];

describe('access to the repositories, cross-account (registry 111111111111, dev 222222222222, prod 333333333333)', () => {
  const assembly = crossAccount();
  const model = new AccessModel(assembly);

  test.each<Case>([
    ['dev ECS execution role pulls storefront', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
    ['dev ECS execution role downloads storefront layers', { stack: 'Ecs-dev', role: 'ExecutionRole' }, 'ecr:GetDownloadUrlForLayer', STOREFRONT, true],
    ['dev ECS execution role cannot pull catalog', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, CATALOG, false],
    ['dev ECS execution role cannot push storefront', { stack: 'Ecs-dev', role: 'ExecutionRole' }, 'ecr:PutImage', STOREFRONT, false],
    ['dev EKS node role pulls catalog', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, CATALOG, true],
    ['dev EKS node role cannot pull storefront', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, STOREFRONT, false],
    // EKS's own add-ons (VPC CNI, kube-proxy, CoreDNS) come from EKS's registry account of the region (602401143452
    // in eu-west-1): the nodes may pull there, and from no other registry that would admit them.
    ['dev EKS node role pulls the CoreDNS add-on image', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, openRepository('602401143452', 'eks/coredns'), true],
    ['dev EKS node role pulls the VPC CNI add-on image', { stack: 'Eks-dev', role: 'NodeRole' }, 'ecr:GetDownloadUrlForLayer', openRepository('602401143452', 'amazon-k8s-cni'), true],
    ['dev EKS node role cannot pull from another open registry', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, openRepository('999999999999', 'anything'), false],
    ['dev ECS execution role cannot pull the EKS add-on images', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, openRepository('602401143452', 'eks/coredns'), false],
    ['dev kubectl handler cannot pull storefront', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, STOREFRONT, false],
    ['dev kubectl handler cannot pull catalog', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, CATALOG, false],
    ['prod ECS execution role pulls storefront', { stack: 'Ecs-prod', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
    ['prod EKS node role pulls catalog', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, CATALOG, true],
    ['prod EKS node role cannot pull storefront', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, STOREFRONT, false],
    ['a dev role outside the pulling path, with the ECR read-only policy, cannot pull storefront', reader(DEV), PULL, STOREFRONT, false],
    ['a dev role outside the pulling path, with the ECR read-only policy, cannot pull catalog', reader(DEV), PULL, CATALOG, false],
    ['the dev account\'s administrator cannot pull storefront', everything(DEV), PULL, STOREFRONT, false],
    ['an account the registry does not know cannot pull storefront', everything('444444444444'), PULL, STOREFRONT, false],
    ['an account the registry does not know cannot push storefront', everything('444444444444'), 'ecr:PutImage', STOREFRONT, false],
    ['a dev role cannot change the storefront repository policy', everything(DEV), 'ecr:SetRepositoryPolicy', STOREFRONT, false],
    ['the storefront build pushes storefront', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', STOREFRONT, true],
    ['the storefront build pulls storefront', { stack: 'Registry', role: 'storefrontBuildRole' }, PULL, STOREFRONT, true],
    ['the storefront build cannot push catalog', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', CATALOG, false],
    ['the storefront build cannot delete images', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:BatchDeleteImage', STOREFRONT, false],
    ['the storefront build cannot delete its repository', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:DeleteRepository', STOREFRONT, false],
    ['the storefront build cannot change the repository policy', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:SetRepositoryPolicy', STOREFRONT, false],
    ['the storefront build cannot change the lifecycle policy', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutLifecyclePolicy', STOREFRONT, false],
    ['the catalog build pushes catalog', { stack: 'Registry', role: 'catalogBuildRole' }, 'ecr:PutImage', CATALOG, true],
    ['the catalog build cannot pull storefront', { stack: 'Registry', role: 'catalogBuildRole' }, PULL, STOREFRONT, false],
    ['storefront\'s GitHub Actions role pushes storefront', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:PutImage', STOREFRONT, true],
    ['storefront\'s GitHub Actions role cannot push catalog', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:PutImage', CATALOG, false],
    ['storefront\'s GitHub Actions role cannot delete images', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:BatchDeleteImage', STOREFRONT, false],
    ['storefront\'s GitHub Actions role cannot change the repository policy', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:SetRepositoryPolicy', STOREFRONT, false],
    // Lambda's cross-account policy for container images admits the function's whole account (Lambda User Guide,
    // "Amazon ECR permissions"): on resizer, and only there, the account's readers may pull.
    ['a dev role with the ECR read-only policy pulls resizer, which admits the dev account for Lambda', reader(DEV), PULL, RESIZER, true],
    ['a dev role with the ECR read-only policy cannot push resizer', reader(DEV), 'ecr:PutImage', RESIZER, false],
    ['an account the registry does not know cannot pull resizer', everything('444444444444'), PULL, RESIZER, false],
  ])('%s', async (_name, principal, action, repository, allowed) => {
    const decision = await model.check(principal, action, repository);
    expect({ allowed: decision.allowed, result: decision.result }).toEqual({ allowed, result: allowed ? 'Allowed' : expect.stringMatching(/Denied/) });
  });

  test.each<[string, string, string, RepositoryRef, boolean]>([
    ['a dev function', 'arn:aws:lambda:eu-west-1:222222222222:function:Lambda-dev-ServiceFunction', PULL, RESIZER, true],
    ['a dev function, its layers', 'arn:aws:lambda:eu-west-1:222222222222:function:Lambda-dev-ServiceFunction', 'ecr:GetDownloadUrlForLayer', RESIZER, true],
    ['a prod function', 'arn:aws:lambda:eu-west-1:333333333333:function:Lambda-prod-ServiceFunction', PULL, RESIZER, true],
    ['a function of an unknown account', 'arn:aws:lambda:eu-west-1:444444444444:function:anything', PULL, RESIZER, false],
    ['a dev function in another region', 'arn:aws:lambda:us-east-1:222222222222:function:Lambda-dev-ServiceFunction', PULL, RESIZER, false],
    ['a dev function, on storefront', 'arn:aws:lambda:eu-west-1:222222222222:function:Lambda-dev-ServiceFunction', PULL, STOREFRONT, false],
  ])('the Lambda service for %s: %s %s', async (_name, sourceArn, action, repository, allowed) => {
    expect((await model.checkService('lambda.amazonaws.com', sourceArn, action, repository)).allowed).toBe(allowed);
  });

  // The storefront pipeline (Delivery, registry account) deploys through each workload account's deploy role.
  test.each<[string, PrincipalRef, string, boolean]>([
    ['the pipeline\'s role assumes the dev deploy role', { stack: 'Delivery', role: 'PromotionRole' }, 'Ecs-dev', true],
    ['the pipeline\'s role assumes the prod deploy role', { stack: 'Delivery', role: 'PromotionRole' }, 'Ecs-prod', true],
    ['the storefront build cannot assume the prod deploy role', { stack: 'Registry', role: 'storefrontBuildRole' }, 'Ecs-prod', false],
    ['storefront\'s GitHub Actions role cannot assume the prod deploy role', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'Ecs-prod', false],
    ['the registry account\'s administrator cannot assume the prod deploy role', everything(REGISTRY), 'Ecs-prod', false],
    ['the dev account\'s administrator cannot assume the prod deploy role', everything(DEV), 'Ecs-prod', false],
  ])('%s', async (_name, principal, stack, allowed) => {
    const trust = model.resourceWithPolicy(stack, 'DeployRole', 'AWS::IAM::Role', 'AssumeRolePolicyDocument');
    expect((await model.check(principal, 'sts:AssumeRole', trust)).allowed).toBe(allowed);
  });

  test.each<Case>([
    ['the prod deploy role cannot pull storefront', { stack: 'Ecs-prod', role: 'DeployRole' }, PULL, STOREFRONT, false],
    ['the prod deploy role cannot push storefront', { stack: 'Ecs-prod', role: 'DeployRole' }, 'ecr:PutImage', STOREFRONT, false],
    ['the prod deploy role cannot change the storefront repository policy', { stack: 'Ecs-prod', role: 'DeployRole' }, 'ecr:SetRepositoryPolicy', STOREFRONT, false],
    ['the pipeline\'s role cannot push storefront', { stack: 'Delivery', role: 'PromotionRole' }, 'ecr:PutImage', STOREFRONT, false],
  ])('%s', async (_name, principal, action, repository, allowed) => {
    expect((await model.check(principal, action, repository)).allowed).toBe(allowed);
  });

  test('the prod deploy role updates the prod storefront service only, and reads the pipeline\'s artifacts', async () => {
    const role = { stack: 'Ecs-prod', role: 'DeployRole' };
    const service = (account: string, cluster: string) => ({ arn: `arn:aws:ecs:eu-west-1:${account}:service/${cluster}/storefront` });
    expect((await model.check(role, 'ecs:UpdateService', service(PROD, 'storefront-prod'))).allowed).toBe(true);
    expect((await model.check(role, 'ecs:UpdateService', service(PROD, 'catalog-prod'))).allowed).toBe(false);
    expect((await model.check(role, 'ecs:UpdateService', service(DEV, 'storefront-dev'))).allowed).toBe(false);
    const artifact = model.bucketObject('Delivery', 'PromotionArtifacts', 'storefront/prodDefinitions1/abc.zip');
    expect((await model.check(role, 's3:GetObject', artifact)).allowed).toBe(true);
    expect((await model.check(everything(PROD), 's3:GetObject', artifact)).allowed).toBe(false);
  });

  test('the check can fail: with the account-wide grant (no aws:PrincipalArn condition), any role of the account pulls', async () => {
    const template = assembly.getStackByName('Registry').template;
    const id = Object.keys(template.Resources).find((k) => k.startsWith('storefrontRepository') && template.Resources[k].Type === 'AWS::ECR::Repository')!;
    for (const statement of template.Resources[id].Properties.RepositoryPolicyText.Statement) delete statement.Condition;
    const widened = new AccessModel(assembly);
    expect((await widened.check(reader(DEV), PULL, STOREFRONT)).allowed).toBe(true);
    expect((await widened.check({ stack: 'Eks-dev', role: 'KubectlRole' }, PULL, STOREFRONT)).allowed).toBe(false);
    expect((await widened.check(everything('444444444444'), PULL, STOREFRONT)).allowed).toBe(false);
  });
});

describe('access to the repositories, one account', () => {
  const model = new AccessModel(referencePlatform().app.synth());

  test.each<Case>([
    ['the ECS execution role pulls storefront', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
    ['the ECS execution role cannot pull catalog', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, CATALOG, false],
    ['the EKS node role pulls catalog', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, CATALOG, true],
    ['the EKS node role cannot pull storefront', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, STOREFRONT, false],
    ['the kubectl handler cannot pull storefront', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, STOREFRONT, false],
    ['the kubectl handler cannot pull catalog', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, CATALOG, false],
    ['the storefront build pushes storefront', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', STOREFRONT, true],
    ['the storefront build cannot push catalog', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', CATALOG, false],
  ])('%s', async (_name, principal, action, repository, allowed) => {
    expect((await model.check(principal, action, repository)).allowed).toBe(allowed);
  });
});
