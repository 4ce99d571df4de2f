/**
 * Reading a synthesized template and the nested templates beside it in its cloud assembly (cdk.out): every
 * `RepositoryFleet` puts its repositories in nested stacks. The files are untrusted input: a nested template is read
 * only from the directory of the template given, after realpath too (a symlink must not lead out), each within the
 * template size bound, nested at most MAX_NESTING_DEPTH deep, each file once; messages name files, never their contents.
 */
import { existsSync, realpathSync } from 'fs';
import { dirname, isAbsolute, join, relative, sep } from 'path';
import { ASSET_MANIFEST_LIMIT, InputError, isObject, parseJson, quote, ReadChunk, readInput, TEMPLATE_LIMIT } from './input';
import { assetFilesByObjectKey, NestedStackResource, nestedStackResources, nestedTemplateFile, TemplatePolicy, templatePolicies } from './template';
import { parseJsonText, PolicyShapeError } from '../lifecycle/parse';

/**
 * CloudFormation documents no limit on nesting; a fleet inside a nested stack is two levels deep. Eight leaves room for
 * any app and stops a chain of templates made to exhaust the reader.
 */
export const MAX_NESTING_DEPTH = 8;

/** A cloud assembly being read: the directory nested templates must lie in, and the templates read so far. */
interface Assembly {
  readonly dir: string;
  readonly realDir: string;
  /** `STACK.assets.json` beside `STACK.template.json`, which names the nested templates when metadata does not. */
  readonly manifest?: string;
  readonly assetFiles: () => ReadonlyMap<string, string> | undefined;
  readonly visited: Set<string>;
}

/** The lifecycle policies of every repository in the template `file` and in its nested stacks, parents first. */
export function readTemplatePolicies(file: string, stdin: ReadChunk): TemplatePolicy[] {
  const where = `--template ${quote(file)}`;
  const template = parseJson('--template', file, readInput('--template', file, TEMPLATE_LIMIT, stdin));
  const policies = templatePolicies(template, where);
  const stacks = nestedStackResources(template, where);
  if (stacks.length > 0) {
    if (file === '-') {
      throw new InputError(`${where}: has nested stacks (resource ${quote(stacks[0].logicalId)}), whose templates lie beside the template file; give the file instead of standard input`);
    }
    const dir = dirname(file);
    const manifest = file.endsWith('.template.json') ? `${file.slice(0, -'.template.json'.length)}.assets.json` : undefined;
    let assetFiles: ReadonlyMap<string, string> | undefined | null = null;
    const assembly: Assembly = {
      dir,
      realDir: realpathSync(dir),
      manifest,
      // Read once, and only when some nested stack has no aws:asset:path metadata.
      assetFiles: () => {
        if (assetFiles === null) {
          assetFiles = manifest !== undefined && existsSync(manifest)
            ? assetFilesByObjectKey(parseQuietly(`asset manifest ${quote(manifest)}`, readInput('asset manifest', manifest, ASSET_MANIFEST_LIMIT, stdin)), `asset manifest ${quote(manifest)}`)
            : undefined;
        }
        return assetFiles;
      },
      visited: new Set([realpathSync(file)]),
    };
    policies.push(...nestedPolicies(assembly, stacks, where, '', 1));
  }
  if (policies.length === 0) {
    throw new InputError(`${where}: no AWS::ECR::Repository resource${stacks.length > 0 ? ', in it or in its nested stacks,' : ''} has a LifecyclePolicy.LifecyclePolicyText; there is nothing to preview`);
  }
  return policies;
}

function nestedPolicies(assembly: Assembly, stacks: readonly NestedStackResource[], where: string, prefix: string, depth: number): TemplatePolicy[] {
  const policies: TemplatePolicy[] = [];
  for (const stack of stacks) {
    const resource = `resource ${quote(stack.logicalId)}`;
    if (depth > MAX_NESTING_DEPTH) {
      throw new InputError(`${where}: ${resource} nests stacks more than ${MAX_NESTING_DEPTH} levels deep; no app needs that many. Preview a nested template on its own with --template`);
    }
    const named = nestedTemplateFile(stack, assembly.assetFiles);
    if (named === undefined) {
      const manifest = assembly.manifest === undefined ? '' : ` nor in ${quote(assembly.manifest)}${existsSync(assembly.manifest) ? '' : ' (absent)'}`;
      throw new InputError(`${where}: ${resource} (AWS::CloudFormation::Stack) names its template neither in aws:asset:path metadata${manifest}; `
        + "give the STACK.template.json that cdk synth wrote beside its nested templates and asset manifest, or preview that nested stack's template with --template");
    }
    const file = containedFile(assembly, named, `${where}: ${resource}`);
    const nestedWhere = `nested template ${quote(file)}`;
    let text: string;
    try {
      text = readInput('nested template', file, TEMPLATE_LIMIT, () => 0);
    } catch (e) {
      if (!(e instanceof InputError) || !e.message.startsWith('cannot read')) throw e;
      throw new InputError(`${e.message}; ${where} names it for ${resource}. Synthesize the app again (cdk synth) so that the cloud assembly is whole`);
    }
    const template = parseQuietly(nestedWhere, text);
    // CDK writes an empty nested stack, such as a fleet's unused shard, without Resources.
    if (isObject(template) && template.Resources === undefined) continue;
    const label = `${prefix}${stack.logicalId}/`;
    policies.push(...templatePolicies(template, nestedWhere, label));
    policies.push(...nestedPolicies(assembly, nestedStackResources(template, nestedWhere), nestedWhere, label, depth + 1));
  }
  return policies;
}

/** `named` joined to the assembly's directory, refused when it or its real path lies outside it or was read already. */
function containedFile(assembly: Assembly, named: string, where: string): string {
  const outside = (how: string) => new InputError(`${where} names its template ${quote(named)}, which ${how} outside ${quote(assembly.dir)}; `
    + 'a nested template lies beside the template that names it. Synthesize the app again (cdk synth) and give the new cloud assembly');
  const escapes = (from: string, to: string) => {
    const path = relative(from, to);
    return path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path);
  };
  // Never '-', which would name standard input.
  const file = join(assembly.dir, named) === '-' ? `.${sep}-` : join(assembly.dir, named);
  if (isAbsolute(named) || escapes(assembly.dir, file)) throw outside('lies');
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return file; // missing: reading it reports the error
  }
  if (escapes(assembly.realDir, real)) throw outside('leads (through a symbolic link)');
  if (assembly.visited.has(real)) throw new InputError(`${where} names its template ${quote(named)}, which was read already; a template cannot nest itself or be nested twice`);
  assembly.visited.add(real);
  return file;
}

/** JSON like `parseJson`, but a parse error does not quote the text, which V8's message does. */
function parseQuietly(where: string, text: string): unknown {
  try {
    return parseJsonText(text, '');
  } catch (e) {
    if (!(e instanceof PolicyShapeError)) throw e;
    throw new InputError(`${where}: ${e.message.startsWith('invalid JSON') ? 'invalid JSON' : e.message}; synthesize the app again (cdk synth)`);
  }
}
