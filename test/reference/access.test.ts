// Who may pull, push and change the reference platform's repositories, answered by an IAM policy simulator over the
// synthesized templates (identity policies plus repository policies; across accounts both must allow), not by
// reading JSON. Single-account, cross-account and across two regions, and mutations that show the checks can fail.
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import {
  Case, CATALOG, CROSS_ACCOUNT_CASES, crossAccount, DEV, everything, PROD, PULL, reader, REGISTRY, RESIZER, STOREFRONT,
} from './access-cases';
import { referencePlatform, TWO_REGIONS } from './platform';
import { scratchDir } from '../support/clean-outdirs';
import { AccessModel, PrincipalRef, RepositoryRef } from '../support/iam-simulation';

// What an environment runs is its stacks' ImageDigest parameter (ECR has no IAM condition on the tag pushed, so a
// moving tag cannot be protected): changing it takes an update of the stack, through the CDK deploy role of the
// workload account and region, which `cdk bootstrap --trust <registry>` lets the registry account's principals assume
// when their identity policy allows it. The bootstrap template's trust: the account itself and the trusted accounts.
const deployRole = (account: string, region = 'eu-west-1'): RepositoryRef => ({
  arn: `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`,
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: [`arn:aws:iam::${account}:root`, `arn:aws:iam::${REGISTRY}:root`] } }],
  },
});
/** The role of the project that releases a service's digest to an environment's stacks (the pipeline's stage, after its approval). */
const release = (service: string, env: string): PrincipalRef => ({ stack: 'Delivery', role: `${service}PromotionRelease${env}Role` });
const SERVICES = ['storefront', 'catalog', 'resizer'];

