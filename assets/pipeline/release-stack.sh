#!/bin/sh
# Releases an image to a CloudFormation stack: sets the stack's image parameter to the digest and waits until the
# stack runs it. The stack's template and every other parameter stay as they are (--use-previous-template,
# UsePreviousValue), so this changes only which image runs; a later `cdk deploy` keeps the value (the CDK CLI passes
# UsePreviousValue for parameters it is not given). CloudFormation rolls the update back if the workload fails to
# start, and the release then fails.
#
# Environment:
#   IMAGE_DIGEST          sha256:<64 hex digits>, the digest to release
#   STACK_NAME            the stack
#   STACK_REGION          its region
#   PARAMETER_NAME        the stack parameter that holds the digest
#   DEPLOY_ROLE_ARN       the role this script assumes to update the stack (the CDK bootstrap's deploy role)
#   EXECUTION_ROLE_ARN    the role CloudFormation updates the stack with (the CDK bootstrap's execution role)
#   RELEASE_ENVIRONMENT   the environment, for the session name and messages
#   IMAGE_REPOSITORY      the image's repository, and IMAGE_REGISTRY_ID its account: the release waits until the image
#                         is in the stack's region (a workload of another region runs the copy replication brings, which
#                         ECR makes asynchronously), at most IMAGE_WAIT_SECONDS (default 900)
set -eu

die() {
  echo "release: $*" >&2
  exit 1
}

for name in IMAGE_DIGEST STACK_NAME STACK_REGION PARAMETER_NAME DEPLOY_ROLE_ARN EXECUTION_ROLE_ARN RELEASE_ENVIRONMENT; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || die "$name is not set"
done
printf '%s' "$IMAGE_DIGEST" | grep -Eq '^sha256:[a-f0-9]{64}$' || die "'$IMAGE_DIGEST' is not an image digest (sha256:<64 hex digits>)"

if [ -n "${IMAGE_REPOSITORY:-}" ]; then
  waited=0
  wait_seconds=${IMAGE_WAIT_SECONDS:-900}
  until aws ecr describe-images --region "$STACK_REGION" --registry-id "${IMAGE_REGISTRY_ID:?IMAGE_REGISTRY_ID is not set}" \
    --repository-name "$IMAGE_REPOSITORY" --image-ids "imageDigest=$IMAGE_DIGEST" > /dev/null 2>&1; do
    [ "$waited" -lt "$wait_seconds" ] || die "$IMAGE_REPOSITORY@$IMAGE_DIGEST is not in $STACK_REGION after ${wait_seconds}s (replication has not brought it)"
    sleep 10
    waited=$((waited + 10))
  done
fi

credentials=$(aws sts assume-role --role-arn "$DEPLOY_ROLE_ARN" --role-session-name "release-$RELEASE_ENVIRONMENT" \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) \
  || die "could not assume $DEPLOY_ROLE_ARN (is the account bootstrapped with --trust for this pipeline's account?)"
AWS_ACCESS_KEY_ID=$(printf '%s' "$credentials" | cut -f1)
AWS_SECRET_ACCESS_KEY=$(printf '%s' "$credentials" | cut -f2)
AWS_SESSION_TOKEN=$(printf '%s' "$credentials" | cut -f3)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

keys=$(aws cloudformation describe-stacks --region "$STACK_REGION" --stack-name "$STACK_NAME" \
  --query 'Stacks[0].Parameters[].ParameterKey' --output text) \
  || die "could not read the stack $STACK_NAME in $STACK_REGION (deploy it first: cdk deploy $STACK_NAME)"
found=false
parameters="ParameterKey=$PARAMETER_NAME,ParameterValue=$IMAGE_DIGEST"
for key in $keys; do
  if [ "$key" = "$PARAMETER_NAME" ]; then found=true; else parameters="$parameters ParameterKey=$key,UsePreviousValue=true"; fi
done
[ "$found" = true ] || die "the stack $STACK_NAME has no parameter $PARAMETER_NAME"

# shellcheck disable=SC2086 # one word per parameter
if output=$(aws cloudformation update-stack --region "$STACK_REGION" --stack-name "$STACK_NAME" --use-previous-template \
  --parameters $parameters --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND \
  --role-arn "$EXECUTION_ROLE_ARN" 2>&1); then
  echo "release: $STACK_NAME ($RELEASE_ENVIRONMENT) is updating to $IMAGE_DIGEST"
else
  case "$output" in
    *"No updates are to be performed"*) echo "release: $STACK_NAME ($RELEASE_ENVIRONMENT) already runs $IMAGE_DIGEST"; exit 0 ;;
    *) die "could not update $STACK_NAME: $output" ;;
  esac
fi
if ! aws cloudformation wait stack-update-complete --region "$STACK_REGION" --stack-name "$STACK_NAME"; then
  status=$(aws cloudformation describe-stacks --region "$STACK_REGION" --stack-name "$STACK_NAME" \
    --query 'Stacks[0].[StackStatus,StackStatusReason]' --output text 2>&1) || true
  die "$STACK_NAME did not reach UPDATE_COMPLETE with $IMAGE_DIGEST: $status (see its events)"
fi
echo "release: $STACK_NAME ($RELEASE_ENVIRONMENT) runs $IMAGE_DIGEST"
