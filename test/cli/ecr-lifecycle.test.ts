import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { MAX_NESTING_DEPTH } from '../../src/cli/assembly';
import { main } from '../../src/cli/ecr-lifecycle';
import { IMAGES_LIMIT, POLICY_LIMIT, ReadChunk, TEMPLATE_LIMIT } from '../../src/cli/input';
import { RepositoryFleet } from '../../src/registry/fleet';
import { Moto } from '../support/moto';

const ROOT = path.join(__dirname, '..', '..');

/** Standard input holding `content`, read the way the command reads a file descriptor. */
function stdinOf(content: string | Buffer): ReadChunk {
  const bytes = Buffer.from(content);
  let pos = 0;
  return (buffer, offset, length) => {
    const n = bytes.copy(buffer, offset, pos, pos + length);
    pos += n;
    return n;
  };
}

// The command in process: what it writes and the exit code it returns, as a child process would show them.
function cli(...args: string[]) {
  return cliWith({}, ...args);
}

function cliWith(options: { stdin?: ReadChunk; isTTY?: boolean }, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = main(args, {
    stdin: options.stdin ?? stdinOf(''),
    out: (text) => { stdout += text; },
    err: (text) => { stderr += text; },
    isTTY: options.isTTY ?? false,
  });
  return { status, stdout, stderr };
}

// The real command in a child process, from the TypeScript source (lib/ may be stale while tests run): only for what
// only a process shows (its exit status, a real standard input, a device file); each spawn compiles for seconds.
function spawnCli(args: string[], stdinText?: string) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/ecr-lifecycle.ts', ...args], { cwd: ROOT, encoding: 'utf8', input: stdinText });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string) => path.join('test', 'cli', 'fixtures', name);

// Broken inputs live beside the error they cause, in the tables below.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-lifecycle-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
function input(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const EXPIRE = { type: 'EXPIRE' };
const ARCHIVE = { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' };

// test/cli/fixtures/policy.json applied to the images-*.json inventory on 2024-06-01. Times as AWS CLI v2 prints them
// (the very strings of images-v2.json); every image is 50 MiB = 52428800 bytes.
const MIB_50 = 52_428_800;
const APP_RESULTS = [
  { imageDigest: digest('c'), imageTags: ['release-1'], imagePushedAt: '2024-04-01T09:15:30.250000+00:00', action: EXPIRE, appliedRulePriority: 1, storageClass: 'STANDARD' },
  { imageDigest: digest('d'), imageTags: [], imagePushedAt: '2024-05-01T10:00:00+00:00', action: EXPIRE, appliedRulePriority: 2, storageClass: 'STANDARD' },
  { imageDigest: digest('f'), imageTags: ['dev-1'], imagePushedAt: '2024-03-01T10:00:00+00:00', action: ARCHIVE, appliedRulePriority: 3, storageClass: 'STANDARD' },
  { imageDigest: digest('1'), imageTags: ['dev-old'], imagePushedAt: '2023-01-01T10:00:00+00:00', action: EXPIRE, appliedRulePriority: 4, storageClass: 'ARCHIVE' },
];
// 3 images expire (c, d, 1), f is archived, 5 stay (a, b, e, 0, 2). 9 x 50 MiB = 450 MiB = 0.439453125 GB (2^30 bytes)
// at 0.10 USD = 0.0439453125; after the policy 300 MiB stay stored (f now archived, at the same 0.10) = 0.029296875.
/** What the policy does to team/app's bytes and bill, in the summary and in a report's row alike. */
const APP_BYTES = {
  expiringBytes: 3 * MIB_50,
  transitioningBytes: MIB_50,
  remainingImageCount: 5,
  remainingBytes: 5 * MIB_50,
  monthlyStorageUsdBefore: 0.043945,
  monthlyStorageUsdAfter: 0.029297,
};
const APP_SUMMARY = {
  expiringImageTotalCount: 3,
  transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: 1 }],
  ...APP_BYTES,
};
const APP_PREVIEW = { previewResults: APP_RESULTS, summary: APP_SUMMARY };
/** What archiving f at published prices, all of them below 150 TB of archive, comes to. */
const archiveNote = (size: string) => `archiving 1 image (${size}) saves nothing: archive storage costs 0.10 USD per GB-month for the first 150 TB a month, `
  + 'no less than standard storage (0.10 USD), restoring an image costs 0.03 USD per GB, and archived images are billed for at least 90 days. '
  + 'Expire these images instead, or archive only once the archive holds over 150 TB.';
const APP_NOTE = archiveNote('50.0 MiB');

const templateText = (logicalId: string) => JSON.parse(fs.readFileSync(fixture('template.json'), 'utf8')).Resources[logicalId].Properties.LifecyclePolicy.LifecyclePolicyText;

const APP_ROWS = [
  'ACTION   RULE  PUSHED      STORAGE   DIGEST               TAGS',
  'EXPIRE   1     2024-04-01  STANDARD  sha256:cccccccccccc  release-1',
  'EXPIRE   2     2024-05-01  STANDARD  sha256:dddddddddddd  <untagged>',
  'ARCHIVE  3     2024-03-01  STANDARD  sha256:ffffffffffff  dev-1',
  'EXPIRE   4     2023-01-01  ARCHIVE   sha256:111111111111  dev-old',
];
const APP_SUMMARY_LINES = [
  '3 images would expire, 1 would be archived, 5 would stay (of 9 images)',
  '150.0 MiB would expire, 50.0 MiB would be archived, 250.0 MiB would stay (of 450.0 MiB)',
  'storage: 0.04 USD a month now, 0.03 USD after the policy',
];
const APP_TABLE = [...APP_ROWS, ...APP_SUMMARY_LINES, `note: ${APP_NOTE}`];

