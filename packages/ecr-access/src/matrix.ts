// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Who can pull, push, delete or administer each repository of an assembly, and of those ECR creates for it: every
 * role and user against every repository, and the principals outside the assembly each repository policy admits, each
 * capability decided by the simulator (identity and repository policy together).
 */
import { ADMIN, Capability, DELETE, LOGIN, PULL, PUSH, TAG } from './capabilities';
import { patternReachesUnder } from './ecr-creation';
import { AccessModel, AccessResource, EcrCreation, matchesPattern, NOT_MODELLED, Principal } from './model';
import { outsidersOf } from './outsiders';

/** `yes`, `no`, or `?` when the answer depends on what the model does not know. */
export type Verdict = 'yes' | 'no' | '?';

/** What one principal may do to one repository. */
export interface MatrixRow {
  /** A construct path, or for a principal outside the assembly what the repository policy admits it by (an ARN pattern, `organization o-...`). */
  readonly principal: string;
  /** `*` for principals of any account (anyone, an organization). */
  readonly account: string;
  /**
   * For a principal outside the assembly, whose identity policies are unknown: `across accounts`, they are taken to
   * allow everything, so the row is what the repository policy admits (they must allow it too); `same account`, the
   * row is what the repository policy grants by itself, `?` what only they could allow.
   */
  readonly outside?: 'across accounts' | 'same account';
  readonly pull: Verdict;
  readonly push: Verdict;
  /** Whether it may point a tag at an image (`ecr:PutImage`), even without uploading layers. */
  readonly tag: Verdict;
  readonly login: Verdict;
  readonly delete: Verdict;
  /** The administrative capabilities it has (`policy`, `lifecycle`, `repository deletion`); `?` entries are undetermined. */
  readonly admin: readonly string[];
  /** Why a `?` is one. */
  readonly notes: readonly string[];
}

export interface MatrixRepository {
  readonly name: string;
  readonly arn: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** For the repositories ECR creates under a name pattern (`ecr-public/*`): how, and from which template. */
  readonly createdBy?: EcrCreation;
  /** Why its repository policy is not known. */
  readonly unknown?: string;
  /** Principals with any access to the repository (login alone is not access to it). */
  readonly rows: readonly MatrixRow[];
}

export interface AccessMatrix {
  readonly stacks: readonly { name: string; account: string; region: string; standIn: boolean }[];
  readonly repositories: readonly MatrixRepository[];
  /** Principals that can reach no repository, by stack. */
  readonly withoutAccess: readonly { readonly stack: string; readonly principals: number; readonly login: number }[];
  readonly notModelled: string;
}

/** The access matrix of the model's assembly. */
export async function accessMatrix(model: AccessModel): Promise<AccessMatrix> {
  const principals = model.principals();
  const insiders = new Set(principals.map((p) => p.arn));
  const repositories = [...model.repositories(), ...model.createdRepositories()];
  const logins = new Map<string, { verdict: Verdict; notes: string[] }>();
  const loginOf = async (principal: Principal) => {
    if (!logins.has(principal.name)) logins.set(principal.name, await decide(model, principal, LOGIN, { name: '*', arn: '*', account: principal.account }));
    return logins.get(principal.name)!;
  };
  const reached = new Set<string>();
  const result: MatrixRepository[] = [];
  for (const repository of repositories.sort((a, b) => compare(a.name, b.name) || compare(a.region ?? '', b.region ?? ''))) {
    const rows: MatrixRow[] = [];
    for (const principal of [...principals.filter((p) => mayReach(p, repository)), ...outsidersOf(repository, insiders)]) {
      const [pull, push, tag, del] = [await decide(model, principal, PULL, repository), await decide(model, principal, PUSH, repository),
        await decide(model, principal, TAG, repository), await decide(model, principal, DELETE, repository)];
      const admin: { name: string; verdict: Verdict; notes: string[] }[] = [];
      for (const capability of ADMIN) admin.push({ name: capability.name, ...await decide(model, principal, capability, repository) });
      const verdicts = [pull.verdict, push.verdict, tag.verdict, del.verdict, ...admin.map((a) => a.verdict)];
      if (verdicts.every((v) => v === 'no')) continue;
      reached.add(principal.name);
      const login = await loginOf(principal);
      rows.push({
        principal: principal.name,
        account: principal.account,
        ...(principal.identityUnknown ? { outside: principal.account === repository.account ? 'same account' : 'across accounts' } : {}),
        pull: pull.verdict,
        push: push.verdict,
        tag: tag.verdict,
        login: login.verdict,
        delete: del.verdict,
        admin: admin.filter((a) => a.verdict !== 'no').map((a) => (a.verdict === '?' ? `${a.name}?` : a.name)),
        notes: [...new Set([pull, push, tag, del, login, ...admin].flatMap((d) => d.notes))],
      });
    }
    result.push({
      name: repository.name,
      arn: repository.arn,
      stack: repository.stack!,
      account: repository.account,
      region: repository.region!,
      createdBy: repository.createdBy,
      unknown: repository.unknown,
      rows: rows.sort((a, b) => compare(a.principal, b.principal)),
    });
  }
  const withoutAccess = new Map<string, { principals: number; login: number }>();
  for (const principal of principals.filter((p) => !reached.has(p.name))) {
    const entry = withoutAccess.get(principal.stack!) ?? { principals: 0, login: 0 };
    entry.principals++;
    if ((await loginOf(principal)).verdict === 'yes') entry.login++;
    withoutAccess.set(principal.stack!, entry);
  }
  return {
    stacks: model.stackEnvironments().sort((a, b) => compare(a.name, b.name)),
    repositories: result,
    withoutAccess: [...withoutAccess.entries()].map(([stack, e]) => ({ stack, ...e })).sort((a, b) => compare(a.stack, b.stack)),
    notModelled: NOT_MODELLED,
  };
}

