// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Resolves a template value the way CloudFormation does at deploy time, for rehearsals and simulations that use what a
 * template holds: `Ref` (logical ids and pseudo parameters), `Fn::GetAtt` (as `Id.Attribute`), `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split`, `Fn::FindInMap` and `Fn::If` (with the template's conditions), and `AWS::NoValue`
 * dropped from lists and objects. A reference without a value is an error, never a guess.
 */
export interface ResolveContext {
  /** Values of `Ref` (by logical id or pseudo parameter) and of `Fn::GetAtt` (as `Id.Attribute`). */
  readonly refs: Readonly<Record<string, string>>;
  /** The template's Mappings. */
  readonly mappings?: Readonly<Record<string, Record<string, Record<string, unknown>>>>;
  /** The template's Conditions. */
  readonly conditions?: Readonly<Record<string, unknown>>;
}

const NO_VALUE = Symbol('AWS::NoValue');

export function resolveCfn(value: unknown, context: ResolveContext | Readonly<Record<string, string>>): any {
  const ctx: ResolveContext = 'refs' in context && typeof context.refs === 'object' ? context as ResolveContext : { refs: context as Record<string, string> };
  const resolved = resolve(value, ctx);
  if (resolved === NO_VALUE) throw new Error('the value resolves to AWS::NoValue');
  return resolved;
}

function resolve(value: unknown, ctx: ResolveContext): any {
  const lookup = (name: string) => {
    if (!(name in ctx.refs)) throw new Error(`no value for ${name} (known: ${Object.keys(ctx.refs).join(', ')})`);
    return ctx.refs[name];
  };
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, any>;
  const keys = Object.keys(node);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = node[key];
    switch (key) {
      case 'Ref': return arg === 'AWS::NoValue' ? NO_VALUE : lookup(arg);
      case 'Fn::GetAtt': return lookup(Array.isArray(arg) ? arg.join('.') : arg);
      case 'Fn::Join': return (resolve(arg[1], ctx) as unknown[]).join(arg[0]);
      case 'Fn::Select': return (resolve(arg[1], ctx) as unknown[])[Number(resolve(arg[0], ctx))];
      case 'Fn::Split': return String(resolve(arg[1], ctx)).split(arg[0]);
      case 'Fn::FindInMap': {
        const [map, first, second] = (arg as unknown[]).map((a) => resolve(a, ctx));
        const found = ctx.mappings?.[map]?.[first]?.[second];
        if (found === undefined) throw new Error(`no ${map}.${first}.${second} in the template's Mappings`);
        return found;
      }
      case 'Fn::If': return resolve(condition(arg[0], ctx) ? arg[1] : arg[2], ctx);
      case 'Fn::Sub': {
        const [template, variables]: [string, Record<string, string>] = Array.isArray(arg) ? [arg[0], resolve(arg[1], ctx)] : [arg, {}];
        return template.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => (name in variables ? variables[name] : lookup(name))).replace(/\$\{!/g, '${');
      }
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(node[k], ctx)]).filter(([, v]) => v !== NO_VALUE));
}

/** Evaluates a named condition of the template, or a condition function. */
function condition(spec: unknown, ctx: ResolveContext): boolean {
  if (typeof spec === 'string') {
    if (!ctx.conditions || !(spec in ctx.conditions)) throw new Error(`no condition ${spec} in the template`);
    return condition(ctx.conditions[spec], ctx);
  }
  const node = spec as Record<string, any>;
  if (node.Condition) return condition(node.Condition, ctx);
  if (node['Fn::Equals']) return JSON.stringify(resolve(node['Fn::Equals'][0], ctx)) === JSON.stringify(resolve(node['Fn::Equals'][1], ctx));
  if (node['Fn::Not']) return !condition(node['Fn::Not'][0], ctx);
  if (node['Fn::And']) return (node['Fn::And'] as unknown[]).every((c) => condition(c, ctx));
  if (node['Fn::Or']) return (node['Fn::Or'] as unknown[]).some((c) => condition(c, ctx));
  throw new Error(`a condition the rehearsal does not evaluate: ${JSON.stringify(spec)}`);
}
