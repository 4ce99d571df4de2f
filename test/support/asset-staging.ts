// Outside the CDK CLI every App synthesizes into a fresh temp dir, and aws-cdk-lib copies each of its assets there: the
// reference platform's kubectl and AWS CLI layers alone are 57 MB, copied again for every synthesis. Most tests read
// templates, which are the same either way (asset hashes come from the sources); staging is off for them, and the
// assets manifest then names the sources. Files that use a synthesized assembly's assets call `withAssetStaging()`.
process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}'), 'aws:cdk:disable-asset-staging': true });
