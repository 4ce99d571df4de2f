import type * as events from 'aws-cdk-lib/aws-events';
import { FindingSeverity, inspectorSeverity, severitiesAtOrAbove } from '../scanning/severity';


/**
 * One EventBridge pattern for scan results of one repository at or above a severity:
 * - basic scanning: "ECR Image Scan" events of a completed scan with a non-zero count at one of the severities;
 * - enhanced scanning: active "Inspector2 Finding" events for a container image of the repository.
 * The `$or` branches never cross-match: each names fields only its own source sends.
 */
export function scanFindingsPattern(repositoryName: string, minimum: FindingSeverity): events.EventPattern {
  const severities = severitiesAtOrAbove(minimum);
  return {
    source: ['aws.ecr', 'aws.inspector2'],
    detailType: ['ECR Image Scan', 'Inspector2 Finding'],
    detail: {
      $or: [
        ...severities.map((severity) => ({
          'repository-name': [repositoryName],
          'scan-status': ['COMPLETE'],
          'finding-severity-counts': { [severity]: [{ numeric: ['>', 0] }] },
        })),
        {
          severity: severities.map(inspectorSeverity),
          status: ['ACTIVE'],
          resources: { type: ['AWS_ECR_CONTAINER_IMAGE'], details: { awsEcrContainerImage: { repositoryName: [repositoryName] } } },
        },
      ],
    },
  };
}
