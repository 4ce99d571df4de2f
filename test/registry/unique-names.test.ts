import { App, CfnParameter, NestedStack, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  EcsDeployRole, GitHubActionsPublisher, GitHubSubject, ImageBuildProject, ImagePromotionPipeline, ImageRepository, PullThroughCacheRule,
  RepositoryCreationTemplate, RepositoryCreationTrigger, RepositoryFleet, ScanGate, UpstreamRegistry,
} from '../../src';
import { synthesisProblems } from '../support/problems';

/**
 * Names CloudFormation can create once per account and region (repositories, CodeBuild projects, pipelines), per
 * account (IAM roles) or per partition (S3 buckets): a second one fails at deploy, after the first stack deployed.
 * Synth refuses it across the whole app, naming both constructs.
 */
const ENV = { account: '111111111111', region: 'eu-west-1' };
const OTHER_REGION = { ...ENV, region: 'us-east-1' };
const OTHER_ACCOUNT = { ...ENV, account: '222222222222' };
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const FAILS = 'CloudFormation fails to create the second at deploy.';
const REPOSITORY_FIX = 'Give one of them another repositoryName, or declare the repository once and import it elsewhere (ImageRepository.fromRepositoryName).';
const ROLE_FIX = 'Give one of them another roleName (IAM ignores case), or leave roleName out for a generated one.';

type Build = (app: App) => void;
const stack = (app: App, id: string, env?: { account: string; region: string }) =>
  (app.node.tryFindChild(id) as Stack | undefined) ?? new Stack(app, id, { env });
/** An ImageRepository at `stack/id`; an account-agnostic stack for 'agnostic'. */
const repository = (id: string, name: string, env: { account: string; region: string } | 'agnostic' = ENV): Build =>
  (app) => new ImageRepository(stack(app, id.split('/')[0], env === 'agnostic' ? undefined : env), id.split('/')[1], { repositoryName: name });
const all = (...builds: Build[]): Build => (app) => builds.forEach((b) => b(app));

