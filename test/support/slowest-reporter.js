// Prints the ten slowest test files after a run: where CI's minutes go.
class SlowestReporter {
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({ file: r.testFilePath.slice(process.cwd().length + 1), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds).slice(0, 10);
    process.stdout.write(`\nslowest test files:\n${files.map((f) => `  ${f.seconds.toFixed(1).padStart(6)} s  ${f.file}`).join('\n')}\n`);
  }
}

module.exports = SlowestReporter;
