import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The registry an ARN points into; each left out is the scope's stack's. */
export interface RegistryLocation {
  readonly account?: string;
  readonly region?: string;
}

/**
 * `arn:<partition>:ecr:<region>:<account>:repository/<resourceName>`, where `resourceName` is a repository's name or
 * an IAM pattern of names (`team/*`, `*`).
 */
export function formatRepositoryArn(scope: IConstruct, resourceName: string, registry: RegistryLocation = {}): string {
  return Stack.of(scope).formatArn({
    service: 'ecr', account: registry.account, region: registry.region, resource: 'repository', resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
