// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Reads a CDK cloud assembly (`cdk.out`): every CloudFormation stack, nested assemblies (stages) included, with its
 * environment, its template and the construct path of each logical id (from the manifest's `aws:cdk:logicalId`
 * metadata), so answers can name `Ecs-dev/ExecutionRole` rather than `ExecutionRole605A040B`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';

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
  /** Logical id to construct path (`Ecs-dev/ExecutionRole`). */
  readonly paths: Readonly<Record<string, string>>;
  /** For a nested stack: its parent stack and the `AWS::CloudFormation::Stack` resource that passes its parameters. */
  readonly parent?: { readonly stack: string; readonly logicalId: string };
}

interface Manifest {
  readonly artifacts?: Record<string, {
    readonly type: string;
    readonly environment?: string;
    readonly displayName?: string;
    readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string; readonly file?: string };
    readonly dependencies?: readonly string[];
    readonly metadata?: Record<string, { readonly type: string; readonly data?: unknown }[]>;
    /** Where CDK puts the metadata since 2.170 or so: a file of its own. */
    readonly additionalMetadataFile?: string;
  }>;
}

/** The stacks of the cloud assembly in `directory`. */
export function readAssembly(directory: string): AssemblyStack[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new InputError(`no cloud assembly at ${directory}: ${manifestFile} does not exist. Run 'npx cdk synth' first, or pass --assembly <its cdk.out>.`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new InputError(`${manifestFile} is not a cloud assembly manifest: ${(e as Error).message}`);
  }
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(directory, artifact.properties.directoryName)));
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(fs.readFileSync(path.join(directory, artifact.properties.templateFile), 'utf8')) as StackTemplate;
    const metadata = { ...artifact.metadata };
    if (artifact.additionalMetadataFile) Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(directory, artifact.additionalMetadataFile), 'utf8')));
    const stack = stackOf(id, artifact.properties.stackName ?? id, artifact.environment, template, metadata);
    // The stack's file assets (nested stack templates among them), by the hash their S3 key names.
    const assetFiles: Record<string, string> = {};
    for (const dependency of artifact.dependencies ?? []) {
      const assets = manifest.artifacts?.[dependency];
      if (assets?.type !== 'cdk:asset-manifest' || !assets.properties?.file) continue;
      const files = JSON.parse(fs.readFileSync(path.join(directory, assets.properties.file), 'utf8')).files ?? {};
      for (const [hash, asset] of Object.entries<any>(files)) if (asset.source?.path) assetFiles[hash] = asset.source.path;
    }
    stacks.push(stack, ...nestedStacks(directory, stack, assetFiles));
  }
  return stacks;
}

/**
 * The nested stacks of a stack (a `RepositoryFleet`'s shards): CDK writes each template as an asset of the assembly
 * (`aws:asset:path`), and the parent's metadata holds their construct paths.
 */
function nestedStacks(directory: string, parent: AssemblyStack, assetFiles: Readonly<Record<string, string>>): AssemblyStack[] {
  const templateOf = (r: { Properties?: any; Metadata?: any }): string | undefined => r.Metadata?.['aws:asset:path']
    ?? assetFiles[/([0-9a-f]{64})\.json/.exec(JSON.stringify(r.Properties?.TemplateURL ?? ''))?.[1] ?? ''];
  return Object.entries(parent.template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack' && templateOf(r) !== undefined)
    .flatMap(([logicalId, r]) => {
      const file = path.join(directory, templateOf(r)!);
      if (!fs.existsSync(file)) throw new InputError(`the nested stack ${parent.paths[logicalId] ?? logicalId} of ${parent.name} has no template at ${file}.`);
      const nested: AssemblyStack = {
        ...parent,
        id: `${parent.id}/${logicalId}`,
        name: `${parent.name}/${(parent.paths[logicalId] ?? logicalId).split('/').slice(1).join('/').replace(/\.NestedStack\/.*$/, '')}`,
        template: JSON.parse(fs.readFileSync(file, 'utf8')) as StackTemplate,
        parent: { stack: parent.name, logicalId },
      };
      return [nested, ...nestedStacks(directory, nested, assetFiles)];
    });
}

/** A stack from what its artifact holds. */
function stackOf(id: string, name: string, environment: string | undefined, template: StackTemplate,
  metadata: Record<string, readonly { readonly type: string; readonly data?: unknown }[]>): AssemblyStack {
  const [, account, region] = /^aws:\/\/([^/]*)\/(.*)$/.exec(environment ?? '') ?? [];
  const paths: Record<string, string> = {};
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries.filter((e) => e.type === 'aws:cdk:logicalId' && typeof e.data === 'string')) {
      paths[entry.data as string] = constructPath.replace(/^\//, '').replace(/\/(Resource|Default)$/, '');
    }
  }
  return {
    id,
    name,
    account: account && /^\d{12}$/.test(account) ? account : undefined,
    region: region && !region.startsWith('unknown') ? region : undefined,
    template,
    paths,
  };
}