describe('repository names: one per account and region', () => {
  test.each<[string, Build, string]>([
    ['an ImageRepository and a fleet repository (in a nested shard) of one stack',
      all(repository('Registry/Api', 'team-a/api'), (app) => new RepositoryFleet(stack(app, 'Registry'), 'Fleet', { repositoryNames: ['team-a/api'], shards: 1 })),
      `[Registry/Fleet/Shard1/team-a--api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'Registry/Api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['a fleet in one stack and an ImageRepository in another stack of the account and region',
      all((app) => new RepositoryFleet(stack(app, 'Fleet', ENV), 'Fleet', { repositoryNames: ['team-a/api', 'team-b/web'], shards: 2 }), repository('Team/Api', 'team-a/api')),
      `[Team/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'Fleet/Fleet/Shard1/team-a--api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['one name in two stacks of the account and region', all(repository('A/Api', 'team-a/api'), repository('B/Api', 'team-a/api')),
      `[B/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'A/Api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['two account-agnostic stacks (one account token)', all(repository('A/Api', 'team-a/api', 'agnostic'), repository('B/Api', 'team-a/api', 'agnostic')),
      `[B/Api] the account and region these stacks deploy to (account-agnostic stacks may share one) can have one repository named 'team-a/api', and 'A/Api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['a plain ecr.Repository declared later', all(repository('A/Api', 'team-a/api'), (app) => new ecr.Repository(stack(app, 'B', ENV), 'Plain', { repositoryName: 'team-a/api' })),
      `[A/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'B/Plain' declares it too: ${FAILS} ${REPOSITORY_FIX}`],
    ['a plain ecr.CfnRepository declared first', all((app) => new ecr.CfnRepository(stack(app, 'A', ENV), 'Plain', { repositoryName: 'team-a/api' }), repository('A/Api', 'team-a/api')),
      `[A/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'A/Plain' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['a nested stack, which deploys to its parent\'s environment',
      all(repository('A/Api', 'team-a/api'), (app) => new ImageRepository(new NestedStack(stack(app, 'B', ENV), 'Nested'), 'Api', { repositoryName: 'team-a/api' })),
      `[B/Nested/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'A/Api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
    ['three declarations: each later one names the first, once',
      all(repository('A/Api', 'team-a/api'), repository('B/Api', 'team-a/api'), (app) => new ecr.Repository(stack(app, 'C', ENV), 'Plain', { repositoryName: 'team-a/api' })),
      `[A/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'C/Plain' declares it too: ${FAILS} ${REPOSITORY_FIX}\n`
      + `[B/Api] account 111111111111 in eu-west-1 can have one repository named 'team-a/api', and 'A/Api' already declares it: ${FAILS} ${REPOSITORY_FIX}`],
  ])('refuses %s', (_name, build, problems) => {
    const app = new App();
    build(app);
    expect(synthesisProblems(app)).toBe(problems);
  });

  test.each<[string, Build]>([
    ['the same name in another region (a replica)', all(repository('A/Api', 'team-a/api'), repository('B/Api', 'team-a/api', OTHER_REGION))],
    ['the same name in another account', all(repository('A/Api', 'team-a/api'), repository('B/Api', 'team-a/api', OTHER_ACCOUNT))],
    ['an account-agnostic stack beside one with an account (synth cannot tell)', all(repository('A/Api', 'team-a/api'), repository('B/Api', 'team-a/api', 'agnostic'))],
    ['a name given as a token, never compared', (app) => {
      const s = stack(app, 'A', ENV);
      new ImageRepository(s, 'Api', { repositoryName: new CfnParameter(s, 'Name').valueAsString });
      new ImageRepository(s, 'Web', { repositoryName: new CfnParameter(s, 'WebName').valueAsString });
    }],
    ['generated names', all((app) => new ImageRepository(stack(app, 'A', ENV), 'One'), (app) => new ImageRepository(stack(app, 'A', ENV), 'Two'))],
  ])('allows %s', (_name, build) => {
    const app = new App();
    build(app);
    expect(synthesisProblems(app)).toBe('');
  });
});

const publisher = (stackId: string, roleName: string, env: { account: string; region: string } = ENV): Build => (app) => {
  const s = stack(app, stackId, env);
  new GitHubActionsPublisher(s, 'Publisher', {
    provider: GitHubActionsPublisher.accountProvider(s, 'Provider'),
    repositories: [ImageRepository.fromRepositoryName(s, 'Repository', 'platform/web')],
    subjects: [GitHubSubject.branch('example-org', 'web', 'main')],
    roleName,
  });
};
const deployRole = (stackId: string, roleName: string): Build => (app) => {
  new EcsDeployRole(stack(app, stackId, ENV), 'Deploy', { pipelineAccount: '333333333333', roleName, artifactBucketName: 'artifacts-333333333333', services: [] });
};

describe('IAM role names: one per account, in every region, whatever the case', () => {
  test.each<[string, Build, string]>([
    ['two publishers of one account, in two regions', all(publisher('A', 'github-publisher'), publisher('B', 'github-publisher', OTHER_REGION)),
      `[B/Publisher] account 111111111111 can have one IAM role named 'github-publisher', and 'A/Publisher/Role' already declares it: ${FAILS} ${ROLE_FIX}`],
    ['a publisher and a plain iam.Role whose name differs only in case',
      all(publisher('A', 'GitHub-Publisher'), (app) => new iam.Role(stack(app, 'A'), 'Plain', { roleName: 'github-publisher', assumedBy: new iam.AccountRootPrincipal() })),
      `[A/Publisher] account 111111111111 can have one IAM role named 'GitHub-Publisher', and 'A/Plain' declares it too: ${FAILS} ${ROLE_FIX}`],
    ['a deploy role and a publisher', all(deployRole('A', 'ecs-deploy'), publisher('B', 'ecs-deploy')),
      `[B/Publisher] account 111111111111 can have one IAM role named 'ecs-deploy', and 'A/Deploy/Role' already declares it: ${FAILS} ${ROLE_FIX}`],
  ])('refuses %s', (_name, build, problems) => {
    const app = new App();
    build(app);
    // The deploy role without services is refused on its own; only the name is under test here.
    expect(synthesisProblems(app).split('\n').filter((p) => !p.includes("prop 'services'")).join('\n')).toBe(problems);
  });

  test('allows one role name in two accounts', () => {
    const app = new App();
    all(publisher('A', 'github-publisher'), publisher('B', 'github-publisher', OTHER_ACCOUNT))(app);
    expect(synthesisProblems(app)).toBe('');
  });
});

const build = (s: Stack, id: string, projectName?: string) => new ImageBuildProject(s, id, {
  repository: new ImageRepository(s, `${id}Repository`, { mutableTagPatterns: ['dev'] }), environmentTags: ['dev'], scanGate: ScanGate.none(), projectName,
});
type Env = { account: string; region: string };
const pipeline = (stackId: string, env: Env, names: { pipelineName?: string; artifactBucketName?: string }): Build => (app) => {
  const s = stack(app, stackId, env);
  new ImagePromotionPipeline(s, 'Promotion', {
    connectionArn: CONNECTION, sourceOwner: 'example-org', sourceRepository: 'web', buildProject: build(s, 'Build'), environments: [{ name: 'dev' }], ...names,
  });
};

describe('CodeBuild projects and pipelines: one name per account and region; S3 buckets: one name per partition', () => {
  test.each<[string, Build, string]>([
    ['two image builds of one name in two stacks', all((app) => build(stack(app, 'A', ENV), 'Build', 'image-build'), (app) => build(stack(app, 'B', ENV), 'Build', 'image-build')),
      `[B/Build] account 111111111111 in eu-west-1 can have one CodeBuild project named 'image-build', and 'A/Build/Project' already declares it: ${FAILS} `
      + 'Give one of them another projectName, or leave it out for a generated one.'],
    ['an image build and a plain codebuild.Project', all((app) => build(stack(app, 'A', ENV), 'Build', 'image-build'),
      (app) => new codebuild.Project(stack(app, 'A'), 'Plain', { projectName: 'image-build', buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) })),
    `[A/Build] account 111111111111 in eu-west-1 can have one CodeBuild project named 'image-build', and 'A/Plain' declares it too: ${FAILS} `
      + 'Give one of them another projectName, or leave it out for a generated one.'],
    ['two pipelines of one name', all(pipeline('A', ENV, { pipelineName: 'web' }), pipeline('B', ENV, { pipelineName: 'web' })),
      `[B/Promotion] account 111111111111 in eu-west-1 can have one pipeline named 'web', and 'A/Promotion/Pipeline' already declares it: ${FAILS} `
      + 'Give one of them another pipelineName, or leave it out for a generated one.'],
    ['two artifact buckets of one name, in two accounts', all(pipeline('A', ENV, { artifactBucketName: 'web-artifacts' }), pipeline('B', OTHER_ACCOUNT, { artifactBucketName: 'web-artifacts' })),
      `[B/Promotion] S3, whose bucket names are global across accounts and regions, can have one bucket named 'web-artifacts', and 'A/Promotion/Artifacts' already declares it: ${FAILS} `
      + 'Give one of them another bucket name (include the account and region), or leave it out for a generated one.'],
    ['an artifact bucket and a plain s3.Bucket', all(pipeline('A', ENV, { artifactBucketName: 'web-artifacts' }), (app) => new s3.Bucket(stack(app, 'C', OTHER_REGION), 'Plain', { bucketName: 'web-artifacts' })),
      `[A/Promotion] S3, whose bucket names are global across accounts and regions, can have one bucket named 'web-artifacts', and 'C/Plain' declares it too: ${FAILS} `
      + 'Give one of them another bucket name (include the account and region), or leave it out for a generated one.'],
  ])('refuses %s', (_name, builds, problems) => {
    const app = new App();
    builds(app);
    expect(synthesisProblems(app)).toBe(problems);
  });

  test('allows a project name and a pipeline name in another region', () => {
    const app = new App();
    all((app2) => build(stack(app2, 'A', ENV), 'Build', 'image-build'), (app2) => build(stack(app2, 'B', OTHER_REGION), 'Build', 'image-build'),
      pipeline('C', ENV, { pipelineName: 'web' }), pipeline('D', OTHER_REGION, { pipelineName: 'web' }))(app);
    expect(synthesisProblems(app)).toBe('');
  });
});

// Already refused by the registry's own entries (registry-singleton.ts), across the stacks of one account and region.
describe('creation template and pull-through cache prefixes: one per registry, across stacks', () => {
  const template = (s: Stack, id: string) => new RepositoryCreationTemplate(s, id, { prefix: 'team', appliedFor: [RepositoryCreationTrigger.REPLICATION] });
  test.each<[string, (app: App) => void, string]>([
    ['a creation template prefix in two stacks', (app) => { template(stack(app, 'A', ENV), 'Template'); template(stack(app, 'B', ENV), 'Template'); },
      "[B/Template] the registry of account 111111111111 in eu-west-1 already has the repository creation template 'team', declared by 'A/Template'. Use another prefix, or declare it once."],
    ['a creation template prefix in a stack and a nested stack of another', (app) => { template(stack(app, 'A', ENV), 'Template'); template(new NestedStack(stack(app, 'B', ENV), 'Nested'), 'Template'); },
      "[B/Nested/Template] the registry of account 111111111111 in eu-west-1 already has the repository creation template 'team', declared by 'A/Template'. Use another prefix, or declare it once."],
    ['a pull-through cache prefix in two stacks', (app) => {
      for (const id of ['A', 'B']) {
        const s = stack(app, id, ENV);
        new RepositoryCreationTemplate(s, 'CacheTemplates', { prefix: id === 'A' ? 'ROOT' : 'cache', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
        new PullThroughCacheRule(s, 'Cache', { upstream: UpstreamRegistry.ecrPublic(), ecrRepositoryPrefix: 'public' });
      }
    }, "[B/Cache] the registry of account 111111111111 in eu-west-1 already has the pull-through cache rule 'public', declared by 'A/Cache'. Use another prefix, or declare it once."],
  ])('refuses %s', (_name, builds, problems) => {
    const app = new App();
    builds(app);
    expect(synthesisProblems(app)).toBe(problems);
  });
});
