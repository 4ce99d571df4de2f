// The release as projen generates it: workflows that pass GitHub's schema, a build on every pull request, a release on
// every push to main that publishes both npm packages and the Python bindings, and `projen bump`, which gives a real
// version and a changelog on a clean clone, offline.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

interface Step { readonly name?: string; readonly run?: string; readonly uses?: string }
interface Workflow { readonly on: Record<string, unknown>; readonly jobs: Record<string, { readonly steps: Step[] }> }
const workflow = (file: string) => parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')) as Workflow;
const runs = (steps: Step[]) => steps.map((s) => s.run).filter((r): r is string => r !== undefined);

test('projen generates a build, a release and a pull-request title workflow', () => {
  expect(fs.readdirSync(WORKFLOWS).sort()).toEqual(['build.yml', 'pull-request-lint.yml', 'release.yml']);
});

test.each(['build.yml', 'pull-request-lint.yml', 'release.yml'])('%s passes GitHub\'s workflow schema (action-validator)', (file) => {
  const result = spawnSync(process.execPath, [require.resolve('@action-validator/cli/cli.mjs'), path.join(WORKFLOWS, file)], { encoding: 'utf8' });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
});

/**
 * What a job installs before `command`, in order: the rehearsals' system packages, a Python whose bin leads PATH, and
 * the Python packages each rehearsal checks for (test/support/moto.ts's missingMoto, and cfn-lint): CI=true fails a
 * rehearsal that lacks them, and GitHub's runners have none of them (their `aws` is the native v2).
 */
function setupBefore(steps: Step[], command: string): string[] {
  const at = steps.findIndex((s) => s.run === command);
  expect(at).toBeGreaterThan(0);
  return steps.slice(0, at).flatMap((s) => {
    if (s.run === 'bash scripts/install-system-deps.sh') return ['system packages'];
    if (s.uses?.startsWith('actions/setup-python@')) return ['setup-python'];
    const pip = /^pip install (.+)$/.exec(s.run ?? '')?.[1];
    return pip === undefined ? [] : pip.split(' ').map((p) => p.replace(/^'|'$/g, '').replace(/==.*$/, ''));
  });
}
const SETUP = ['system packages', 'setup-python', 'moto[server]', 'boto3', 'awscli', 'cfn-lint'];

test('every pull request builds as CI does: the rehearsals\' system packages and Python programs, then the whole build', () => {
  const build = workflow('build.yml');
  expect(Object.keys(build.on)).toEqual(['pull_request', 'workflow_dispatch']);
  expect(setupBefore(build.jobs.build.steps, 'npx projen build')).toEqual(SETUP);
});

interface TaskStep { readonly spawn?: string; readonly exec?: string; readonly execArgs?: string[]; readonly builtin?: string }
const TASKS: Record<string, { readonly steps?: TaskStep[] }> = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
/** The commands a task runs, the tasks it spawns expanded: what it checks, however its steps are grouped. */
const commandsOf = (task: string): string[] =>
  (TASKS[task].steps ?? []).flatMap((s) => s.spawn ? commandsOf(s.spawn) : [s.exec ?? s.execArgs?.join(' ') ?? `builtin ${s.builtin}`]);

test('.ci/run checks what `projen build` checks: scripts/ci.sh runs the build\'s tasks, side by side in lanes', () => {
  const script = fs.readFileSync(path.join(ROOT, 'scripts', 'ci.sh'), 'utf8');
  const setup = /^tasks setup (.+)$/m.exec(script)![1].split(' ');
  const lanes = [...script.matchAll(/^ {2}\[([\w:-]+)\]='([^']+)'$/gm)].map((m) => [m[1], m[2].split(' ')] as const);
  expect(lanes.map(([lane]) => lane)).toEqual(['library', 'jest', 'static']);
  const ci = [...setup, ...lanes.flatMap(([, tasks]) => tasks)].flatMap(commandsOf);
  // The companion compiles once more, before the lanes split (the tests run its lib/); its compile in post-compile
  // then finds it up to date (tsc -b) and writes nothing.
  const companion = commandsOf('ecr-access:compile');
  expect(setup.slice(-1)).toEqual(['ecr-access:compile']);
  ci.splice(ci.indexOf(companion[0]), companion.length);
  expect(ci.sort()).toEqual(commandsOf('build').sort());
});

