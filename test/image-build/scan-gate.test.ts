import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SEVERITY_ORDER } from '../../src/scanning/severity';

// The very file CodeBuild runs (embedded verbatim in the buildspec).
const GATE = path.join(__dirname, '..', '..', 'src', 'image-build', 'assets', 'scan-gate.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require(GATE) as {
  SEVERITIES: string[];
  decide(results: unknown, threshold: string): { pass: boolean; blocking: string[]; summary: string };
};
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

describe('scan gate decision over recorded scan results', () => {
  test('the gate ranks severities exactly as the library does (the file must stay standalone, so the order is checked)', () => {
    expect(gate.SEVERITIES).toEqual(SEVERITY_ORDER);
  });

  test.each<[string, string, boolean, string[], string]>([
    ['basic-clean.json', 'CRITICAL', true, [], 'MEDIUM=2 LOW=5 INFORMATIONAL=1'],
    ['basic-clean.json', 'MEDIUM', false, ['MEDIUM'], 'MEDIUM=2 LOW=5 INFORMATIONAL=1'],
    ['basic-critical.json', 'CRITICAL', false, ['CRITICAL'], 'CRITICAL=1 HIGH=3 UNDEFINED=2'],
    ['basic-critical.json', 'HIGH', false, ['CRITICAL', 'HIGH'], 'CRITICAL=1 HIGH=3 UNDEFINED=2'],
    // Enhanced scanning without counts: only ACTIVE findings count (the suppressed CRITICAL does not), UNTRIAGED is UNDEFINED.
    ['enhanced-high.json', 'CRITICAL', true, [], 'HIGH=1 UNDEFINED=1'],
    ['enhanced-high.json', 'HIGH', false, ['HIGH'], 'HIGH=1 UNDEFINED=1'],
    ['enhanced-high.json', 'UNDEFINED', false, ['HIGH', 'UNDEFINED'], 'HIGH=1 UNDEFINED=1'],
    ['inspector-list-findings.json', 'HIGH', true, [], 'MEDIUM=1'],
    ['inspector-list-findings.json', 'MEDIUM', false, ['MEDIUM'], 'MEDIUM=1'],
  ])('%s at threshold %s: pass %s', (file, threshold, pass, blocking, summary) => {
    expect(gate.decide(fixture(file), threshold)).toEqual(expect.objectContaining({ pass, blocking, summary }));
  });

  test.each<[string, unknown, string]>([
    ['a scan still running can never pass', fixture('basic-in-progress.json'), 'the image scan is not complete: status "IN_PROGRESS"'],
    ['a failed scan can never pass', { imageScanStatus: { status: 'FAILED' }, imageScanFindings: {} }, 'the image scan is not complete: status "FAILED"'],
    ['a complete scan must carry its findings', { imageScanStatus: { status: 'COMPLETE' } }, 'a complete scan without imageScanFindings'],
    ['something else entirely', { images: [] }, 'scan results have neither imageScanFindings (describe-image-scan-findings) nor findings (inspector2 list-findings)'],
  ])('%s', (_name, results, message) => {
    expect(() => gate.decide(results, 'CRITICAL')).toThrow(message);
  });

  test('an unknown threshold is refused', () => {
    expect(() => gate.decide(fixture('basic-clean.json'), 'SEVERE')).toThrow('unknown severity threshold "SEVERE"; use one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED');
  });

  test.each<[string, string, number, string, string]>([
    ['basic-clean.json', 'CRITICAL', 0, 'scan gate (threshold CRITICAL): passed; findings: MEDIUM=2 LOW=5 INFORMATIONAL=1\n', ''],
    ['basic-critical.json', 'CRITICAL', 1, 'scan gate (threshold CRITICAL): blocked by CRITICAL; findings: CRITICAL=1 HIGH=3 UNDEFINED=2\n', ''],
    ['basic-in-progress.json', 'CRITICAL', 2, '', 'scan gate: the image scan is not complete: status "IN_PROGRESS"\n'],
  ])('as a command: %s at %s exits %d', (file, threshold, status, stdout, stderr) => {
    const run = spawnSync(process.execPath, [GATE, threshold], { input: fs.readFileSync(path.join(__dirname, 'fixtures', file)), encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status, stdout, stderr });
  });
});
