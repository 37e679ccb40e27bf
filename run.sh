#!/usr/bin/env bash
# Runs the API locally.
#   ./run.sh [APP ARGS...]   start a private PostgreSQL in .local/ (unless ConnectionStrings__Practice is set) and run the app
#   ./run.sh stop            stop that private PostgreSQL
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LOCAL_PG="$ROOT/deploy/local-postgres.sh"
PG_DATA="$ROOT/.local/pgdata"
PG_PASSWORD_FILE="$ROOT/.local/pg-password"
PG_PORT=55432

if [[ ${1:-} == stop ]]; then
    exec bash "$LOCAL_PG" stop "$PG_DATA"
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "run.sh: 'dotnet' is not on PATH; install the .NET 10 SDK (https://dotnet.microsoft.com/download)" >&2
    exit 1
fi

cd "$ROOT"

if [[ -n ${ConnectionStrings__Practice:-} ]]; then
    db_note="database from ConnectionStrings__Practice"
else
    bash "$LOCAL_PG" start "$PG_DATA" "$PG_PORT" "$PG_PASSWORD_FILE"
    bash "$LOCAL_PG" ensure-db "$PG_DATA" "$PG_PORT" practice
    ConnectionStrings__Practice="Host=127.0.0.1;Port=$PG_PORT;Database=practice;Username=postgres;Password=$(<"$PG_PASSWORD_FILE")"
    export ConnectionStrings__Practice
    db_note="PostgreSQL on 127.0.0.1:$PG_PORT keeps running; stop it with ./run.sh stop"
fi

mkdir -p .local/mail
# Mail goes to .eml files here unless Email__Mode=Smtp points the app at a server (README.md).
export Email__PickupDirectory=${Email__PickupDirectory:-$ROOT/.local/mail}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:5080}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}

echo "run.sh: app will listen on $ASPNETCORE_URLS ($ASPNETCORE_ENVIRONMENT); $db_note" >&2
if [[ -z ${PRACTICE_ADMIN_EMAIL:-} ]]; then
    echo "run.sh: to create the first staff admin, start once with PRACTICE_ADMIN_EMAIL=you@practice.example PRACTICE_ADMIN_PASSWORD='a passphrase of 12+ characters' ./run.sh" >&2
fi
exec dotnet run --project src/PracticeBackend.Api -c Release --no-launch-profile -- "$@"
