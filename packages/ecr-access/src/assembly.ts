// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Reads a CDK cloud assembly (`cdk.out`): every CloudFormation stack, nested assemblies (stages) included, with its
 * environment, its template and the construct path of each logical id (from the manifest's `aws:cdk:logicalId`
 * metadata), so answers can name `Ecs-dev/ExecutionRole` rather than `ExecutionRole605A040B`.
 *
 * An assembly is input the tool does not trust: every file it names must resolve inside the assembly directory (after
 * following symlinks), is read only up to a bound, and must have the shape CDK writes; anything else is an
 * `InputError` naming the file, never echoing its contents.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';
import { depthOver, listOf, MAX_JSON_DEPTH, objectOf, stringOf } from './json';

/** A CloudFormation template, as far as access questions read it. */
export interface StackTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any; readonly Metadata?: any }>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Mappings?: any;
  readonly Conditions?: any;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
}

/** One stack of the assembly. */
export interface AssemblyStack {
  /** The stack's name, as CloudFormation knows it. */
  readonly name: string;
  /** The artifact id (the construct path of a stack in a stage is `Stage/Stack`). */
  readonly id: string;
  /** The stack's account; undefined for an environment-agnostic stack. */
  readonly account?: string;
  /** The stack's region; undefined for an environment-agnostic stack. */
  readonly region?: string;
  readonly template: StackTemplate;
  /** The file the template was read from (under the assembly directory as given), for messages about its content. */
  readonly templateFile: string;
  /** Logical id to construct path (`Ecs-dev/ExecutionRole`). */
  readonly paths: Readonly<Record<string, string>>;
  /** For a nested stack: its parent stack and the `AWS::CloudFormation::Stack` resource that passes its parameters. */
  readonly parent?: { readonly stack: string; readonly logicalId: string };
}

/** How much of a file the tool reads, and why that much. */
interface SizeLimit {
  readonly bytes: number;
  readonly reason: string;
}

/**
 * CloudFormation takes a template of at most 1 MB from Amazon S3, where CDK puts every template over 51,200 bytes
 * ("The URL must point to a template (max size: 1 MB)", TemplateURL of CreateChangeSet and ValidateTemplate in the
 * CloudFormation API Reference, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html).
 * Read as 1 MiB: a bound a little above AWS's never refuses a template AWS accepts.
 */
export const TEMPLATE_LIMIT: SizeLimit = { bytes: 1024 * 1024, reason: "CloudFormation's limit for a template in Amazon S3" };

/**
 * The manifest, asset manifests and metadata files are no CloudFormation input, so no AWS limit applies. Their size
 * grows with the construct tree (a manifest of CDK before 2.170 holds every stack's metadata, with a creation trace
 * per construct under CDK_DEBUG): 64 MiB is far above what an app of hundreds of stacks of 500 resources writes, and
 * still a bound that keeps a hostile file from filling memory.
 */
export const ASSEMBLY_FILE_LIMIT: SizeLimit = { bytes: 64 * 1024 * 1024, reason: "this tool's bound for a cloud assembly file" };

/** The stacks of the cloud assembly in `directory`; an assembly without one is an error. */
export function readAssembly(directory: string): AssemblyStack[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new InputError(`no cloud assembly at ${directory}: ${manifestFile} does not exist. Run 'npx cdk synth' first, or pass --assembly <its cdk.out>.`);
  }
  const root = { shown: directory, real: fs.realpathSync(directory) };
  const stacks = readManifest(root, root, []);
  if (stacks.length === 0) {
    throw new InputError(`${manifestFile}: the cloud assembly has no stack (no artifact of type aws:cloudformation:stack); synthesize an app with a stack.`);
  }
  return stacks;
}

/** A file or directory of the assembly: the path messages show (under the directory as given) and its real path. */
interface Located {
  readonly shown: string;
  readonly real: string;
}

/**
 * The stacks of the assembly in `dir` (the root or a nested one), whose files must all be inside `root`. `outer` holds
 * the real paths of the assemblies that hold this one: naming one of them again would read forever.
 */