/** Whether a capability is allowed: every action of an `all` capability, one action of an `any` one. */
export async function decide(model: AccessModel, principal: Principal, capability: Capability,
  resource: AccessResource): Promise<{ verdict: Verdict; notes: string[] }> {
  const decisions = [];
  for (const action of capability.actions) decisions.push(await model.evaluate(principal, action, resource));
  const allowed = capability.needs === 'all' ? decisions.every((d) => d.allowed) : decisions.some((d) => d.allowed);
  const notes = [...new Set(decisions.flatMap((d) => d.undetermined))];
  // A yes is certain unless something unknown could deny; a no unless something unknown could allow.
  const uncertain = allowed ? decisions.some((d) => d.unknownDenies) : decisions.some((d) => d.unknownAllows);
  return { verdict: uncertain ? '?' : allowed ? 'yes' : 'no', notes: uncertain ? notes : [] };
}

/**
 * Whether a principal could reach a repository at all: an identity statement that may allow an ECR action (for a
 * pattern of repositories ECR creates, on some of them), or a repository policy statement that names it (or everyone).
 * Otherwise every ECR request of it is implicitly denied, and the simulator need not be asked (a fleet has thousands
 * of such pairs).
 */
function mayReach(principal: Principal, repository: AccessResource): boolean {
  if (principal.unknown.length > 0 || repository.unknown) return true;
  const mayAllowEcr = (statement: any) => statement.Effect === 'Allow' && (statement.NotAction !== undefined
    || ([] as unknown[]).concat(statement.Action ?? []).some((a) => REPOSITORY_ACTIONS.some((action) => matchesPattern(String(a), action, 'i'))))
    && (statement.NotResource !== undefined || ([] as unknown[]).concat(statement.Resource ?? []).some((r) => typeof r !== 'string'
      || matchesPattern(r, repository.arn) || (repository.createdBy !== undefined && patternReachesUnder(r, repository.arn.slice(0, -1)))));
  if (principal.policies.some((p) => p.statements.some(mayAllowEcr))) return true;
  return (repository.policy?.statements ?? []).some((s) => {
    if (s.Effect !== 'Allow') return false;
    if (s.NotPrincipal !== undefined || s.Principal === '*') return true;
    const named = ([] as string[]).concat(s.Principal?.AWS ?? []);
    return named.includes('*') || named.includes(principal.arn);
  });
}

/** The actions the matrix asks about a repository (the registry login has no resource). */
const REPOSITORY_ACTIONS = [PULL, PUSH, DELETE, ...ADMIN].flatMap((c) => c.actions);


