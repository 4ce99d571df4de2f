// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Why a principal may or may not do something to a repository: the answer and the statements that decided it, as
 * someone debugging `denied: User not authorized to perform: ecr:BatchGetImage` needs it.
 */
import { CAPABILITIES, Capability, unknownAction } from './capabilities';
import { createdByText } from './matrix';
import { AccessModel, AccessResource, Decision, DecidingStatement, NOT_MODELLED, Principal } from './model';

/** ECR actions as IAM names them (`ecr:BatchGetImage`); the simulator knows which exist. */
const ECR_ACTION = /^ecr:[A-Za-z]+$/;

export interface Explanation {
  readonly allowed: boolean;
  readonly text: string;
}

/** The capability `action` names (`pull`, ...), or the one ECR action it is. */
export function capabilitiesOf(action: string): readonly Capability[] {
  const named = CAPABILITIES[action.toLowerCase()];
  if (named) return named;
  if (ECR_ACTION.test(action)) return [{ name: action, actions: [action], needs: 'all', scope: action === 'ecr:GetAuthorizationToken' ? 'registry' : 'repository' }];
  throw unknownAction(action);
}

/** Explains `action` by `principalQuery` on the repository `repositoryName`. */
export async function explain(model: AccessModel, principalQuery: string, repositoryName: string, action: string): Promise<Explanation> {
  const capabilities = capabilitiesOf(action);
  const principal = model.principal(principalQuery);
  const repository = model.repository(repositoryName);
  const lines: string[] = [];
  let allowedAll = true;
  for (const capability of capabilities) {
    const resource: AccessResource = capability.scope === 'registry' ? { name: '*', arn: '*', account: principal.account } : repository;
    const decisions: [string, Decision][] = [];
    for (const a of capability.actions) decisions.push([a, await model.evaluate(principal, a, resource)]);
    const allowed = capability.needs === 'all' ? decisions.every(([, d]) => d.allowed) : decisions.some(([, d]) => d.allowed);
    allowedAll &&= allowed;
    lines.push(`${allowed ? 'ALLOWED' : 'DENIED'}: ${principal.name} ${allowed ? 'may' : 'may not'} ${capability.name} `
      + `${capability.scope === 'registry' ? '(the registry login)' : repository.name}`
      + (capabilities.length > 1 || capability.actions.length > 1 ? ` (${capability.needs} of ${capability.actions.join(', ')})` : ''));
    for (const [a, decision] of decisions) lines.push(...describe(a, decision, principal, resource));
  }
  lines.push('', `principal: ${principal.arn}${principal.kind === 'external' ? ' (outside the assembly)' : ''}`,
    `repository: ${repository.arn}${repository.createdBy ? ` (${createdByText(repository)})` : ''}`, `not modelled: ${NOT_MODELLED}.`);
  return { allowed: allowedAll, text: `${lines.join('\n')}\n` };
}

function describe(action: string, d: Decision, principal: Principal, resource: AccessResource): string[] {
  const out = [`  ${action}: ${d.allowed ? 'allowed' : d.result === 'ExplicitlyDenied' ? 'explicitly denied' : 'implicitly denied'}`
    + `${resource.arn === '*' ? '' : d.sameAccount ? ' (same account: the identity policy or the repository policy may allow)'
      : ' (across accounts: the identity policy and the repository policy must both allow)'}`];
  const list = (label: string, statements: readonly DecidingStatement[]) => statements.map((s) => `    ${label} ${where(s)}`);
  out.push(...list('denied by', [...d.identityDenies, ...d.resourceDenies]));
  out.push(...list('allowed by', [...d.identityAllows, ...d.resourceAllows]));
  if (!d.allowed && d.identityDenies.length + d.resourceDenies.length === 0) {
    const identity = d.identityAllows.length > 0;
    const repository = d.resourceAllows.length > 0;
    // A principal outside the assembly has no identity policies to list: `undetermined` says what that leaves open.
    if (!identity && (!d.sameAccount || !repository) && !principal.identityUnknown) {
      out.push(`    no identity policy of ${principal.name} allows ${action} on ${resource.arn === '*' ? '*' : resource.name}`
        + (principal.policies.length === 0 ? ' (it has none)' : ` (${principal.policies.length} ${principal.policies.length === 1 ? 'policy' : 'policies'} read)`));
    }
    if (resource.arn !== '*' && !repository && (!d.sameAccount || !identity)) {
      out.push(resource.policy ? `    no statement of the repository policy (${resource.policy.location.path}) admits ${principal.arn}`
        : '    the repository has no repository policy');
    }
  }
  out.push(...d.undetermined.map((u) => `    undetermined: ${u}`));
  return out;
}

function where(s: DecidingStatement): string {
  if (s.location.kind === 'assumed') return 'its identity policies, which are unknown (it is outside the assembly) and taken to allow everything';
  const sid = s.statement.Sid ? ` "${s.statement.Sid}"` : '';
  const at = s.location.kind === 'AWS managed' ? s.location.path : `${s.location.stack} ${s.location.path} (${s.location.logicalId})`;
  return `${s.location.kind} ${at}, statement ${s.index}${sid}`;
}
