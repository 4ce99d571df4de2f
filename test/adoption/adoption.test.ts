// Both packages as a user gets them: the tarballs this build packed (dist/js) are published to a real npm registry on
// 127.0.0.1 (Verdaccio, test/support/npm-registry.ts), then installed from it by version into a scratch CDK app outside
// this repository, with the commands the README's Install section gives. Runs after packaging (task test:adoption),
// never in the main test run, because it needs the tarballs of this very build.
import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NpmRegistry } from '../support/npm-registry';

jest.setTimeout(5 * 60_000);

const ROOT = path.join(__dirname, '..', '..');
/** Where the build packs each package (the library by jsii-pacmak, the companion by scripts/pack-companion.sh). */
const DIST: Record<string, string> = { 'cdk-ecr-platform': path.join(ROOT, 'dist', 'js'), 'cdk-ecr-access': path.join(ROOT, 'dist', 'ecr-access') };
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
/** What a consumer needs is a few hundred kilobytes; anything near this means build output leaked into the package. */
const MAX_TARBALL_BYTES = 2 * 1024 * 1024;

/** The tarball of `name`: jsii-pacmak names the library's `<name>@<version>.jsii.tgz`, npm pack `<name>-<version>.tgz`. */
function tarball(name: string): string {
  const dir = DIST[name];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.tgz')) : [];
  const expected = [`${name}@${VERSION}.jsii.tgz`, `${name}-${VERSION}.tgz`];
  if (files.length !== 1 || !expected.includes(files[0])) {
    throw new Error(`expected one tarball of ${name}@${VERSION} in ${dir}, found ${JSON.stringify(files)}: run 'npx projen package:js' first`);
  }
  return path.join(dir, files[0]);
}

