// aws-cdk-lib's built-in template validation (a WebAssembly engine with cfn-lint's rules) starts anew in every test file,
// at seconds of CPU each, and jest isolates modules per file so nothing carries over. The unit tests run without it:
// every template they inspect is checked by cfn-lint itself after the run (global-teardown.ts). It stays on where the
// reference app and the integ apps are synthesized whole (test/reference/snapshot.test.ts, which calls
// `withBuiltinValidation()`), and in the cdk CLI's synth in CI (scripts/synth-check.sh), under the flags that make its
// errors fatal.
process.env.CDK_VALIDATION = 'false';
