import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The real command in a child process, from the TypeScript source: lib/ may be stale while tests run.
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/ecr-lifecycle.ts', ...args], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string) => `test/cli/fixtures/${name}`;

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

// test/cli/fixtures/policy.json applied to the images-*.json inventory on 2024-06-01.
const APP_PREVIEW = {
  previewResults: [
    { imageDigest: digest('c'), imageTags: ['release-1'], imagePushedAt: '2024-04-01T09:15:30.250Z', action: EXPIRE, appliedRulePriority: 1, storageClass: 'STANDARD' },
    { imageDigest: digest('d'), imageTags: [], imagePushedAt: '2024-05-01T10:00:00.000Z', action: EXPIRE, appliedRulePriority: 2, storageClass: 'STANDARD' },
    { imageDigest: digest('f'), imageTags: ['dev-1'], imagePushedAt: '2024-03-01T10:00:00.000Z', action: ARCHIVE, appliedRulePriority: 3, storageClass: 'STANDARD' },
    { imageDigest: digest('1'), imageTags: ['dev-old'], imagePushedAt: '2023-01-01T10:00:00.000Z', action: EXPIRE, appliedRulePriority: 4, storageClass: 'ARCHIVE' },
  ],
  summary: { expiringImageTotalCount: 3, transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: 1 }] },
};

const templateText = (logicalId: string) => JSON.parse(fs.readFileSync(fixture('template.json'), 'utf8')).Resources[logicalId].Properties.LifecyclePolicy.LifecyclePolicyText;

const APP_TABLE = [
  'ACTION   RULE  PUSHED      STORAGE   DIGEST               TAGS',
  'EXPIRE   1     2024-04-01  STANDARD  sha256:cccccccccccc  release-1',
  'EXPIRE   2     2024-05-01  STANDARD  sha256:dddddddddddd  <untagged>',
  'ARCHIVE  3     2024-03-01  STANDARD  sha256:ffffffffffff  dev-1',
  'EXPIRE   4     2023-01-01  ARCHIVE   sha256:111111111111  dev-old',
  '3 images would expire, 1 would be archived (of 9 images)',
];

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
    const expected = { registryId: '123456789012', repositoryName: 'app', lifecyclePolicyText, status: 'COMPLETE', ...APP_PREVIEW };
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({ status: 0, stdout: expected, stderr: '' });
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['registryId', 'repositoryName', 'lifecyclePolicyText', 'status', 'previewResults', 'summary']);
  });

  test('images that name no repository give a preview without registryId and repositoryName', () => {
    const images = input('anonymous-images.json', { imageDetails: [{ imageDigest: digest('a'), imagePushedAt: 1714557600 }] });
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', images, '--now', '2024-06-01', '--format', 'json');
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['lifecyclePolicyText', 'status', 'previewResults', 'summary']);
  });

  test('table: aligned rows and a summary line', () => {
    const r = cli('preview', '--policy', fixture('policy.json'), '--images', fixture('images-v1.json'), '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({ status: 0, stdout: APP_TABLE.join('\n') + '\n', stderr: '' });
  });

  test('--template: every repository with a lifecycle policy, labelled by logical id and plain-string name', () => {
    const r = cli('preview', '--template', fixture('template.json'), '--images', fixture('images-v2.json'), '--now', '2024-06-01', '--format', 'json');
    // CacheRepository keeps the newest 3 active images of any tag.
    const cacheExpired = [['f', ['dev-1'], '2024-03-01T10:00:00.000Z'], ['c', ['release-1'], '2024-04-01T09:15:30.250Z'],
      ['d', [], '2024-05-01T10:00:00.000Z'], ['b', ['release-2', 'latest'], '2024-05-10T10:00:00.000Z']] as const;
    expect({ ...r, stdout: JSON.parse(r.stdout) }).toEqual({
      status: 0,
      stdout: {
        repositories: [
          { logicalId: 'AppRepository1A2B3C4D', registryId: '123456789012', repositoryName: 'app', lifecyclePolicyText: templateText('AppRepository1A2B3C4D'), status: 'COMPLETE', ...APP_PREVIEW },
          {
            logicalId: 'CacheRepository3A4B5C6D',
            registryId: '123456789012',
            lifecyclePolicyText: templateText('CacheRepository3A4B5C6D'),
            status: 'COMPLETE',
            previewResults: cacheExpired.map(([c, imageTags, imagePushedAt]) => (
              { imageDigest: digest(c), imageTags, imagePushedAt, action: EXPIRE, appliedRulePriority: 1, storageClass: 'STANDARD' })),
            summary: { expiringImageTotalCount: 4 },
          },
        ],
      },
      stderr: '',
    });
  });

  test('--template table: one titled table per repository', () => {
    const r = cli('preview', '--template', fixture('template.json'), '--images', fixture('images-v2.json'), '--now', '2024-06-01', '--format', 'table');
    expect(r).toEqual({
      status: 0,
      stdout: ['AppRepository1A2B3C4D (app):', ...APP_TABLE, '', 'CacheRepository3A4B5C6D:',
        'ACTION  RULE  PUSHED      STORAGE   DIGEST               TAGS',
        'EXPIRE  1     2024-03-01  STANDARD  sha256:ffffffffffff  dev-1',
        'EXPIRE  1     2024-04-01  STANDARD  sha256:cccccccccccc  release-1',
        'EXPIRE  1     2024-05-01  STANDARD  sha256:dddddddddddd  <untagged>',
        'EXPIRE  1     2024-05-10  STANDARD  sha256:bbbbbbbbbbbb  release-2, latest',
        '4 images would expire, 0 would be archived (of 9 images)', ''].join('\n'),
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
      `--images '${twoRepositories}': the images are of several repositories (app, web); preview the images of one repository at a time`],
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
  ])('%s', (_name, args, message) => {
    expect(cli(...args)).toEqual({ status: 2, stdout: '', stderr: `ecr-lifecycle: ${message}\n` });
  });
});
