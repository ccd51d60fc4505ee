# Steps with durations, shared by tools/stack-up (through stack-lib.sh) and
# tools/k8s-deploy (sourced). Each step's output goes to its own log under
# $logs, which the sourcing script sets; the console shows a line when a step
# starts and one when it ends; steps_summary prints them all with a total.
declare -A job_pids=()
step_lines=()
steps_begin() {
  mkdir -p "$logs"; t_begin=$EPOCHREALTIME
  # A failing step ends the run: the steps still running in parallel go too.
  trap '((${#job_pids[@]})) && kill "${job_pids[@]}" 2>/dev/null; true' EXIT
}
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }
step_log() { local s="${1,,}"; s="${s//[^a-z0-9]/-}"; echo "$logs/${s:0:60}.log"; }

# start_job NAME CMD...: run CMD (a command or a function) in the background.
start_job() {
  local name="$1" log; shift
  log="$(step_log "$name")"
  say "… $name"
  rm -f "$log.result"
  # The inner subshell: a function that calls die still gets its duration recorded.
  ( t0=$EPOCHREALTIME; rc=0; ( "$@" ) >"$log" 2>&1 </dev/null || rc=$?
    echo "$rc $(secs_since "$t0")" >"$log.result"; exit "$rc" ) &
  job_pids[$name]=$!
}

# wait_job NAME: wait for it, record its duration, stop everything if it failed.
wait_job() {
  local name="$1" log rc secs
  log="$(step_log "$name")"
  wait "${job_pids[$name]}" 2>/dev/null || true
  unset "job_pids[$name]"
  read -r rc secs <"$log.result" 2>/dev/null || { rc=1; secs=?; }
  step_lines+=("$(printf '%7s s  %s' "$secs" "$name")")
  if [[ "$rc" != 0 ]]; then
    tail -n 80 "$log" >&2
    kill "${job_pids[@]}" 2>/dev/null || true
    die "$name failed (exit $rc; log: $log)"
  fi
  say "✓ $name: $secs s"
}
wait_jobs() { local n; for n in "${!job_pids[@]}"; do wait_job "$n"; done; }
run_step() { start_job "$@"; wait_job "$1"; }

steps_summary() {
  echo
  echo "${0##*/} steps (parallel steps overlap; logs in $logs):"
  printf '%s\n' "${step_lines[@]}"
  printf '%7s s  total\n' "$(secs_since "$t_begin")"
}
