// setupFilesAfterEnv: removes the cloud assemblies a test file's apps synthesized into temp dirs. An App without an
// outdir makes one (`cdk.outXXXXXX` in the temp dir, assets copied in: tens of MB with the kubectl layer) and never
// removes it; a run of the suite left 600 of them, 8 GB.
// The module object itself (a default import), whose functions can be replaced; `* as` gives a read-only copy.
import fs from 'fs';
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

afterAll(() => {
  for (const dir of patched[PATCHED]!.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
