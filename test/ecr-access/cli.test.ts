// The `ecr-access` command (packages/ecr-access) over a synthesized cloud assembly, its output parsed: the reference
// platform across accounts, as a security reviewer reads it. `main` runs in-process (bad-input.test.ts runs the built
// command as a child process for the exit codes a shell sees).
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../packages/ecr-access/src/cli';
import { AccessMatrix } from '../../packages/ecr-access/src/matrix';
import { CROSS_ACCOUNT_CASES, crossAccount, DEV, PROD, REGISTRY } from '../reference/access-cases';
import { scratchDir } from '../support/clean-outdirs';
import { AccessModel } from '../support/iam-simulation';

async function call(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await main(args, (s) => stdout.push(s), (s) => stderr.push(s));
  return { status, stdout: stdout.join(''), stderr: stderr.join('') };
}

const assembly = crossAccount();
const dir = assembly.directory;
const matrixOf = async (directory: string) => {
  const result = await call('matrix', '--assembly', directory, '--format', 'json');
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(result.stdout) as AccessMatrix;
};
let matrix: AccessMatrix;
beforeAll(async () => {
  matrix = await matrixOf(dir);
});

/**
 * What `principal` may do to `repository` (the registry's, not a replica region's copy) according to the matrix; a
 * principal not listed may do nothing.
 */
function cell(m: AccessMatrix, principal: string, repository: string, capability: 'pull' | 'push' | 'tag' | 'delete' | 'admin'): boolean {
  const repo = m.repositories.find((r) => r.name === repository && r.stack === 'Registry');
  if (!repo) throw new Error(`no repository ${repository} in the matrix`);
  const row = repo.rows.find((r) => r.principal === principal);
  if (!row) return false;
  return capability === 'admin' ? row.admin.length > 0 : row[capability] === 'yes';
}

const STOREFRONT = 'platform/storefront';
const CATALOG = 'platform/catalog';
const RESIZER = 'platform/resizer';
/** The registry's repository by ARN, as `why` wants it: its copy in the replica region has the same name. */
const inRegistry = (name: string) => `arn:aws:ecr:eu-west-1:111111111111:repository/${name}`;

