#!/usr/bin/env bash
# Regenerates the committed API contract and the C# client generated from it (ADR 0008):
#   1. the document the app serves at /openapi/v1.json → docs/openapi/v1.json
#      (ApiContractTests writes it when PRACTICE_UPDATE_API_CONTRACT=1; ./test.sh gives it a database);
#   2. Kiota, the pinned local tool in dotnet-tools.json → tests/PracticeBackend.Api.Tests/Generated/PracticeClient.
# Run it after changing an endpoint, then commit both. CI does not run it: the tests use the committed code.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

CLIENT_DIR=tests/PracticeBackend.Api.Tests/Generated/PracticeClient

PRACTICE_UPDATE_API_CONTRACT=1 ./test.sh --filter "FullyQualifiedName~ApiContractTests.ServedDocument_IsTheCommittedOne"

dotnet tool restore
# Offline: no update check over the network; no tutorial hints.
KIOTA_OFFLINE_ENABLED=true KIOTA_TUTORIAL_ENABLED=false dotnet kiota generate \
    --language CSharp \
    --openapi docs/openapi/v1.json \
    --class-name PracticeClient \
    --namespace-name PracticeBackend.Api.Tests.Generated.PracticeClient \
    --output "$CLIENT_DIR" \
    --exclude-backward-compatible \
    --clean-output \
    --log-level Warning
rm -f "$CLIENT_DIR/.kiota.log"

echo "generate-api-client: done; review and commit:" >&2
git status --short docs/openapi "$CLIENT_DIR" >&2
