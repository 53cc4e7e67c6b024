# Sourced by ./motflow and .ci/run: selects a JDK >= 21 (the Lambda target is java21).
# Order: $JAVA_HOME if new enough, then every JDK under /usr/lib/jvm (newest first), then `java` on PATH.
# The build always compiles with --release 21, so any JDK >= 21 gives the same bytecode.

motflow_java_major() { # $1 = JDK home; prints its major version or nothing
  local rel="$1/release" v
  if [ -r "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  elif [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  fi
  echo "$v"
}

motflow_select_jdk() {
  local cand best="" best_v=0 v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$cand" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(motflow_java_major "$cand")
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "motflow: no JDK >= 21 found (looked at \$JAVA_HOME, /usr/lib/jvm/*, /opt/java/*, javac on PATH)." >&2
    echo "motflow: install one (e.g. Temurin 21 or 25) or set JAVA_HOME to it; the Lambdas target java21." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Quiet Maven's own JDK 24+ warnings; harmless on 21.
  if [ "$best_v" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow";; esac
  fi
}
