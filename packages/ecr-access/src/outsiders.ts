// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Principals outside the assembly that a repository policy admits, named by what admits them: an ARN or ARN pattern
 * (`Principal`, or an `aws:PrincipalArn` condition), an account (`arn:aws:iam::222222222222:root`, also from
 * `aws:PrincipalAccount`), an organization (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`) or anyone. Their identity
 * policies are not in the assembly; `AccessModel.evaluate` says what that means for a request.
 */
import type { AccessResource, Principal } from './model';

/** The stand-in principal of a row whose account is not known (anyone, an organization): another account's. */
const ANY_ACCOUNT_ARN = 'arn:aws:iam::*:root';

/** A principal outside the assembly; `context` holds the request keys known of it (an organization row's id). */
export function outsider(name: string, arn: string, context?: Readonly<Record<string, string>>): Principal {
  const account = arn.split(':')[4] ?? '';
  return { name, kind: 'external', arn, account: /^\d{12}$/.test(account) ? account : '*', policies: [], unknown: [], identityUnknown: true, context };
}

/** The principals outside the assembly a resource's policy admits, each once; `insiders` are the assembly's ARNs. */
export function outsidersOf(resource: AccessResource, insiders: ReadonlySet<string>): Principal[] {
  const found = new Map<string, Principal>();
  for (const statement of resource.policy?.statements ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const principal of admittedBy(statement, resource.account)) {
      if (!insiders.has(principal.arn) && !found.has(principal.name)) found.set(principal.name, principal);
    }
  }
  return [...found.values()];
}

/**
 * Who a statement admits. An account principal only delegates to the account's identity policies ("AWS account
 * principals", IAM's Principal element), which in the resource's own account alone decide: the own account's root
 * admits no one by itself, whatever else the statement names, and a statement naming accounts only admits no
 * principal of the own account.
 */
function admittedBy(statement: any, resourceAccount: string): Principal[] {
  const everyone = statement.NotPrincipal !== undefined || statement.Principal === '*';
  const isAccount = (p: string) => /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/.test(p);
  const named = (everyone ? ['*'] : strings(statement.Principal?.AWS)).filter((p) => !(isAccount(p) && p.includes(resourceAccount)));
  const delegates = named.every(isAccount);
  return candidates(statement, named).filter((p) => !(delegates && p.account === resourceAccount));
}

function candidates(statement: any, named: readonly string[]): Principal[] {
  // AWS services and federated principals act for resources or sessions this tool does not model: not rows.
  if (named.length === 0) return [];
  const values = (key: string) => conditionValues(statement.Condition, key);
  const arns = values('aws:PrincipalArn');
  if (arns.length > 0) return arns.map((arn) => outsider(arn, arn));
  const account = (id: string) => outsider(`arn:aws:iam::${id}:root`, `arn:aws:iam::${id}:root`);
  if (!named.includes('*')) return named.map((p) => (/^\d{12}$/.test(p) ? account(p) : outsider(p, p)));
  const accounts = values('aws:PrincipalAccount');
  if (accounts.length > 0) return accounts.map(account);
  const organizations = [
    ...values('aws:PrincipalOrgID').map((id) => outsider(`organization ${id}`, ANY_ACCOUNT_ARN, { 'aws:PrincipalOrgID': id })),
    ...values('aws:PrincipalOrgPaths').map((p) => outsider(`organization path ${p}`, ANY_ACCOUNT_ARN, { 'aws:PrincipalOrgPaths': p })),
  ];
  return organizations.length > 0 ? organizations : [outsider('anyone (*)', ANY_ACCOUNT_ARN)];
}

/**
 * The values a statement's condition requires of `key` (case as IAM compares keys: not at all), from the operators
 * that admit (`StringLike`, `ArnEquals`, `ForAnyValue:StringLike`, ...), not those that exclude (`ArnNotLike`, `Null`).
 */
function conditionValues(condition: unknown, key: string): string[] {
  return Object.entries<Record<string, unknown>>((condition ?? {}) as any)
    .filter(([operator]) => !/Not|^Null/.test(operator.replace(/^For(Any|All)Value:/, '')))
    .flatMap(([, keys]) => Object.entries(keys ?? {}).filter(([k]) => k.toLowerCase() === key.toLowerCase()).flatMap(([, v]) => strings(v)));
}

function strings(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === 'string');
}
