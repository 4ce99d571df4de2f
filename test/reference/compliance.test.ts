// The README's table of the reference app's compliance acknowledgments. That the app has no unacknowledged finding is
// checked where it is synthesized with the plugins: snapshot.test.ts (default flags, and cross-account with the
// organization baseline) and scripts/synth-check.sh (the reference app with its cdk.json flags, through the cdk CLI).
import * as fs from 'fs';
import * as path from 'path';
import { referencePlatform } from './platform';
import { acknowledgmentTable, collectAcknowledgments, withTable } from '../../scripts/acknowledgments';

describe('the README\'s compliance acknowledgments', () => {
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
