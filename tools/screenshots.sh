#!/usr/bin/env bash
# Makes docs/screenshots/*.png: each main page at desktop (1280) and phone (390) widths, in Debian's Chromium.
# The pages are the ones the browser tests walk through (the app's clock fixed, a real SMTP server), so the
# pictures show what the tests prove; run from a clone with ./test.sh working.
#   ./tools/screenshots.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
export SCREENSHOTS_DIR="$ROOT/docs/screenshots"
rm -f "$SCREENSHOTS_DIR"/*.png
./test.sh --filter "FullyQualifiedName~DashboardBrowserTests|FullyQualifiedName~AdminPagesTests|FullyQualifiedName~EmailLinkPageTests"
ls "$SCREENSHOTS_DIR"
