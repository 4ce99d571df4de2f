/**
 * The buildspec of an image build, rendered by a pure function: the build script and the scan gate are written to
 * files byte for byte (quoted here-documents), then the tag prelude and the script run in one shell, so the variables
 * the script records become CodeBuild exported variables.
 */

/** Where the build's own files live: outside the source directory, so they never enter the Docker build context. */
export const WORK_DIR = '/tmp/image-build';
export const BUILD_SCRIPT_PATH = `${WORK_DIR}/build-and-push.sh`;
export const SCAN_GATE_PATH = `${WORK_DIR}/scan-gate.js`;
export const OUTPUT_FILE = `${WORK_DIR}/image.env`;
/** The variables a build exports (CodeBuild `exported-variables`), readable by CodePipeline and start-build callers. */
const EXPORTED_VARIABLES = ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'];

export interface BuildSpecOptions {
  /** Shell lines exporting IMAGE_TAGS (see tags.ts). */
  readonly tagPrelude: string;
  /** The build-and-push script, verbatim. */
  readonly buildScript: string;
  /** The scan gate program, verbatim. */
  readonly scanGate: string;
  /** Build secrets from Secrets Manager: environment variable name to `secret-arn[:json-key]`. */
  readonly secretsManager: Readonly<Record<string, string>>;
  /** Build secrets from SSM Parameter Store: environment variable name to parameter name. */
  readonly parameterStore: Readonly<Record<string, string>>;
}

/** A command that writes `content` to `path` exactly, through a here-document whose delimiter the content lacks. */
export function writeFileCommand(path: string, content: string, delimiter: string): string {
  if (content.split('\n').includes(delimiter)) throw new Error(`here-document delimiter ${delimiter} occurs in the content of ${path}`);
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `cat > ${path} <<'${delimiter}'\n${body}${delimiter}`;
}

export function renderBuildSpec(o: BuildSpecOptions): Record<string, unknown> {
  const env: Record<string, unknown> = { 'exported-variables': EXPORTED_VARIABLES };
  if (Object.keys(o.secretsManager).length > 0) env['secrets-manager'] = o.secretsManager;
  if (Object.keys(o.parameterStore).length > 0) env['parameter-store'] = o.parameterStore;
  return {
    version: '0.2',
    env,
    phases: {
      pre_build: {
        commands: [
          `mkdir -p ${WORK_DIR}`,
          writeFileCommand(BUILD_SCRIPT_PATH, o.buildScript, 'END_OF_BUILD_SCRIPT'),
          writeFileCommand(SCAN_GATE_PATH, o.scanGate, 'END_OF_SCAN_GATE'),
        ],
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
