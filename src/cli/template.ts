import { InputError, isObject, show } from './input';

/** The lifecycle policy text of one repository in a CloudFormation template. */
export interface TemplatePolicy {
  /** The resource's logical id, after those of the nested stack resources that hold it: `Shard1...Resource/RepoAB12`. */
  readonly logicalId: string;
  /** Only when the template names the repository with a plain string. */
  readonly repositoryName?: string;
  readonly text: string;
}

/** A template's Resources, or an input error saying it is no template. */
function resources(template: unknown, where: string): Record<string, unknown> {
  const value = isObject(template) ? template.Resources : undefined;
  if (!isObject(value)) throw new InputError(`${where}: expected a CloudFormation template, an object with a 'Resources' object`);
  return value;
}

/**
 * Every `AWS::ECR::Repository` with a `LifecyclePolicy.LifecyclePolicyText` in a synthesized template, in template order,
 * their logical ids after `prefix`. `where` names the input in messages, for example `--template 'cdk.out/App.template.json'`.
 */
export function templatePolicies(template: unknown, where: string, prefix = ''): TemplatePolicy[] {
  const policies: TemplatePolicy[] = [];
  for (const [logicalId, resource] of Object.entries(resources(template, where))) {
    if (!isObject(resource) || resource.Type !== 'AWS::ECR::Repository') continue;
    const props = isObject(resource.Properties) ? resource.Properties : {};
    const text = isObject(props.LifecyclePolicy) ? props.LifecyclePolicy.LifecyclePolicyText : undefined;
    if (text === undefined) continue;
    if (typeof text !== 'string') {
      const got = isObject(text) ? `a ${Object.keys(text).join(', ')} expression` : show(text);
      throw new InputError(`${where}: resource '${logicalId}': LifecyclePolicyText is not a plain string but ${got}, so it is only known at deploy time. `
        + 'Preview that policy with --policy instead.');
    }
    policies.push({ logicalId: `${prefix}${logicalId}`, repositoryName: typeof props.RepositoryName === 'string' ? props.RepositoryName : undefined, text });
  }
  return policies;
}

/** An `AWS::CloudFormation::Stack` resource: a nested stack whose template the cloud assembly holds beside its parent's. */
export interface NestedStackResource {
  readonly logicalId: string;
  /** The template file as the resource's `aws:asset:path` metadata names it (the CDK CLI writes it; `app.synth()` alone does not). */
  readonly assetPath?: string;
  /** Every string of the TemplateURL, whose last path segment is the asset's object key in the asset manifest. */
  readonly templateUrlStrings: readonly string[];
}

export function nestedStackResources(template: unknown, where: string): NestedStackResource[] {
  const stacks: NestedStackResource[] = [];
  for (const [logicalId, resource] of Object.entries(resources(template, where))) {
    if (!isObject(resource) || resource.Type !== 'AWS::CloudFormation::Stack') continue;
    const assetPath = isObject(resource.Metadata) ? resource.Metadata['aws:asset:path'] : undefined;
    const url = isObject(resource.Properties) ? resource.Properties.TemplateURL : undefined;
    stacks.push({ logicalId, assetPath: typeof assetPath === 'string' ? assetPath : undefined, templateUrlStrings: stringsOf(url) });
  }
  return stacks;
}

/** The strings of a value (a URL, or the Fn::Join that builds it), depth first. The JSON was depth-checked when parsed. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  return isObject(value) ? Object.values(value).flatMap(stringsOf) : [];
}

/**
 * The file of each asset of a cloud assembly's asset manifest (`STACK.assets.json`), by the object key it is published
 * under: a nested stack's TemplateURL ends with that key.
 */
export function assetFilesByObjectKey(manifest: unknown, where: string): Map<string, string> {
  const files = isObject(manifest) ? manifest.files : undefined;
  if (!isObject(files)) throw new InputError(`${where}: expected a CDK asset manifest, an object with a 'files' object`);
  const byKey = new Map<string, string>();
  for (const asset of Object.values(files)) {
    if (!isObject(asset) || !isObject(asset.source) || typeof asset.source.path !== 'string') continue;
    for (const destination of Object.values(isObject(asset.destinations) ? asset.destinations : {})) {
      if (isObject(destination) && typeof destination.objectKey === 'string') byKey.set(destination.objectKey, asset.source.path);
    }
  }
  return byKey;
}

/** The template file of a nested stack: its asset path, else the manifest entry its TemplateURL ends with. */
export function nestedTemplateFile(stack: NestedStackResource, assetFiles: () => ReadonlyMap<string, string> | undefined): string | undefined {
  if (stack.assetPath !== undefined) return stack.assetPath;
  const byKey = assetFiles();
  for (const s of stack.templateUrlStrings) {
    const file = byKey?.get(s.slice(s.lastIndexOf('/') + 1));
    if (file !== undefined) return file;
  }
  return undefined;
}
