#!/usr/bin/env bash
# Moves the test clock of a distributed platform (services started with TEST_CLOCK=enabled), where
# each service keeps its own: the first service is moved as asked, then the other three are set to
# the time it answered, so all four read the same time. (Embedded mode needs one call: its four
# services share one clock.)
#
#   TOKEN=$(npm run -s token -- --role admin) deploy/local/move-test-clock.sh '{"advanceMs":86400000}'
#   TOKEN=... deploy/local/move-test-clock.sh '{"now":"2027-01-31T09:00:00Z"}'
#
# INTAKE_URL, ROUTING_URL, RESOLUTION_URL, ANALYTICS_URL default to the local ports 3001-3004.
set -euo pipefail
body=${1:?usage: TOKEN=... $0 '{"now":"<ISO 8601>"}' | '{"advanceMs":<ms>}'}
: "${TOKEN:?TOKEN must hold an admin bearer token (npm run -s token -- --role admin)}"
urls=(
  "${INTAKE_URL:-http://127.0.0.1:3001}"
  "${ROUTING_URL:-http://127.0.0.1:3002}"
  "${RESOLUTION_URL:-http://127.0.0.1:3003}"
  "${ANALYTICS_URL:-http://127.0.0.1:3004}"
)
put() {
  curl -sS --fail-with-body -X PUT "$1/test/clock" -H "authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' --data "$2"
}
answer=$(put "${urls[0]}" "$body")
now=$(printf '%s' "$answer" | sed -n 's/.*"now":"\([^"]*\)".*/\1/p')
[ -n "$now" ] || { echo "unexpected answer from ${urls[0]}: $answer" >&2; exit 1; }
for url in "${urls[@]:1}"; do put "$url" "{\"now\":\"$now\"}" >/dev/null; done
echo "$now"
