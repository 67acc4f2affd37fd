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
#
# The embedded JVM is short-lived and has few cores, and its optimising compiler (C2) competes with the
# tasks for them: a `run` of the benchmark cohort spent 100 s of its 216 CPU seconds compiling
# (-XX:+CITime; the bare CSV-to-Parquet copy 17 s), most of it on thousands of warm library methods
# (Spark's planner, Janino, Parquet, serialisation) rather than the few hot loops. C2 therefore waits for
# four times its default call and loop counts before it compiles a method, and inlines less deeply.
# Measured one after the other (3 pairs, scripts/bench's cohort): `run` 212-253 -> 189-239 CPU s (-6% to
# -12%), wall -3% to -10%; `ingest` and the bare copy within their noise. Cluster executors live long
# enough that the defaults are right for them; the job does not add these there.
#
# Code that only plans and compiles queries (Janino, Spark's analyzer, optimizer and adaptive planner,
# closure cleaning, Java serialisation, ...) runs warm in every query but never long enough to repay
# C2: jit-directives.json keeps C2 off it, so C1 compiles it once and it stays so. With -XX:+CITime a
# `run` spent 52 s in C2 before (5.9 s of it on Janino) and 42 s after; three `run`s alternated with
# three without: 110.6 / 107.0 / 93.7 -> 108.6 / 104.4 / 94.7 s, 207 / 199 / 176 -> 203 / 194 / 175 CPU s;
# the bare copy, alternated likewise, 56 / 54 / 55 -> 54 / 55 / 54 CPU s. -DisplayVMOutput keeps HotSpot
# from printing "1 compiler directives added" on stdout, where `meta --format json` writes its result.
JIT_OPTS=(-XX:-DontCompileHugeMethods
  -XX:Tier4InvocationThreshold=20000 -XX:Tier4MinInvocationThreshold=2400
  -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=160000
  -XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000
  -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput
  -XX:CompilerDirectivesFile="$RUPTURE_HOME/scripts/lib/jit-directives.json")

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
