// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * The statements of the AWS managed policies this tool knows, as AWS publishes them: those that grant ECR access, and
 * those the library's constructs attach. A principal with another AWS managed policy is reported as undetermined
 * rather than evaluated without it.
 */
const LIBRARY_MANAGED_POLICIES: Readonly<Record<string, unknown[]>> = {
  'AmazonEKSWorkerNodePolicy': [{
    Effect: 'Allow',
    Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets',
      'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications', 'ec2:DescribeVpcs', 'eks:DescribeCluster', 'eks-auth:AssumeRoleForPodIdentity'],
    Resource: '*',
  }],
  'AmazonEKS_CNI_Policy': [
    {
      Effect: 'Allow',
      Action: ['ec2:AssignPrivateIpAddresses', 'ec2:AttachNetworkInterface', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
        'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets',
        'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: ['arn:aws:ec2:*:*:network-interface/*'] },
  ],
  'service-role/AWSLambdaBasicExecutionRole': [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  'service-role/AWSLambdaVPCAccessExecutionRole': [{
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    Resource: '*',
  }],
  'AmazonEC2ContainerRegistryReadOnly': [{
    Effect: 'Allow',
    Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
      'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
      'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings'],
    Resource: '*',
  }],
};

/** Managed policies that grant ECR access, beyond those above (from the AWS Managed Policy Reference). */
const ECR_MANAGED_POLICIES: Readonly<Record<string, unknown[]>> = {
  'AmazonEC2ContainerRegistryPowerUser': [{
    Effect: 'Allow',
    Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
      'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
      'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings', 'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
    Resource: '*',
  }],
  'service-role/AmazonECSTaskExecutionRolePolicy': [{
    Effect: 'Allow',
    Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
      'logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: '*',
  }],
  'AdministratorAccess': [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  // v8 grants autoscaling, ec2, elasticloadbalancing, iam:CreateServiceLinkedRole and kms:DescribeKey actions: no
  // ecr: action, which is all this tool asks about.
  'AmazonEKSClusterPolicy': [],
};

export const AWS_MANAGED_POLICIES: Readonly<Record<string, unknown[]>> = { ...LIBRARY_MANAGED_POLICIES, ...ECR_MANAGED_POLICIES };
