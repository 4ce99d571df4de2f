/** Turns aws-cdk-lib's built-in template validation back on for this test file (see builtin-validation.ts). */
export function withBuiltinValidation(): void {
  delete process.env.CDK_VALIDATION;
}
