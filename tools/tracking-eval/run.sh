#!/usr/bin/env bash
# The appearance-free tracking table (docs/tracking.md): compiles the tracking-eval module (with
# tracking-core and mot-metrics), then runs its TrackingEval. Arguments go to TrackingEval:
#   --variants a,b,...   configurations to compare (default: all; the names are in TrackingEval.VARIANTS)
#   --sets s1,s2,...     only these sets (default: all 12)
#   --data DIR           the shared test data (default: ../shared/testdata from the repository root)
#   --track-thresh T     run every variant with this track threshold
#   --write-sets DIR     also write the sets and each variant's results as MOTChallenge files (bench-trackers)
#   --det-boxes          output each matched detection's box instead of the track's Kalman box
#   --seed-salt S        draw the generated sets again with another seed (robustness checks; tables use none)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/java-env.sh
motflow_select_jdk
mvn -B -ntp -o -q -pl tools/tracking-eval -am compile
exec java -cp tools/tracking-eval/target/classes:functions/tracking-core/target/classes:functions/mot-metrics/target/classes \
    dev.motflow.tools.trackingeval.TrackingEval "$@"
