#!/usr/bin/env node
// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * ecr-access: who can pull, push, delete and administer the ECR repositories of a synthesized CDK app.
 *
 *   ecr-access matrix --assembly cdk.out [--format table|markdown|json]
 *   ecr-access why --assembly cdk.out --principal <construct path | role ARN> --repository <name> --action <pull|push|login|delete|admin|ecr:Action>
 *
 * Exit codes: 0 answered (why: allowed), 1 why: denied, 2 bad input (one line on stderr).
 */
import { InputError } from './errors';
import { accessMatrix, formatMatrix } from './matrix';
import { AccessModel, STAND_IN_ACCOUNT } from './model';
import { explain } from './why';

const USAGE = `usage:
  ecr-access matrix --assembly <cdk.out> [--format table|markdown|json] [--account <id>]
  ecr-access why --assembly <cdk.out> --principal <construct path or ARN> --repository <name> --action <pull|push|login|delete|admin|ecr:Action> [--account <id>]

--account: the account of stacks synthesized without one (default ${STAND_IN_ACCOUNT}); they are taken to share it.
exit codes: 0 answered (why: allowed), 1 why: denied, 2 bad input.
`;

const FORMATS = ['table', 'markdown', 'json'] as const;

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h') {
      (command === undefined ? err : out)(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'matrix' && command !== 'why') throw new InputError(`unknown command '${command}': give matrix or why (--help for usage).`);
    const options = parseOptions(rest, command === 'matrix' ? ['assembly', 'format', 'account'] : ['assembly', 'principal', 'repository', 'action', 'account']);
    const assembly = required(options, 'assembly');
    const account = options.account;
    if (account !== undefined && !/^\d{12}$/.test(account)) throw new InputError(`--account: got '${account}'; an AWS account id is 12 digits.`);
    const model = AccessModel.of(assembly, { standInAccount: account });
    if (command === 'matrix') {
      const format = (options.format ?? 'table') as typeof FORMATS[number];
      if (!FORMATS.includes(format)) throw new InputError(`--format: got '${format}'; give ${FORMATS.join(', ')}.`);
      out(formatMatrix(await accessMatrix(model), format));
      return 0;
    }
    const answer = await explain(model, required(options, 'principal'), required(options, 'repository'), required(options, 'action'));
    out(answer.text);
    return answer.allowed ? 0 : 1;
  } catch (e) {
    if (e instanceof InputError) {
      err(`ecr-access: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function parseOptions(args: readonly string[], allowed: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match) throw new InputError(`unexpected argument '${args[i]}' (--help for usage).`);
    const [, name, inline] = match;
    if (!allowed.includes(name)) throw new InputError(`unknown option --${name}: this command takes ${allowed.map((a) => `--${a}`).join(', ')}.`);
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError(`--${name} needs a value.`);
    options[name] = value;
  }
  return options;
}

function required(options: Record<string, string>, name: string): string {
  const value = options[name];
  if (value === undefined) throw new InputError(`--${name} is required (--help for usage).`);
  return value;
}

if (require.main === module) {
  main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`ecr-access: ${(e as Error).stack ?? e}\n`); process.exitCode = 3; },
  );
}
