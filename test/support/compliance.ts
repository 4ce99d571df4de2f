/**
 * Compliance checks run in tests: the cdk-nag 3 packs we promise (AwsSolutions, NIST 800-53 R5, HIPAA Security,
 * PCI DSS 3.2.1) and the Control Tower proactive controls through cfn-guard.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Unacknowledged cdk-nag findings under `scope`, as `RuleId @ construct path`, sorted. */
export function nagFindings(scope: IConstruct): string[] {
  const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
  return packs.flatMap((pack) => pack.validateScope(scope).violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))).sort();
}

/**
 * Control Tower (cfn-guard) failures of every stack of `app`, as `guard rule @ logical id`, sorted. The validator runs
 * directly on the synthesized templates, so acknowledgments do not apply: every failure counts.
 */
export function guardFindings(app: App): string[] {
  // Outside the CDK CLI an App synthesizes into a fresh temporary directory.
  const templatePaths = app.synth().stacks.map((s) => s.templateFullPath);
  const report = new CfnGuardValidator().validate({ templatePaths } as IPolicyValidationContextBeta1);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.resourceLogicalId}`)).sort();
}
