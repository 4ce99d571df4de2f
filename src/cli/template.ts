import { InputError, isObject, show } from './input';

/** The lifecycle policy text of one repository in a CloudFormation template. */
export interface TemplatePolicy {
  readonly logicalId: string;
  /** Only when the template names the repository with a plain string. */
  readonly repositoryName?: string;
  readonly text: string;
}

/**
 * Every `AWS::ECR::Repository` with a `LifecyclePolicy.LifecyclePolicyText` in a synthesized template, in template order.
 * `where` names the input in messages, for example `--template 'cdk.out/App.template.json'`.
 */
export function templatePolicies(template: unknown, where: string): TemplatePolicy[] {
  const resources = isObject(template) ? template.Resources : undefined;
  if (!isObject(resources)) throw new InputError(`${where}: expected a CloudFormation template, an object with a 'Resources' object`);
  const policies: TemplatePolicy[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::ECR::Repository') continue;
    const props = isObject(resource.Properties) ? resource.Properties : {};
    const text = isObject(props.LifecyclePolicy) ? props.LifecyclePolicy.LifecyclePolicyText : undefined;
    if (text === undefined) continue;
    if (typeof text !== 'string') {
      const got = isObject(text) ? `a ${Object.keys(text).join(', ')} expression` : show(text);
      throw new InputError(`${where}: resource '${logicalId}': LifecyclePolicyText is not a plain string but ${got}, so it is only known at deploy time. `
        + 'Preview that policy with --policy instead.');
    }
    policies.push({ logicalId, repositoryName: typeof props.RepositoryName === 'string' ? props.RepositoryName : undefined, text });
  }
  if (policies.length === 0) throw new InputError(`${where}: no AWS::ECR::Repository resource has a LifecyclePolicy.LifecyclePolicyText; there is nothing to preview`);
  return policies;
}
