#!/usr/bin/env bash
# The benchmark command (QUALITY.md, Performance): builds bench/Bench in Release and runs it. Arguments pass through,
# e.g. `bench/run.sh --quick` for a short version of everything, `bench/run.sh --help` for the options.
# Needs the PostgreSQL 15 server binaries (initdb, pg_ctl, pgbench under /usr/lib/postgresql/15/bin); the benchmark
# starts and removes its own server and its own silo processes. Results: a table on stdout and bench/out/results.json
# (the silos' logs beside it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ ! -x /usr/lib/postgresql/15/bin/initdb ]]; then
  echo "bench: PostgreSQL 15 server binaries not found in /usr/lib/postgresql/15/bin." >&2
  echo "       Install them with: apt-get update && apt-get install -y postgresql-15" >&2
  exit 3
fi

if [[ ! -x /usr/lib/postgresql/15/bin/pgbench ]] && ! command -v pgbench >/dev/null 2>&1; then
  echo "bench: pgbench not found (neither /usr/lib/postgresql/15/bin/pgbench nor on PATH); it is the baseline." >&2
  echo "       It ships with the server packages: apt-get update && apt-get install -y postgresql-15" >&2
  exit 3
fi

# Build output goes to stderr: stdout carries only the results table. The silo is built in Release too: the benchmark
# starts it as its own process (dotnet src/Silo/bin/Release/net10.0/Actors.Silo.dll).
dotnet build -c Release src/Silo -nologo -v quiet -clp:ErrorsOnly 1>&2
dotnet build -c Release bench/Bench -nologo -v quiet -clp:ErrorsOnly 1>&2
BENCH_COMMAND="bench/run.sh${*:+ $*}" exec dotnet bench/Bench/bin/Release/net10.0/Actors.Bench.dll "$@"
