#!/usr/bin/env bash
# Runs the whole of Parley on this machine without Docker: builds what is missing or stale,
# starts Redis (REDIS_URL if set, else a local redis-server, else an embedded one) and the four
# services as separate processes, prints where the page is, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
use_jdk || { echo "Parley needs a JDK 21 or newer (set JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk-headless)." >&2; exit 1; }

jars=(user-svc/target/user-svc.jar message-svc/target/message-svc.jar notification-svc/target/notification-svc.jar frontend-svc/target/frontend-svc.jar local-run/target/local-run.jar)
stale=0
for jar in "${jars[@]}"; do
  if [ ! -f "$jar" ] || [ -n "$(find . -path ./.run -prune -o \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]; then
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  echo "Building Parley (first run, or sources changed)…"
  ./mvnw -B -q -DskipTests install
fi
exec java -Dparley.root="$PWD" -jar local-run/target/local-run.jar