describe('preview', () => {
  test.each([
    ['the policy, AWS CLI v2 images (ISO 8601), json by default off a terminal', 'policy.json', 'images-v2.json', []],
    ['the policy, AWS CLI v1 images (epoch seconds)', 'policy.json', 'images-v1.json', ['--format', 'json']],
    ['get-lifecycle-policy output', 'get-lifecycle-policy.json', 'images-v2.json', ['--format=json']],
  ])('%s: prints what get-lifecycle-policy-preview would', (_name, policy, images, extra) => {
    const r = cli('preview', '--policy', fixture(policy), '--images', fixture(images), '--now', '2024-06-01T00:00:00Z', ...extra);
    // The fields of get-lifecycle-policy-preview's output, in its order: the registry and repository the images name,
    // the policy text as ECR stores it, the status, then the results.
    const stored = JSON.parse(fs.readFileSync(fixture(policy), 'utf8'));
    const lifecyclePolicyText = typeof stored.lifecyclePolicyText === 'string' ? stored.lifecyclePolicyText : fs.readFileSync(fixture(policy), 'utf8');
    const expected = { registryId: '123456789012', repositoryName: 'app', lifecyclePolicyText, status: 'COMPLETE', ...APP_PREVIEW, notes: [APP_NOTE] };
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({ status: 0, stdout: expected, stderr: '' });
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['registryId', 'repositoryName', 'lifecyclePolicyText', 'status', 'previewResults', 'summary', 'notes']);
  });

  test('images that name no repository give a preview without registryId and repositoryName', () => {
    const images = input('anonymous-images.json', { imageDetails: [{ imageDigest: digest('a'), imagePushedAt: 1714557600 }] });
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', images, '--now', '2024-06-01', '--format', 'json');
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['lifecyclePolicyText', 'status', 'previewResults', 'summary', 'notes']);
    expect(JSON.parse(r.stdout).notes).toEqual(['1 image has no imageSizeInBytes; it counts as 0 bytes.']);
  });

  test('table: aligned rows and a summary line', () => {
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', fixture('images-v1.json'), '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({ status: 0, stdout: APP_TABLE.join('\n') + '\n', stderr: '' });
  });

  // CacheRepository names no repository (CloudFormation generates its name) and keeps the newest 3 active images of any tag.
  const unnamedImages = input('unnamed-images.json', {
    imageDetails: JSON.parse(fs.readFileSync(fixture('images-v2.json'), 'utf8')).imageDetails.map(
      ({ registryId: _r, repositoryName: _n, ...detail }: Record<string, unknown>) => detail),
  });
  const cacheExpired = [['f', ['dev-1'], '2024-03-01T10:00:00+00:00'], ['c', ['release-1'], '2024-04-01T09:15:30.250000+00:00'],
    ['d', [], '2024-05-01T10:00:00+00:00'], ['b', ['release-2', 'latest'], '2024-05-10T10:00:00+00:00']] as const;
  const CACHE_NOTE = 'its name is only known at deploy time, so no images match it by repositoryName; '
    + 'preview it alone with --repository CacheRepository3A4B5C6D and the describe-images output of that repository';
  const nothing = { remainingImageCount: 0, remainingBytes: 0, monthlyStorageUsdBefore: 0, monthlyStorageUsdAfter: 0 };
  test.each([
    ['images naming repository app: the cache, named at deploy time, sees none', fixture('images-v2.json'), { registryId: '123456789012' },
      { previewResults: [], summary: { expiringImageTotalCount: 0, expiringBytes: 0, transitioningBytes: 0, ...nothing }, notes: [CACHE_NOTE] },
      // Only app's 9 images: its own figures.
      {
        imageCount: 9,
        storedBytes: 9 * MIB_50,
        expiringImageCount: 3,
        transitioningImageCount: 1,
        ...APP_BYTES,
      }],
    ['images naming no repository: both see all of them, as before repositories were matched', unnamedImages, {},
      {
        previewResults: cacheExpired.map(([c, imageTags, imagePushedAt]) => ({ imageDigest: digest(c), imageTags, imagePushedAt, action: EXPIRE, appliedRulePriority: 1, storageClass: 'STANDARD' })),
        // 4 x 50 MiB expire, 5 stay; 450 MiB before (0.0439453125 USD), 250 MiB after = 0.244140625 GB = 0.0244140625 USD.
        summary: {
          expiringImageTotalCount: 4,
          expiringBytes: 4 * MIB_50,
          transitioningBytes: 0,
          remainingImageCount: 5,
          remainingBytes: 5 * MIB_50,
          monthlyStorageUsdBefore: 0.043945,
          monthlyStorageUsdAfter: 0.024414,
        },
      },
      // 18 images of 900 MiB: 7 expire (350 MiB), 1 is archived, 10 stay (500 MiB); 900 MiB = 0.87890625 GB is 0.087890625
      // USD, and the 550 MiB left after both policies 0.0537109375 USD.
      {
        imageCount: 18,
        storedBytes: 18 * MIB_50,
        expiringImageCount: 7,
        transitioningImageCount: 1,
        expiringBytes: 7 * MIB_50,
        transitioningBytes: MIB_50,
        remainingImageCount: 10,
        remainingBytes: 10 * MIB_50,
        monthlyStorageUsdBefore: 0.087891,
        monthlyStorageUsdAfter: 0.053711,
      }],
  ])('--template, %s', (_name, images, registry, cache, total) => {
    const r = cli('preview', '--template', fixture('template.json'), '--images', images, '--now', '2024-06-01', '--format', 'json');
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({
      status: 0,
      stdout: {
        repositories: [
          { logicalId: 'AppRepository1A2B3C4D', ...registry, repositoryName: 'app', lifecyclePolicyText: templateText('AppRepository1A2B3C4D'), status: 'COMPLETE', ...APP_PREVIEW },
          { logicalId: 'CacheRepository3A4B5C6D', ...registry, lifecyclePolicyText: templateText('CacheRepository3A4B5C6D'), status: 'COMPLETE', ...cache },
        ],
        total: { repositoryCount: 2, ...total },
        notes: [APP_NOTE],
      },
      stderr: '',
    });
  });

  test('--template table: one titled table per repository, then the total', () => {
    const r = cli('preview', '--template', fixture('template.json'), '--images', unnamedImages, '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({
      status: 0,
      stdout: ['AppRepository1A2B3C4D (app):', ...APP_ROWS, ...APP_SUMMARY_LINES, '', 'CacheRepository3A4B5C6D:',
        'ACTION  RULE  PUSHED      STORAGE   DIGEST               TAGS',
        'EXPIRE  1     2024-03-01  STANDARD  sha256:ffffffffffff  dev-1',
        'EXPIRE  1     2024-04-01  STANDARD  sha256:cccccccccccc  release-1',
        'EXPIRE  1     2024-05-01  STANDARD  sha256:dddddddddddd  <untagged>',
        'EXPIRE  1     2024-05-10  STANDARD  sha256:bbbbbbbbbbbb  release-2, latest',
        '4 images would expire, 0 would be archived, 5 would stay (of 9 images)',
        '200.0 MiB would expire, 0 B would be archived, 250.0 MiB would stay (of 450.0 MiB)',
        'storage: 0.04 USD a month now, 0.02 USD after the policy',
        '',
        'total of 2 repositories:',
        '7 images would expire, 1 would be archived, 10 would stay (of 18 images)',
        '350.0 MiB would expire, 50.0 MiB would be archived, 500.0 MiB would stay (of 900.0 MiB)',
        'storage: 0.09 USD a month now, 0.05 USD after the policy',
        `note: ${APP_NOTE}`, ''].join('\n'),
      stderr: '',
    });
  });
});

describe('validate', () => {
  test.each([
    ['a policy file', 'policy.json', []],
    ['a policy whose retain rule shields the protected tags', 'policy-protected.json', ['--protect', 'prod*']],
  ])('valid: %s', (_name, policy, extra) => {
    expect(cli('validate', '--policy', fixture(policy), ...extra)).toEqual({ status: 0, stdout: 'policy is valid\n', stderr: '' });
  });
});

const INVALID_LINES = [
  'rule 1 ("Keep the newest images"): selection.countNumber: got 0; must be a positive whole number (0 is not accepted).',
  'rule 2 ("Expire version images nobody pulls"): action.type: got "expire"; \'sinceImagePulled\' can only transition images to archive, not expire them. '
    + 'Use "action": {"type": "transition", "targetStorageClass": "archive"}.',
  'rule 1 ("Keep the newest images"): rulePriority: got 1, but rule 2 ("Expire version images nobody pulls") selects \'standard\' images after it; '
    + 'a tagStatus \'any\' rule must have the highest priority number of its storage class. Give it a number above 2.',
];

describe('exit 1: every violation, one a line on stdout', () => {
  const emptyRules = input('empty-rules.template.json', {
    Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { LifecyclePolicy: { LifecyclePolicyText: '{"rules": []}' } } } },
  });
  test.each([
    ['validate: a broken policy', ['validate', '--policy', fixture('policy-invalid.json')], INVALID_LINES],
    ['preview: a broken policy', ['preview', '--policy', fixture('policy-invalid.json'), '--images', fixture('images-v1.json')], INVALID_LINES],
    ['validate --protect: a rule that could expire protected images', ['validate', '--policy', fixture('policy-protected.json'), '--protect', 'prod*', '--protect', 'release-*'], [
      'rule 2 ("Expire other images after 30 days"): could expire images tagged \'release-*\', which are protected. '
        + 'Add LifecycleRule.retain({ tagPatternList: [\'release-*\'] }) before it, or stop protecting \'release-*\'.',
    ]],
    ['preview --template: problems prefixed by logical id', ['preview', '--template', emptyRules, '--images', fixture('images-v1.json')], [
      'Repo: policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.',
      'Repo: policy: text: got 13 characters; ECR needs at least 100. Add rule descriptions.',
    ]],
  ])('%s', (_name, args, lines) => {
    expect(cli(...args)).toEqual({ status: 1, stdout: lines.map((l) => `${l}\n`).join(''), stderr: '' });
  });
});

describe('usage', () => {
  test('--help prints the usage, including the default format, on stdout', () => {
    const r = cli('preview', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}ecr-lifecycle preview /);
    expect(r.stdout).toContain('Default: table when standard output is a terminal, json otherwise.');
  });

  test('no arguments: the usage on stderr, exit 2', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Usage:\n/);
  });
});

