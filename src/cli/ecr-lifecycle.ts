#!/usr/bin/env node
// Only Node built-ins and the pure lifecycle engine: aws-cdk-lib alone would take longer to load than a 100,000-image preview.
import { existsSync, readFileSync, readSync } from 'fs';
import { join } from 'path';
import { readTemplatePolicies } from './assembly';
import { noteText, previewJson, previewTable, reportTable, totalJson, totalText } from './format';
import { imageInventory } from './images';
import { IMAGES_LIMIT, InputError, REPOSITORIES_LIMIT, InputLimit, isObject, parseIsoTime, parseJson, POLICY_LIMIT, quote, ReadChunk, readInput, TEMPLATE_LIMIT } from './input';
import { imagesOf, MatchedImages, pickRepository, unmatchedImages } from './match';
import { PUBLISHED_PRICES, StoragePrices, withOverrides } from './pricing';
import { rankRows, ReportRow, REPOSITORIES_FILE, RepositoryFlag, repositoryFiles, repositoryNames } from './report';
import { addTotals, monthlyStorage, NO_STORAGE, storageNotes, storageRates, storageTotals } from './savings';
import type { TemplatePolicy } from './template';
import { protectedPatternProblem } from '../lifecycle/guard';
import { parsePolicyJson, PolicyShapeError } from '../lifecycle/parse';
import { policyTextProblems } from '../lifecycle/render';
import { clip, printable } from '../lifecycle/show';
import { expiresTaggedImages, PreviewRecord, simulatePolicy } from '../lifecycle/simulate';
import { LIMITS } from '../lifecycle/types';
import type { LifecyclePolicyDocument } from '../lifecycle/types';
import { checkPolicy } from '../lifecycle/validate';

const USAGE = `Usage:
  ecr-lifecycle preview (--policy POLICY.json | --template TEMPLATE.json [--repository NAME]) --images IMAGES.json
                        [--now TIME] [--format json|table] [--price-standard USD] [--price-archive USD]
                        [--price-restore USD]
  ecr-lifecycle validate (--policy POLICY.json | --template TEMPLATE.json [--repository NAME]) [--protect PATTERN ...]
  ecr-lifecycle report --dir DIR [--top N] [--now TIME] [--format json|table] [--price-standard USD] ...
  ecr-lifecycle --version

Commands:
  preview    Predict, offline, which images an ECR lifecycle policy would expire or archive, the bytes that frees and
             the monthly storage bill before and after.
  validate   Check a lifecycle policy against every rule ECR enforces, and that no rule can touch protected tags.
  report     Rank the repositories of a whole registry by what they store and what their policies would free, flagging
             those without a policy or whose policy never expires tagged images. DIR holds what a loop over the AWS CLI
             writes (see the README): repositories.json from aws ecr describe-repositories, and for each repository
             NAME.images.json (describe-images) and NAME.policy.json (get-lifecycle-policy; absent when it has none),
             NAME being the repository name with each / written %2F.

Options:
  --policy FILE      The policy JSON {"rules": [...]}, or the output of aws ecr get-lifecycle-policy.
  --template FILE    A synthesized CloudFormation template (cdk.out/STACK.template.json): the lifecycle policy of every
                     AWS::ECR::Repository in it and in its nested stacks, whose templates are read from beside it.
                     Each repository is previewed against the images whose repositoryName is its name; when the images
                     name no repository, every repository is previewed against all of them. A repository whose name
                     is only known at deploy time (absent, or a Ref or Fn::Join) matches no images: pick it with
                     --repository.
  --repository NAME  Only this repository of --template: its name, or its logical id (nested ones after their stacks',
                     Stack/Repo, or alone when unique). Picked by logical id, a repository whose name is only known at
                     deploy time is previewed against the images of the one repository they name.
  --images FILE      The output of aws ecr describe-images (AWS CLI v1 or v2), all pages: run the AWS CLI without
                     --max-items, so that it fetches every page itself.
  --now TIME         When to evaluate, ISO 8601: 2024-06-01 (UTC midnight) or 2024-06-01T12:00:00Z. Default: now.
  --format FORMAT    json or table. Default: table when standard output is a terminal, json otherwise. preview's json
                     is what aws ecr get-lifecycle-policy-preview prints (registryId and repositoryName when --images
                     names them, lifecyclePolicyText, status, previewResults, summary; times as AWS CLI v2 prints them,
                     in UTC), its summary extended with bytes and USD.
  --price-standard USD, --price-archive USD
                     USD per GB-month of standard and of archive storage, for other regions or contracts. Default: ECR's
                     published us-east-1 prices of March 2026, 0.10 standard; archive 0.10 for the first 150 TB a month
                     and 0.07 above. A GB is 2^30 bytes, as AWS bills it.
  --price-restore USD
                     USD per GB restored from the archive. Default: 0.03.
  --top N            report: only the first N repositories (the total still covers all).
  --protect PATTERN  A tag pattern (* wildcards) whose images no rule may ever expire or archive. Repeatable.
  -h, --help         Show this help.
  -V, --version      Show the version.

Sizes are describe-images' imageSizeInBytes of each image; images that share layers are billed for them once, and a
multi-architecture image's index reports the size of its largest image, listed too, so a policy may free less than
the sum. A FILE of - is standard input (for one flag at most). Inputs larger than any valid
one are refused: a policy file above ${POLICY_LIMIT.bytes} bytes, a template above ${TEMPLATE_LIMIT.bytes}, an images file above ${IMAGES_LIMIT.bytes}.

Exit codes:
  0  success (validate: the policy is valid)
  1  the policy breaks ECR's rules or exposes protected tags; each problem is a line on standard output
  2  a wrong command line, or an input file that cannot be read or has the wrong shape
  3  an internal error (please report it)
`;

