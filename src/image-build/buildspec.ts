/**
 * The buildspec of an image build, rendered by a pure function.
 *
 * CodeBuild rejects an inline buildspec longer than 25,600 characters (`InvalidInputException: Max buildspec length
 * is 25600` from CreateProject and UpdateProject; the limit is not in the quotas page, see aws/aws-cdk#14974), and a
 * rejected project rolls the whole stack back. So the build's programs are not inlined: the build script and the
 * scan gate ship as S3 assets, which the buildspec fetches in pre_build and checks against the SHA-256 it pins, so a
 * build runs exactly the bytes the rehearsal runs. What stays inline is small and bounded: the fetch commands, the
 * tag prelude and the call of the script. Secrets are project environment variables, not buildspec entries.
 */
import * as path from 'path';

/** CodeBuild's limit on an inline buildspec, in characters. */
export const INLINE_BUILDSPEC_MAX_LENGTH = 25_600;

/** The build's programs as files of this package (shipped in the npm tarball under `assets/`). */
const ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'image-build');
export const BUILD_SCRIPT_FILE = path.join(ASSET_DIR, 'build-and-push.sh');
export const SCAN_GATE_FILE = path.join(ASSET_DIR, 'scan-gate.js');

/** Where the build's own files live: outside the source directory, so they never enter the Docker build context. */
export const WORK_DIR = '/tmp/image-build';
export const BUILD_SCRIPT_PATH = `${WORK_DIR}/build-and-push.sh`;
export const SCAN_GATE_PATH = `${WORK_DIR}/scan-gate.js`;
export const OUTPUT_FILE = `${WORK_DIR}/image.env`;
/** The variables a build exports (CodeBuild `exported-variables`), readable by CodePipeline and start-build callers. */
const EXPORTED_VARIABLES = ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'];

/** A file the build fetches from S3 before it runs. */
export interface FetchedFile {
  /** Where the build puts it. */
  readonly path: string;
  /** `s3://bucket/key`. */
  readonly s3Url: string;
  /** SHA-256 of its bytes, lower-case hex. */
  readonly sha256: string;
}

export interface BuildSpecOptions {
  /** Shell lines exporting IMAGE_TAGS (see tags.ts). */
  readonly tagPrelude: string;
  /** The build script and the scan gate. */
  readonly files: readonly FetchedFile[];
}

/** A command that downloads `file` and fails the build unless its bytes have the pinned SHA-256. */
export function fetchFileCommand(file: FetchedFile): string {
  return `aws s3 cp --only-show-errors '${file.s3Url}' ${file.path} && printf '%s  %s\\n' ${file.sha256} ${file.path} | sha256sum -c --status`
    + ` || { echo "image build: could not fetch ${file.path} with SHA-256 ${file.sha256} from ${file.s3Url}" >&2; exit 1; }`;
}

export function renderBuildSpec(o: BuildSpecOptions): Record<string, unknown> {
  return {
    version: '0.2',
    env: { 'exported-variables': EXPORTED_VARIABLES },
    phases: {
      pre_build: {
        commands: [`mkdir -p ${WORK_DIR}`, ...o.files.map(fetchFileCommand)],
      },
      build: {
        commands: [
          // `promote` re-tags PROMOTE_DIGEST and builds nothing, so it needs no commit tags.
          [
            'if [ "${BUILD_COMMAND:-build}" = build ]; then',
            o.tagPrelude.split('\n').map((line) => `  ${line}`).join('\n'),
            'fi',
            `sh ${BUILD_SCRIPT_PATH} "\${BUILD_COMMAND:-build}"`,
            // One shell runs every command of a phase, so sourcing here makes the values CodeBuild exported variables.
            `. ${OUTPUT_FILE}`,
          ].join('\n'),
        ],
      },
    },
  };
}
