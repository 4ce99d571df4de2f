import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImageRepository } from '../../src';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const name = (i: number) => `platform-team-${i % 10}/payments-service-${i}`;

/** A role granted pull on `count` repositories of another account's registry, imported by ARN. */
function pulls(count: number) {
  const stack = new Stack(new App(), 'Consumer', { env: ENV });
  const role = new iam.Role(stack, 'TaskExecution', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  for (let i = 0; i < count; i++) {
    ImageRepository.fromRepositoryAttributes(stack, `Repository${i}`, {
      repositoryName: name(i), repositoryArn: `arn:aws:ecr:eu-west-1:999999999999:repository/${name(i)}`,
    }).grantPull(role);
  }
  return { stack, role };
}

/** Characters IAM counts: the policy document without whitespace. */
const iamLength = (document: unknown) => JSON.stringify(document).replace(/\s/g, '').length;

describe('ECR access policy size', () => {
  test('a role granted pull on 300 repositories gets its ECR access split over managed policies of at most 6,144 characters, each repository once', () => {
    const { stack } = pulls(300);
    expect(synthesisProblems(stack)).toBe('');
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    const ids = Object.keys(policies);
    // The first keeps its logical id; the others are its children, so its acknowledgments cover them.
    expect(ids[0]).toMatch(/^TaskExecutionEcrAccessPolicy[0-9A-F]{8}$/);
    expect(ids.slice(1).every((id) => /^TaskExecutionEcrAccessPolicyPart\d+[0-9A-F]{8}$/.test(id))).toBe(true);
    expect(ids.length).toBe(5);
    const lengths = ids.map((id) => iamLength(policies[id].Properties.PolicyDocument));
    expect(lengths.every((l) => l <= 6144)).toBe(true);
    const arns = ids.flatMap((id) => (policies[id].Properties.PolicyDocument.Statement as { Resource: string | string[] }[])
      .flatMap((s) => [s.Resource].flat()));
    expect(arns.filter((a) => a !== '*').sort()).toEqual(Array.from({ length: 300 }, (_, i) => `arn:aws:ecr:eu-west-1:999999999999:repository/${name(i)}`).sort());
    // The registry login is granted once, in the first policy.
    expect(arns.filter((a) => a === '*')).toHaveLength(1);
    expect(ids.every((id) => policies[id].Properties.Roles[0].Ref.startsWith('TaskExecution'))).toBe(true);
  });

  test('the split is the same at every synthesis', () => {
    const documents = () => Object.values(Template.fromStack(pulls(120).stack).findResources('AWS::IAM::ManagedPolicy')).map((p) => p.Properties.PolicyDocument);
    expect(documents()).toEqual(documents());
  });

  test('a role that would need more than 20 managed policies is refused at synth, naming the role and the fix', () => {
    const { stack } = pulls(2000);
    expect(synthesisProblems(stack)).toBe("[Consumer/TaskExecution/EcrAccessPolicy] prop 'managedPolicies': got 29; role Consumer/TaskExecution would have 29 "
      + "ECR access policies (each within IAM's 6,144 characters) and 0 other managed policies, and IAM attaches at most 20 to a role (10 unless the "
      + "account's quota was raised). Grant by a wildcard name prefix (iam.Grant.addToPrincipal with a repository ARN ending in 'team/*'), or on fewer repositories.");
  });
});
