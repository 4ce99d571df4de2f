// The build's own scripts, run as their tasks run them: scripts/rosetta-cache.js around rosetta:extract, and
// scripts/typecheck-and-lint.js's refusal of a call without the eslint task's arguments, and the lockfile npm ci reads.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const installed = (name: string) => JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')).version;

describe('scripts/rosetta-cache.js', () => {
  let project = '';
  const cache = () => path.join(project, 'rosetta', 'cache.tabl.json');
  const tablet = () => path.join(project, '.jsii.tabl.json');
  const run = (command?: string) => spawnSync('node', [path.join(project, 'scripts', 'rosetta-cache.js'), ...(command ? [command] : [])], { encoding: 'utf8' });
  /** A project beside this one: the script, this package.json and node_modules, and a cache of two snippets. */
  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-cache-'));
    fs.mkdirSync(path.join(project, 'scripts'));
    fs.mkdirSync(path.join(project, 'rosetta'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'rosetta-cache.js'), path.join(project, 'scripts', 'rosetta-cache.js'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(project, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    fs.writeFileSync(cache(), JSON.stringify({ version: '2', toolVersion: 'x', snippets: { b: { n: 2 }, a: { n: 1 } } }));
    fs.writeFileSync(tablet(), '{}');
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const versions = () => ({
    'jsii-rosetta': installed('jsii-rosetta'),
    'typescript': JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [path.dirname(require.resolve('jsii-rosetta/package.json', { paths: [ROOT] }))] }), 'utf8')).version,
    'aws-cdk-lib': installed('aws-cdk-lib'),
    'constructs': installed('constructs'),
  });

  test('after: the snippets sorted, and the versions they were compiled with', () => {
    expect(run('after').status).toBe(0);
    const written = fs.readFileSync(cache(), 'utf8');
    expect(written).toBe(JSON.stringify({ version: '2', toolVersion: 'x', snippets: { a: { n: 1 }, b: { n: 2 } }, compiledWith: versions() }));
  });

  test('before, with the same versions: both tablets are kept, and rosetta reuses them', () => {
    expect(run('after').status).toBe(0);
    const result = run('before');
    expect([result.status, result.stdout]).toEqual([0, '']);
    expect([fs.existsSync(cache()), fs.existsSync(tablet())]).toEqual([true, true]);
  });

  test('before, after an upgrade: both tablets are removed, so every snippet is compiled again', () => {
    expect(run('after').status).toBe(0);
    const recorded = { ...versions(), 'aws-cdk-lib': '2.0.0' };
    fs.writeFileSync(cache(), JSON.stringify({ ...JSON.parse(fs.readFileSync(cache(), 'utf8')), compiledWith: recorded }));
    const result = run('before');
    expect([result.status, result.stdout]).toEqual([0,
      `rosetta-cache: compiled with ${JSON.stringify(recorded)}, now ${JSON.stringify(versions())}: compiling every snippet\n`]);
    expect([fs.existsSync(cache()), fs.existsSync(tablet())]).toEqual([false, false]);
  });

  test('a cache written before versions were recorded counts as another version', () => {
    const result = run('before');
    expect(result.stdout).toBe(`rosetta-cache: compiled with undefined, now ${JSON.stringify(versions())}: compiling every snippet\n`);
    expect(fs.existsSync(cache())).toBe(false);
  });

  test('anything else: the usage, exit 2', () => {
    const result = run();
    expect([result.status, result.stderr]).toEqual([2, 'usage: node scripts/rosetta-cache.js before|after\n']);
  });
});

test('scripts/typecheck-and-lint.js without the eslint task\'s arguments: the usage, exit 2', () => {
  const result = spawnSync('node', [path.join(ROOT, 'scripts', 'typecheck-and-lint.js'), '.ts,.tsx'], { cwd: ROOT, encoding: 'utf8' });
  expect([result.status, result.stderr]).toEqual([2,
    'usage: node scripts/typecheck-and-lint.js EXTENSIONS FILE... (as the eslint task: .ts,.tsx src test ...)\n']);
});

test('the lockfile names the tarball of every package npm ci downloads, and npm is told to keep them (.npmrc)', () => {
  // Without `resolved`, npm ci fetches and parses each package's registry document to find its tarball (npm's
  // lockfile docs: "resolved: The place where the package was actually resolved from").
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; link?: boolean; inBundle?: boolean }> };
  const downloaded = Object.entries(lock.packages).filter(([key, entry]) => key !== '' && !entry.link && !entry.inBundle);
  expect(downloaded.length).toBeGreaterThan(1000);
  expect(downloaded.filter(([, entry]) => !entry.resolved?.startsWith('https://registry.npmjs.org/')).map(([key]) => key)).toEqual([]);
  expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toContain('\nomit-lockfile-registry-resolved=false\n');
});
