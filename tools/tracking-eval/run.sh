#!/usr/bin/env bash
# The appearance-free tracking table (docs/tracking.md): compiles tracking-core and mot-metrics, then
# runs TrackingEval.java (a single-file program) with them. Arguments go to TrackingEval:
#   --variants a,b,...   configurations to compare (default: all; the names are in TrackingEval.VARIANTS)
#   --sets s1,s2,...     only these sets (default: all 10)
#   --data DIR           the shared test data (default: ../shared/testdata from the repository root)
#   --track-thresh T     run every variant with this track threshold
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/java-env.sh
motflow_select_jdk
mvn -B -ntp -o -q -pl functions/tracking-core,functions/mot-metrics compile
exec java ${TRACKING_EVAL_JAVA_OPTS:-} -cp functions/tracking-core/target/classes:functions/mot-metrics/target/classes \
    tools/tracking-eval/TrackingEval.java "$@"