describe('exit 2: one line on stderr saying which input is wrong, never a stack trace', () => {
  const policy = fixture('policy.json');
  const images = fixture('images-v1.json');
  const image = { imageDigest: digest('a'), imagePushedAt: 1714557600 };
  const badImages = (name: string, detail: object) => input(name, { imageDetails: [image, { ...image, ...detail }] });
  // V8 quotes the text, newlines included: the message must still be one line.
  const notJson = input('not-json.json', '{"rules":\n  nope}\n');
  const noPushTime = input('no-push-time.json', { imageDetails: [image, { imageDigest: digest('b') }] });
  const badTime = badImages('bad-time.json', { imagePushedAt: '2024-05-01T10:00:00' });
  const tagString = badImages('tag-string.json', { imageTags: 'latest' });
  const repeated = badImages('repeated.json', {});
  const millis = badImages('millis.json', { imageDigest: digest('b'), imagePushedAt: 1714557600000 });
  const twoRepositories = input('two-repositories.json', {
    imageDetails: [
      { ...image, repositoryName: 'app' }, { ...image, imageDigest: digest('b'), repositoryName: 'web' },
    ],
  });
  const joined = input('join.template.json', {
    Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { LifecyclePolicy: { LifecyclePolicyText: { 'Fn::Join': ['', ['{"rules":', '[]}']] } } } } },
  });
  const noPolicy = input('no-policy.template.json', { Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: {} } } });
  const help = "; run 'ecr-lifecycle --help' for usage";
  const badSize = badImages('bad-size.json', { imageDigest: digest('b'), imageSizeInBytes: '50' });
  const halfNamed = input('half-named.json', { imageDetails: [{ ...image, repositoryName: 'app' }, { ...image, imageDigest: digest('b') }] });

  test.each([
    ['missing file', ['validate', '--policy', 'missing.json'], "cannot read --policy 'missing.json': ENOENT: no such file or directory"],
    ['invalid JSON', ['validate', '--policy', notJson], `--policy '${notJson}': invalid JSON: Unexpected token 'o', "{"rules": nope} " is not valid JSON`],
    ['a policy of the wrong shape', ['validate', '--policy', images],
      `--policy '${images}': expected a lifecycle policy {"rules": [...]} or the output of aws ecr get-lifecycle-policy {"lifecyclePolicyText": "..."}`],
    ['an inventory of the wrong shape', ['preview', '--policy', policy, '--images', policy],
      `--images '${policy}': expected the output of aws ecr describe-images, {"imageDetails": [...]}, got {"rules":[{"rulePriority":1,"description":"Keep the newes...`],
    ['an image without push time', ['preview', '--policy', policy, '--images', noPushTime],
      `--images '${noPushTime}': imageDetails[1]: imagePushedAt: got nothing; expected the push time every describe-images entry has`],
    ['a time without offset', ['preview', '--policy', policy, '--images', badTime],
      `--images '${badTime}': imageDetails[1]: imagePushedAt: got "2024-05-01T10:00:00"; expected epoch seconds or an ISO 8601 time with an offset, such as "2024-05-01T10:00:00+00:00"`],
    ['tags that are not a list', ['preview', '--policy', policy, '--images', tagString],
      `--images '${tagString}': imageDetails[1]: imageTags: got "latest"; expected a list of tag strings`],
    ['epoch milliseconds where describe-images prints seconds', ['preview', '--policy', policy, '--images', millis],
      `--images '${millis}': imageDetails[1]: imagePushedAt: got 1714557600000; expected epoch seconds, as AWS CLI v1 prints them; this looks like epoch milliseconds `
      + '(as seconds it is the year 56302). Divide by 1000, or pass the output of aws ecr describe-images unchanged'],
    ['images of two repositories', ['preview', '--policy', policy, '--images', twoRepositories],
      `--images '${twoRepositories}': the images are of several repositories (app, web); preview the images of one repository at a time, or a template of them with --template`],
    ['an image listed twice (concatenated pages)', ['preview', '--policy', policy, '--images', repeated],
      `--images '${repeated}': imageDetails[1]: digest ${digest('a')} repeats imageDetails[0]; list each image once`],
    ['a policy text only known at deploy time', ['preview', '--template', joined, '--images', images],
      `--template '${joined}': resource 'Repo': LifecyclePolicyText is not a plain string but a Fn::Join expression, so it is only known at deploy time. Preview that policy with --policy instead.`],
    ['a template without lifecycle policies', ['preview', '--template', noPolicy, '--images', images],
      `--template '${noPolicy}': no AWS::ECR::Repository resource has a LifecyclePolicy.LifecyclePolicyText; there is nothing to preview`],
    ['an impossible --now', ['preview', '--policy', policy, '--images', images, '--now', '2024-02-30'],
      `preview: --now: got '2024-02-30'; give an ISO 8601 date or time with an offset, such as 2024-06-01T12:00:00Z${help}`],
    ['an unknown command', ['simulate'], `unknown command 'simulate'${help}`],
    ['an unknown flag', ['validate', '--policy', policy, '--strict'], `validate: unknown flag '--strict'${help}`],
    ['a missing value', ['preview', '--policy', '--images', images], `preview: --policy needs a value${help}`],
    ['a missing required flag', ['preview', '--policy', policy], `preview: --images is required${help}`],
    ['both --policy and --template', ['preview', '--policy', policy, '--template', noPolicy, '--images', images],
      `preview: give exactly one of --policy and --template${help}`],
    ['--version with arguments', ['--version', 'preview'], `--version takes no arguments${help}`],
    ['a size that is not a whole number of bytes', ['preview', '--policy', policy, '--images', badSize],
      `--images '${badSize}': imageDetails[1]: imageSizeInBytes: got "50"; expected a whole number of bytes`],
    ['images some of which name no repository', ['preview', '--policy', policy, '--images', halfNamed],
      `--images '${halfNamed}': imageDetails[1] names no repositoryName while other entries do; pass the output of aws ecr describe-images unchanged, which names the repository in every entry`],
    ['--repository with --policy', ['preview', '--policy', policy, '--images', images, '--repository', 'app'],
      `preview: --repository picks a repository of --template; with --policy, give that repository's policy${help}`],
    ['a price that is not a number', ['preview', '--policy', policy, '--images', images, '--price-archive', '7 cents'],
      `preview: --price-archive: got '7 cents'; give USD as a decimal number, such as 0.10${help}`],
    ['a price given twice', ['preview', '--policy', policy, '--images', images, '--price-standard', '0.1', '--price-standard=0.2'],
      `preview: --price-standard is given twice${help}`],
    ['--repository given twice', ['validate', '--template', fixture('template.json'), '--repository', 'app', '--repository', 'web'],
      `validate: --repository is given twice${help}`],
  ])('%s', (_name, args, message) => {
    expect(cli(...args)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}\n` });
  });
});

describe('standard input', () => {
  const policyText = () => fs.readFileSync(fixture('policy.json'), 'utf8');

  test('--policy - reads the policy from standard input', () => {
    expect(cliWith({ stdin: stdinOf(policyText()) }, 'validate', '--policy', '-')).toEqual({ status: 0, stdout: 'policy is valid\n', stderr: '' });
  });

  test('--images - reads describe-images output from standard input', () => {
    const r = cliWith({ stdin: stdinOf(fs.readFileSync(fixture('images-v1.json'))) },
      'preview', '--policy', fixture('policy.json'), '--images', '-', '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({ status: 0, stdout: APP_TABLE.join('\n') + '\n', stderr: '' });
  });

  test('two files from standard input are refused before anything is read', () => {
    expect(cli('preview', '--policy', '-', '--images', '-')).toEqual({
      status: 2, stdout: '', stderr: "ecr-lifecycle: preview: --policy and --images both name standard input; give - to one of them; run 'ecr-lifecycle --help' for usage\n",
    });
  });
});

describe('exit 2: inputs beyond any documented size or depth are refused without being read whole', () => {
  /** Standard input that never ends, counting the bytes the command asked for. */
  function endless(): { read: ReadChunk; bytesRead: () => number } {
    let total = 0;
    // The bytes are left as they are: the command must refuse them unread.
    return { read: (_buffer, _offset, length) => { total += length; return length; }, bytesRead: () => total };
  }

  test.each([
    ['--policy', POLICY_LIMIT.bytes, ['validate', '--policy', '-'],
      'a lifecycle policy has at most 30720 characters (an ECR quota), and no file holding one is larger'],
    ['--template', TEMPLATE_LIMIT.bytes, ['preview', '--template', '-', '--images', fixture('images-v1.json')],
      'CloudFormation deploys templates of at most 1 MB'],
    ['--images', IMAGES_LIMIT.bytes, ['preview', '--policy', fixture('policy.json'), '--images', '-'],
      "that is 4 KiB for each of 100000 images, ECR's default quota per repository; preview one repository's images"],
  ])('%s: an endless input stops one byte past %i bytes', (flag, limit, args, why) => {
    const stdin = endless();
    expect(cliWith({ stdin: stdin.read }, ...args)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${flag} '-': more than ${limit} bytes; ${why}\n` });
    expect(stdin.bytesRead()).toBe(limit + 1);
  });

  // The documented limits themselves: 6 bytes for each of 30,720 characters plus get-lifecycle-policy's envelope;
  // CloudFormation's 1 MB; 100,000 images (ECR's default quota) of 4 KiB.
  test('the limits', () => {
    expect([POLICY_LIMIT.bytes, TEMPLATE_LIMIT.bytes, IMAGES_LIMIT.bytes]).toEqual([6 * 30_720 + 4096, 1_048_576, 409_600_000]);
  });

  test('a policy file of exactly the limit is read, and its text is then too long for ECR (exit 1)', () => {
    const text = policyPadded(POLICY_LIMIT.bytes);
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--policy', '-')).toEqual({
      status: 1, stdout: `policy: text: got ${POLICY_LIMIT.bytes} characters; ECR allows at most 30720. Shorten descriptions or merge rules with tag patterns.\n`, stderr: '',
    });
  });

  // Three levels (policy, rules, rule) hold the description, so its 62nd bracket is the 65th level.
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const deepRule = (levels: number) => `{"rules":[{"description":${deep(levels)},"rulePriority":1}]}`;
  const at = '{"rules":[{"description":'.length + 62;
  const deepImages = input('deep-images.json', `{"imageDetails":[{"imageDigest":"sha256:1","imagePushedAt":1,"imageTags":${deep(100_000)}}]}`);
  const deepTemplate = input('deep.template.json', `{"Resources":${deep(100_000).replace(/^\[/, '[{"a":').replace(/\]$/, '}]')}}`);
  const deep65 = input('deep-65.json', deepRule(62));
  const deepWrapped = input('deep-wrapped.json', { lifecyclePolicyText: deepRule(1000) });
  test.each([
    ['a description nested 65 levels deep', ['validate', '--policy', deep65],
      `--policy '${deep65}': nested deeper than 64 levels at character ${at}; no lifecycle policy, describe-images output or template nests that deep`],
    ['the policy text of get-lifecycle-policy output, nested deeply', ['validate', '--policy', deepWrapped],
      `--policy '${deepWrapped}': 'lifecyclePolicyText': nested deeper than 64 levels at character ${at}; no lifecycle policy, describe-images output or template nests that deep`],
    ['image tags nested 100,000 levels deep', ['preview', '--policy', fixture('policy.json'), '--images', deepImages],
      `--images '${deepImages}': nested deeper than 64 levels at character ${'{"imageDetails":[{"imageDigest":"sha256:1","imagePushedAt":1,"imageTags":'.length + 62}; `
        + 'no lifecycle policy, describe-images output or template nests that deep'],
    ['a template nested 100,000 levels deep', ['preview', '--template', deepTemplate, '--images', fixture('images-v1.json')],
      `--template '${deepTemplate}': nested deeper than 64 levels at character ${'{"Resources":[{"a":'.length + 62}; no lifecycle policy, describe-images output or template nests that deep`],
  ])('%s', (_name, args, message) => {
    expect(cli(...args)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}\n` });
  });

  test('64 levels are read: brackets inside strings do not count', () => {
    const policy = JSON.parse(fs.readFileSync(fixture('policy.json'), 'utf8'));
    policy.rules[0].description = '[[[[{{{{'.repeat(20);
    const text = JSON.stringify({ ...policy, deep: JSON.parse(deep(63)) });
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--policy', '-')).toEqual({
      status: 1, stdout: "policy: unknown field 'deep'; ECR accepts only 'rules'. Remove it.\n", stderr: '',
    });
  });
});

/** policy.json padded with spaces to `bytes` bytes. */
function policyPadded(bytes: number): string {
  const text = fs.readFileSync(fixture('policy.json'), 'utf8');
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

describe('limits ECR enforces on what a policy says', () => {
  const rule = (selection: object, extra: object = {}) => ({ rulePriority: 1, description: 'd', selection, action: { type: 'expire' }, ...extra });
  const untagged = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };
  test.each([
    ['countNumber 1e308', rule({ ...untagged, countNumber: 1e308 }),
      'rule 1 ("d"): selection.countNumber: got 1e+308; must be at most 2147483647, the largest integer ECR stores. Use a smaller number.'],
    ['countNumber 2^53+1 (JSON reads 2^53)', '{"rules":[{"rulePriority":1,"description":"d","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":9007199254740993},"action":{"type":"expire"}}]}',
      'rule 1 ("d"): selection.countNumber: got 9007199254740992; must be at most 2147483647, the largest integer ECR stores. Use a smaller number.'],
    ['rulePriority 1e20', rule(untagged, { rulePriority: 1e20 }),
      'rule 100000000000000000000 ("d"): rulePriority: got 100000000000000000000; must be at most 2147483647, the largest integer ECR stores. Use a smaller number.'],
    ['a tag pattern of 301 characters', rule({ tagStatus: 'tagged', tagPatternList: [`${'a'.repeat(301)}*`], countType: 'imageCountMoreThan', countNumber: 1 }),
      `rule 1 ("d"): selection.tagPatternList[0]: got "${'a'.repeat(96)}...; has 301 characters besides wildcards; an image tag has at most 300, so it can never match. Shorten it.`],
  ])('exit 1: %s', (_name, value, line) => {
    const text = typeof value === 'string' ? value : JSON.stringify({ rules: [value] });
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--policy', '-')).toEqual({ status: 1, stdout: `${line}\n`, stderr: '' });
  });

  test('exit 2: a 1-million-character tag pattern makes a file larger than any policy', () => {
    const text = JSON.stringify({ rules: [rule({ tagStatus: 'tagged', tagPatternList: [`${'a'.repeat(1_000_000)}*`], countType: 'imageCountMoreThan', countNumber: 1 })] });
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--policy', '-')).toEqual({
      status: 2, stdout: '', stderr: "ecr-lifecycle: --policy '-': more than 188416 bytes; a lifecycle policy has at most 30720 characters (an ECR quota), and no file holding one is larger\n",
    });
  });

  test('exit 1: a policy text over 30,720 characters is reported alone, however broken its rules', () => {
    const text = JSON.stringify({ rules: [rule({ ...untagged, countNumber: 0 }, { description: 'x'.repeat(30_720) })] });
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--policy', '-')).toEqual({
      status: 1, stdout: `policy: text: got ${text.length} characters; ECR allows at most 30720. Shorten descriptions or merge rules with tag patterns.\n`, stderr: '',
    });
  });

  test.each([
    ['301 characters', 'p'.repeat(301), `validate: --protect: got '${'p'.repeat(197)}...'; has 301 characters; image tags have at most 300, and so may the patterns that protect them. Shorten it.`],
    ['128 KB', '*'.repeat(131_072), `validate: --protect: got '${'*'.repeat(197)}...'; has 131072 characters; image tags have at most 300, and so may the patterns that protect them. Shorten it.`],
  ])('exit 2: a --protect pattern of %s, before the policy is read', (_name, pattern, message) => {
    expect(cli('validate', '--policy', 'missing.json', '--protect', pattern)).toEqual({
      status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}; run 'ecr-lifecycle --help' for usage\n`,
    });
  });

  test('exit 0: a --protect pattern of 300 characters is checked (the retain rule for prod* covers it)', () => {
    expect(cli('validate', '--policy', fixture('policy-protected.json'), '--protect', `prod${'x'.repeat(296)}`)).toEqual({ status: 0, stdout: 'policy is valid\n', stderr: '' });
  });
});

describe('control bytes from the input reach the terminal escaped', () => {
  const esc = '\u001b[2J\u0007\u009b';
  const shown = '\\u001b[2J\\u0007\\u009b';
  const image = { imageDigest: `sha256:${'a'.repeat(64)}`, imagePushedAt: 1714557600 };

  test('exit 2: a binary policy file, quoted by JSON.parse', () => {
    const file = input('binary.json', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x1b, 0x5b, 0x32, 0x4a]).toString('latin1'));
    expect(cli('validate', '--policy', file)).toEqual({
      status: 2, stdout: '', stderr: `ecr-lifecycle: --policy '${file}': invalid JSON: Unexpected token '\\u007f', "\\u007fELF\\u0002\\u0001\\u001b[2J" is not valid JSON\n`,
    });
  });

  test('exit 2: a file name and a repeated digest', () => {
    const escaped = `sha256:${esc}`;
    const file = input(`images${'\u0007'}.json`, { imageDetails: [{ ...image, imageDigest: escaped }, { ...image, imageDigest: escaped }] });
    expect(cli('preview', '--policy', fixture('policy.json'), '--images', file)).toEqual({
      status: 2, stdout: '', stderr: `ecr-lifecycle: --images '${file.replace('\u0007', '\\u0007')}': imageDetails[1]: digest sha256:${shown} repeats imageDetails[0]; list each image once\n`,
    });
  });

  test('exit 1: an unknown field and a description', () => {
    const policy = { rules: [{ rulePriority: 1, description: `d${esc}`, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1, [`k${esc}`]: 1 }, action: { type: 'expire' } }] };
    expect(cliWith({ stdin: stdinOf(JSON.stringify(policy)) }, 'validate', '--policy', '-')).toEqual({
      status: 1,
      stdout: `rule 1 ("d${shown}"): selection.k${shown}: got 1; unknown field; ECR accepts tagStatus, tagPrefixList, tagPatternList, storageClass, countType, countUnit, countNumber. Remove it.\n`,
      stderr: '',
    });
  });

  test('exit 1: a template logical id prefixing its problems', () => {
    const template = input('escape.template.json', { Resources: { [`Repo${esc}`]: { Type: 'AWS::ECR::Repository', Properties: { LifecyclePolicy: { LifecyclePolicyText: '{"rules": []}' } } } } });
    expect(cli('preview', '--template', template, '--images', fixture('images-v1.json'))).toEqual({
      status: 1,
      stdout: `Repo${shown}: policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.\n`
        + `Repo${shown}: policy: text: got 13 characters; ECR needs at least 100. Add rule descriptions.\n`,
      stderr: '',
    });
  });

  test('exit 0: a template logical id titling its table', () => {
    const template = input('escape-title.template.json', {
      Resources: {
        [`Repo${esc}`]: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'app', LifecyclePolicy: { LifecyclePolicyText: fs.readFileSync(fixture('policy.json'), 'utf8') } } },
      },
    });
    const r = cli('preview', '--template', template, '--images', fixture('images-v1.json'), '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({
      status: 0,
      stdout: [`Repo${shown} (app):`, ...APP_ROWS, ...APP_SUMMARY_LINES, '', 'total of 1 repository:', ...APP_SUMMARY_LINES, `note: ${APP_NOTE}`, ''].join('\n'),
      stderr: '',
    });
  });

  test('exit 0: tags in the table', () => {
    const images = input('escape-images.json', {
      imageDetails: [{ ...image, imageTags: [`release-${esc}`], imagePushedAt: 1714557500 }, { ...image, imageDigest: `sha256:${'b'.repeat(64)}`, imageTags: ['release-2'] },
        { ...image, imageDigest: `sha256:${'c'.repeat(64)}`, imageTags: ['release-3'], imagePushedAt: 1714557601 }],
    });
    const r = cliWith({ isTTY: true }, 'preview', '--policy', fixture('policy.json'), '--images', images, '--now', '2024-06-01');
    expect(r).toEqual({
      status: 0,
      stdout: ['ACTION  RULE  PUSHED      STORAGE   DIGEST               TAGS',
        `EXPIRE  1     2024-05-01  STANDARD  sha256:aaaaaaaaaaaa  release-${shown}`,
        '1 image would expire, 0 would be archived, 2 would stay (of 3 images)',
        '0 B would expire, 0 B would be archived, 0 B would stay (of 0 B)',
        'storage: 0.00 USD a month now, 0.00 USD after the policy',
        'note: 3 images have no imageSizeInBytes; they count as 0 bytes.', ''].join('\n'),
      stderr: '',
    });
  });
});

describe('the real process (child processes: exit status, standard input, a device file)', () => {
  test('exit 1 is the process exit status, and the problems go to stdout', () => {
    expect(spawnCli(['validate', '--policy', fixture('policy-invalid.json')])).toEqual({ status: 1, stdout: INVALID_LINES.map((l) => `${l}\n`).join(''), stderr: '' });
  });

  test('--policy - reads a pipe', () => {
    expect(spawnCli(['validate', '--policy', '-'], fs.readFileSync(fixture('policy.json'), 'utf8'))).toEqual({ status: 0, stdout: 'policy is valid\n', stderr: '' });
  });

  test('/dev/zero as a policy: exit 2 at the bound, not an endless read', () => {
    expect(spawnCli(['validate', '--policy', '/dev/zero'])).toEqual({
      status: 2, stdout: '', stderr: 'ecr-lifecycle: --policy \'/dev/zero\': more than 188416 bytes; a lifecycle policy has at most 30720 characters (an ECR quota), and no file holding one is larger\n',
    });
  });
});

describe('--version', () => {
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  test.each([['--version'], ['-V']])('%s prints the version of the package.json two levels above the code', (flag) => {
    expect(cli(flag)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  // The command reads ../../package.json from src/cli/ here and from lib/cli/ once installed: jsii mirrors src/ into lib/.
  test('the compiled layout mirrors src/: lib/cli/ has package.json two levels up too', () => {
    const { rootDir, outDir } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions;
    expect({ rootDir, outDir, bin: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin['ecr-lifecycle'] })
      .toEqual({ rootDir: 'src', outDir: 'lib', bin: 'lib/cli/ecr-lifecycle.js' });
  });
});

describe('describe-images output that is one page of several', () => {
  test.each([
    ['nextToken', 'the service\'s token, which --no-paginate prints'],
    ['NextToken', 'the AWS CLI\'s, which --max-items prints'],
  ])('exit 2: a %s (%s)', (key) => {
    const page = input(`page-${key}.json`, { imageDetails: [{ imageDigest: digest('a'), imagePushedAt: 1714557600 }], [key]: 'eyJuZXh0VG9rZW4iOiAiYWJjIn0=' });
    expect(cli('preview', '--policy', fixture('policy.json'), '--images', page)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ecr-lifecycle: --images '${page}': has a nextToken, so it is one page of several and count rules would see only part of the repository; `
        + 'run aws ecr describe-images without --max-items or --no-paginate (the AWS CLI then fetches every page), or concatenate the imageDetails of all pages into one file\n',
    });
  });
});

