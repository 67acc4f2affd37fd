# Shared by scripts/rupture, scripts/local-cluster and scripts/nightly (sourced, not executed).
# Defines: RUPTURE_HOME, RUPTURE_JAR, RUPTURE_CP_FILE, JAVA_OPENS (array), ensure_built.

RUPTURE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUPTURE_JAR="$RUPTURE_HOME/target/rupture-pipeline-0.1.0-SNAPSHOT-shaded.jar"
RUPTURE_CP_FILE="$RUPTURE_HOME/target/classpath.txt"

# Spark on Java 17 needs these opens (same list as Spark's JavaModuleOptions and pom.xml's spark.jvm.opens).
JAVA_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

# Spark's whole-stage codegen emits one method per stage; the validation rules make that method larger
# than HotSpot's 8,000-byte JIT limit, and such a method otherwise runs in the bytecode interpreter
# (3.4x slower on the rules stage, measured). On a cluster the job adds it to
# spark.executor.extraJavaOptions itself (SparkSessions).
JIT_OPTS=(-XX:-DontCompileHugeMethods)

# Builds the shaded jar and the runtime classpath file when missing or older than the sources.
ensure_built() {
  if [[ ! -f "$RUPTURE_JAR" || ! -f "$RUPTURE_CP_FILE" \
        || -n "$(find "$RUPTURE_HOME/src/main" "$RUPTURE_HOME/pom.xml" -newer "$RUPTURE_JAR" -print -quit 2>/dev/null)" ]]; then
    echo "building $RUPTURE_JAR (first run only) ..." >&2
    local log
    log="$(mktemp)"
    if ! (cd "$RUPTURE_HOME" && mvn -B -ntp -Dstyle.color=never -DskipTests package) >"$log" 2>&1; then
      tail -40 "$log" >&2
      echo "build failed; full log: $log" >&2
      return 1
    fi
    rm -f "$log"
  fi
}
