#!/usr/bin/env node
// The scan gate: reads scan results and decides whether an image may receive environment tags.
// Plain JavaScript with no dependencies, because CodeBuild runs this very file (embedded in the buildspec) with the
// image's own Node.js; the unit tests require it directly.
'use strict';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
// Inspector calls a finding without a rating UNTRIAGED; basic scanning calls it UNDEFINED.
const ALIASES = { UNTRIAGED: 'UNDEFINED' };

function normalize(severity) {
  const upper = String(severity).toUpperCase();
  return ALIASES[upper] || (SEVERITIES.includes(upper) ? upper : 'UNDEFINED');
}

/**
 * Counts findings by severity from any of:
 * - `aws ecr describe-image-scan-findings` output: imageScanFindings.findingSeverityCounts, or for enhanced scanning
 *   without counts, imageScanFindings.enhancedFindings[] (only ACTIVE ones count);
 * - `aws inspector2 list-findings` output (findings[], only ACTIVE ones count).
 * Throws on anything else, and on a scan that is not complete, so an unfinished scan can never pass the gate.
 */
function countFindings(results) {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  if (results && Array.isArray(results.findings)) {
    for (const f of results.findings) if ((f.status || 'ACTIVE') === 'ACTIVE') counts[normalize(f.severity)]++;
    return counts;
  }
  const status = results && results.imageScanStatus && results.imageScanStatus.status;
  const scan = results && results.imageScanFindings;
  if (!scan && !status) throw new Error('scan results have neither imageScanFindings (describe-image-scan-findings) nor findings (inspector2 list-findings)');
  // Enhanced scanning reports ACTIVE once the first scan is done (it keeps scanning); basic scanning reports COMPLETE.
  if (status !== 'COMPLETE' && status !== 'ACTIVE') throw new Error(`the image scan is not complete: status ${JSON.stringify(status)}`);
  if (!scan) throw new Error('a complete scan without imageScanFindings');
  // Severity counts cover every finding, while the finding list is paginated; enhanced scanning may send only the list.
  const totals = scan.findingSeverityCounts || {};
  if (Object.keys(totals).length > 0) {
    for (const [severity, n] of Object.entries(totals)) counts[normalize(severity)] += Number(n);
  } else {
    for (const f of scan.enhancedFindings || []) if ((f.status || 'ACTIVE') === 'ACTIVE') counts[normalize(f.severity)]++;
  }
  return counts;
}

/** The gate's decision for a threshold: blocked when any finding is at or above it. */
function decide(results, threshold) {
  const limit = SEVERITIES.indexOf(String(threshold).toUpperCase());
  if (limit < 0) throw new Error(`unknown severity threshold ${JSON.stringify(threshold)}; use one of ${SEVERITIES.join(', ')}`);
  const counts = countFindings(results);
  const blocking = SEVERITIES.slice(0, limit + 1).filter((s) => counts[s] > 0);
  const summary = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${s}=${counts[s]}`).join(' ') || 'no findings';
  return { pass: blocking.length === 0, counts, blocking, summary };
}

module.exports = { SEVERITIES, countFindings, decide };

// As a command: scan-gate.js THRESHOLD < results.json; exit 0 pass, 1 blocked, 2 unusable input.
if (require.main === module) {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', () => {
    try {
      const decision = decide(JSON.parse(input), process.argv[2] || 'CRITICAL');
      const verdict = decision.pass ? 'passed' : `blocked by ${decision.blocking.join(', ')}`;
      process.stdout.write(`scan gate (threshold ${process.argv[2] || 'CRITICAL'}): ${verdict}; findings: ${decision.summary}\n`);
      process.exitCode = decision.pass ? 0 : 1;
    } catch (e) {
      process.stderr.write(`scan gate: ${e.message}\n`);
      process.exitCode = 2;
    }
  });
}