/** The files of a tarball, without npm's `package/` prefix. */
const filesOf = (file: string) => execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter((f) => f !== '').map((f) => f.replace(/^package\//, ''));

/** The commands of the README's Install section, in order: what a user types. */
function installCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Install\n'));
  if (!section) throw new Error('README.md has no "## Install" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => block[1].split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line !== '');
}

/**
 * Relative links of a markdown file (not URLs, not anchors in the same file), without their anchors and queries:
 * inline links and images, with or without a title, reference definitions, and HTML `src` and `href`. Code is not
 * rendered as links: fenced blocks (``` or ~~~, at any indent, so in list items too) and inline code spans.
 */
function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[`~]*[ \t]*$/gm, '').replace(/(`+)[^`\n][^\n]*?\1/g, '');
  // A destination: <anything but > and newlines>, or non-space text with balanced parentheses one level deep.
  const destination = String.raw`(?:<([^>\n]+)>|((?:[^()\s<>]|\([^()\s]*\))+))`;
  const hrefs = [
    ...[...text.matchAll(new RegExp(String.raw`\]\(\s*${destination}[^)]*\)`, 'g'))].map((m) => m[1] ?? m[2]),
    ...[...text.matchAll(new RegExp(String.raw`^ {0,3}\[(?!\^)[^\]]+\]:\s*${destination}`, 'gm'))].map((m) => m[1] ?? m[2]),
    ...[...text.matchAll(/<(?:a|img|source)\b[^>]*?\s(?:href|src)=["']([^"']+)["']/gi)].map((m) => m[1]),
  ];
  return hrefs.filter((href) => !/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(href)).map((href) => href.replace(/[?#].*$/, ''));
}

/** What `ecr-lifecycle validate` prints for a valid policy. */
const VALID_POLICY_OUTPUT = 'policy is valid\n';

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

describe('both packages, published to a local npm registry and installed from it by version', () => {
  let registry: NpmRegistry;
  let scratch = '';
  let env: NodeJS.ProcessEnv = {};
  const npm = (args: string[]): SpawnSyncReturns<string> => spawnSync('npm', args, { cwd: scratch, env, encoding: 'utf8' });
  /** A command of the README as typed: `npm ...` or `npx ...`. */
  const typed = (command: string): SpawnSyncReturns<string> => {
    const [program, ...args] = command.replace('<version>', VERSION).split(' ');
    return spawnSync(program, args, { cwd: scratch, env, encoding: 'utf8' });
  };
  const ok = (args: string[]): string => {
    const result = npm(args);
    if (result.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    registry = await NpmRegistry.start();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecr-platform-adopter-'));
    registry.writeUserConfig(path.join(scratch, '.npmrc-user'));
    env = {
      ...process.env,
      // The user's own npm settings and cache stay out: the registry above is the only source, npx caches nothing stale.
      npm_config_userconfig: path.join(scratch, '.npmrc-user'),
      npm_config_cache: path.join(scratch, '.npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_loglevel: 'error',
      // npm 11's arborist crashes placing peer dependencies next to linked directories (aws-cdk-lib and constructs are
      // linked from this repository below); the peers are checked by `npm ls` instead.
      npm_config_legacy_peer_deps: 'true',
    };
    for (const name of ['cdk-ecr-platform', 'cdk-ecr-access']) ok(['publish', tarball(name)]);
    // The registry has no uplink: the companion's dependencies (the policy simulator) are mirrored from this machine's
    // node_modules, at the versions the build used, through the same publish API (no npm process: iam-data alone is
    // 15 MB, and each npm start costs a CPU-second or two).
    for (const dir of fs.readdirSync(path.join(ROOT, 'node_modules', '@cloud-copilot'))) await registry.mirror(path.join(ROOT, 'node_modules', '@cloud-copilot', dir));
    // A CDK app already has aws-cdk-lib and constructs: the ones this build tested with.
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({
      name: 'adopter',
      version: '1.0.0',
      private: true,
      dependencies: {
        'aws-cdk-lib': `file:${path.join(ROOT, 'node_modules', 'aws-cdk-lib')}`,
        'constructs': `file:${path.join(ROOT, 'node_modules', 'constructs')}`,
      },
    }));
    ok(['install']);
  });

  afterAll(async () => {
    await registry?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('the README\'s Install section gives the commands this test runs', () => {
    expect(installCommands()).toEqual([
      'npm install cdk-ecr-platform@<version>',
      'npx -p cdk-ecr-access ecr-access --help',
    ]);
  });

  test('the registry refuses a version it already holds, and mirror() says which and why', async () => {
    const dir = path.join(ROOT, 'node_modules', '@cloud-copilot', 'iam-utils');
    const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    await expect(registry.mirror(dir)).rejects.toThrow(new RegExp(`^publishing @cloud-copilot/iam-utils@${version.replace(/\./g, '\\.')} to the registry failed: HTTP 409 `));
  });

  test('npm knows both packages at this version, with the repository, homepage, issue tracker, engines and keywords', () => {
    for (const name of ['cdk-ecr-platform', 'cdk-ecr-access']) {
      const view = JSON.parse(ok(['view', `${name}@${VERSION}`, '--json']));
      expect({ name: view.name, version: view.version, repository: view.repository.url.replace(/^git\+/, ''), homepage: view.homepage, bugs: view.bugs.url })
        .toEqual({
          name,
          version: VERSION,
          repository: 'https://github.com/cdk-ecr-platform/cdk-ecr-platform.git',
          homepage: name === 'cdk-ecr-platform' ? 'https://github.com/cdk-ecr-platform/cdk-ecr-platform#readme'
            : 'https://github.com/cdk-ecr-platform/cdk-ecr-platform/tree/main/packages/ecr-access#readme',
          bugs: 'https://github.com/cdk-ecr-platform/cdk-ecr-platform/issues',
        });
      expect(view.engines).toEqual({ node: '>= 20.0.0' });
      // Construct Hub lists a jsii package that depends on aws-cdk-lib or constructs or has a cdk keyword
      // (cdklabs/construct-hub, package discovery); npm search finds both by these.
      expect(view.keywords).toEqual(expect.arrayContaining(name === 'cdk-ecr-platform' ? ['awscdk', 'aws-cdk', 'cdk', 'ecr', 'amazon-ecr'] : ['aws-cdk', 'cdk', 'ecr', 'iam']));
    }
  });

  test('installs by version from the registry, its peer dependencies (aws-cdk-lib, constructs) met', () => {
    const installed = typed(installCommands()[0]);
    expect({ status: installed.status, stderr: installed.stderr }).toEqual({ status: 0, stderr: '' });
    const ls = npm(['ls', '--depth=0']);
    expect({ status: ls.status, stderr: ls.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ls.stdout).toContain(`cdk-ecr-platform@${VERSION}`);
    expect(JSON.parse(fs.readFileSync(path.join(scratch, 'package.json'), 'utf8')).dependencies['cdk-ecr-platform']).toBe(`^${VERSION}`);
  });

  test('the library installs no AGPL code: the simulator comes only with the companion', () => {
    const licenses = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
        if (!entry.isDirectory()) continue; // the linked aws-cdk-lib and constructs are this repository's
        const full = path.join(dir, entry.name);
        if (entry.name.startsWith('@')) { walk(full); continue; }
        const manifest = path.join(full, 'package.json');
        if (fs.existsSync(manifest)) {
          const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
          licenses.set(pkg.name, String(pkg.license));
        }
        walk(path.join(full, 'node_modules'));
      }
    };
    walk(path.join(scratch, 'node_modules'));
    expect(licenses.get('cdk-ecr-platform')).toBe('Apache-2.0');
    expect([...licenses].filter(([, license]) => /GPL/i.test(license))).toEqual([]);
  });

  test.each([
    ['[a](docs/a.md)', 'docs/a.md'],
    ['[a](docs/a.md#part)', 'docs/a.md'],
    ['[a](docs/a.md?plain=1)', 'docs/a.md'],
    ['![a](docs/a.png "a title")', 'docs/a.png'],
    ['[a](<docs/a b.md>)', 'docs/a b.md'],
    ['[a](docs/a(1).md)', 'docs/a(1).md'],
    ['[a]: docs/a.md "title"', 'docs/a.md'],
    ['<img src="docs/a.png" alt="a">', 'docs/a.png'],
    ["<a href='../a.md'>a</a>", '../a.md'],
    ['[a](https://example.com/a) [b](#anchor) [c](//example.com/c)', undefined],
    ['[c]: mailto:x@example.com', undefined],
    ['[^1]: See the docs', undefined],
    ['```ts\nconst o = { [k]: v }; f[0](x)\n```', undefined],
    ['  - item\n\n    ~~~\n    f[0](x)\n    ~~~', undefined],
    ['````md\n```\n[a](x.md)\n```\n````', undefined],
    ['call `f[0](x)` here', undefined],
  ])('the README link test finds the relative link of %j', (markdown, link) => {
    expect(relativeLinks(markdown)).toEqual(link === undefined ? [] : [link]);
  });

  test.each(['cdk-ecr-platform', 'cdk-ecr-access'])('%s: every relative link of its README is a file of its tarball', (name) => {
    const files = new Set(filesOf(tarball(name)));
    const readme = execFileSync('tar', ['-xzOf', tarball(name), 'package/README.md'], { encoding: 'utf8' });
    const links = relativeLinks(readme);
    if (name === 'cdk-ecr-platform') expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !files.has(path.posix.normalize(link)))).toEqual([]);
  });

  test('the library\'s tarball holds what a consumer needs and nothing else, well under 2 MB', () => {
    expect(fs.statSync(tarball('cdk-ecr-platform')).size).toBeLessThan(MAX_TARBALL_BYTES);
    const files = filesOf(tarball('cdk-ecr-platform'));
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/ecr-lifecycle.js',
      'assets/image-build/build-and-push.sh', 'assets/image-build/scan-gate.js',
      'docs/github-actions/publish-image.yml', 'docs/access-matrix.md', 'docs/architecture.png',
    ]));
    const topLevel = [...new Set(files.map((f) => f.split('/')[0]))].sort();
    expect(topLevel).toEqual(['.jsii', '.jsii.tabl.json', 'API.md', 'LICENSE', 'README.md', 'assets', 'docs', 'lib', 'package.json']);
    // The build's programs ship byte for byte.
    for (const file of ['build-and-push.sh', 'scan-gate.js']) {
      expect(fs.readFileSync(path.join(scratch, 'node_modules', 'cdk-ecr-platform', 'assets', 'image-build', file)))
        .toEqual(fs.readFileSync(path.join(ROOT, 'assets', 'image-build', file)));
    }
  });

  test('the companion\'s tarball is its command, README and AGPL license', () => {
    expect(filesOf(tarball('cdk-ecr-access')).filter((f) => !f.startsWith('lib/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    const lib = filesOf(tarball('cdk-ecr-access')).filter((f) => f.startsWith('lib/'));
    expect(lib).toContain('lib/cli.js');
    // Only the compiled code: not the incremental compile's record, which lives in lib/ (packages/ecr-access/tsconfig.json).
    expect(lib.filter((f) => !/\.(js|d\.ts)$/.test(f))).toEqual([]);
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
    expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({ status: 0, stderr: '', stdout: VALID_POLICY_OUTPUT });
  });

  test('the companion runs with npx from the registry, as the README says, and reads the app\'s assembly', () => {
    const helped = typed(installCommands()[1]);
    expect({ status: helped.status, stderr: helped.stderr }).toEqual({ status: 0, stderr: '' });
    expect(helped.stdout).toMatch(/^usage:\n {2}ecr-access matrix --assembly /);
    const matrix = typed(`npx -p cdk-ecr-access ecr-access matrix --assembly ${path.join(scratch, 'cdk.out')} --format json`);
    expect({ status: matrix.status, stderr: matrix.stderr }).toEqual({ status: 0, stderr: '' });
    const repository = (JSON.parse(matrix.stdout) as { repositories: { name: string; rows: { principal: string; pull: string; push: string }[] }[] })
      .repositories.find((r) => r.name === 'team/service');
    expect(repository?.rows.filter((row) => row.push === 'yes').map((row) => row.principal)).toEqual(['Adopter/Build/Role']);
  });
});