describe('ecr-access matrix', () => {
  // What a security reviewer expects: each consumer pulls only its repository; builds and publishers push only their
  // own and never delete; the pipeline and its deploy roles touch no image; nobody administers a repository.
  test.each<[string, string, 'pull' | 'push' | 'tag' | 'delete' | 'admin', boolean]>([
    ['Ecs-dev/ExecutionRole', STOREFRONT, 'pull', true],
    ['Ecs-prod/ExecutionRole', STOREFRONT, 'pull', true],
    ['Ecs-dev/ExecutionRole', CATALOG, 'pull', false],
    ['Ecs-dev/ExecutionRole', RESIZER, 'pull', false],
    ['Ecs-dev/ExecutionRole', STOREFRONT, 'push', false],
    ['Ecs-dev/ExecutionRole', STOREFRONT, 'tag', false],
    ['Ecs-dev/Task/TaskRole', STOREFRONT, 'pull', false],
    ['Eks-dev/NodeRole', CATALOG, 'pull', true],
    ['Eks-prod/NodeRole', CATALOG, 'pull', true],
    ['Eks-dev/NodeRole', STOREFRONT, 'pull', false],
    ['Eks-prod/NodeRole', STOREFRONT, 'pull', false],
    ['Eks-dev/NodeRole', CATALOG, 'push', false],
    ['Eks-dev/KubectlRole', CATALOG, 'pull', false],
    ['Eks-dev/KubectlRole', STOREFRONT, 'pull', false],
    ['Eks-dev/Cluster/Role', CATALOG, 'pull', false],
    ['Lambda-dev/FunctionRole', RESIZER, 'pull', false],
    ['Lambda-prod/FunctionRole', RESIZER, 'push', false],
    ['Registry/storefrontBuild/Role', STOREFRONT, 'push', true],
    ['Registry/storefrontBuild/Role', STOREFRONT, 'pull', true],
    ['Registry/storefrontBuild/Role', STOREFRONT, 'tag', true],
    ['Registry/storefrontBuild/Role', STOREFRONT, 'delete', false],
    ['Registry/storefrontBuild/Role', STOREFRONT, 'admin', false],
    ['Registry/storefrontBuild/Role', CATALOG, 'push', false],
    ['Registry/storefrontBuild/Role', RESIZER, 'pull', false],
    ['Registry/catalogBuild/Role', CATALOG, 'push', true],
    ['Registry/catalogBuild/Role', CATALOG, 'delete', false],
    ['Registry/catalogBuild/Role', STOREFRONT, 'pull', false],
    ['Registry/resizerBuild/Role', RESIZER, 'push', true],
    ['Registry/resizerBuild/Role', RESIZER, 'admin', false],
    ['Registry/storefrontGitHub/Role', STOREFRONT, 'push', true],
    ['Registry/storefrontGitHub/Role', STOREFRONT, 'delete', false],
    ['Registry/storefrontGitHub/Role', CATALOG, 'push', false],
    ['Registry/catalogGitHub/Role', CATALOG, 'push', true],
    ['Registry/catalogGitHub/Role', STOREFRONT, 'push', false],
    ['Registry/resizerGitHub/Role', RESIZER, 'push', true],
    ['Registry/resizerGitHub/Role', RESIZER, 'admin', false],
    ['Delivery/Promotion/Role', STOREFRONT, 'pull', false],
    ['Delivery/Promotion/Role', STOREFRONT, 'push', false],
    ['Delivery/Promotion/SourceRole', STOREFRONT, 'pull', false],
    ['Delivery/Promotion/ImageDefinitions/Role', STOREFRONT, 'pull', false],
    ['Ecs-dev/Deploy/Role', STOREFRONT, 'pull', false],
    ['Ecs-prod/Deploy/Role', STOREFRONT, 'push', false],
    ['Ecs-prod/Deploy/Role', STOREFRONT, 'tag', false],
    ['Ecs-prod/Deploy/Role', STOREFRONT, 'admin', false],
    ['Ecs-dev/Vpc/all/IAMRole', STOREFRONT, 'pull', false],
    // Outside the assembly, the workload accounts' roles under a repository's pulling path (not in the app: any a
    // workload team adds there) pull that repository only, and never push.
    [`arn:aws:iam::${DEV}:role/platform/storefront/*`, STOREFRONT, 'pull', true],
    [`arn:aws:iam::${PROD}:role/platform/storefront/*`, STOREFRONT, 'pull', true],
    [`arn:aws:iam::${DEV}:role/platform/storefront/*`, STOREFRONT, 'push', false],
    [`arn:aws:iam::${DEV}:role/platform/storefront/*`, CATALOG, 'pull', false],
    [`arn:aws:iam::${DEV}:role/platform/catalog/*`, CATALOG, 'pull', true],
    // The repositories the pull-through caches create: the builds take their base images from there, workloads do not.
    ['Registry/storefrontBuild/Role', 'ecr-public/*', 'pull', true],
    ['Registry/catalogBuild/Role', 'docker-hub/*', 'pull', true],
    ['Registry/storefrontBuild/Role', 'ecr-public/*', 'push', false],
    ['Ecs-dev/ExecutionRole', 'ecr-public/*', 'pull', false],
  ])('%s on %s: %s is %s', (principal, repository, capability, expected) => {
    expect(cell(matrix, principal, repository, capability)).toBe(expected);
  });

  test('nobody of the assembly deletes images or administers a repository, and every principal listed is of a named account', () => {
    const rows = matrix.repositories.flatMap((r) => r.rows);
    expect(rows.filter((r) => r.delete !== 'no')).toEqual([]);
    expect(rows.filter((r) => r.admin.length > 0)).toEqual([]);
    expect([...new Set(rows.map((r) => r.account))].sort()).toEqual([REGISTRY, DEV, PROD].sort());
    expect(rows.filter((r) => !r.outside).flatMap((r) => r.notes)).toEqual([]);
    // Outside the assembly, only the registry login is undetermined: no repository policy has a say in it.
    expect(rows.filter((r) => r.outside).map((r) => [r.outside, r.login])).toEqual(rows.filter((r) => r.outside).map(() => ['across accounts', '?']));
  });

  test('the stacks with their accounts, and roles without access counted per stack, not listed', () => {
    expect(matrix.stacks.map((s) => `${s.name} ${s.account} ${s.region}`)).toEqual([
      'Delivery 111111111111 eu-west-1', 'Ecs-dev 222222222222 eu-west-1', 'Ecs-prod 333333333333 eu-west-1', 'Eks-dev 222222222222 eu-west-1',
      'Eks-prod 333333333333 eu-west-1', 'Lambda-dev 222222222222 eu-west-1', 'Lambda-prod 333333333333 eu-west-1', 'Registry 111111111111 eu-west-1',
      'Registry-eu-central-1 111111111111 eu-central-1',
    ]);
    const listed = new Set(matrix.repositories.flatMap((r) => r.rows.filter((row) => !row.outside).map((row) => row.principal)));
    const all = AccessModel.of(dir).principals();
    expect(matrix.withoutAccess.reduce((n, w) => n + w.principals, 0)).toBe(all.length - listed.size);
  });

  test('agrees with the grant tests: every request of test/reference/access-cases.ts by a role of the app, asked through `why`', async () => {
    const model = new AccessModel(assembly);
    const byRole = CROSS_ACCOUNT_CASES.filter(([, principal, , repository]) => 'stack' in principal && 'stack' in repository);
    expect(byRole.length).toBeGreaterThanOrEqual(20);
    for (const [name, principal, action, repository, allowed] of byRole) {
      const role = principal as { stack: string; role: string };
      const repo = repository as { stack: string; id: string };
      const roleName = model.principals().find((p) => p.stack === role.stack && p.logicalId!.startsWith(role.role))!.name;
      // By ARN: the name alone is also the replica region's copy's.
      const repositoryName = model.repositories().find((r) => r.stack === repo.stack && r.logicalId!.startsWith(repo.id))!.arn;
      const { status } = await call('why', '--assembly', dir, '--principal', roleName, '--repository', repositoryName, '--action', action);
      expect({ name, status }).toEqual({ name, status: allowed ? 0 : 1 });
    }
  });

  test('the check can fail: a build granted image deletion, and a repository open to every account, show up', async () => {
    const copy = scratchDir('mutated-');
    fs.cpSync(dir, copy, { recursive: true });
    const file = path.join(copy, assembly.getStackByName('Registry').templateFile);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const resources = Object.entries<any>(template.Resources);
    // The storefront build's policy gains ecr:BatchDeleteImage on its repository.
    const [, buildPolicy] = resources.find(([id, r]) => id.startsWith('storefrontBuildRoleEcrAccessPolicy') && r.Type === 'AWS::IAM::ManagedPolicy')!;
    const push = buildPolicy.Properties.PolicyDocument.Statement.find((s: any) => [s.Action].flat().includes('ecr:PutImage'));
    push.Action = [...[push.Action].flat(), 'ecr:BatchDeleteImage'];
    // The storefront repository admits everyone.
    const [, repository] = resources.find(([id, r]) => id.startsWith('storefrontRepository') && r.Type === 'AWS::ECR::Repository')!;
    for (const statement of repository.Properties.RepositoryPolicyText.Statement) {
      statement.Principal = { AWS: '*' };
      delete statement.Condition;
    }
    fs.writeFileSync(file, JSON.stringify(template));

    expect(cell(matrix, 'Registry/storefrontBuild/Role', STOREFRONT, 'delete')).toBe(false);
    expect(cell(await matrixOf(copy), 'Registry/storefrontBuild/Role', STOREFRONT, 'delete')).toBe(true);
    const outsider = ['why', '--principal', 'arn:aws:iam::444444444444:role/anyone', '--repository', inRegistry(STOREFRONT), '--action', 'pull'];
    expect((await call(...outsider, '--assembly', dir)).status).toBe(1);
    expect((await call(...outsider, '--assembly', copy)).status).toBe(0);
  });

  test('markdown and table formats: a section per repository with its principals', async () => {
    const markdown = await call('matrix', '--assembly', dir, '--format', 'markdown');
    expect(markdown.status).toBe(0);
    expect(markdown.stdout).toContain('## platform/storefront (Registry, 111111111111, eu-west-1)\n\n| principal | account | pull | push | tag | login | delete | admin |\n'
      + '|---|---|---|---|---|---|---|---|\n| `Ecs-dev/ExecutionRole` | 222222222222 | yes | - | - | yes | - | - |\n');
    const table = await call('matrix', '--assembly', dir);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^platform\/catalog \(Registry, 111111111111, eu-west-1\)\n  principal +account +pull +push +tag +login +delete +admin\n  Eks-dev\/NodeRole +222222222222 +yes +- +- +yes +- +-\n/m);
  });
});