function readManifest(dir: Located, root: Located, outer: readonly string[]): AssemblyStack[] {
  const manifestFile = path.join(dir.shown, 'manifest.json');
  const manifest = objectOf(readJson(locate(dir, 'manifest.json', root, dir.shown, 'the manifest'), 'the manifest', ASSEMBLY_FILE_LIMIT),
    manifestFile, 'the manifest');
  const artifacts = objectOf(manifest.artifacts ?? {}, manifestFile, 'artifacts');
  const artifact = (id: string): Record<string, any> => {
    const a = objectOf(artifacts[id], manifestFile, `artifact '${id}'`);
    return { ...a, properties: objectOf(a.properties ?? {}, manifestFile, `artifact '${id}': properties`) };
  };
  const named = (id: string, key: string, value: unknown) => {
    const where = `artifact '${id}': ${key}`;
    return locate(dir, stringOf(value, manifestFile, where), root, manifestFile, where);
  };
  const stacks: AssemblyStack[] = [];
  for (const id of Object.keys(artifacts)) {
    const { type, environment, properties, metadata, additionalMetadataFile, dependencies } = artifact(id);
    if (type === 'cdk:cloud-assembly') {
      const nested = named(id, 'directoryName', properties.directoryName);
      if (nested.real === dir.real || outer.includes(nested.real)) {
        throw new InputError(`${manifestFile}: artifact '${id}': directoryName '${properties.directoryName}' is this assembly or one that holds it; `
          + 'a nested assembly cannot contain itself.');
      }
      stacks.push(...readManifest(nested, root, [...outer, dir.real]));
    }
    if (type !== 'aws:cloudformation:stack') continue;
    const templateFile = named(id, 'templateFile', properties.templateFile);
    const stackName = properties.stackName === undefined ? id : stringOf(properties.stackName, manifestFile, `artifact '${id}': stackName`);
    const template = templateOf(readJson(templateFile, `the template of stack '${stackName}'`, TEMPLATE_LIMIT), templateFile.shown);
    const paths = metadataOf(metadata ?? {}, manifestFile, `artifact '${id}': metadata`);
    if (additionalMetadataFile !== undefined) {
      const file = named(id, 'additionalMetadataFile', additionalMetadataFile);
      Object.assign(paths, metadataOf(readJson(file, `the metadata of stack '${stackName}'`, ASSEMBLY_FILE_LIMIT), file.shown, 'the metadata'));
    }
    const env = environment === undefined ? undefined : stringOf(environment, manifestFile, `artifact '${id}': environment`);
    const stack = stackOf(id, stackName, env, template, templateFile.shown, paths);
    // The stack's file assets (nested stack templates among them), by the hash their S3 key names; located when read,
    // for the purpose `what` names.
    const assetFiles: Record<string, (what: string) => Located> = {};
    for (const dependency of listOf(dependencies ?? [], manifestFile, `artifact '${id}': dependencies`)) {
      const dependencyId = stringOf(dependency, manifestFile, `artifact '${id}': dependencies`);
      const assets = Object.hasOwn(artifacts, dependencyId) ? artifact(dependencyId) : undefined;
      if (assets?.type !== 'cdk:asset-manifest') continue;
      const file = named(dependencyId, 'properties.file', assets.properties.file);
      const assetManifest = objectOf(readJson(file, `the asset manifest '${dependencyId}'`, ASSEMBLY_FILE_LIMIT), file.shown, 'the asset manifest');
      for (const [hash, asset] of Object.entries(objectOf(assetManifest.files ?? {}, file.shown, 'files'))) {
        const where = `file asset '${hash}': source`;
        const source = objectOf(objectOf(asset, file.shown, `file asset '${hash}'`).source ?? {}, file.shown, where);
        if (source.path === undefined) continue;
        const name = stringOf(source.path, file.shown, `${where}.path`);
        assetFiles[hash] = (what) => locate(dir, name, root, file.shown, `file asset '${hash}' (${what}): source.path`);
      }
    }
    stacks.push(stack, ...nestedStacks(dir, root, stack, assetFiles, [templateFile.real]));
  }
  return stacks;
}

/**
 * The nested stacks of a stack (a `RepositoryFleet`'s shards): CDK writes each template as an asset of the assembly
 * (`aws:asset:path`), and the parent's metadata holds their construct paths. `outer` holds the real paths of the
 * templates of the stack and the stacks that hold it: a template that nests one of them would nest forever.
 */
function nestedStacks(dir: Located, root: Located, parent: AssemblyStack, assetFiles: Readonly<Record<string, (what: string) => Located>>,
  outer: readonly string[]): AssemblyStack[] {
  const nested: AssemblyStack[] = [];
  for (const [logicalId, r] of Object.entries(parent.template.Resources ?? {})) {
    if (r.Type !== 'AWS::CloudFormation::Stack') continue;
    const constructPath = parent.paths[logicalId] ?? logicalId;
    const assetPath = r.Metadata?.['aws:asset:path'];
    const where = `resource '${logicalId}': Metadata.aws:asset:path`;
    const file = assetPath !== undefined ? locate(dir, stringOf(assetPath, parent.templateFile, where), root, parent.templateFile, where)
      : assetFiles[/([0-9a-f]{64})\.json/.exec(JSON.stringify(r.Properties?.TemplateURL ?? ''))?.[1] ?? '']
        ?.(`the template of the nested stack ${constructPath} of ${parent.name}`);
    if (file === undefined) continue;
    if (outer.includes(file.real)) {
      throw new InputError(`${parent.templateFile}: resource '${logicalId}' nests the template of this stack or of a stack that holds it; `
        + 'a stack cannot nest itself.');
    }
    const name = `${parent.name}/${constructPath.split('/').slice(1).join('/').replace(/\.NestedStack\/.*$/, '')}`;
    const stack: AssemblyStack = {
      ...parent,
      id: `${parent.id}/${logicalId}`,
      name,
      template: templateOf(readJson(file, `the template of nested stack '${name}'`, TEMPLATE_LIMIT), file.shown),
      templateFile: file.shown,
      parent: { stack: parent.name, logicalId },
    };
    nested.push(stack, ...nestedStacks(dir, root, stack, assetFiles, [...outer, file.real]));
  }
  return nested;
}