test('push times are printed as AWS CLI v2 prints them: the strings of its describe-images output, from v1\'s epoch seconds too', () => {
  const v2 = new Map(JSON.parse(fs.readFileSync(fixture('images-v2.json'), 'utf8')).imageDetails.map((d: Record<string, string>) => [d.imageDigest, d.imagePushedAt]));
  const results: { imageDigest: string; imagePushedAt: string }[] = JSON.parse(
    cli('preview', '--policy', fixture('policy.json'), '--images', fixture('images-v1.json'), '--now', '2024-06-01', '--format', 'json').stdout).previewResults;
  expect(results.map((r) => r.imagePushedAt)).toEqual(results.map((r) => v2.get(r.imageDigest)));
  expect(results.map((r) => r.imagePushedAt)).toContain('2024-04-01T09:15:30.250000+00:00');
});

const GIB = 2 ** 30;

describe('what a policy saves: images-sized.json, the images of images-v2.json at 1 to 9 GiB (a=1, b=2, c=3, d=4, e=5, f=6, 0=7, 1=8, 2=9)', () => {
  // By hand, policy.json on 2024-06-01: c (3), d (4) and the archived 1 (8) expire: 15 GiB, 8 of them archived; f (6) moves to
  // the archive; a, b, e, 0 and the restoring 2 stay: 1+2+5+7+9 = 24 GiB. Before: standard a..f, 0 = 28 GiB, archive 1 and 2
  // = 17 GiB. After: standard 28 - 7 - 6 = 15 GiB, archive 17 - 8 + 6 = 15 GiB. A GB is 2^30 bytes, so at 0.10 USD a
  // GB-month, archive too (under 150 TB), the bill is 45 x 0.10 = 4.50 USD before and 30 x 0.10 = 3.00 after.
  const bytes = { expiringBytes: 15 * GIB, transitioningBytes: 6 * GIB, remainingImageCount: 5, remainingBytes: 24 * GIB };
  const SIZED_NOTE = archiveNote('6.0 GiB');
  test.each([
    ['published prices', [], 4.5, 3, [SIZED_NOTE]],
    // 28 x 0.10 + 17 x 0.05 = 3.65; 15 x 0.10 + 15 x 0.05 = 2.25. Archiving now saves 0.05 a GB-month: no note.
    ['--price-archive 0.05', ['--price-archive', '0.05'], 3.65, 2.25, []],
    // 28 x 0.20 + 17 x 0.10 = 7.30; 15 x 0.20 + 15 x 0.10 = 4.50.
    ['--price-standard 0.2', ['--price-standard=0.2'], 7.3, 4.5, []],
    ['--price-restore 0.05, in the note', ['--price-restore', '0.05'], 4.5, 3, [SIZED_NOTE.replace('costs 0.03 USD per GB', 'costs 0.05 USD per GB')]],
    // A flat archive price as high as standard: no band to wait for.
    ['--price-archive 0.10', ['--price-archive', '0.10'], 4.5, 3, [SIZED_NOTE.replace(' for the first 150 TB a month', '').replace(', or archive only once the archive holds over 150 TB', '')]],
  ])('json, %s', (_name, flags, before, after, notes) => {
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', fixture('images-sized.json'), '--now', '2024-06-01', '--format', 'json', ...flags);
    const out = JSON.parse(r.stdout);
    expect({ status: r.status, summary: out.summary, notes: out.notes ?? [] }).toEqual({
      status: 0,
      summary: { ...APP_SUMMARY, ...bytes, monthlyStorageUsdBefore: before, monthlyStorageUsdAfter: after },
      notes,
    });
  });

  test('table', () => {
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', fixture('images-sized.json'), '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({
      status: 0,
      stdout: [...APP_ROWS, APP_SUMMARY_LINES[0], '15.0 GiB would expire, 6.0 GiB would be archived, 24.0 GiB would stay (of 45.0 GiB)',
        'storage: 4.50 USD a month now, 3.00 USD after the policy', `note: ${SIZED_NOTE}`, ''].join('\n'),
      stderr: '',
    });
  });

  test('above 150 TB of archive, archiving saves: the 0.07 band', () => {
    const TIB = 1024 * GIB;
    const images = input('huge-images.json', {
      imageDetails: [
        // Archived a month ago, so rule 4 (90 days after archiving) leaves it.
        { imageDigest: digest('a'), imageTags: ['dev-a'], imageSizeInBytes: 200 * TIB, imagePushedAt: '2024-01-01T00:00:00+00:00', imageStatus: 'ARCHIVED', lastArchivedAt: '2024-05-01T00:00:00+00:00' },
        // Never pulled since its push 60 days before: rule 3 archives it.
        { imageDigest: digest('b'), imageTags: ['dev-b'], imageSizeInBytes: 10 * TIB, imagePushedAt: '2024-04-02T00:00:00+00:00' },
      ],
    });
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', images, '--now', '2024-06-01', '--format', 'json');
    // Before: 10 TiB standard = 10,240 GB x 0.10 = 1,024; 200 TiB archive = 204,800 GB: 153,600 x 0.10 + 51,200 x 0.07 = 18,944.
    // After: 210 TiB archive = 215,040 GB: 15,360 + 61,440 x 0.07 = 19,660.80. The 10 TiB cost 716.80 archived against
    // 1,024 in standard storage: no note.
    expect({ summary: JSON.parse(r.stdout).summary, notes: JSON.parse(r.stdout).notes }).toEqual({
      summary: {
        expiringImageTotalCount: 0,
        transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: 1 }],
        expiringBytes: 0,
        transitioningBytes: 10 * TIB,
        remainingImageCount: 1,
        remainingBytes: 200 * TIB,
        monthlyStorageUsdBefore: 19_968,
        monthlyStorageUsdAfter: 19_660.8,
      },
      notes: undefined,
    });
  });
});