describe('ecr-access why', () => {
  test('allowed: the decisive statements of both sides of a cross-account pull, by stack, construct path and statement', async () => {
    const result = await call('why', '--assembly', dir, '--principal', 'Ecs-dev/ExecutionRole', '--repository', inRegistry(STOREFRONT), '--action', 'ecr:BatchGetImage');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('ALLOWED: Ecs-dev/ExecutionRole may ecr:BatchGetImage platform/storefront');
    expect(lines[1]).toBe('  ecr:BatchGetImage: allowed (across accounts: the identity policy and the repository policy must both allow)');
    expect(lines[2]).toMatch(/^ {4}allowed by customer managed Ecs-dev Ecs-dev\/ExecutionRole\/EcrAccessPolicy \(ExecutionRoleEcrAccessPolicy[0-9A-F]{8}\), statement \d+$/);
    expect(lines[3]).toMatch(/^ {4}allowed by resource policy Registry Registry\/storefrontRepository \(storefrontRepository[0-9A-F]{8}\), statement 1$/);
    expect(lines[2]).not.toMatch(/statement 0$/);
  });

  test('denied: what is missing, for each action of the capability', async () => {
    const result = await call('why', '--assembly', dir, '--principal', 'Ecs-dev/ExecutionRole', '--repository', inRegistry(CATALOG), '--action', 'pull');
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'DENIED: Ecs-dev/ExecutionRole may not pull platform/catalog (all of ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)',
      '  ecr:BatchGetImage: implicitly denied (across accounts: the identity policy and the repository policy must both allow)',
      '    no identity policy of Ecs-dev/ExecutionRole allows ecr:BatchGetImage on platform/catalog (2 policies read)',
      '    no statement of the repository policy (Registry/catalogRepository) admits arn:aws:iam::222222222222:role/platform/storefront/Ecs-dev-ExecutionRole605A040B',
    ]);
    expect(result.stdout).toContain('not modelled: service control and resource control policies, permission boundaries, session policies, VPC endpoint policies.\n');
  });

  // Its identity policies are not in the assembly. Across accounts both sides must allow (IAM, "Cross-account policy
  // evaluation logic"): taken to allow everything, the repository policy decides. In the registry's own account either
  // side suffices ("Policy evaluation for requests within a single account"): what the repository policy does not
  // grant is undetermined, never allowed by an assumption.
  test.each<[string, string, number, string[]]>([
    ['another account\'s role under the pulling path', `arn:aws:iam::${DEV}:role/platform/storefront/any`, 0, [
      `ALLOWED: arn:aws:iam::${DEV}:role/platform/storefront/any may pull platform/storefront (all of ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)`,
      '  ecr:BatchGetImage: allowed (across accounts: the identity policy and the repository policy must both allow)',
      '    allowed by its identity policies, which are unknown (it is outside the assembly) and taken to allow everything',
    ]],
    ['another account\'s role elsewhere', `arn:aws:iam::${DEV}:role/ops-admin`, 1, [
      `DENIED: arn:aws:iam::${DEV}:role/ops-admin may not pull platform/storefront (all of ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)`,
      '  ecr:BatchGetImage: implicitly denied (across accounts: the identity policy and the repository policy must both allow)',
      '    allowed by its identity policies, which are unknown (it is outside the assembly) and taken to allow everything',
      `    no statement of the repository policy (Registry/storefrontRepository) admits arn:aws:iam::${DEV}:role/ops-admin`,
    ]],
    ['a role of the registry\'s own account', `arn:aws:iam::${REGISTRY}:role/ops-admin`, 1, [
      `DENIED: arn:aws:iam::${REGISTRY}:role/ops-admin may not pull platform/storefront (all of ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)`,
      '  ecr:BatchGetImage: implicitly denied (same account: the identity policy or the repository policy may allow)',
      `    no statement of the repository policy (Registry/storefrontRepository) admits arn:aws:iam::${REGISTRY}:role/ops-admin`,
      '    undetermined: its identity policies are unknown (it is outside the assembly); in its own account they alone may allow what no resource policy grants',
    ]],
  ])('a principal outside the assembly, by ARN: %s', async (_name, principal, status, lines) => {
    const result = await call('why', '--assembly', dir, '--principal', principal, '--repository', inRegistry(STOREFRONT), '--action', 'pull');
    expect(result.status).toBe(status);
    expect(result.stdout.split('\n').slice(0, lines.length)).toEqual(lines);
    expect(result.stdout).toContain(`principal: ${principal} (outside the assembly)\n`);
  });

  test('login and admin', async () => {
    expect((await call('why', '--assembly', dir, '--principal', 'Ecs-dev/ExecutionRole', '--repository', inRegistry(STOREFRONT), '--action', 'login')).status).toBe(0);
    const admin = await call('why', '--assembly', dir, '--principal', 'Registry/storefrontBuild/Role', '--repository', inRegistry(STOREFRONT), '--action', 'admin');
    expect(admin.status).toBe(1);
    expect(admin.stdout.split('\n').filter((l) => /^(ALLOWED|DENIED)/.test(l))).toEqual([
      'DENIED: Registry/storefrontBuild/Role may not policy platform/storefront (any of ecr:SetRepositoryPolicy, ecr:DeleteRepositoryPolicy)',
      'DENIED: Registry/storefrontBuild/Role may not lifecycle platform/storefront (any of ecr:PutLifecyclePolicy, ecr:DeleteLifecyclePolicy)',
      'DENIED: Registry/storefrontBuild/Role may not repository deletion platform/storefront (any of ecr:DeleteRepository)',
    ]);
  });
});

