import { Token } from 'aws-cdk-lib';
import { propProblem } from '../private/errors';

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** S3 general purpose bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function roleNameProblems(prop: string, name: string): string[] {
  return Token.isUnresolved(name) || ROLE_NAME.test(name) ? [] : [propProblem(prop, name, 'an IAM role name: 1 to 64 letters, digits and +=,.@_- characters.')];
}

export function bucketNameProblems(prop: string, name: string | undefined): string[] {
  return name === undefined || Token.isUnresolved(name) || BUCKET_NAME.test(name) ? [] : [propProblem(prop, name,
    'an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.')];
}
