import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { propProblem, reportProblems } from '../private/errors';
import { registryEntryProblems } from '../private/registry-singleton';

/** ECR's limit on pull-time update exclusions per account. */
export const MAX_PULL_TIME_UPDATE_EXCLUSIONS = 100;
// RegisterPullTimeUpdateExclusion: an IAM role or user ARN (with its path), at most 200 characters.
const PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:role|user)\/[\w+=,.@-]+(?:\/[\w+=,.@-]+)*$/;

/** Properties of a `PullTimeUpdateExclusion`. */
export interface PullTimeUpdateExclusionProps {
  /**
   * The IAM role or user whose pulls do not count as pulls (its ARN, path included; not an assumed-role session ARN),
   * for example a vulnerability scanner's or an auditor's role.
   */
  readonly principalArn: string;
}

/**
 * A principal whose pulls leave an image's last recorded pull time alone, in the registry of this stack's account and
 * region. Lifecycle rules that expire images by `sinceImagePulled` then see only real consumers' pulls: without it, a
 * scanner that pulls every image daily keeps every image "in use" forever. Amazon Inspector's own pulls never count.
 * At most 100 per account.
 */
export class PullTimeUpdateExclusion extends Construct {
  constructor(scope: Construct, id: string, props: PullTimeUpdateExclusionProps) {
    super(scope, id);
    const arn = props.principalArn;
    const invalid = !Token.isUnresolved(arn) && (arn.length > 200 || !PRINCIPAL_ARN.test(arn));
    reportProblems(this, [
      ...(invalid ? [propProblem('principalArn', arn, "an IAM role or user ARN such as 'arn:aws:iam::111111111111:role/scanner' "
        + "(at most 200 characters; for a session 'arn:aws:sts::...:assumed-role/...', use its role's ARN).")] : []),
      ...registryEntryProblems(this, 'pull-time update exclusion', arn, MAX_PULL_TIME_UPDATE_EXCLUSIONS),
    ]);
    new ecr.CfnPullTimeUpdateExclusion(this, 'Resource', { principalArn: arn });
  }
}
