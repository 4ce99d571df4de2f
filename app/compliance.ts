// The compliance checks the reference app enforces at synth: every finding fails the synth unless acknowledged, with a
// reason, where it is made.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { ScopedCfnGuardValidator } from './guard';

export function enforceCompliance(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ScopedCfnGuardValidator(),
  );
}
