// setupFilesAfterEnv: the context every App of a test file starts with (CDK_CONTEXT_JSON, read by `new App()`).
const context = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}');
// Outside the CDK CLI every App synthesizes into a fresh temp dir, and aws-cdk-lib copies each of its assets there: the
// reference platform's kubectl and AWS CLI layers alone are 57 MB, copied again for every synthesis. Most tests read
// templates, which are the same either way (asset hashes come from the sources); staging is off for them, and the
// assets manifest then names the sources. Files that use a synthesized assembly's assets call `withAssetStaging()`.
context['aws:cdk:disable-asset-staging'] = true;
// Stack traces in metadata, which no template holds and no test reads, captured through jest's source maps: those of
// construct metadata and annotations (about 3% of the suite's CPU), and the creation stack of every Stack and
// CloudFormation element (about 5% of a construct test file's). CDK_DEBUG turns the second back on.
context['aws:cdk:disable-stack-trace'] = true;
context['aws:cdk:disable-creation-stack-traces'] = true;
process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