/** A stack from what its artifact holds. */
function stackOf(id: string, name: string, environment: string | undefined, template: StackTemplate, templateFile: string,
  paths: Readonly<Record<string, string>>): AssemblyStack {
  const [, account, region] = /^aws:\/\/([^/]*)\/(.*)$/.exec(environment ?? '') ?? [];
  return {
    id,
    name,
    account: account && /^\d{12}$/.test(account) ? account : undefined,
    region: region && !region.startsWith('unknown') ? region : undefined,
    template,
    templateFile,
    paths,
  };
}

/**
 * `name`, a file or directory of `dir`, refused unless it exists and resolves inside `root`, also after following
 * symlinks. `referrer` (a file) and `where` (in it) name who names it, for messages.
 */
function locate(dir: Located, name: string, root: Located, referrer: string, where: string): Located {
  const refuse = (problem: string) => new InputError(`${referrer}: ${where} '${name}' ${problem}.`);
  const outside = refuse(`resolves outside the assembly directory ${root.shown}; an assembly names only files inside it`);
  const lexical = path.resolve(dir.real, name);
  if (!isInside(root.real, lexical)) throw outside;
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`);
  }
  if (!isInside(root.real, real)) throw outside;
  return { shown: path.join(dir.shown, name), real };
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** The JSON value of a regular file of at most `limit.bytes`, read no further than that. */
function readJson(file: Located, what: string, limit: SizeLimit): unknown {
  const refuse = (problem: string) => new InputError(`${file.shown}: ${what} ${problem}.`);
  let text: string;
  try {
    const stat = fs.statSync(file.real);
    if (!stat.isFile()) throw refuse('is not a regular file');
    if (stat.size === 0) throw refuse('is empty');
    if (stat.size > limit.bytes) throw refuse(`is ${stat.size} bytes, over ${limit.bytes} bytes (${limit.reason})`);
    text = readAtMost(file.real, stat.size);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw refuse(`cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8's message may quote the text: say only where it breaks.
    const at = /at position (\d+)/.exec((e as Error).message);
    const before = at ? text.slice(0, Number(at[1])).split('\n') : [];
    throw refuse(`is not JSON${at ? ` (line ${before.length}, column ${before[before.length - 1].length + 1})` : ''}`);
  }
  if (depthOver(value, MAX_JSON_DEPTH)) throw refuse(`nests deeper than ${MAX_JSON_DEPTH} levels (this tool's bound for JSON)`);
  return value;
}

/** The first `size` bytes of a file, as text: a file that grows after it was measured is still read no further. */
function readAtMost(file: string, size: number): string {
  const buffer = Buffer.alloc(size);
  const fd = fs.openSync(file, 'r');
  try {
    let read = 0;
    for (let n = -1; n !== 0 && read < size; read += n) n = fs.readSync(fd, buffer, read, size - read, read);
    return buffer.toString('utf8', 0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** A template with the shape the model reads: sections of objects, and a Type on every resource. */
function templateOf(value: unknown, file: string): StackTemplate {
  const template = objectOf(value, file, 'the template');
  for (const section of ['Resources', 'Parameters', 'Outputs']) {
    const entries = objectOf(template[section] ?? {}, file, section);
    for (const [key, entry] of Object.entries(entries)) objectOf(entry, file, `${section === 'Resources' ? 'resource' : section.slice(0, -1).toLowerCase()} '${key}'`);
  }
  for (const [logicalId, resource] of Object.entries<Record<string, unknown>>(template.Resources ?? {})) {
    stringOf(resource.Type, file, `resource '${logicalId}': Type`);
  }
  return template as StackTemplate;
}

/** Construct paths by logical id, from metadata (entries by construct path); entries of other types are skipped. */
function metadataOf(value: unknown, file: string, what: string): Record<string, string> {
  // No prototype: `constructor` is a logical id CloudFormation accepts.
  const paths: Record<string, string> = Object.create(null);
  for (const [constructPath, entries] of Object.entries(objectOf(value, file, what))) {
    listOf(entries, file, `${what} '${constructPath}'`).forEach((entry, i) => {
      const { type, data } = objectOf(entry, file, `${what} '${constructPath}' entry ${i + 1}`);
      if (type === 'aws:cdk:logicalId' && typeof data === 'string') paths[data] = constructPath.replace(/^\//, '').replace(/\/(Resource|Default)$/, '');
    });
  }
  return paths;
}