/** A directory of files, JSON unless given as strings. */
function directory(name: string, files: Record<string, unknown>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const POLICY_TEXT = fs.readFileSync(fixture('policy.json'), 'utf8');
const repository = (name?: string) => ({ Type: 'AWS::ECR::Repository', Properties: { ...(name ? { RepositoryName: name } : {}), LifecyclePolicy: { LifecyclePolicyText: POLICY_TEXT } } });
const nestedStack = (assetPath?: string) => ({
  Type: 'AWS::CloudFormation::Stack',
  Properties: { TemplateURL: { 'Fn::Join': ['', ['https://s3.', { Ref: 'AWS::Region' }, '/bucket/0123abcd.json']] } },
  ...(assetPath !== undefined ? { Metadata: { 'aws:asset:path': assetPath, 'aws:asset:property': 'TemplateURL' } } : {}),
});

describe('preview --template: repositories in nested stacks, as every RepositoryFleet has them', () => {
  /** A real cloud assembly; `cdk synth` adds aws:asset:path metadata, a plain app.synth() leaves only the asset manifest. */
  function synthesizedFleet(assetMetadata: boolean): string {
    const outdir = path.join(tmp, `fleet-${assetMetadata}`);
    const app = new App({ outdir, context: assetMetadata ? { 'aws:cdk:enable-asset-metadata': true } : {} });
    new RepositoryFleet(new Stack(app, 'Registry'), 'Fleet', { repositoryNames: ['team/app', 'team/web'], shards: 2 });
    app.synth();
    return path.join(outdir, 'Registry.template.json');
  }
  const fleetImages = input('fleet-images.json', {
    imageDetails: [
      { registryId: '123456789012', repositoryName: 'team/app', imageDigest: digest('a'), imageSizeInBytes: GIB, imagePushedAt: '2024-01-01T00:00:00+00:00' },
      { registryId: '123456789012', repositoryName: 'team/app', imageDigest: digest('b'), imageTags: ['v1'], imageSizeInBytes: 2 * GIB, imagePushedAt: '2024-01-01T00:00:00+00:00' },
      // The same digest in another repository is another image.
      { registryId: '123456789012', repositoryName: 'team/web', imageDigest: digest('a'), imageSizeInBytes: 3 * GIB, imagePushedAt: '2024-05-20T00:00:00+00:00' },
    ],
  });
  const FLEET_POLICY = '{"rules":[{"rulePriority":1,"description":"Expire untagged images pushed more than 30 days ago","selection":{"tagStatus":"untagged",'
    + '"countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}';
  const SHARD = 'FleetShard1NestedStackShard1NestedStackResource962753E5';
  // team/app: its untagged 1 GiB image is over 30 days old and expires, v1 (2 GiB) stays: 0.30 USD a month, then 0.20.
  // team/web: its untagged image is 12 days old and stays: 0.30. Together 6 GiB (0.60), then 5 GiB (0.50).
  const app = {
    logicalId: `${SHARD}/teamapp9FF8E9F3`,
    registryId: '123456789012',
    repositoryName: 'team/app',
    lifecyclePolicyText: FLEET_POLICY,
    status: 'COMPLETE',
    previewResults: [{ imageDigest: digest('a'), imageTags: [], imagePushedAt: '2024-01-01T00:00:00+00:00', action: EXPIRE, appliedRulePriority: 1, storageClass: 'STANDARD' }],
    summary: {
      expiringImageTotalCount: 1,
      expiringBytes: GIB,
      transitioningBytes: 0,
      remainingImageCount: 1,
      remainingBytes: 2 * GIB,
      monthlyStorageUsdBefore: 0.3,
      monthlyStorageUsdAfter: 0.2,
    },
  };
  const web = {
    logicalId: `${SHARD}/teamwebE08A7C15`,
    registryId: '123456789012',
    repositoryName: 'team/web',
    lifecyclePolicyText: FLEET_POLICY,
    status: 'COMPLETE',
    previewResults: [],
    summary: {
      expiringImageTotalCount: 0,
      expiringBytes: 0,
      transitioningBytes: 0,
      remainingImageCount: 1,
      remainingBytes: 3 * GIB,
      monthlyStorageUsdBefore: 0.3,
      monthlyStorageUsdAfter: 0.3,
    },
  };
  const total = (repositoryCount: number, t: object) => ({ repositoryCount, transitioningImageCount: 0, transitioningBytes: 0, ...t });
  const bothTotal = total(2, {
    imageCount: 3,
    storedBytes: 6 * GIB,
    expiringImageCount: 1,
    expiringBytes: GIB,
    remainingImageCount: 2,
    remainingBytes: 5 * GIB,
    monthlyStorageUsdBefore: 0.6,
    monthlyStorageUsdAfter: 0.5,
  });

  test.each([
    ['with aws:asset:path metadata (cdk synth)', true],
    ['through the asset manifest Registry.assets.json (app.synth())', false],
  ])('%s: each repository sees the images of its name', (_name, metadata) => {
    const r = cli('preview', '--template', synthesizedFleet(metadata), '--images', fleetImages, '--now', '2024-06-01', '--format', 'json');
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({ status: 0, stdout: { repositories: [app, web], total: bothTotal }, stderr: '' });
  });

  test.each([
    ['its name', 'team/web', web],
    ['its logical id after its nested stack\'s', `${SHARD}/teamwebE08A7C15`, web],
    ['its logical id alone, unique in the assembly', 'teamapp9FF8E9F3', app],
  ])('--repository by %s previews that one repository', (_name, wanted, expected) => {
    const r = cli('preview', '--template', synthesizedFleet(true), '--repository', wanted, '--images', fleetImages, '--now', '2024-06-01', '--format', 'json');
    const { logicalId: _l, registryId: _r, repositoryName: _n, lifecyclePolicyText: _t, status: _s, previewResults: _p, summary } = expected;
    const { expiringImageTotalCount, expiringBytes, remainingImageCount, remainingBytes, monthlyStorageUsdBefore, monthlyStorageUsdAfter } = summary;
    expect(JSON.parse(r.stdout)).toEqual({
      repositories: [expected],
      total: total(1, {
        imageCount: remainingImageCount + expiringImageTotalCount,
        storedBytes: remainingBytes + expiringBytes,
        expiringImageCount: expiringImageTotalCount,
        expiringBytes,
        remainingImageCount,
        remainingBytes,
        monthlyStorageUsdBefore,
        monthlyStorageUsdAfter,
      }),
    });
  });

  test('exit 2: --repository names no repository; the closest names are listed', () => {
    expect(cli('preview', '--template', synthesizedFleet(true), '--repository', 'team/ap', '--images', fleetImages)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ecr-lifecycle: --repository 'team/ap': no repository with a lifecycle policy in --template '${path.join(tmp, 'fleet-true', 'Registry.template.json')}' `
        + 'has that name or logical id; the closest: team/app, team/web, teamapp9FF8E9F3\n',
    });
  });

  test('validate --template takes the same inputs: every repository of the assembly, or the one --repository picks', () => {
    const template = synthesizedFleet(false);
    expect([cli('validate', '--template', template), cli('validate', '--template', template, '--repository', 'team/web')]).toEqual([
      { status: 0, stdout: `${SHARD}/teamapp9FF8E9F3: policy is valid\n${SHARD}/teamwebE08A7C15: policy is valid\n`, stderr: '' },
      { status: 0, stdout: `${SHARD}/teamwebE08A7C15: policy is valid\n`, stderr: '' },
    ]);
  });

  test('images of repositories the template does not have are noted', () => {
    const images = input('other-images.json', { imageDetails: [{ repositoryName: 'legacy', imageDigest: digest('c'), imagePushedAt: '2024-01-01T00:00:00+00:00' }] });
    const out = JSON.parse(cli('preview', '--template', synthesizedFleet(true), '--images', images, '--now', '2024-06-01', '--format', 'json').stdout);
    expect(out.notes).toEqual(['the images of repository legacy (1) match no repository previewed; check that --images is the describe-images output of the template\'s repositories']);
  });

  test('a chain of nested stacks as deep as allowed is read', () => {
    const files: Record<string, unknown> = { [`d${MAX_NESTING_DEPTH}.json`]: { Resources: { Repo: repository('app') } } };
    for (let d = 0; d < MAX_NESTING_DEPTH; d++) files[`d${d}.json`] = { Resources: { Nested: nestedStack(`d${d + 1}.json`) } };
    const dir = directory('deep-enough', files);
    expect(cli('validate', '--template', path.join(dir, 'd0.json'))).toEqual({ status: 0, stdout: `${'Nested/'.repeat(MAX_NESTING_DEPTH)}Repo: policy is valid\n`, stderr: '' });
  });
});

describe('--template with --repository: names known only at deploy time', () => {
  test('picked by logical id, the cache (no RepositoryName) is previewed against the images of the one repository they name', () => {
    const r = cli('preview', '--template', fixture('template.json'), '--repository', 'CacheRepository3A4B5C6D', '--images', fixture('images-v2.json'), '--now', '2024-06-01', '--format', 'json');
    const out = JSON.parse(r.stdout).repositories[0];
    expect([r.status, out.logicalId, out.repositoryName, out.summary.expiringImageTotalCount]).toEqual([0, 'CacheRepository3A4B5C6D', 'app', 4]);
  });

  test('validate --protect covers every repository of the template', () => {
    expect(cli('validate', '--template', fixture('template.json'), '--protect', 'release-*')).toEqual({
      status: 1,
      stdout: ['AppRepository1A2B3C4D: rule 1 ("Keep the newest 2 release images"): could expire images tagged \'release-*\', which are protected. '
        + 'Add LifecycleRule.retain({ tagPatternList: [\'release-*\'] }) before it, or stop protecting \'release-*\'.',
      'AppRepository1A2B3C4D: rule 4 ("Delete archived images after 90 days"): could expire archived images tagged \'release-*\' (archived by hand), which are protected, '
        + 'and ECR offers no way to shield archived images. Make this rule select untagged images only, or stop protecting \'release-*\'.',
      'CacheRepository3A4B5C6D: rule 1 ("Keep the newest 3 images"): could expire images tagged \'release-*\', which are protected. '
        + 'Add LifecycleRule.retain({ tagPatternList: [\'release-*\'] }) before it, or stop protecting \'release-*\'.', ''].join('\n'),
      stderr: '',
    });
  });
});

describe('exit 2: nested templates are untrusted input', () => {
  const outsideDir = directory('outside', { 'secret.json': { Resources: { Repo: repository('stolen') } } });
  const root = (name: string, files: Record<string, unknown>, nested: Record<string, unknown>) =>
    path.join(directory(name, { 'App.template.json': { Resources: nested }, ...files }), 'App.template.json');
  const escaping = root('escaping', {}, { Nested: nestedStack('../outside/secret.json') });
  const absolute = root('absolute', {}, { Nested: nestedStack(path.join(outsideDir, 'secret.json')) });
  const linked = root('linked', {}, { Nested: nestedStack('link.json') });
  fs.symlinkSync(path.join(outsideDir, 'secret.json'), path.join(path.dirname(linked), 'link.json'));
  const itself = root('itself', {}, { Nested: nestedStack('App.template.json') });
  const unnamed = root('unnamed', {}, { Nested: nestedStack() });
  const missing = root('missing', {}, { Nested: nestedStack('gone.nested.template.json') });
  const garbled = root('garbled', { 'bad.json': '{"Resources": {"secret-value' }, { Nested: nestedStack('bad.json') });
  const huge = root('huge', { 'huge.json': `{"Resources":{},"x":"${'x'.repeat(TEMPLATE_LIMIT.bytes)}"}` }, { Nested: nestedStack('huge.json') });
  const ambiguous = root('ambiguous', { 'a.json': { Resources: { Repo: repository('a') } }, 'b.json': { Resources: { Repo: repository('b') } } },
    { A: nestedStack('a.json'), B: nestedStack('b.json') });
  const deepFiles: Record<string, unknown> = {};
  for (let d = 0; d <= MAX_NESTING_DEPTH; d++) deepFiles[`d${d}.json`] = { Resources: { Nested: nestedStack(`d${d + 1}.json`) } };
  const tooDeep = path.join(directory('too-deep', deepFiles), 'd0.json');
  const fix = 'Synthesize the app again (cdk synth) and give the new cloud assembly';
  test.each([
    ['a path out of the directory', escaping, `--template '${escaping}': resource 'Nested' names its template '../outside/secret.json', which lies outside '${path.dirname(escaping)}'; `
      + `a nested template lies beside the template that names it. ${fix}`],
    ['an absolute path', absolute, `--template '${absolute}': resource 'Nested' names its template '${path.join(outsideDir, 'secret.json')}', which lies outside '${path.dirname(absolute)}'; `
      + `a nested template lies beside the template that names it. ${fix}`],
    ['a symbolic link out of the directory', linked, `--template '${linked}': resource 'Nested' names its template 'link.json', which leads (through a symbolic link) outside `
      + `'${path.dirname(linked)}'; a nested template lies beside the template that names it. ${fix}`],
    ['a template nesting itself', itself, `--template '${itself}': resource 'Nested' names its template 'App.template.json', which was read already; a template cannot nest itself or be nested twice`],
    ['no metadata and no asset manifest', unnamed, `--template '${unnamed}': resource 'Nested' (AWS::CloudFormation::Stack) names its template neither in aws:asset:path metadata `
      + `nor in '${path.join(path.dirname(unnamed), 'App.assets.json')}' (absent); give the STACK.template.json that cdk synth wrote beside its nested templates and asset manifest, `
      + 'or preview that nested stack\'s template with --template'],
    ['a nested template that is not there', missing, `cannot read nested template '${path.join(path.dirname(missing), 'gone.nested.template.json')}': ENOENT: no such file or directory; `
      + `--template '${missing}' names it for resource 'Nested'. Synthesize the app again (cdk synth) so that the cloud assembly is whole`],
    // The parse error names the file, not what it holds.
    ['a nested template that is not JSON', garbled, `nested template '${path.join(path.dirname(garbled), 'bad.json')}': invalid JSON; synthesize the app again (cdk synth)`],
    ['a nested template over the size bound', huge, `nested template '${path.join(path.dirname(huge), 'huge.json')}': more than ${TEMPLATE_LIMIT.bytes} bytes; CloudFormation deploys templates of at most 1 MB`],
    ['nesting deeper than the bound', tooDeep, `nested template '${path.join(path.dirname(tooDeep), `d${MAX_NESTING_DEPTH}.json`)}': resource 'Nested' nests stacks more than ${MAX_NESTING_DEPTH} levels deep; `
      + 'no app needs that many. Preview a nested template on its own with --template'],
  ])('%s', (_name, template, message) => {
    expect(cli('validate', '--template', template)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}\n` });
  });

  test('a template with nested stacks from standard input, whose neighbours cannot be known', () => {
    const text = JSON.stringify({ Resources: { Nested: nestedStack('a.json') } });
    expect(cliWith({ stdin: stdinOf(text) }, 'validate', '--template', '-')).toEqual({
      status: 2, stdout: '', stderr: "ecr-lifecycle: --template '-': has nested stacks (resource 'Nested'), whose templates lie beside the template file; give the file instead of standard input\n",
    });
  });

  test('--repository naming a logical id of two nested stacks', () => {
    expect(cli('validate', '--template', ambiguous, '--repository', 'Repo')).toEqual({
      status: 2, stdout: '', stderr: `ecr-lifecycle: --repository 'Repo': names 2 repositories of --template '${ambiguous}' (A/Repo, B/Repo); give the logical id with its nested stacks\n`,
    });
  });

  test('--repository of a name known at deploy time, with images of several repositories', () => {
    const images = input('two-named.json', { imageDetails: [{ repositoryName: 'app', imageDigest: digest('a'), imagePushedAt: 1 }, { repositoryName: 'web', imageDigest: digest('a'), imagePushedAt: 1 }] });
    expect(cli('preview', '--template', fixture('template.json'), '--repository', 'CacheRepository3A4B5C6D', '--images', images)).toEqual({
      status: 2,
      stdout: '',
      stderr: "ecr-lifecycle: --repository 'CacheRepository3A4B5C6D': its name is only known at deploy time and the images are of several repositories (app, web); "
        + 'give the describe-images output of that repository alone\n',
    });
  });
});

