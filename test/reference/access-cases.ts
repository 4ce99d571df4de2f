// The access a security reviewer expects of the reference platform across accounts, asked of the IAM policy simulator
// by test/reference/access.test.ts (through the test model) and by test/ecr-access (through the ecr-access command).
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CROSS_ACCOUNT, referencePlatform } from './platform';
import { AWS_MANAGED_POLICIES, PrincipalRef, RepositoryRef } from '../support/iam-simulation';

export const REGISTRY = '111111111111';
export const DEV = '222222222222';
export const PROD = '333333333333';
export const STOREFRONT = { stack: 'Registry', id: 'storefrontRepository' };
export const CATALOG = { stack: 'Registry', id: 'catalogRepository' };
export const RESIZER = { stack: 'Registry', id: 'resizerRepository' };
export const PULL = 'ecr:BatchGetImage';

/** A role outside the app, with AWS's read-only ECR policy: what any admin of a workload account could have. */
export const reader = (account: string): PrincipalRef => ({ arn: `arn:aws:iam::${account}:role/ops-admin`, policies: [AWS_MANAGED_POLICIES.AmazonEC2ContainerRegistryReadOnly] });
export const everything = (account: string): PrincipalRef => ({
  arn: `arn:aws:iam::${account}:role/account-admin`, policies: [[{ Effect: 'Allow', Action: '*', Resource: '*' }]],
});

export function crossAccount(): CloudAssembly {
  return referencePlatform(CROSS_ACCOUNT).app.synth();
}

/** A registry that lets every AWS account pull, as the EKS add-on registries do; only the caller's identity policy decides. */
export const openRepository = (account: string, name: string): RepositoryRef => ({
  arn: `arn:aws:ecr:eu-west-1:${account}:repository/${name}`,
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] },
});

export type Case = [string, PrincipalRef, string, RepositoryRef, boolean];


/** Allowed and denied requests, as the grants intend them. */
export const CROSS_ACCOUNT_CASES: Case[] = [
  ['dev ECS execution role pulls storefront', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
  ['dev ECS execution role downloads storefront layers', { stack: 'Ecs-dev', role: 'ExecutionRole' }, 'ecr:GetDownloadUrlForLayer', STOREFRONT, true],
  ['dev ECS execution role cannot pull catalog', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, CATALOG, false],
  ['dev ECS execution role cannot push storefront', { stack: 'Ecs-dev', role: 'ExecutionRole' }, 'ecr:PutImage', STOREFRONT, false],
  ['dev EKS node role pulls catalog', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, CATALOG, true],
  ['dev EKS node role cannot pull storefront', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, STOREFRONT, false],
  // EKS's own add-ons (VPC CNI, kube-proxy, CoreDNS) come from EKS's registry account of the region (602401143452
  // in eu-west-1): the nodes may pull there, and from no other registry that would admit them.
  ['dev EKS node role pulls the CoreDNS add-on image', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, openRepository('602401143452', 'eks/coredns'), true],
  ['dev EKS node role pulls the VPC CNI add-on image', { stack: 'Eks-dev', role: 'NodeRole' }, 'ecr:GetDownloadUrlForLayer', openRepository('602401143452', 'amazon-k8s-cni'), true],
  ['dev EKS node role cannot pull from another open registry', { stack: 'Eks-dev', role: 'NodeRole' }, PULL, openRepository('999999999999', 'anything'), false],
  ['dev ECS execution role cannot pull the EKS add-on images', { stack: 'Ecs-dev', role: 'ExecutionRole' }, PULL, openRepository('602401143452', 'eks/coredns'), false],
  ['dev kubectl handler cannot pull storefront', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, STOREFRONT, false],
  ['dev kubectl handler cannot pull catalog', { stack: 'Eks-dev', role: 'KubectlRole' }, PULL, CATALOG, false],
  ['prod ECS execution role pulls storefront', { stack: 'Ecs-prod', role: 'ExecutionRole' }, PULL, STOREFRONT, true],
  ['prod EKS node role pulls catalog', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, CATALOG, true],
  ['prod EKS node role cannot pull storefront', { stack: 'Eks-prod', role: 'NodeRole' }, PULL, STOREFRONT, false],
  ['a dev role outside the pulling path, with the ECR read-only policy, cannot pull storefront', reader(DEV), PULL, STOREFRONT, false],
  ['a dev role outside the pulling path, with the ECR read-only policy, cannot pull catalog', reader(DEV), PULL, CATALOG, false],
  ['the dev account\'s administrator cannot pull storefront', everything(DEV), PULL, STOREFRONT, false],
  ['an account the registry does not know cannot pull storefront', everything('444444444444'), PULL, STOREFRONT, false],
  ['an account the registry does not know cannot push storefront', everything('444444444444'), 'ecr:PutImage', STOREFRONT, false],
  ['a dev role cannot change the storefront repository policy', everything(DEV), 'ecr:SetRepositoryPolicy', STOREFRONT, false],
  ['the storefront build pushes storefront', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', STOREFRONT, true],
  ['the storefront build pulls storefront', { stack: 'Registry', role: 'storefrontBuildRole' }, PULL, STOREFRONT, true],
  ['the storefront build cannot push catalog', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutImage', CATALOG, false],
  ['the storefront build cannot delete images', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:BatchDeleteImage', STOREFRONT, false],
  ['the storefront build cannot delete its repository', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:DeleteRepository', STOREFRONT, false],
  ['the storefront build cannot change the repository policy', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:SetRepositoryPolicy', STOREFRONT, false],
  ['the storefront build cannot change the lifecycle policy', { stack: 'Registry', role: 'storefrontBuildRole' }, 'ecr:PutLifecyclePolicy', STOREFRONT, false],
  ['the catalog build pushes catalog', { stack: 'Registry', role: 'catalogBuildRole' }, 'ecr:PutImage', CATALOG, true],
  ['the catalog build cannot pull storefront', { stack: 'Registry', role: 'catalogBuildRole' }, PULL, STOREFRONT, false],
  ['storefront\'s GitHub Actions role pushes storefront', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:PutImage', STOREFRONT, true],
  ['storefront\'s GitHub Actions role cannot push catalog', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:PutImage', CATALOG, false],
  ['storefront\'s GitHub Actions role cannot delete images', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:BatchDeleteImage', STOREFRONT, false],
  ['storefront\'s GitHub Actions role cannot change the repository policy', { stack: 'Registry', role: 'storefrontGitHubRole' }, 'ecr:SetRepositoryPolicy', STOREFRONT, false],
  // Lambda's cross-account policy for container images admits the function's whole account (Lambda User Guide,
  // "Amazon ECR permissions"): on resizer, and only there, the account's readers may pull.
  ['a dev role with the ECR read-only policy pulls resizer, which admits the dev account for Lambda', reader(DEV), PULL, RESIZER, true],
  ['a dev role with the ECR read-only policy cannot push resizer', reader(DEV), 'ecr:PutImage', RESIZER, false],
  ['an account the registry does not know cannot pull resizer', everything('444444444444'), PULL, RESIZER, false],
];