describe('ecr-access bad input: exit 2 and one line', () => {
  test.each<[string, string[], string]>([
    ['a missing assembly', ['matrix', '--assembly', '/nonexistent/cdk.out'],
      "ecr-access: no cloud assembly at /nonexistent/cdk.out: /nonexistent/cdk.out/manifest.json does not exist. Run 'npx cdk synth' first, or pass --assembly <its cdk.out>.\n"],
    ['no --assembly', ['matrix'], 'ecr-access: --assembly is required (--help for usage).\n'],
    ['an unknown command', ['list', '--assembly', 'x'], "ecr-access: unknown command 'list': give matrix or why (--help for usage).\n"],
    ['an unknown format', ['matrix', '--assembly', '<dir>', '--format', 'csv'], "ecr-access: --format: got 'csv'; give table, markdown, json.\n"],
    ['an option of the other command', ['matrix', '--assembly', '<dir>', '--principal', 'x'],
      'ecr-access: unknown option --principal: this command takes --assembly, --format, --account.\n'],
    ['a stand-in account of 11 digits', ['matrix', '--assembly', '<dir>', '--account', '12345678901'],
      "ecr-access: --account: got '12345678901'; an AWS account id is 12 digits.\n"],
    ['an unknown principal', ['why', '--assembly', '<dir>', '--principal', 'Ecs-dev/TaskRunner', '--repository', inRegistry(STOREFRONT), '--action', 'pull'],
      "ecr-access: no principal 'Ecs-dev/TaskRunner' in the assembly: give a construct path such as Ecs-dev/ExecutionRole, <stack>/<logical id>, or an IAM role or user ARN.\n"],
    ['an unknown repository', ['why', '--assembly', '<dir>', '--principal', 'Ecs-dev/ExecutionRole', '--repository', 'platform/payments', '--action', 'pull'],
      "ecr-access: no repository 'platform/payments' in the assembly (9 repositories).\n"],
    // The registry's three, their replicas, and the three patterns of the repositories ECR creates (the caches', the
    // replication's): the count, and the names that hold the one asked for, never all of a fleet's thousands.
    ['a repository named by its last part only', ['why', '--assembly', '<dir>', '--principal', 'Ecs-dev/ExecutionRole', '--repository', 'storefront', '--action', 'pull'],
      "ecr-access: no repository 'storefront' in the assembly (9 repositories); closest: platform/storefront.\n"],
    ['an unknown action', ['why', '--assembly', '<dir>', '--principal', 'Ecs-dev/ExecutionRole', '--repository', inRegistry(STOREFRONT), '--action', 'download'],
      "ecr-access: unknown action 'download': give pull, push, tag, login, delete, admin or an ECR action such as ecr:BatchGetImage.\n"],
    ['an option without its value', ['why', '--assembly', '<dir>', '--principal'], 'ecr-access: --principal needs a value.\n'],
    ['a word that is no option', ['matrix', 'cdk.out'], "ecr-access: unexpected argument 'cdk.out' (--help for usage).\n"],
    ['a principal named by its last part only', ['why', '--assembly', '<dir>', '--principal', 'ExecutionRole', '--repository', inRegistry(STOREFRONT), '--action', 'pull'],
      "ecr-access: no principal 'ExecutionRole' in the assembly (did you mean Ecs-dev/ExecutionRole, Ecs-prod/ExecutionRole?): "
      + 'give a construct path such as Ecs-dev/ExecutionRole, <stack>/<logical id>, or an IAM role or user ARN.\n'],
  ])('%s', async (_name, args, message) => {
    expect(await call(...args.map((a) => (a === '<dir>' ? dir : a)))).toEqual({ status: 2, stdout: '', stderr: message });
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await call('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage:\n {2}ecr-access matrix --assembly <cdk.out>/);
  });
});
