// aws-cdk-lib's built-in template validation (a WebAssembly engine with cfn-lint's rules) starts anew in every test file,
// at seconds of CPU each, and jest isolates modules per file so nothing carries over. The unit tests run without it:
// every template they inspect is checked by cfn-lint itself after the run (global-teardown.ts). It stays on where the
// reference app is synthesized whole (snapshot and compliance tests, which call `withBuiltinValidation()`), and in every
// synth of the cdk CLI in CI (`cdk synth`, the integ snapshot asserts), under the flags that make its errors fatal.
process.env.CDK_VALIDATION = 'false';
