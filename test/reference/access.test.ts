// Who may pull, push and change the reference platform's repositories, answered by an IAM policy simulator over the
// synthesized templates (identity policies plus repository policies; across accounts both must allow), not by
// reading JSON. Single-account and cross-account, and a mutation that shows the check can fail.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Case, CATALOG, CROSS_ACCOUNT_CASES, crossAccount, DEV, everything, PROD, PULL, reader, REGISTRY, RESIZER, STOREFRONT,
} from './access-cases';
import { referencePlatform } from './platform';
import { AccessModel, PrincipalRef, RepositoryRef } from '../support/iam-simulation';

describe('access to the repositories, cross-account (registry 111111111111, dev 222222222222, prod 333333333333)', () => {
  const assembly = crossAccount();
  const model = new AccessModel(assembly);

  test.each<Case>(CROSS_ACCOUNT_CASES)('%s', async (_name, principal, action, repository, allowed) => {
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
    // A copy of the assembly whose Registry template lost the condition.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'widened-'));
    fs.cpSync(assembly.directory, copy, { recursive: true });
    const file = path.join(copy, assembly.getStackByName('Registry').templateFile);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const id = Object.keys(template.Resources).find((k) => k.startsWith('storefrontRepository') && template.Resources[k].Type === 'AWS::ECR::Repository')!;
    for (const statement of template.Resources[id].Properties.RepositoryPolicyText.Statement) delete statement.Condition;
    fs.writeFileSync(file, JSON.stringify(template));
    const widened = new AccessModel({ directory: copy });
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
