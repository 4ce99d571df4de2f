// cfn-guard's Control Tower rules, run on each template with only the rule files that can match it. cfn-guard evaluates
// every rule file against the whole template, at a cost that grows with both; a rule file selects resources by type
// (`Resources.*[ Type == 'AWS::S3::Bucket' ]`), so one whose types a template lacks can only skip there. Running the
// rest gives the same findings, several times faster (test/reference/guard.test.ts compares the two).
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** Every Control Tower rule file, with the resource types it names (lower case: a few rules spell them differently). */
export function controlTowerRuleFiles(): { file: string; types: Set<string> }[] {
  return ruleFiles(CONTROL_TOWER_RULES);
}

function ruleFiles(dir: string): { file: string; types: Set<string> }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return ruleFiles(file);
    if (!entry.name.endsWith('.guard')) return [];
    return [{ file, types: new Set([...fs.readFileSync(file, 'utf8').matchAll(RESOURCE_TYPE)].map((m) => m[0].toLowerCase())) }];
  });
}

/** The rule files that can match a template with these resource types; a rule file that names no type always can. */
export function rulesFor(rules: { file: string; types: Set<string> }[], templateTypes: Set<string>): string[] {
  return rules.filter((r) => r.types.size === 0 || [...r.types].some((t) => templateTypes.has(t))).map((r) => r.file);
}

export class ScopedCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  private readonly stock = new CfnGuardValidator();
  private readonly rules = controlTowerRuleFiles();
  /** The stock plugin's name, version and rule ids: reports and acknowledgments read the same as with it. */
  readonly name = this.stock.name;
  readonly version = this.stock.version;
  readonly ruleIds = this.stock.ruleIds;

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const reports = context.templatePaths.map((templatePath) => {
      const resources = JSON.parse(fs.readFileSync(templatePath, 'utf8')).Resources ?? {};
      const types = new Set(Object.values(resources as Record<string, { Type?: string }>).map((r) => String(r.Type).toLowerCase()));
      const rules = rulesFor(this.rules, types);
      return rules.length === 0 ? { success: true, violations: [] }
        : new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate({ ...context, templatePaths: [templatePath] });
    });
    return { success: reports.every((r) => r.success), violations: reports.flatMap((r) => r.violations) };
  }
}
