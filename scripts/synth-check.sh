#!/usr/bin/env bash
# The reference app must synthesize with the cdk CLI, as the README's first command does, with no AWS account, Docker
# or network: cdk-nag packs and cfn-guard run as synth plugins (an unacknowledged finding fails here), aws-cdk-lib's
# built-in validation runs under the app's flags, and cfn-lint checks every template.
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf cdk.out
# The project's cdk, not `npx cdk` (which loads npm first, 1.8 CPU-s): the synth:check task has node_modules/.bin on PATH.
cdk synth --quiet
# cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational; only errors (or a failure to run) fail.
status=0
cfn-lint cdk.out/*.template.json || status=$?
case $status in 0|4|8|12) ;; *) echo "cfn-lint found errors in cdk.out (exit $status)" >&2; exit 1 ;; esac
