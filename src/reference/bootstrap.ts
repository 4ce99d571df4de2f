import { Stack, Token } from 'aws-cdk-lib';

/**
 * What `cdk deploy` of an app needs bootstrapped: every account and region a stack targets, each account in one
 * command run with that account's credentials, and the accounts other than the deploying one trusting it
 * (`--trust`, which needs `--cloudformation-execution-policies`): `cdk deploy` from the deploying account and the
 * promotion pipelines' releases assume their deploy roles. Accounts and regions that are tokens (an
 * environment-agnostic stack) stand as `ACCOUNT` and `REGION`, the ones of the credentials in use.
 * `untrustingAccounts` deploy their own stacks and trust no other account (an organization's management account).
 *
 * CDK Developer Guide, "Bootstrapping your environment": each environment (account and region) a stack deploys to
 * must be bootstrapped; "--trust: the AWS account IDs that should be trusted to perform deployments into this
 * environment", and with it "--cloudformation-execution-policies" is required.
 */
export function bootstrapCommands(stacks: Stack[], deployAccount: string | undefined, executionPolicyArn: string,
  untrustingAccounts: string[] = []): string[] {
  const regionsByAccount = new Map<string, Set<string>>();
  for (const stack of stacks) {
    const account = Token.isUnresolved(stack.account) ? 'ACCOUNT' : stack.account;
    const region = Token.isUnresolved(stack.region) ? 'REGION' : stack.region;
    regionsByAccount.set(account, (regionsByAccount.get(account) ?? new Set()).add(region));
  }
  const deployer = deployAccount ?? 'ACCOUNT';
  const accounts = [...regionsByAccount.keys()].sort((a, b) => Number(b === deployer) - Number(a === deployer) || a.localeCompare(b));
  return accounts.map((account) => {
    const environments = [...regionsByAccount.get(account)!].sort().map((region) => `aws://${account}/${region}`);
    const trust = account === deployer || untrustingAccounts.includes(account) ? '' : ` --trust ${deployer} --cloudformation-execution-policies ${executionPolicyArn}`;
    return `npx cdk bootstrap ${environments.join(' ')}${trust}`;
  });
}