/** Where the command reads and writes; a parameter so that callers other than the terminal can run it in process. */
export interface CliIo {
  /**
   * Standard input, which a file named `-` reads.
   * @default - the process's standard input
   */
  readonly stdin?: ReadChunk;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether standard output is a terminal, which makes `table` the default format. */
  readonly isTTY: boolean;
}

/** Runs `ecr-lifecycle` with `argv` (the arguments after the command name) and returns its exit code. */
export function main(argv: readonly string[], io: CliIo): number {
  try {
    return run(argv, { stdin: readProcessStdin, ...io });
  } catch (e) {
    if (e instanceof InputError) {
      // Some messages quote input (a JSON.parse error, a file name): one problem stays one line, and control bytes
      // of a binary input are shown escaped rather than sent to the terminal.
      io.err(`ecr-lifecycle: ${printable(e.message.replace(/\s*\n\s*/g, ' '))}\n`);
      return 2;
    }
    io.err(`ecr-lifecycle: internal error, please report it:\n${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
}

const readProcessStdin: ReadChunk = (buffer, offset, length) => readSync(0, buffer, offset, length, null);

/** `CliIo` with every default applied. */
type Io = CliIo & { readonly stdin: ReadChunk };

type Flags = ReadonlyMap<string, readonly string[]>;

function run(argv: readonly string[], io: Io): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const [command, ...rest] = argv;
  switch (command) {
    case '--version':
    case '-V':
      if (rest.length > 0) throw usageError(`${command} takes no arguments`);
      io.out(`${packageVersion()}\n`);
      return 0;
    case 'preview': return preview(parseFlags(command, rest, [...POLICY_FLAGS, '--images', '--now', '--format', ...PRICE_FLAGS], []), io);
    case 'validate': return validate(parseFlags(command, rest, POLICY_FLAGS, ['--protect']), io);
    case 'report': return report(parseFlags(command, rest, ['--dir', '--top', '--now', '--format', ...PRICE_FLAGS], []), io);
    default: throw usageError(`unknown command ${quote(command)}`);
  }
}

/** preview and validate take the same policies: one file, or the repositories of a template. */
const POLICY_FLAGS = ['--policy', '--template', '--repository'];
const PRICE_FLAGS = ['--price-standard', '--price-archive', '--price-restore'];

/** The version of the package this file ships in: jsii compiles src/cli/ to lib/cli/, and package.json is two levels up from either. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function usageError(problem: string): InputError {
  return new InputError(`${problem}; run 'ecr-lifecycle --help' for usage`);
}

/** `--flag value` and `--flag=value`; `once` flags may appear once, `repeatable` ones any number of times. */
function parseFlags(command: string, tokens: readonly string[], once: readonly string[], repeatable: readonly string[]): Flags {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('--')) throw usageError(`${command}: unexpected argument ${quote(token)}`);
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    if (!once.includes(name) && !repeatable.includes(name)) throw usageError(`${command}: unknown flag ${quote(name)}`);
    let value: string | undefined = token.slice(eq + 1);
    if (eq < 0) {
      value = tokens[i + 1];
      // A flag right after another means the value was forgotten, not that it starts with '--'.
      if (value === undefined || value.startsWith('--')) value = undefined; else i++;
    }
    if (value === undefined || value === '') throw usageError(`${command}: ${name} needs a value`);
    const values = flags.get(name) ?? [];
    if (values.length > 0 && once.includes(name)) throw usageError(`${command}: ${name} is given twice`);
    values.push(value);
    flags.set(name, values);
  }
  return flags;
}

function required(command: string, flags: Flags, name: string): string {
  const value = flags.get(name)?.[0];
  if (value === undefined) throw usageError(`${command}: ${name} is required`);
  return value;
}

function formatOf(command: string, flags: Flags, io: Io): 'json' | 'table' {
  const format = flags.get('--format')?.[0] ?? (io.isTTY ? 'table' : 'json');
  if (format !== 'json' && format !== 'table') throw usageError(`${command}: --format: got ${quote(format)}; use json or table`);
  return format;
}

function nowOf(command: string, flags: Flags): number {
  const text = flags.get('--now')?.[0];
  const now = text === undefined ? Date.now() : parseIsoTime(text);
  if (now === undefined) throw usageError(`${command}: --now: got ${quote(text as string)}; give an ISO 8601 date or time with an offset, such as 2024-06-01T12:00:00Z`);
  return now;
}

function pricesOf(command: string, flags: Flags): StoragePrices {
  const price = (name: string): number | undefined => {
    const text = flags.get(name)?.[0];
    if (text === undefined) return undefined;
    if (!/^\d+(?:\.\d+)?$/.test(text)) throw usageError(`${command}: ${name}: got ${quote(text)}; give USD as a decimal number, such as 0.10`);
    return Number(text);
  };
  return withOverrides(PUBLISHED_PRICES, {
    standardUsdPerGbMonth: price('--price-standard'), archiveUsdPerGbMonth: price('--price-archive'), restoreUsdPerGb: price('--price-restore'),
  });
}

/** One policy to check and preview, from --policy or from a repository of --template. */
interface PolicySource {
  readonly repository?: Omit<TemplatePolicy, 'text'>;
  readonly policy: { rules: unknown[] };
  /** The text ECR would store, whose length it limits. */
  readonly text: string;
}

function parsePolicy(where: string, text: string): { rules: unknown[] } {
  try {
    return parsePolicyJson(text);
  } catch (e) {
    if (e instanceof PolicyShapeError) throw new InputError(`${where}: ${e.message}`);
    throw e;
  }
}

/** A policy file; `what` names it in messages: `--policy`, or a file of the report's directory. */
function readPolicy(what: string, file: string, io: Io): PolicySource {
  const content = readInput(what, file, POLICY_LIMIT, io.stdin);
  const policy = parsePolicy(`${what} ${quote(file)}`, content);
  // parsePolicyJson unwraps get-lifecycle-policy output; ECR measures the stored lifecyclePolicyText, or else the
  // file as `put-lifecycle-policy --lifecycle-policy-text file://...` sends it. The parse cannot fail a second time.
  const outer: unknown = JSON.parse(content);
  const text = isObject(outer) && typeof outer.lifecyclePolicyText === 'string' ? outer.lifecyclePolicyText : content;
  return { policy, text };
}

/** The policies --policy or --template (with --repository) name, and whether --repository picked one. */
function readSources(command: string, flags: Flags, io: Io): { sources: PolicySource[]; picked: boolean } {
  const policyFile = flags.get('--policy')?.[0];
  const templateFile = flags.get('--template')?.[0];
  const wanted = flags.get('--repository')?.[0];
  if ((policyFile === undefined) === (templateFile === undefined)) throw usageError(`${command}: give exactly one of --policy and --template`);
  if (templateFile === undefined) {
    if (wanted !== undefined) throw usageError(`${command}: --repository picks a repository of --template; with --policy, give that repository's policy`);
    return { sources: [readPolicy('--policy', policyFile as string, io)], picked: false };
  }
  const where = `--template ${quote(templateFile)}`;
  const all = readTemplatePolicies(templateFile, io.stdin);
  // Only the picked policy is parsed: a broken one elsewhere in the template does not stand in its way.
  const policies = wanted === undefined ? all : [pickRepository(all, wanted, where)];
  return {
    sources: policies.map(({ text, ...repository }) => ({
      repository,
      policy: parsePolicy(`${where}: resource ${quote(repository.logicalId)}: LifecyclePolicyText`, text),
      text,
    })),
    picked: wanted !== undefined,
  };
}

/**
 * Everything ECR would reject, prefixed with the repository's logical id for a template. A text over ECR's length limit
 * can never be valid, so its rules are not read: that is the one problem to fix first.
 */
function policyProblems(source: PolicySource, protectedTags: readonly string[] = []): string[] {
  const problems = source.text.length > LIMITS.maxPolicyTextLength ? policyTextProblems(source.text)
    : checkPolicy(source.policy, { text: source.text, protectedTags });
  const repository = source.repository;
  return repository ? problems.map((p) => `${repository.logicalId}: ${p}`) : problems;
}

function printProblems(problems: readonly string[], io: Io): number {
  io.out(problems.map((p) => `${printable(p)}\n`).join(''));
  return 1;
}

const json = (value: unknown) => `${JSON.stringify(value, undefined, 2)}\n`;
/** A `notes` field, only when there is something to note. */
const notesJson = (notes: readonly string[]) => (notes.length > 0 ? { notes } : {});

function preview(flags: Flags, io: Io): number {
  const imagesFile = required('preview', flags, '--images');
  // Standard input can be read once.
  const fromStdin = ['--policy', '--template', '--images'].filter((name) => flags.get(name)?.[0] === '-');
  if (fromStdin.length > 1) throw usageError(`preview: ${fromStdin.join(' and ')} both name standard input; give - to one of them`);
  const format = formatOf('preview', flags, io);
  const now = nowOf('preview', flags);
  const prices = pricesOf('preview', flags);

  const { sources, picked } = readSources('preview', flags, io);
  const imagesWhere = `--images ${quote(imagesFile)}`;
  const inventory = imageInventory(parseJson('--images', imagesFile, readInput('--images', imagesFile, IMAGES_LIMIT, io.stdin)), imagesWhere);
  const fromTemplate = flags.has('--template');
  if (!fromTemplate && (inventory.byRepository?.size ?? 0) > 1) {
    throw new InputError(`${imagesWhere}: the images are of several repositories (${[...inventory.byRepository!.keys()].slice(0, 5).map((n) => clip(n, 100)).join(', ')}); `
      + 'preview the images of one repository at a time, or a template of them with --template');
  }
  const problems = sources.flatMap((s) => policyProblems(s));
  if (problems.length > 0) return printProblems(problems, io);

  const matched = sources.map((s): MatchedImages => (s.repository !== undefined ? imagesOf(s.repository, inventory, picked)
    : { images: inventory.images, repositoryName: inventory.byRepository?.keys().next().value }));
  // Validation passed, so every policy is a well-formed document.
  const previews = sources.map((s, i) => simulatePolicy(s.policy as unknown as LifecyclePolicyDocument, matched[i].images, now));
  const totals = previews.map((p, i) => storageTotals(matched[i].images, p));
  const whole = totals.reduce(addTotals, NO_STORAGE);
  const rates = storageRates(prices, whole);
  const figures = totals.map((t) => ({ totals: t, monthly: monthlyStorage(rates, t) }));
  const total = { totals: whole, monthly: monthlyStorage(rates, whole) };
  const notes = storageNotes(prices, whole);
  const previewOf = (i: number) => previewJson(previews[i], {
    registryId: inventory.registryId, repositoryName: matched[i].repositoryName, lifecyclePolicyText: sources[i].text,
  }, figures[i]);

  if (!fromTemplate) {
    io.out(format === 'json' ? json({ ...previewOf(0), ...notesJson(notes) }) : previewTable(previews[0], figures[0]) + noteText(notes));
    return 0;
  }
  const repositoryNotes = matched.map((m) => (m.note !== undefined ? [m.note] : []));
  // A picked repository leaves the others' images unused on purpose.
  const unused = picked ? undefined : unmatchedImages(inventory, matched);
  if (unused !== undefined) notes.push(unused);
  if (format === 'json') {
    io.out(json({
      repositories: sources.map((s, i) => ({ logicalId: s.repository?.logicalId, ...previewOf(i), ...notesJson(repositoryNotes[i]) })),
      total: { repositoryCount: sources.length, ...totalJson(total) },
      ...notesJson(notes),
    }));
    return 0;
  }
  const blocks = sources.map(({ repository }, i) => {
    const name = matched[i].repositoryName !== undefined ? ` (${matched[i].repositoryName})` : '';
    return `${printable(`${repository?.logicalId}${name}`)}:\n${previewTable(previews[i], figures[i])}${noteText(repositoryNotes[i])}`;
  });
  io.out([...blocks, totalText(total, sources.length) + noteText(notes)].join('\n'));
  return 0;
}

function validate(flags: Flags, io: Io): number {
  const protectedTags = flags.get('--protect') ?? [];
  for (const pattern of protectedTags) {
    const problem = protectedPatternProblem(pattern);
    if (problem !== undefined) throw usageError(`validate: --protect: got ${quote(pattern)}; ${problem}`);
  }
  const { sources } = readSources('validate', flags, io);
  const problems = sources.flatMap((s) => policyProblems(s, protectedTags));
  if (problems.length > 0) return printProblems(problems, io);
  io.out(sources.map((s) => `${s.repository !== undefined ? `${printable(s.repository.logicalId)}: ` : ''}policy is valid\n`).join(''));
  return 0;
}

const NO_PREVIEW: PreviewRecord = { previewResults: [], summary: { expiringImageTotalCount: 0 } };

/** A file of the report's directory, as JSON; a missing one is the loop's to write. */
function readReportFile(file: string, limit: InputLimit, io: Io): unknown {
  try {
    return parseJson('report file', file, readInput('report file', file, limit, io.stdin));
  } catch (e) {
    if (!(e instanceof InputError) || !e.message.startsWith('cannot read')) throw e;
    throw new InputError(`${e.message}; write the directory with the loop of the README's ecr-lifecycle report section`);
  }
}

/** One repository of the report's directory, read, previewed and reduced to its figures before the next is read. */
function reportRow(dir: string, repositoryName: string, now: number, io: Io): { row: ReportRow; note?: string } {
  const files = repositoryFiles(repositoryName);
  const imagesFile = join(dir, files.images);
  const where = `report file ${quote(imagesFile)}`;
  const inventory = imageInventory(readReportFile(imagesFile, IMAGES_LIMIT, io), where);
  const other = [...(inventory.byRepository?.keys() ?? [])].find((n) => n !== repositoryName);
  if (other !== undefined) {
    throw new InputError(`${where}: holds images of ${quote(other)}, not of ${quote(repositoryName)}; `
      + 'write each repository\'s describe-images output to NAME.images.json, NAME being its name with each / written %2F');
  }
  const policyFile = join(dir, files.policy);
  const unchanged = (flag: RepositoryFlag): ReportRow => ({ repositoryName, storage: storageTotals(inventory.images, NO_PREVIEW), flags: [flag] });
  if (!existsSync(policyFile)) return { row: unchanged('no-policy') };
  const source = readPolicy('report file', policyFile, io);
  const problems = policyProblems(source);
  if (problems.length > 0) {
    return {
      row: unchanged('invalid-policy'),
      note: `${repositoryName}: its policy breaks ECR's rules (${problems.length} problem${problems.length === 1 ? '' : 's'}) and was not previewed; `
        + `run ecr-lifecycle validate --policy ${policyFile}`,
    };
  }
  const policy = source.policy as unknown as LifecyclePolicyDocument;
  const storage = storageTotals(inventory.images, simulatePolicy(policy, inventory.images, now));
  return { row: { repositoryName, storage, flags: expiresTaggedImages(policy) ? [] : ['never-expires-tagged'] } };
}

function report(flags: Flags, io: Io): number {
  const dir = required('report', flags, '--dir');
  const format = formatOf('report', flags, io);
  const now = nowOf('report', flags);
  const prices = pricesOf('report', flags);
  const topText = flags.get('--top')?.[0];
  if (topText !== undefined && !/^[1-9]\d*$/.test(topText)) throw usageError(`report: --top: got ${quote(topText)}; give a whole number of repositories, such as 20`);

  const listFile = join(dir, REPOSITORIES_FILE);
  const names = repositoryNames(readReportFile(listFile, REPOSITORIES_LIMIT, io), `report file ${quote(listFile)}`);
  const read = names.map((name) => reportRow(dir, name, now, io));
  const ranked = rankRows(read.map((r) => r.row));
  const whole = ranked.map((r) => r.storage).reduce(addTotals, NO_STORAGE);
  const rates = storageRates(prices, whole);
  const shown = ranked.slice(0, topText === undefined ? undefined : Number(topText))
    .map((row) => ({ row, monthly: monthlyStorage(rates, row.storage) }));
  const total = { totals: whole, monthly: monthlyStorage(rates, whole) };
  const notes = [...read.flatMap((r) => (r.note !== undefined ? [r.note] : [])), ...storageNotes(prices, whole)];
  if (format === 'json') {
    io.out(json({
      repositories: shown.map(({ row, monthly }) => ({
        repositoryName: row.repositoryName, ...totalJson({ totals: row.storage, monthly }), flags: row.flags,
      })),
      total: { repositoryCount: ranked.length, ...totalJson(total) },
      ...notesJson(notes),
    }));
  } else {
    io.out(reportTable(shown, ranked.length - shown.length, total, ranked.length) + noteText(notes));
  }
  return 0;
}

if (require.main === module) {
  // `ecr-lifecycle preview ... | head` closes the pipe early; that needs no stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  process.exitCode = main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  });
}