describe('report: a whole registry from the files the README\'s loop writes', () => {
  const named = (repositoryName: string, details: object[]) => ({ imageDetails: details.map((d) => ({ registryId: '123456789012', repositoryName, ...d })) });
  const sized = JSON.parse(fs.readFileSync(fixture('images-sized.json'), 'utf8')).imageDetails;
  const UNTAGGED_POLICY = JSON.stringify({
    rules: [{ rulePriority: 1, description: 'Expire untagged images a day after their push, keeping every tagged one', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }],
  });
  const pushed = '2024-05-01T00:00:00+00:00';
  const registry = directory('registry', {
    'repositories.json': { repositories: ['team/app', 'solo', 'keep/tags'].map((repositoryName) => ({ registryId: '123456789012', repositoryName })) },
    // The images of images-sized.json and policy.json, as get-lifecycle-policy prints it.
    'team%2Fapp.images.json': named('team/app', sized.map(({ repositoryName: _n, ...d }: Record<string, unknown>) => d)),
    'team%2Fapp.policy.json': fs.readFileSync(fixture('get-lifecycle-policy.json'), 'utf8'),
    // No policy file: no lifecycle policy.
    'solo.images.json': named('solo', [{ imageDigest: digest('a'), imageTags: ['v1'], imageSizeInBytes: 10 * GIB, imagePushedAt: pushed },
      { imageDigest: digest('b'), imageSizeInBytes: GIB, imagePushedAt: pushed }]),
    'keep%2Ftags.images.json': named('keep/tags', [{ imageDigest: digest('a'), imageTags: ['v1'], imageSizeInBytes: GIB, imagePushedAt: pushed },
      { imageDigest: digest('b'), imageSizeInBytes: 2 * GIB, imagePushedAt: pushed }]),
    'keep%2Ftags.policy.json': UNTAGGED_POLICY,
  });
  // By hand, on 2024-06-01 at 0.10 USD per GB-month: team/app as in the preview of images-sized.json, 45 GiB (4.50 USD) of which
  // 15 expire and 6 move to the archive (3.00 USD after); solo 10 + 1 GiB, no policy (1.10 USD); keep/tags 3 GiB, its
  // untagged 2 GiB expire (0.30, then 0.10), but its tagged images never do. Ranked by what they store: 45, 11, 3 GiB.
  // Total: 13 images, 59 GiB (5.90 USD); 4 images (17 GiB) expire, 1 (6 GiB) moves; 8 (36 GiB) stay; 42 GiB after (4.20 USD).
  const HEADER = 'REPOSITORY  IMAGES  STORED    EXPIRING  ARCHIVING  USD/MONTH NOW  AFTER  FLAGS';
  const ROWS = [
    'team/app    9       45.0 GiB  15.0 GiB  6.0 GiB    4.50           3.00',
    'solo        2       11.0 GiB  0 B       0 B        1.10           1.10   no-policy',
    'keep/tags   2       3.0 GiB   2.0 GiB   0 B        0.30           0.10   never-expires-tagged',
  ];
  const TOTAL = ['total of 3 repositories:', '4 images would expire, 1 would be archived, 8 would stay (of 13 images)',
    '17.0 GiB would expire, 6.0 GiB would be archived, 36.0 GiB would stay (of 59.0 GiB)', 'storage: 5.90 USD a month now, 4.20 USD after the policy',
    `note: ${archiveNote('6.0 GiB')}`];

  test.each([
    ['every repository', [], [...ROWS]],
    ['--top 1', ['--top', '1'], [ROWS[0], '... 2 more repositories']],
  ])('table, %s', (_name, flags, rows) => {
    expect(cli('report', '--dir', registry, '--now', '2024-06-01', '--format', 'table', ...flags)).toEqual({ status: 0, stdout: [HEADER, ...rows, ...TOTAL, ''].join('\n'), stderr: '' });
  });

  test('json', () => {
    const row = (repositoryName: string, f: number[], flags: string[]) => ({
      repositoryName,
      imageCount: f[0],
      storedBytes: f[1] * GIB,
      expiringImageCount: f[2],
      transitioningImageCount: f[3],
      expiringBytes: f[4] * GIB,
      transitioningBytes: f[5] * GIB,
      remainingImageCount: f[6],
      remainingBytes: f[7] * GIB,
      monthlyStorageUsdBefore: f[8],
      monthlyStorageUsdAfter: f[9],
      flags,
    });
    const r = cli('report', '--dir', registry, '--now', '2024-06-01', '--format', 'json');
    const { repositoryName: _n, flags: _f, ...total } = row('', [13, 59, 4, 1, 17, 6, 8, 36, 5.9, 4.2], []);
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({
      status: 0,
      stdout: {
        repositories: [
          row('team/app', [9, 45, 3, 1, 15, 6, 5, 24, 4.5, 3], []),
          row('solo', [2, 11, 0, 0, 0, 0, 2, 11, 1.1, 1.1], ['no-policy']),
          row('keep/tags', [2, 3, 1, 0, 2, 0, 1, 1, 0.3, 0.1], ['never-expires-tagged']),
        ],
        total: { repositoryCount: 3, ...total },
        notes: [archiveNote('6.0 GiB')],
      },
      stderr: '',
    });
  });

  test('a policy that breaks ECR\'s rules is flagged and noted, not previewed', () => {
    const broken = directory('registry-broken', {
      'repositories.json': { repositories: [{ repositoryName: 'broken' }] },
      'broken.images.json': named('broken', [{ imageDigest: digest('a'), imageSizeInBytes: GIB, imagePushedAt: pushed }]),
      'broken.policy.json': UNTAGGED_POLICY.replace('"countNumber":1', '"countNumber":0'),
    });
    const out = JSON.parse(cli('report', '--dir', broken, '--now', '2024-06-01', '--format', 'json').stdout);
    expect([out.repositories[0].flags, out.repositories[0].expiringBytes, out.notes]).toEqual([['invalid-policy'], 0,
      [`broken: its policy breaks ECR's rules (1 problem) and was not previewed; run ecr-lifecycle validate --policy ${path.join(broken, 'broken.policy.json')}`]]);
  });

  const help = "; run 'ecr-lifecycle --help' for usage";
  const loopHint = "; write the directory with the loop of the README's ecr-lifecycle report section";
  const onlyList = (name: string, repositories: unknown, extra: Record<string, unknown> = {}) => directory(name, { 'repositories.json': repositories, ...extra });
  const noImages = onlyList('registry-no-images', { repositories: [{ repositoryName: 'team/app' }] });
  const paged = onlyList('registry-paged', { repositories: [{ repositoryName: 'app' }], NextToken: 'abc' });
  // A backslash separates paths on Windows; ECR names never hold one.
  const climbing = onlyList('registry-climbing', { repositories: [{ repositoryName: '..\\..\\evil' }] });
  const swapped = onlyList('registry-swapped', { repositories: [{ repositoryName: 'app' }] }, { 'app.images.json': named('web', [{ imageDigest: digest('a'), imagePushedAt: pushed }]) });
  test.each([
    ['no --dir', ['report'], `report: --dir is required${help}`],
    ['--top 0', ['report', '--dir', registry, '--top', '0'], `report: --top: got '0'; give a whole number of repositories, such as 20${help}`],
    ['a directory without repositories.json', ['report', '--dir', path.join(tmp, 'nowhere')],
      `cannot read report file '${path.join(tmp, 'nowhere', 'repositories.json')}': ENOENT: no such file or directory${loopHint}`],
    ['a repository without its images file', ['report', '--dir', noImages],
      `cannot read report file '${path.join(noImages, 'team%2Fapp.images.json')}': ENOENT: no such file or directory${loopHint}`],
    ['describe-repositories output that is one page', ['report', '--dir', paged],
      `report file '${path.join(paged, 'repositories.json')}': has a nextToken, so it lists only some repositories; run aws ecr describe-repositories without --max-items or --no-paginate`],
    ['a repository name that could leave the directory', ['report', '--dir', climbing],
      `report file '${path.join(climbing, 'repositories.json')}': repositories[0]: repositoryName: got "..\\\\..\\\\evil"; expected an ECR repository name. Pass the output of aws ecr describe-repositories unchanged`],
    ['images of another repository', ['report', '--dir', swapped],
      `report file '${path.join(swapped, 'app.images.json')}': holds images of 'web', not of 'app'; write each repository's describe-images output to NAME.images.json, NAME being its name with each / written %2F`],
  ])('exit 2: %s', (_name, args, message) => {
    expect(cli(...args)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}\n` });
  });
});

describe('the README\'s report loop, run against moto with the AWS CLI', () => {
  let moto: Moto;
  beforeAll(async () => { moto = await Moto.start('us-east-1'); }, 60_000);
  afterAll(async () => { await moto?.stop(); });

  test('writes a directory report reads: a namespaced repository with its policy, its namespace without one', async () => {
    const manifest = (layer: string) => JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'c'.repeat(64)}` },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: `sha256:${layer.repeat(64)}` }],
    });
    for (const call of [
      ['create_repository', { repositoryName: 'team' }], ['create_repository', { repositoryName: 'team/app' }],
      // moto's schema predates the archive class: a policy without it.
      ['put_lifecycle_policy', { repositoryName: 'team/app', lifecyclePolicyText: fs.readFileSync(fixture('policy-protected.json'), 'utf8') }],
      ['put_image', { repositoryName: 'team/app', imageTag: 'v1', imageManifest: manifest('1') }],
      ['put_image', { repositoryName: 'team', imageTag: 'v1', imageManifest: manifest('2') }],
    ] as const) await moto.call('ecr', call[0], call[1]);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const loop = /<!-- report-loop -->\n```sh\n([\s\S]*?)```\n<!-- \/report-loop -->/.exec(readme)![1];
    // The AWS CLI reads no endpoint from the environment: a wrapper first on PATH points it at moto.
    const work = fs.mkdtempSync(path.join(tmp, 'loop-'));
    moto.writeAwsCommand(path.join(work, 'bin'));
    const run = spawnSync('bash', ['-c', loop], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.join(work, 'bin')}:${process.env.PATH}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1' },
    });
    expect({ status: run.status, stderr: run.stderr, files: fs.readdirSync(path.join(work, 'registry')).sort() }).toEqual({
      status: 0, stderr: '', files: ['repositories.json', 'team%2Fapp.images.json', 'team%2Fapp.policy.json', 'team.images.json'],
    });
    const out = JSON.parse(cli('report', '--dir', path.join(work, 'registry'), '--format', 'json').stdout);
    const rows: { repositoryName: string; imageCount: number; flags: string[] }[] = out.repositories;
    expect(rows.map((r) => [r.repositoryName, r.imageCount, r.flags]).sort())
      .toEqual([['team', 1, ['no-policy']], ['team/app', 1, []]]);
  }, 180_000); // five AWS CLI v1 processes, a few seconds each on a busy machine
});
