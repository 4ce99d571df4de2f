import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { FLAG_CONTEXTS, referencePlatform } from './platform';
import { enforceCompliance } from '../../app/compliance';
import { acknowledgmentTable, collectAcknowledgments, withTable } from '../../scripts/acknowledgments';
import { nagFindings } from '../support/compliance';
import { withBuiltinValidation } from '../support/validation';

withBuiltinValidation();

interface Report { pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: unknown[] }[] }


function synthesizeWithChecks(app: App): Report {
  enforceCompliance(app);
  const assembly = app.synth();
  return JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

describe('the reference app under cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1) and cfn-guard', () => {
  test.each(FLAG_CONTEXTS)('the default app, %s: zero unacknowledged findings in every pack', (_flags, context) => {
    const { app } = referencePlatform({}, new App({ context }));
    const report = synthesizeWithChecks(app);
    // Plugins report only what they found; cfn-guard also lists what was acknowledged, as suppressed.
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(report.pluginReports.find((r) => r.pluginName === 'cdk-validator-cfnguard')?.suppressedViolations?.length).toBeGreaterThan(5);
    expect(nagFindings(app)).toEqual([]);
    // Not vacuous: every pack had findings, each acknowledged where it is made.
    const packs = new Set(collectAcknowledgments(app).map((a) => a.id.split('-')[0]));
    expect([...packs].filter((p) => /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|cdk)$/.test(p)).sort())
      .toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk']);
  });

  test('cross-account: workloads in two accounts, with the organization baseline: still zero', () => {
    const { app } = referencePlatform({
      registryEnv: { account: '111111111111', region: 'eu-west-1' },
      workloads: [
        { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
        { name: 'prod', env: { account: '333333333333', region: 'eu-west-1' } },
      ],
      organization: { organizationalUnitIds: ['ou-ab12-11111111'] },
    });
    expect(synthesizeWithChecks(app).pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  test('the README lists every acknowledgment of the default app, with its reason', () => {
    const { app } = referencePlatform();
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(acknowledgmentTable(collectAcknowledgments(app)));
  });

  test('the README rewrite needs its markers', () => {
    expect(() => withTable('# no markers', 'table')).toThrow(new Error('README.md needs the markers <!-- acknowledgments:start --> and <!-- acknowledgments:end -->'));
    expect(withTable('a\n<!-- acknowledgments:start -->\nold\n<!-- acknowledgments:end -->\nb', 'new'))
      .toBe('a\n<!-- acknowledgments:start -->\nnew\n<!-- acknowledgments:end -->\nb');
  });
});
