/**
 * Compliance checks run in tests: the cdk-nag 3 packs we promise (AwsSolutions, NIST 800-53 R5, HIPAA Security,
 * PCI DSS 3.2.1) and the Control Tower proactive controls through cfn-guard.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ScopedCfnGuardValidator } from '../../app/guard';

/** The acknowledgments recorded on one construct (not its children), as { id: reason }. */
export function acknowledgedOn(construct: IConstruct): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as Record<string, string>));
}

/** Unacknowledged cdk-nag findings under `scope`, as `RuleId @ construct path`, sorted. */
export function nagFindings(scope: IConstruct): string[] {
  const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
  return packs.flatMap((pack) => pack.validateScope(scope).violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))).sort();
}

/**
 * Unacknowledged Control Tower (cfn-guard) failures of every stack of `app`, as `guard rule @ logical id`, sorted.
 * The validator runs as a synth-time plugin, as in the reference app (app/guard.ts), so acknowledgments apply.
 */
export function guardFindings(app: App): string[] {
  Validations.of(app).addPlugins(new ScopedCfnGuardValidator());
  // Outside the CDK CLI an App synthesizes into a fresh temporary directory. Synth fails on findings, after the report.
  const reportPath = path.join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    if (!fs.existsSync(reportPath)) throw e;
  }
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { cloudFormationResource?: { logicalId: string } }[] }[] }[];
  };
  return report.pluginReports.flatMap((r) => r.violations).flatMap((v) =>
    v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.cloudFormationResource?.logicalId}`)).sort();
}
