#!/usr/bin/env bash
# Runs the whole of Parley on this machine without Docker: builds what is missing or stale,
# starts Redis (REDIS_URL if set, else a local redis-server, else an embedded one) and the four
# services as separate processes, prints where the page is, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
use_jdk || { echo "Parley needs a JDK 21 or newer (set JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk-headless)." >&2; exit 1; }

if scripts/needs-build; then
  echo "Building Parley (first run, or sources changed)…"
  ./mvnw -B -q -DskipTests install
fi
exec java -Dparley.root="$PWD" -jar local-run/target/local-run.jar
