# Shared by scripts/bench and scripts/bench-ab (sourced, not executed).

# timed LOG COMMAND...: prints "wall cpu", the wall-clock and CPU (user + system) seconds of the command,
# JVM and Spark start included, alike for every contender; its output goes to LOG (shown when it fails).
timed() {
  local log="$1" TIMEFORMAT='%R %U %S' out
  shift
  out=$( { time "$@" >"$log" 2>&1 ; } 2>&1 ) || { tail -40 "$log" >&2; echo "failed: $*" >&2; exit 1; }
  awk '{printf "%.1f %.1f", $1, $2 + $3}' <<<"$out"
}

# median NUMBER...: the median of the numbers given.
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
