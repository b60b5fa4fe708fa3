# Sourced by run.sh and .ci/run: finds a JDK 21 or newer and exports JAVA_HOME and PATH.
# JAVA_HOME first, then the default java, then anything under /usr/lib/jvm.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }

find_jdk() {
  local candidates=() home
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/*; do [ -x "$home/bin/javac" ] && candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    if [ -x "$home/bin/javac" ] && [ "$(java_major "$home/bin/java")" -ge 21 ] 2>/dev/null; then
      echo "$home"
      return 0
    fi
  done
  return 1
}

use_jdk() {
  local home
  home=$(find_jdk) || return 1
  export JAVA_HOME="$home"
  export PATH="$JAVA_HOME/bin:$PATH"
}
