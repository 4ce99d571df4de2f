// Lists every compliance acknowledgment of the reference app (construct, finding, reason) and keeps the README's table
// current: `npx ts-node --transpile-only scripts/acknowledgments.ts` rewrites it; a test fails when it is stale.
import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export interface AcknowledgmentRow {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgment recorded in the construct tree, sorted by construct path and id. */
export function collectAcknowledgments(scope: IConstruct): AcknowledgmentRow[] {
  const rows: AcknowledgmentRow[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        rows.push({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason });
      }
    }
  }
  return rows.sort((a, b) => a.path.localeCompare(b.path) || a.id.localeCompare(b.id));
}

/** The markdown table: one row per construct and reason, its finding ids together. */
export function acknowledgmentTable(rows: AcknowledgmentRow[]): string {
  const groups = new Map<string, { path: string; reason: string; ids: string[] }>();
  for (const r of rows) {
    const key = `${r.path}\u0000${r.reason}`;
    const group = groups.get(key) ?? { path: r.path, reason: r.reason, ids: [] };
    group.ids.push(r.id);
    groups.set(key, group);
  }
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| construct | findings acknowledged | reason |',
    '|---|---|---|',
    ...[...groups.values()].map((g) => `| \`${g.path}\` | ${g.ids.map((id) => `\`${cell(id)}\``).join('<br>')} | ${cell(g.reason)} |`),
  ].join('\n');
}

const START = '<!-- acknowledgments:start -->';
const END = '<!-- acknowledgments:end -->';

/** The README with the table between its markers replaced. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  // The same app the tests check: the reference platform with the default props.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { referencePlatform } = require('../test/reference/platform') as typeof import('../test/reference/platform');
  const { app } = referencePlatform({}, new App());
  const file = path.join(__dirname, '..', 'README.md');
  fs.writeFileSync(file, withTable(fs.readFileSync(file, 'utf8'), acknowledgmentTable(collectAcknowledgments(app))));
  console.log(`README.md: ${collectAcknowledgments(app).length} acknowledgments listed`);
}