/** The access model of a copy of `assembly` whose template of `stack` went through `edit`: the mutations that show a check can fail. */
function mutated(assembly: CloudAssembly, stack: string, edit: (template: any) => void): AccessModel {
  const copy = scratchDir('mutated-');
  fs.cpSync(assembly.directory, copy, { recursive: true });
  const file = path.join(copy, assembly.getStackByName(stack).templateFile);
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(template);
  fs.writeFileSync(file, JSON.stringify(template));
  return new AccessModel({ directory: copy });
}

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

  test.each<[string, PrincipalRef, string, boolean]>([
    ...SERVICES.flatMap((service): [string, PrincipalRef, string, boolean][] => [
      [`${service}'s prod release (after its approval) may change what prod runs`, release(service, 'prod'), PROD, true],
      [`${service}'s dev release may change what dev runs`, release(service, 'dev'), DEV, true],
      [`${service}'s dev release cannot change what prod runs`, release(service, 'dev'), PROD, false],
      [`${service}'s build cannot change what prod runs`, { stack: 'Registry', role: `${service}BuildRole` }, PROD, false],
      [`${service}'s GitHub Actions role cannot change what prod runs`, { stack: 'Registry', role: `${service}GitHubRole` }, PROD, false],
    ]),
    ['the storefront pipeline\'s role cannot change what prod runs itself', { stack: 'Delivery', role: 'storefrontPromotionRole' }, PROD, false],
    ['the storefront pipeline\'s source role cannot change what prod runs', { stack: 'Delivery', role: 'storefrontPromotionSourceRole' }, PROD, false],
    ['the dev account\'s administrator cannot change what prod runs', everything(DEV), PROD, false],
    ['an unknown account\'s administrator cannot change what prod runs', everything('444444444444'), PROD, false],
    // --trust hands the registry account's administrators deployments into the workload accounts, as `cdk deploy` needs.
    ['the registry account\'s administrator may (the trust cdk deploy needs: guard that account\'s admin access)', everything(REGISTRY), PROD, true],
  ])('who can change what runs: %s', async (_name, principal, account, allowed) => {
    expect((await model.check(principal, 'sts:AssumeRole', deployRole(account))).allowed).toBe(allowed);
  });

  // The enhanced gate's Inspector reads have no resource type in the Service Authorization Reference, so IAM evaluates
  // them against "*": the roles that gate an image get those two and nothing that changes what Inspector reports
  // (a suppression filter would hide findings from the gate; disabling or reconfiguring scanning would stop them).
  const anyResource: RepositoryRef = { arn: '*', account: REGISTRY };
  const gateRoles: Array<[string, PrincipalRef]> = [
    ['storefront\'s build', { stack: 'Registry', role: 'storefrontBuildRole' }],
    ['storefront\'s GitHub Actions role', { stack: 'Registry', role: 'storefrontGitHubRole' }],
  ];
  test.each<[string, string, boolean, PrincipalRef]>([
    ...gateRoles.flatMap(([name, role]): Array<[string, string, boolean, PrincipalRef]> => [
      ...['inspector2:ListCoverage', 'inspector2:ListFindings'].map((action): [string, string, boolean, PrincipalRef] => [name, action, true, role]),
      ...['inspector2:ListCoverageStatistics', 'inspector2:CreateFilter', 'inspector2:UpdateFilter', 'inspector2:DeleteFilter', 'inspector2:Disable',
        'inspector2:UpdateConfiguration', 'inspector2:CreateFindingsReport', 'ecr:PutRegistryScanningConfiguration']
        .map((action): [string, string, boolean, PrincipalRef] => [name, action, false, role]),
    ]),
    ['storefront\'s prod release, which gates nothing,', 'inspector2:ListCoverage', false, release('storefront', 'prod')],
  ])('the enhanced scan gate\'s Inspector reads: %s %s: %s', async (_name, action, allowed, principal) => {
    expect((await model.check(principal, action, anyResource)).allowed).toBe(allowed);
  });

  test('who can start a release: only the pipeline\'s action of that stage (identity policies naming the project)', () => {
    const template = assembly.getStackByName('Delivery').template;
    const project = Object.keys(template.Resources).find((id) => id.startsWith('storefrontPromotionReleaseprod') && template.Resources[id].Type === 'AWS::CodeBuild::Project');
    const starters = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyDocument.Statement
      .some((st: any) => [st.Action].flat().includes('codebuild:StartBuild') && JSON.stringify(st.Resource).includes(`"${project}"`)))
      .flatMap((r) => r.Properties.Roles.map((role: any) => role.Ref));
    expect(starters).toEqual([expect.stringMatching(/^storefrontPromotionPipelinePromoteprodReleaseEcsprodCodePipelineActionRole/)]);
  });

  test.each<Case>([
    ['the prod release cannot pull storefront', release('storefront', 'prod'), PULL, STOREFRONT, false],
    ['the prod release cannot push storefront', release('storefront', 'prod'), 'ecr:PutImage', STOREFRONT, false],
    ['the pipeline\'s role cannot push storefront', { stack: 'Delivery', role: 'storefrontPromotionRole' }, 'ecr:PutImage', STOREFRONT, false],
  ])('%s', async (_name, principal, action, repository, allowed) => {
    expect((await model.check(principal, action, repository)).allowed).toBe(allowed);
  });

  test('the check can fail: with the account-wide grant (no aws:PrincipalArn condition), any role of the account pulls', async () => {
    const widened = mutated(assembly, 'Registry', (template) => {
      const id = Object.keys(template.Resources).find((k) => k.startsWith('storefrontRepository') && template.Resources[k].Type === 'AWS::ECR::Repository')!;
      for (const statement of template.Resources[id].Properties.RepositoryPolicyText.Statement) delete statement.Condition;
    });
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

// A workload in another region than the registry is released by the same pipeline, after the same approval: its stage's
// release project, in the pipeline's region, assumes the deploy role of that account and region and updates the stack
// there. It reads no artifact in that region (its input is the source, in the pipeline's bucket), so the pipeline
// needs no artifact store there; the image it releases is the copy replication brings to that region.
describe('delivery to a second region (registry and dev in eu-west-1, prod in us-east-1)', () => {
  const assembly = referencePlatform(TWO_REGIONS).app.synth();
  const model = new AccessModel(assembly);
  const copyOf = (service: string): RepositoryRef => ({ stack: 'Registry-us-east-1', id: `${service}Repository` });
  const allowed = async (principal: PrincipalRef, action: string, resource: RepositoryRef) =>
    (await model.check(principal, action, resource)).allowed;

  test.each<[string, PrincipalRef, RepositoryRef, boolean]>([
    ...SERVICES.flatMap((service): [string, PrincipalRef, RepositoryRef, boolean][] => [
      [`${service}'s prod release (after its approval) may change what prod runs in us-east-1`, release(service, 'prod'), deployRole(PROD, 'us-east-1'), true],
      [`${service}'s dev release may change what dev runs in eu-west-1`, release(service, 'dev'), deployRole(DEV), true],
      [`${service}'s dev release cannot change what prod runs in us-east-1`, release(service, 'dev'), deployRole(PROD, 'us-east-1'), false],
      [`${service}'s prod release cannot deploy to prod's eu-west-1, where prod runs nothing`, release(service, 'prod'), deployRole(PROD), false],
      [`${service}'s build cannot change what prod runs in us-east-1`, { stack: 'Registry', role: `${service}BuildRole` }, deployRole(PROD, 'us-east-1'), false],
      [`${service}'s GitHub Actions role cannot change what prod runs in us-east-1`, { stack: 'Registry', role: `${service}GitHubRole` }, deployRole(PROD, 'us-east-1'), false],
    ]),
    ['the storefront pipeline\'s role cannot change what prod runs in us-east-1 itself', { stack: 'Delivery', role: 'storefrontPromotionRole' }, deployRole(PROD, 'us-east-1'), false],
  ])('who can change what runs: %s', async (_name, principal, role, expected) => {
    expect(await allowed(principal, 'sts:AssumeRole', role)).toBe(expected);
  });

  test.each(SERVICES)('%s\'s prod release reads its input, the source artifact, in the pipeline\'s region: the bucket\'s object and its key', async (service) => {
    const object = model.bucketObject('Delivery', `${service}PromotionArtifacts`, 'Source/abc.zip');
    const key = model.resourceWithPolicy('Delivery', `${service}PromotionArtifactsKey`, 'AWS::KMS::Key', 'KeyPolicy');
    expect(await allowed(release(service, 'prod'), 's3:GetObject', object)).toBe(true);
    expect(await allowed(release(service, 'prod'), 'kms:Decrypt', key)).toBe(true);
    expect(await allowed(release(service, 'prod'), 's3:PutObject', object)).toBe(false);
    // Another service's artifacts are not its own.
    const other = SERVICES.find((s) => s !== service)!;
    expect(await allowed(release(service, 'prod'), 's3:GetObject', model.bucketObject('Delivery', `${other}PromotionArtifacts`, 'Source/abc.zip'))).toBe(false);
  });

  test.each<Case>([
    // The release waits until replication has brought the digest to its stack's region.
    ['storefront\'s prod release sees whether the image is in us-east-1', release('storefront', 'prod'), 'ecr:DescribeImages', copyOf('storefront'), true],
    ['storefront\'s prod release does not read the eu-west-1 original, where prod runs nothing', release('storefront', 'prod'), 'ecr:DescribeImages', STOREFRONT, false],
    ['storefront\'s dev release sees whether the image is in eu-west-1', release('storefront', 'dev'), 'ecr:DescribeImages', STOREFRONT, true],
    // What the released stacks run: their own region's copy.
    ['prod ECS execution role pulls storefront\'s copy in us-east-1', { stack: 'Ecs-prod', role: 'ExecutionRole' }, PULL, copyOf('storefront'), true],
    ['prod ECS execution role does not pull the eu-west-1 original', { stack: 'Ecs-prod', role: 'ExecutionRole' }, PULL, STOREFRONT, false],
    ['prod EKS node role pulls catalog\'s copy in us-east-1', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, copyOf('catalog'), true],
    ['prod EKS node role cannot pull storefront\'s copy', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, copyOf('storefront'), false],
    ['dev ECS execution role pulls the eu-west-1 original', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
  ])('%s', async (_name, principal, action, repository, expected) => {
    expect(await allowed(principal, action, repository)).toBe(expected);
  });

  test.each<[string, string, RepositoryRef, boolean]>([
    ['a prod function in us-east-1 pulls resizer\'s copy there', 'arn:aws:lambda:us-east-1:333333333333:function:Lambda-prod-ServiceFunction', copyOf('resizer'), true],
    ['a prod function in us-east-1 does not pull the eu-west-1 original', 'arn:aws:lambda:us-east-1:333333333333:function:Lambda-prod-ServiceFunction', RESIZER, false],
  ])('the Lambda service for %s', async (_name, sourceArn, repository, expected) => {
    expect((await model.checkService('lambda.amazonaws.com', sourceArn, PULL, repository)).allowed).toBe(expected);
  });

  test('the check can fail: without the us-east-1 deploy role in its policy, prod\'s release cannot release there', async () => {
    const withoutRole = mutated(assembly, 'Delivery', (template) => {
      for (const resource of Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
        resource.Properties.PolicyDocument.Statement = resource.Properties.PolicyDocument.Statement
          .filter((statement: any) => !JSON.stringify(statement.Resource).includes('deploy-role-333333333333-us-east-1'));
      }
    });
    expect((await withoutRole.check(release('storefront', 'prod'), 'sts:AssumeRole', deployRole(PROD, 'us-east-1'))).allowed).toBe(false);
    expect((await withoutRole.check(release('storefront', 'dev'), 'sts:AssumeRole', deployRole(DEV))).allowed).toBe(true);
  });
});
