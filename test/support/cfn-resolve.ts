/**
 * Resolves a template value the way CloudFormation does at deploy time, for rehearsals that run what a template holds:
 * `Ref` (logical ids and pseudo parameters), `Fn::GetAtt` (as `Id.Attribute`), `Fn::Join`, `Fn::Sub`, `Fn::Select`
 * and `Fn::Split`. A reference without a value is an error, never a guess.
 */
export function resolveCfn(value: unknown, refs: Readonly<Record<string, string>>): any {
  const lookup = (name: string) => {
    if (!(name in refs)) throw new Error(`no value for ${name} (known: ${Object.keys(refs).join(', ')})`);
    return refs[name];
  };
  if (Array.isArray(value)) return value.map((v) => resolveCfn(v, refs));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, any>;
  const keys = Object.keys(node);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = node[key];
    switch (key) {
      case 'Ref': return lookup(arg);
      case 'Fn::GetAtt': return lookup(Array.isArray(arg) ? arg.join('.') : arg);
      case 'Fn::Join': return (resolveCfn(arg[1], refs) as unknown[]).join(arg[0]);
      case 'Fn::Select': return (resolveCfn(arg[1], refs) as unknown[])[Number(resolveCfn(arg[0], refs))];
      case 'Fn::Split': return String(resolveCfn(arg[1], refs)).split(arg[0]);
      case 'Fn::Sub': {
        const [template, variables]: [string, Record<string, string>] = Array.isArray(arg) ? [arg[0], resolveCfn(arg[1], refs)] : [arg, {}];
        return template.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => (name in variables ? variables[name] : lookup(name))).replace(/\$\{!/g, '${');
      }
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveCfn(node[k], refs)]));
}
