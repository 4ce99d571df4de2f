import { App, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { ImageBuildProject, ImageRepository } from '../../src';
import { guardFindings, nagFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function setup(source: (stack: Stack) => codebuild.ISource) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app', mutableTagPatterns: ['dev'] });
  const build = new ImageBuildProject(stack, 'Build', { repository, source: source(stack), environmentTags: ['dev'] });
  return { app, build };
}

describe('ImageBuildProject compliance', () => {
  test('cdk-nag: the only findings concern the source credentials, and they are the user\'s to acknowledge', () => {
    const { app, build } = setup(() => codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }));
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

  test('the acknowledgments the construct makes itself are recorded with their reasons', () => {
    const { build } = setup((stack) => codebuild.Source.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'Code', 'app') }));
    // Acknowledgments are recorded as construct metadata ({ id: reason }), which reports list as suppressed findings.
    const acknowledged = [build.project, build.node.findChild('Policy')].map((c) => Object.assign({}, ...c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data)));
    expect(acknowledged).toEqual([
      { 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check': expect.stringContaining('Docker daemon') },
      { 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringContaining('ecr:GetAuthorizationToken') },
    ]);
  });

  test('cfn-guard: only the repository\'s moving tags fail (CT.ECR.PR.3 wants plain IMMUTABLE); nothing of the build', () => {
    const { app } = setup(() => codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }));
    expect(guardFindings(app)).toEqual(['ecr_private_tag_immutability_enabled_check @ Repo02AC86CF']);
  });
});
