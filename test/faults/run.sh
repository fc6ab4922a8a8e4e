#!/usr/bin/env bash
# The fault suite and the soak, on the suite's own Kafka and PostgreSQL (test/faults/infrastructure.ts).
#   npm run test:faults             the quick profile (what .ci/run runs; 5-11 min on 2 cores)
#   npm run test:faults -- --full   the full profile: >= 30 complaints/s, >= 10,000 complaints
#   npm run test:soak               SOAK_MINUTES (default 30) at a steady rate; memory and latency drift
# The fault suite renders docs/reliability.md from its observations (render-report.js) either way.
set -uo pipefail
cd "$(dirname "$0")/../.."
mode=faults
for arg in "$@"; do
  case $arg in
    --full) export FAULTS_PROFILE=full ;;
    --quick) export FAULTS_PROFILE=quick ;;
    --soak) mode=soak ;;
    *) echo "test/faults/run.sh: unknown argument \"$arg\" (--full, --quick, --soak)" >&2; exit 2 ;;
  esac
done
npm run build || exit 1
if [ "$mode" = soak ]; then
  FAULTS_SOAK=1 npx jest -c test/faults/jest.config.js --runInBand --forceExit
  exit $?
fi
npx jest -c test/faults/jest.config.js --runInBand --forceExit
status=$?
node test/faults/render-report.js || status=1
exit $status
