// setupFilesAfterEnv: removes the cloud assemblies a test file's apps synthesized into temp dirs. An App without an
// outdir makes one (`cdk.outXXXXXX` in the temp dir, assets copied in: tens of MB with the kubectl layer) and never
// removes it; a run of the suite left 600 of them, 8 GB. Test files ask for their own temp dirs with `scratchDir`, removed
// the same way: the suite left about 100 more per run. Removed before a file's own afterAll hooks run: a directory such
// a hook still reads is not a scratch directory.
// The module object itself (a default import), whose functions can be replaced; `* as` gives a read-only copy.
import fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const PATCHED = Symbol.for('cdk-ecr-platform.clean-outdirs');
type Patched = typeof fs & { [PATCHED]?: string[] };

// `fs` is the process's own module, shared by the test files a worker runs in turn: patched once, emptied per file.
const patched = fs as Patched;
if (!patched[PATCHED]) {
  const outdirs: string[] = [];
  const mkdtempSync = fs.mkdtempSync;
  patched.mkdtempSync = ((prefix: string, options?: unknown) => {
    const dir = (mkdtempSync as (p: string, o?: unknown) => string)(prefix, options);
    if (path.basename(prefix) === 'cdk.out') outdirs.push(dir);
    return dir;
  }) as typeof fs.mkdtempSync;
  patched[PATCHED] = outdirs;
}

/** A new directory in the temp dir, named `prefix` and six random characters, removed after the file's tests. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  patched[PATCHED]!.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of patched[PATCHED]!.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
