#!/usr/bin/env bash
# Checks the deployment files where no Docker engine or cluster runs (./test.sh runs it before the tests):
#   - docker-compose.yml with `docker-compose config` (Debian 12's docker-compose 1.29);
#   - docker-compose.yml and deploy/k8s/ with yamllint (.yamllint);
#   - deploy/k8s/ against the Kubernetes 1.33 API schemas, unknown fields refused (tools/deploy-validate/);
#   - deploy/Dockerfile copies every project under src/ before its restore.
# It builds no image and starts nothing. What it lacks it installs when root (Debian packages with apt-get;
# npm packages, pinned by tools/deploy-validate/package-lock.json, into .local/deploy-validate/), or else
# says what to install. Once installed it needs no network.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
SOURCE_DIR="$ROOT/tools/deploy-validate"
PACKAGES_DIR="$ROOT/.local/deploy-validate"

say() { echo "validate-deploy: $*" >&2; }
fail() { say "$*"; exit 1; }

# ---------------------------------------------------------------- tools

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]} > 0)); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        # For lpg_apt_install (retries on a busy dpkg lock, one apt-get update at most).
        source "$ROOT/deploy/local-postgres.sh"
        # No recommends: docker-compose recommends the Docker engine, which is neither needed nor wanted here.
        lpg_apt_install -o APT::Install-Recommends=false "${missing[@]}" \
            || fail "could not install ${missing[*]} with apt-get"
    else
        fail "needs ${missing[*]}. Install with: sudo apt-get install --no-install-recommends ${missing[*]}"
    fi
fi

# Reinstalled only when the lock file changes; built aside and moved in, so a cut-short install is never used.
if ! cmp -s "$SOURCE_DIR/package-lock.json" "$PACKAGES_DIR/installed-from.lock.json"; then
    say "installing the Kubernetes schema packages into .local/deploy-validate (npm ci)"
    staging="$PACKAGES_DIR.staging.$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    cp "$SOURCE_DIR/package.json" "$SOURCE_DIR/package-lock.json" "$staging/"
    if ! (cd "$staging" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2); then
        rm -rf "$staging"
        fail "npm ci failed in .local/deploy-validate (packages from tools/deploy-validate/package-lock.json)"
    fi
    cp "$SOURCE_DIR/package-lock.json" "$staging/installed-from.lock.json"
    rm -rf "$PACKAGES_DIR"
    mv "$staging" "$PACKAGES_DIR"
fi

# ---------------------------------------------------------------- checks

docker-compose -f docker-compose.yml config -q \
    || fail "docker-compose.yml is invalid for docker-compose $(docker-compose version --short 2>/dev/null || echo '?') (above)"

yamllint --strict -c .yamllint docker-compose.yml deploy/k8s .yamllint \
    || fail "yamllint found problems in docker-compose.yml or deploy/k8s (above; rules in .yamllint)"

node "$SOURCE_DIR/validate-k8s.mjs" "$PACKAGES_DIR" deploy/k8s \
    || fail "deploy/k8s does not match the Kubernetes API (above)"

for project in src/*/*.csproj; do
    grep -q "^COPY $project " deploy/Dockerfile \
        || fail "deploy/Dockerfile does not copy $project before its restore; add: COPY $project $(dirname "$project")/"
done

say "docker-compose.yml, deploy/k8s and deploy/Dockerfile are valid (no engine or cluster here: nothing was run)"
