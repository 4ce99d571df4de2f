// The reference app that `npx cdk synth` runs (cdk.json). With no context it synthesizes account-agnostic stacks,
// needing no AWS account, Docker or network. Context (cdk.json or -c) places it in real accounts:
//   registryAccount, registryRegion   the shared-services account and region of the registry
//   workloads                         JSON {"dev": "111111111111", "prod": "222222222222"}: environment -> account
//   workloadRegion                    region of the workload accounts (default: registryRegion); the registry
//                                     replicates its images there
//   replicaRegions                    JSON ["us-east-1"]: more regions that get a copy of every image
//   environments                      JSON ["dev", "staging", "prod"]: promotion order of the environment tags
//   githubOwner                       owner of the sample services' GitHub repositories
//   githubOidcProviderExists          true when the registry account already has the GitHub Actions OIDC provider
//   connectionArn                     the CodeConnections connection to GitHub of the services' pipelines (default:
//                                     the Delivery stack creates one, to approve once in the console)
//   organizationUnits                 JSON ["ou-ab12-11111111"]: roll the registry baseline out to these units' accounts
//   managementAccount                 the organization's management account, which deploys that StackSet (default:
//                                     the registry's account, as a StackSets delegated administrator)
//   availability-zones:account=<account>:region=<region>
//                                     JSON ["eu-west-1b", "eu-west-1c"], in cdk.json only (-c cuts a key at its '='):
//                                     the zones of the workload VPCs there (default: the first two of Fn::GetAZs, which
//                                     CloudFormation resolves in the deploying account); synth never calls AWS
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App } from 'aws-cdk-lib';
import { enforceCompliance } from './compliance';
import { ReferencePlatform, WorkloadEnvironmentProps } from '../src';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key);
const json = <T>(key: string, fallback: T): T => {
  const value = app.node.tryGetContext(key);
  if (value === undefined) return fallback;
  try {
    return typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    throw new Error(`context '${key}': got ${JSON.stringify(value)}; expected JSON, for example -c ${key}='{"dev": "111111111111"}'`);
  }
};

const registryAccount = context('registryAccount');
const registryRegion = context('registryRegion');
const registryEnv = registryAccount || registryRegion ? { account: registryAccount, region: registryRegion } : undefined;
const workloadRegion = context('workloadRegion') ?? registryRegion;
const workloadAccounts = json<Record<string, string> | undefined>('workloads', undefined);
const workloads: WorkloadEnvironmentProps[] | undefined = workloadAccounts && Object.entries(workloadAccounts).map(([name, account]) => ({
  name,
  env: { account, region: workloadRegion },
}));
const organizationUnits = json<string[] | undefined>('organizationUnits', undefined);

new ReferencePlatform(app, {
  registryEnv,
  environments: json<string[] | undefined>('environments', undefined),
  workloads,
  githubOwner: context('githubOwner'),
  githubOidcProviderExists: json<boolean>('githubOidcProviderExists', false),
  connectionArn: context('connectionArn'),
  organization: organizationUnits && { organizationalUnitIds: organizationUnits, managementAccount: context('managementAccount') },
  replicaRegions: json<string[] | undefined>('replicaRegions', undefined),
  kubectlLayer: { createLayer: (scope) => new KubectlV33Layer(scope, 'KubectlLayer') },
});

enforceCompliance(app);
