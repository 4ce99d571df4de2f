// `tsc --noEmit -p test/tsconfig.json` and `eslint --fix` over the project's TypeScript, eslint reusing tsc's program.
// eslint's project service builds a program for each tsconfig.json nearest a linted file (seven here: the root's, test/,
// app/, bench/, scripts/, the companion's and projenrc/) and type-checks the same files in each, and tsc builds one
// more. Here test/tsconfig.json's program, which holds every linted file but .projenrc.ts (src/ through the tests'
// imports), is built and type-checked once and given to eslint with the companion's (its files are linted under its
// own options, as before) and projenrc/tsconfig.json's: 41 CPU-s instead of 70. The projen task `eslint` is unchanged:
// test:static passes its extensions and files as this script's arguments (.projenrc.ts).
'use strict';
const ts = require('typescript');
const { loadESLint } = require('eslint');

const USAGE = 'usage: node scripts/typecheck-and-lint.js EXTENSIONS FILE... (as the eslint task: .ts,.tsx src test ...)';

function program(configFile) {
  // As `tsc --noEmit -p`: the command line's option over the file's.
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`${configFile}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  return ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    projectReferences: config.projectReferences,
    configFileParsingDiagnostics: config.errors,
  });
}

async function main(extensions, patterns) {
  const tests = program('test/tsconfig.json');
  const diagnostics = ts.getPreEmitDiagnostics(tests);
  const host = { getCanonicalFileName: (file) => file, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => ts.sys.newLine };
  // In colour on a terminal, as tsc.
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host));

  const ESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new ESLint({
    extensions,
    errorOnUnmatchedPattern: false,
    // A file is linted in the first program that has it.
    overrideConfig: {
      parserOptions: { projectService: false, programs: [program('packages/ecr-access/tsconfig.json'), tests, program('projenrc/tsconfig.json')] },
    },
  });
  let results = await eslint.lintFiles(patterns);
  // A program holds the files as they were: what can be fixed is fixed and linted again the usual way.
  const fixable = results.filter((r) => r.fixableErrorCount + r.fixableWarningCount > 0).map((r) => r.filePath);
  if (fixable.length > 0) {
    const fixed = await new ESLint({ extensions, fix: true }).lintFiles(fixable);
    await ESLint.outputFixes(fixed);
    results = [...results.filter((r) => !fixable.includes(r.filePath)), ...fixed];
  }
  process.stdout.write((await eslint.loadFormatter('stylish')).format(results));
  return diagnostics.length > 0 || results.some((r) => r.errorCount > 0) ? 1 : 0;
}

const [extensions, ...patterns] = process.argv.slice(2);
if (!extensions || patterns.length === 0) {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
} else {
  main(extensions.split(','), patterns).then((status) => { process.exitCode = status; }, (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