test('every push to main releases: one build, then npm (the library, then the companion), PyPI and a GitHub release', () => {
  const release = workflow('release.yml');
  expect(release.on.push).toEqual({ branches: ['main'] });
  expect(Object.keys(release.jobs).sort()).toEqual(['release', 'release_github', 'release_npm', 'release_pypi']);
  expect(setupBefore(release.jobs.release.steps, 'npx projen release')).toEqual(SETUP);
  const npm = runs(release.jobs.release_npm.steps);
  // The npm job packs again from the released sources (package:js packs the companion too), then publishes both.
  expect(npm.slice(npm.indexOf('cd .repo && npx projen package:js'))).toEqual([
    'cd .repo && npx projen package:js',
    'mv .repo/dist dist',
    "npx '-p' 'publib@latest' 'publib-npm'",
    'npx -p publib@latest publib-npm dist/ecr-access',
  ]);
  expect(runs(release.jobs.release_pypi.steps)).toEqual(expect.arrayContaining(['cd .repo && npx projen package:python', "npx '-p' 'publib@latest' 'publib-pypi'"]));
});

describe('projen bump on a clean clone', () => {
  let clone = '';
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: clone, encoding: 'utf8' });
  // `npx projen TASK` as a maintainer types it, or node_modules/.bin/projen, which is what npx finds there, without
  // npm's start-up (1-2 CPU-s each).
  const projen = (task: string, { viaNpx = false } = {}) => {
    const [command, args] = viaNpx ? ['npx', ['projen', task]] : [path.join(clone, 'node_modules', '.bin', 'projen'), [task]];
    const result = spawnSync(command, args, { cwd: clone, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    if (result.status !== 0) throw new Error(`projen ${task} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  };
  const dist = (file: string) => fs.readFileSync(path.join(clone, 'dist', file), 'utf8');

  beforeAll(() => {
    clone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'release-')), 'clone');
    execFileSync('git', ['clone', '--quiet', '--no-tags', ROOT, clone]);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
  });
  afterAll(() => {
    if (clone) fs.rmSync(path.dirname(clone), { recursive: true, force: true });
  });

  test('the first release is 0.1.0; a feat: commit after it makes 0.1.1 (before 1.0 a feature is a patch, a break a minor), with the feature in the changelog', () => {
    projen('bump', { viaNpx: true });
    expect([dist('version.txt'), dist('releasetag.txt')]).toEqual(['0.1.0', 'v0.1.0']);
    expect(dist('changelog.md')).toMatch(/^\n?## 0\.1\.0 \(\d{4}-\d{2}-\d{2}\)/);
    projen('unbump');
    git('tag', 'v0.1.0');
    fs.writeFileSync(path.join(clone, 'feature.txt'), 'a feature\n');
    git('add', 'feature.txt');
    git('commit', '--quiet', '-m', 'feat: a feature a user can see');
    projen('bump');
    expect(dist('version.txt')).toBe('0.1.1');
    expect(dist('changelog.md')).toMatch(/### Features\n\n\* a feature a user can see/);
  });

  test('the companion is packed at the bumped version, for npm beside the library', () => {
    fs.cpSync(path.join(ROOT, 'packages', 'ecr-access', 'lib'), path.join(clone, 'packages', 'ecr-access', 'lib'), { recursive: true });
    execFileSync('bash', ['scripts/pack-companion.sh'], { cwd: clone, encoding: 'utf8' });
    const tarball = path.join(clone, 'dist', 'ecr-access', 'cdk-ecr-access-0.1.1.tgz');
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect([manifest.name, manifest.version, manifest.license]).toEqual(['cdk-ecr-access', '0.1.1', 'AGPL-3.0-or-later']);
  });
});
