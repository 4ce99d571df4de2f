import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { BUILD_SCRIPT_FILE } from '../../src/image-build/buildspec';
import { RESERVED_VARIABLES } from '../../src/image-build/reserved';
import { DOCKER_TAG_MAX_LENGTH, isSemver, platformTagSuffix, registryCacheTags, renderTagPrelude, TagPreludeOptions } from '../../src/image-build/tags';

const DEFAULTS: TagPreludeOptions = {
  commitShaVariable: 'CODEBUILD_RESOLVED_SOURCE_VERSION',
  commitShaLength: 7,
  commitTagPrefix: 'sha-',
  versionVariable: 'IMAGE_VERSION',
  versionFromGitTag: true,
};
const SHA = '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678';

/**
 * Runs the rendered prelude in dash (POSIX sh, as strict as CodeBuild's) with only `env`, and reports IMAGE_TAGS as a
 * child process sees it: the build script the buildspec starts after the prelude is one.
 */
function run(env: Record<string, string>, options: Partial<TagPreludeOptions> = {}) {
  const script = `${renderTagPrelude({ ...DEFAULTS, ...options })}\nsh -c 'printf "%s" "$IMAGE_TAGS"'`;
  const result = spawnSync('dash', ['-eu', '-c', script], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
  return { status: result.status, tags: result.stdout, error: result.stderr.trim() };
}

describe('tag strategy', () => {
  test.each<[string, Record<string, string>, Partial<TagPreludeOptions>, string]>([
    ['a branch build: the short commit SHA only', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'branch/main' }, {}, 'sha-1a2b3c4'],
    ['a pushed version tag adds the version', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.2.3' }, {}, 'sha-1a2b3c4 1.2.3'],
    ['a pre-release version', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/v2.0.0-rc.1' }, {}, 'sha-1a2b3c4 2.0.0-rc.1'],
    ['a version from the caller wins over the git tag', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.2.3', IMAGE_VERSION: '1.2.4' }, {}, 'sha-1a2b3c4 1.2.4'],
    ['git tags ignored when disabled', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.2.3' }, { versionFromGitTag: false }, 'sha-1a2b3c4'],
    ['another SHA length and prefix', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA }, { commitShaLength: 12, commitTagPrefix: 'git-' }, 'git-1a2b3c4d5e6f'],
    ['the SHA from another variable', { GIT_COMMIT: SHA }, { commitShaVariable: 'GIT_COMMIT' }, 'sha-1a2b3c4'],
    ['a non-version git tag adds nothing', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/nightly' }, {}, 'sha-1a2b3c4'],
    // The prefix is quoted for the shell: quotes and shell syntax in it stay text and never run.
    ['a prefix with quotes and shell syntax stays literal', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA }, { commitTagPrefix: "it's-$(exit 3)-" }, "it's-$(exit 3)-1a2b3c4"],
  ])('%s', (_name, env, options, tags) => {
    expect(run(env, options)).toEqual({ status: 0, tags, error: '' });
  });

  test.each<[string, Record<string, string>, string]>([
    ['no commit (an S3 source resolves to an object version)', {}, "image tags: CODEBUILD_RESOLVED_SOURCE_VERSION is not a commit SHA: ''"],
    ['an S3 version id is not a SHA', { CODEBUILD_RESOLVED_SOURCE_VERSION: 'Xy3.nD_8zq' }, "image tags: CODEBUILD_RESOLVED_SOURCE_VERSION is not a commit SHA: 'Xy3.nD_8zq'"],
    ['a SHA shorter than the tag', { CODEBUILD_RESOLVED_SOURCE_VERSION: 'abc12' }, "image tags: commit SHA 'abc12' is shorter than 7"],
    ['a malformed version', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, IMAGE_VERSION: '1.2' }, "image tags: version '1.2' is not a semantic version such as 1.2.3 or 1.2.3-rc.1"],
    ['build metadata is not a valid image tag', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, IMAGE_VERSION: '1.2.3+build.5' }, "image tags: version '1.2.3+build.5' is not a semantic version such as 1.2.3 or 1.2.3-rc.1"],
    ['leading zeros', { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_TRIGGER: 'tag/v01.2.3' }, "image tags: version '01.2.3' is not a semantic version such as 1.2.3 or 1.2.3-rc.1"],
  ])('fails the build: %s', (_name, env, error) => {
    expect(run(env)).toEqual({ status: 1, tags: '', error });
  });
});

describe('isSemver', () => {
  // semver.org's examples of versions and pre-releases; build metadata ('+') is not allowed in an image tag.
  test.each<[string, boolean]>([
    ['1.2.3', true],
    ['0.0.0', true],
    ['10.20.30', true],
    ['1.0.0-alpha', true],
    ['1.0.0-alpha.1', true],
    ['1.0.0-0.3.7', true],
    ['1.0.0-x.7.z.92', true],
    ['1.0.0-x-y-z.--', true],
    ['1.0.0+20130313144700', false],
    ['1.0.0-beta+exp.sha.5114f85', false],
    ['1.2', false],
    ['1.2.3.4', false],
    ['v1.2.3', false],
    ['01.2.3', false],
    ['1.02.3', false],
    ['1.2.03', false],
    ['1.2.3-', false],
    ['1.2.3-rc..1', false],
    ['1.2.3-rc_1', false],
    [' 1.2.3', false],
    ['1.2.3 ', false],
    ['', false],
  ])('%j: %s', (version, expected) => {
    expect(isSemver(version)).toBe(expected);
  });
});

describe('registry cache tags', () => {
  test.each<[string, string]>([
    ['linux/amd64', 'amd64'],
    ['linux/arm64', 'arm64'],
    ['linux/arm/v7', 'arm-v7'],
  ])('platformTagSuffix(%j) is %j', (platform, suffix) => {
    expect(platformTagSuffix(platform)).toBe(suffix);
  });

  test.each<[string, string[], string[]]>([
    ['one platform: the cache tag itself', ['linux/arm64'], ['buildcache']],
    ['several platforms: one cache tag per platform', ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      ['buildcache-amd64', 'buildcache-arm64', 'buildcache-arm-v7']],
  ])('%s', (_name, platforms, tags) => {
    expect(registryCacheTags('buildcache', platforms)).toEqual(tags);
  });
});

describe('what the construct and the script it runs must agree on', () => {
  const script = fs.readFileSync(BUILD_SCRIPT_FILE, 'utf8');

  test('one tag length limit: the one the construct checks at synth is the one the script enforces (Docker\'s 128)', () => {
    expect(/^MAX_TAG_LENGTH=(\d+)$/m.exec(script)?.[1]).toBe(String(DOCKER_TAG_MAX_LENGTH));
    expect(DOCKER_TAG_MAX_LENGTH).toBe(128);
  });

  test.each(['linux/amd64', 'linux/arm64', 'linux/arm/v7'])('one architecture suffix for %s: the script\'s own arch= line gives platformTagSuffix', (platform) => {
    const line = /^\s*(arch=\$\(.*\))$/m.exec(script)?.[1];
    expect(line).toBe('arch=$(echo "${platform#*/}" | tr / -)');
    const result = spawnSync('dash', ['-eu', '-c', `platform=$1; ${line}; printf '%s' "$arch"`, 'sh', platform], { encoding: 'utf8' });
    expect({ status: result.status, arch: result.stdout }).toEqual({ status: 0, arch: platformTagSuffix(platform) });
  });

  test('every variable the script reads is set by the construct (reserved) or by CodeBuild (AWS_REGION)', () => {
    // The header lists the script's inputs as "#   NAME   description".
    const documented = [...script.matchAll(/^# {3}([A-Z][A-Z0-9_]+)\*?(?:\([a-z]+\))?\s/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((name) => name !== 'AWS_REGION' && !RESERVED_VARIABLES.includes(name))).toEqual([]);
    // And nothing reserved that the script no longer reads.
    // (BUILD_COMMAND is the buildspec's; SCAN_POLL_SECONDS shares SCAN_TIMEOUT_SECONDS's line.)
    expect(RESERVED_VARIABLES.filter((name) => !documented.includes(name) && !['BUILD_COMMAND', 'SCAN_POLL_SECONDS'].includes(name))).toEqual([]);
  });
});
