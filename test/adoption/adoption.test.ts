// The package as a user gets it: the npm tarball the build made (dist/js), installed offline into a scratch CDK app
// outside this repository, with the aws-cdk-lib and constructs already installed here. Runs after `package:js`
// (task test:adoption), never in the main test run, because it needs the tarball of this very build.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

jest.setTimeout(5 * 60_000);

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'js');
/** What a consumer needs is a few hundred kilobytes; anything near this means build output leaked into the package. */
const MAX_TARBALL_BYTES = 2 * 1024 * 1024;

function tarball(): string {
  const files = fs.existsSync(DIST) ? fs.readdirSync(DIST).filter((f) => f.endsWith('.tgz')) : [];
  if (files.length !== 1) throw new Error(`expected one tarball in ${DIST}, found ${JSON.stringify(files)}: run 'npx projen package:js' first`);
  return path.join(DIST, files[0]);
}

const APP = `
const { App, Stack } = require('aws-cdk-lib');
const codebuild = require('aws-cdk-lib/aws-codebuild');
const ecs = require('aws-cdk-lib/aws-ecs');
const lambda = require('aws-cdk-lib/aws-lambda');
const { ImageBuildProject, ImageRepository } = require('cdk-ecr-platform');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Adopter', { env: { account: '111111111111', region: 'eu-west-1' } });
const repository = new ImageRepository(stack, 'Repository', { repositoryName: 'team/service', mutableTagPatterns: ['dev'] });
new ImageBuildProject(stack, 'Build', {
  repository,
  source: codebuild.Source.gitHub({ owner: 'example-org', repo: 'service' }),
  environmentTags: ['dev'],
});
const task = new ecs.FargateTaskDefinition(stack, 'Task');
task.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(repository, 'dev'), memoryLimitMiB: 512 });
new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: 'dev' }) });
app.synth();
`;

describe('the npm package, installed as a user installs it', () => {
  let scratch = '';

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecr-platform-adopter-'));
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({
      name: 'adopter',
      version: '1.0.0',
      private: true,
      dependencies: {
        'cdk-ecr-platform': `file:${tarball()}`,
        'aws-cdk-lib': `file:${path.join(ROOT, 'node_modules', 'aws-cdk-lib')}`,
        'constructs': `file:${path.join(ROOT, 'node_modules', 'constructs')}`,
      },
    }));
    // --legacy-peer-deps: npm 11's arborist crashes placing peer dependencies next to linked directories (here
    // aws-cdk-lib and constructs); the peers are listed above and checked by `npm ls` below instead.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', '--legacy-peer-deps'], { cwd: scratch, stdio: 'pipe' });
  });

  test('installs offline, its peer dependencies (aws-cdk-lib, constructs) met', () => {
    const ls = spawnSync('npm', ['ls', '--depth=0'], { cwd: scratch, encoding: 'utf8' });
    expect({ status: ls.status, stderr: ls.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ls.stdout).toMatch(/cdk-ecr-platform@0\.0\.0/);
  });

  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('the tarball holds what a consumer needs and nothing else, well under 2 MB', () => {
    expect(fs.statSync(tarball()).size).toBeLessThan(MAX_TARBALL_BYTES);
    const files = execFileSync('tar', ['-tzf', tarball()], { encoding: 'utf8' }).split('\n').filter((f) => f !== '').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/ecr-lifecycle.js',
      'assets/image-build/build-and-push.sh', 'assets/image-build/scan-gate.js',
    ]));
    const topLevel = [...new Set(files.map((f) => f.split('/')[0]))].sort();
    expect(topLevel).toEqual(['.jsii', '.jsii.tabl.json', 'API.md', 'LICENSE', 'README.md', 'assets', 'lib', 'package.json']);
    // The build's programs ship byte for byte.
    for (const file of ['build-and-push.sh', 'scan-gate.js']) {
      expect(fs.readFileSync(path.join(scratch, 'node_modules', 'cdk-ecr-platform', 'assets', 'image-build', file)))
        .toEqual(fs.readFileSync(path.join(ROOT, 'assets', 'image-build', file)));
    }
  });

  test('a CDK app synthesizes a repository, an image build, an ECS task and a Lambda function from it', () => {
    fs.writeFileSync(path.join(scratch, 'app.js'), APP);
    const out = path.join(scratch, 'cdk.out');
    const synth = spawnSync(process.execPath, ['app.js', out], { cwd: scratch, encoding: 'utf8' });
    expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(out, 'Adopter.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::ECR::Repository', 'AWS::CodeBuild::Project', 'AWS::ECS::TaskDefinition', 'AWS::Lambda::Function']));
    // The build's programs are assets of the user's stack, staged from the installed package.
    const assets = JSON.parse(fs.readFileSync(path.join(out, 'Adopter.assets.json'), 'utf8')).files as Record<string, { source: { path: string } }>;
    const staged = Object.values(assets).map((a) => fs.readFileSync(path.join(out, a.source.path), 'utf8'));
    expect(staged).toEqual(expect.arrayContaining(['build-and-push.sh', 'scan-gate.js'].map((f) => fs.readFileSync(path.join(ROOT, 'assets', 'image-build', f), 'utf8'))));
  });

  test('the installed ecr-lifecycle command runs', () => {
    const policy = path.join(scratch, 'policy.json');
    fs.writeFileSync(policy, JSON.stringify({
      rules: [{ rulePriority: 1, description: 'Expire untagged images 14 days after push', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }],
    }));
    const run = spawnSync(path.join(scratch, 'node_modules', '.bin', 'ecr-lifecycle'), ['validate', '--policy', policy, '--protect', 'v*'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('valid');
  });
});
