#!/usr/bin/env bash
# Runs the tests against a throwaway PostgreSQL (or PRACTICE_TEST_DATABASE, if set).
#   ./test.sh            every test but the fault suite
#   ./test.sh faults     the fault suite (Category=Faults: outages, fuzzing, nodes killed; docs/adr/0016)
# Extra arguments go to `dotnet test`; a --filter of your own replaces the suite's.
# The last line printed is "N passed, N failed, N skipped".
set -euo pipefail

suite="Category!=Faults"
if [[ ${1:-} == faults ]]; then
    suite="Category=Faults"
    shift
fi

filter=(--filter "$suite")
for arg in "$@"; do
    if [[ $arg == --filter || $arg == --filter=* ]]; then
        filter=()
    fi
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LOCAL_PG="$ROOT/deploy/local-postgres.sh"
cd "$ROOT"

if ! command -v dotnet >/dev/null 2>&1; then
    echo "test.sh: 'dotnet' is not on PATH; install the .NET 10 SDK (https://dotnet.microsoft.com/download)" >&2
    exit 1
fi

log_dir=$(mktemp -d)
pg_dir=""
cleanup() {
    if [[ -n $pg_dir ]]; then
        bash "$LOCAL_PG" destroy "$pg_dir" || true
        pg_dir=""
    fi
    rm -rf "$log_dir"
}
trap cleanup EXIT

# Pages are tested in a real browser: Debian's Chromium (installed here when root, else we say how).
bash "$LOCAL_PG" ensure-chromium

# The compose file and Kubernetes manifests, checked offline (no engine or cluster runs here).
if ! bash "$ROOT/tools/validate-deploy.sh"; then
    echo "test.sh: the deployment files are invalid (see above; run bash tools/validate-deploy.sh to check again)" >&2
    exit 1
fi

if [[ -z ${PRACTICE_TEST_DATABASE:-} ]]; then
    pg_info=$(bash "$LOCAL_PG" throwaway)
    pg_dir=$(sed -n 's/^DATADIR=//p' <<<"$pg_info")
    PRACTICE_TEST_DATABASE=$(sed -n 's/^CONNECTION=//p' <<<"$pg_info")
    export PRACTICE_TEST_DATABASE
fi

log="$log_dir/dotnet-test.log"
set +e
dotnet test PracticeBackend.sln "${filter[@]}" "$@" 2>&1 | tee "$log"
dotnet_status=${PIPESTATUS[0]}
set -e

# Sum the per-assembly VSTest summaries, e.g.
#   Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: 3 s - X.Tests.dll (net10.0)
read -r passed failed skipped < <(
    sed -E 's/\x1b\[[0-9;]*m//g; s/\r$//' "$log" | awk '
        /^[[:space:]]*(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:/ {
            gsub(",", "")
            for (i = 1; i < NF; i++) {
                if ($i == "Passed:")  p += $(i + 1)
                if ($i == "Failed:")  f += $(i + 1)
                if ($i == "Skipped:") s += $(i + 1)
            }
        }
        END { printf "%d %d %d\n", p, f, s }'
)

cleanup   # now, so that its messages do not come after the summary line

status=0
if [[ $dotnet_status -ne 0 ]]; then
    echo "test.sh: dotnet test exited with code $dotnet_status" >&2
    status=$dotnet_status
elif [[ $failed -gt 0 ]]; then
    status=1
elif [[ $passed -eq 0 ]]; then
    echo "test.sh: no tests passed (did any run?)" >&2
    status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
