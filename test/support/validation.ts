/** Turns aws-cdk-lib's built-in template validation back on for this test file (see builtin-validation.ts). */
export function withBuiltinValidation(): void {
  delete process.env.CDK_VALIDATION;
}

/** Turns asset staging back on for this test file, whose tests use a synthesized assembly's assets (see synthesis-context.ts). */
export function withAssetStaging(): void {
  const context = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}');
  delete context['aws:cdk:disable-asset-staging'];
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
}
