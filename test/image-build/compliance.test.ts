import { App, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { ImageBuildProject, ImageRepository, ScanGate } from '../../src';
import { INSPECTOR_GATE_REASON } from '../../src/repository/actions';
import { FLAG_CONTEXTS } from '../reference/platform';
import { acknowledgedOn, guardFindings, nagFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function setup(source: (stack: Stack) => codebuild.ISource, context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Stack', { env: ENV });
  const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['dev'] });
  const build = new ImageBuildProject(stack, 'Build', { repository, source: source(stack), environmentTags: ['dev'] });
  return { app, build };
}

describe('ImageBuildProject compliance', () => {
  test.each(FLAG_CONTEXTS)('cdk-nag: the only findings concern the source credentials, and they are the user\'s to acknowledge, %s', (_flags, context) => {
    const { app, build } = setup(() => codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }), context);
    // The HIPAA and PCI rule wants an OAuth block on the source; CodeBuild's account-level credential supplies it.
    expect(nagFindings(app)).toEqual([
      'HIPAA.Security-CodeBuildProjectSourceRepoUrl @ Stack/Build/Project/Resource',
      'PCI.DSS.321-CodeBuildProjectSourceRepoUrl @ Stack/Build/Project/Resource',
    ]);
    const reason = 'GitHub access comes from the CodeBuild source credential of the account (OAuth), not from the repository URL';
    Validations.of(build.project).acknowledge(
      { id: 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason },
      { id: 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl', reason },
    );
    expect(nagFindings(app)).toEqual([]);
  });

  test('the acknowledgments the construct makes itself are recorded with their reasons, each where its finding is', () => {
    const { build } = setup((stack) => codebuild.Source.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'Code', 'app') }));
    // Acknowledgments are recorded as construct metadata ({ id: reason }), which reports list as suppressed findings.
    expect(acknowledgedOn(build.project)).toEqual({ 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check': expect.stringContaining('Docker daemon') });
    expect(acknowledgedOn(build.role.node.findChild('EcrAccessPolicy'))).toEqual({ 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringContaining('ecr:GetAuthorizationToken') });
    // The basic gate needs nothing on "*" in the build's own policy, so nothing is acknowledged there.
    expect(acknowledgedOn(build.node.findChild('Policy'))).toEqual({});
  });

  test('the enhanced gate\'s Inspector reads are acknowledged on the build\'s policy, for their reason', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['dev'] });
    const build = new ImageBuildProject(stack, 'Build', {
      repository,
      source: codebuild.Source.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'Code', 'app') }),
      environmentTags: ['dev'],
      scanGate: ScanGate.enhanced(),
    });
    expect(acknowledgedOn(build.node.findChild('Policy'))).toEqual({ 'Annotation::AwsSolutions-IAM5[Resource::*]': INSPECTOR_GATE_REASON });
    expect(INSPECTOR_GATE_REASON).toMatch(/^inspector2:ListFindings and inspector2:ListCoverage have no resource type .*the scan gate calls ListCoverage/);
    // Only the source-credential findings remain, as for every build (the user's to acknowledge).
    expect(nagFindings(app)).toEqual([
      'HIPAA.Security-CodeBuildProjectSourceRepoUrl @ Stack/Build/Project/Resource',
      'PCI.DSS.321-CodeBuildProjectSourceRepoUrl @ Stack/Build/Project/Resource',
    ]);
  });

  test('cfn-guard: only the repository\'s moving tags fail (CT.ECR.PR.3 wants plain IMMUTABLE); nothing of the build', () => {
    const { app } = setup(() => codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }));
    expect(guardFindings(app)).toEqual(['ecr_private_tag_immutability_enabled_check @ Repo02AC86CF']);
  });
});