const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const MARK: Record<Verdict, string> = { 'yes': 'yes', 'no': '-', '?': '?' };

/** How a heading says that ECR creates the repositories of a pattern, and with which template's settings. */
export function createdByText(repository: { readonly createdBy?: EcrCreation; readonly unknown?: string }): string {
  const { by, rule, template } = repository.createdBy!;
  return `created by ECR: ${by} ${rule}; template ${template ?? (repository.unknown ? 'not known' : "none, ECR's defaults: no repository policy")}`;
}

function heading(repository: MatrixRepository): string {
  return `${repository.name} (${repository.createdBy ? `${createdByText(repository)};` : `${repository.stack},`} ${repository.account}, ${repository.region})`;
}

/** The matrix as text: `markdown` (for review), `table` (a terminal) or `json`. */
export function formatMatrix(matrix: AccessMatrix, format: 'table' | 'markdown' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(matrix, undefined, 2)}\n`;
  const standIns = matrix.stacks.filter((s) => s.standIn);
  const header = [
    `Stacks: ${matrix.stacks.map((s) => `${s.name} (${s.account}, ${s.region})`).join(', ')}.`,
    ...(standIns.length > 0 ? [`Synthesized without an account: ${standIns.map((s) => s.name).join(', ')}; taken to share the stand-in `
      + `account ${standIns[0].account} (\`--account\` names another).`] : []),
    'A request across accounts needs both the identity policy and the repository policy. Principals outside the assembly that a repository '
      + 'policy admits are listed by what admits them (an ARN pattern, an account as `arn:aws:iam::<id>:root`, an organization), marked as outside: '
      + 'their identity policies are unknown. Across accounts they are taken to allow everything, so the row is what the repository policy admits; '
      + 'in their own account the row is what the repository policy grants by itself, and `?` what only their identity policies could allow. '
      + `Not modelled: ${matrix.notModelled}.`,
    ...(matrix.repositories.some((r) => r.createdBy) ? ['Repositories marked "created by ECR" are those replication or a pull-through cache '
      + 'creates, by name pattern (repositories of the assembly under it are listed by name), with the repository policy of the creation template '
      + 'ECR applies to them.'] : []),
  ];
  const columns = ['principal', 'account', 'pull', 'push', 'tag', 'login', 'delete', 'admin'];
  const cells = (row: MatrixRow, principal = (name: string) => name) => [
    `${principal(row.principal)}${row.outside ? ` (outside the assembly, ${row.outside})` : ''}`, row.account,
    MARK[row.pull], MARK[row.push], MARK[row.tag], MARK[row.login], MARK[row.delete], row.admin.join(', ') || '-',
  ];
  const summary = matrix.withoutAccess.map((w) => `${w.stack}: ${w.principals} (${w.login} of them may log in)`).join('; ');
  const notes = [...new Set(matrix.repositories.flatMap((r) => r.rows.flatMap((row) => row.notes.map((n) => `${row.principal}: ${n}`))))];
  if (format === 'markdown') {
    const out = ['# Who can pull, push, delete and administer each repository', '', ...header, ''];
    for (const repository of matrix.repositories) {
      out.push(`## ${heading(repository)}`, '');
      if (repository.rows.length === 0) {
        out.push('Nobody of the assembly.', '');
        continue;
      }
      out.push(`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`);
      for (const row of repository.rows) out.push(`| ${cells(row, (name) => `\`${name}\``).join(' | ')} |`);
      out.push('');
    }
    out.push('## Roles and users with no access to any repository', '', summary ? `${summary}.` : 'None.', '');
    if (notes.length > 0) out.push('## Undetermined', '', ...notes.map((n) => `- ${n}`), '');
    return out.join('\n');
  }
  const out = [...header, ''];
  for (const repository of matrix.repositories) {
    out.push(heading(repository));
    const rows = [columns, ...repository.rows.map((row) => cells(row))];
    const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    if (repository.rows.length === 0) out.push('  nobody of the assembly');
    else for (const row of rows) out.push(`  ${row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}`);
    out.push('');
  }
  out.push(`No access to any repository: ${summary || 'none'}.`);
  if (notes.length > 0) out.push('', 'Undetermined:', ...notes.map((n) => `  ${n}`));
  return `${out.join('\n')}\n`;
}
