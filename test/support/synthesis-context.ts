// setupFilesAfterEnv: the context every App of a test file starts with (CDK_CONTEXT_JSON, read by `new App()`).
const context = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}');
// Outside the CDK CLI every App synthesizes into a fresh temp dir, and aws-cdk-lib copies each of its assets there: the
// reference platform's kubectl and AWS CLI layers alone are 57 MB, copied again for every synthesis. Most tests read
// templates, which are the same either way (asset hashes come from the sources); staging is off for them, and the
// assets manifest then names the sources. Files that use a synthesized assembly's assets call `withAssetStaging()`.
context['aws:cdk:disable-asset-staging'] = true;
// Every construct, annotation, stack and CloudFormation element records the stack trace of its creation in metadata,
// which no template holds and no test reads; capturing them through jest's source maps is several % of the suite's CPU.
context['aws:cdk:disable-stack-trace'] = true;
context['aws:cdk:disable-creation-stack-traces'] = true;
process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
