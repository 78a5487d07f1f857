#!/usr/bin/env bash
# integration.fault.<what>: see ../fault.cmake and docs/hardening.md.
#
#   fault.sh WHAT SHIM MEMPROF FAULT_PROG
#
# reserve|release|write: a first run with the fault armed far away says how
# many such calls the run makes (the shim's "fault_X=N not reached: the run
# made M such calls"); then one run per N = 1..M with the Nth call failing
# (past N = 25, 25 values of N spread evenly up to M).
# Each run must print the program's line and exit 0 (fault_prog itself
# checks every block and every NULL), say at most one `memprof:` line, and
# leave a log that `memprof dump` decodes as far as it goes. For write
# faults the log must stop exactly before the failed write: N-2 whole
# chunks (the file header is write 1), no END.
# sigalrm|sigfork|threads: a few runs each; output, status and log checked.
# Every run is limited to 60 s (timeout): a hang fails the test.
set -u
what=$1 shim=$2 cli=$3 prog=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() {
  echo "FAIL ($what): $*" >&2
  [ -f "$T/err" ] && sed 's/^/  stderr: /' "$T/err" | head -20 >&2
  exit 1
}

# run OPTS MODE: fault_prog MODE under the shim; rc, stdout in $T/out,
# stderr in $T/err.
run() {
  rc=0
  timeout -k 5 60 env LD_PRELOAD="$shim" MEMPROF_OPTIONS="$1" "$prog" "$2" \
    > "$T/out" 2> "$T/err" || rc=$?
  if [ $rc = 124 ] || [ $rc = 137 ]; then fail "hung (MEMPROF_OPTIONS=$1 $2)"; fi
}

# check_run MODE LOG DESC: the program unharmed, at most one message, the
# log decodable as far as it goes.
check_run() {
  local mode=$1 log=$2 desc=$3 msgs
  [ $rc = 0 ] || fail "$desc: exit status $rc"
  [ "$(cat "$T/out")" = "fault_prog $mode: ok" ] || fail "$desc: stdout '$(cat "$T/out")'"
  msgs=$(grep -c '^memprof:' "$T/err")
  [ "$msgs" -le 1 ] || fail "$desc: $msgs memprof: messages, at most one expected"
  if [ -s "$log" ]; then
    local drc=0
    "$cli" dump "$log" > "$T/dump" 2> "$T/dump.err" || drc=$?
    [ $drc -le 1 ] || fail "$desc: memprof dump could not decode the log: $(cat "$T/dump.err")"
    grep -q '^# chunk ' "$T/dump" && ! grep -q '^PROCESS ' "$T/dump" &&
      fail "$desc: the log has chunks but no PROCESS record"
  fi
}

# calls KEY MODE: how many calls of this kind a run makes.
calls() {
  run "mode=full:log=$T/probe.mpz:scavenge_delay_ms=0:flush_ms=1:$1=1000000" "$2"
  check_run "$2" "$T/probe.mpz" "probe"
  sed -n "s/^memprof: $1=1000000 not reached: the run made \([0-9]*\) such calls$/\1/p" \
      "$T/err"
}

loop() {
  local key=$1 mode=$2 m fired=0
  m=$(calls "$key" "$mode")
  [ -n "$m" ] && [ "$m" -ge 1 ] || fail "the probe run made no $key calls (stderr: $(cat "$T/err"))"
  # Every N up to 25; past that (release: each freed span is one madvise,
  # hundreds per run) 25 more spread evenly up to M, so the test stays
  # within half a minute.
  local ns
  ns=$( (seq 1 $((m < 25 ? m : 25)); [ "$m" -gt 25 ] && seq 26 $(( (m - 25 + 24) / 25 )) "$m") | sort -nu)
  for n in $ns; do
    local log=$T/n$n.mpz
    run "mode=full:log=$log:scavenge_delay_ms=0:flush_ms=1:$key=$n" "$mode"
    check_run "$mode" "$log" "$key=$n"
    grep -q "^memprof: $key=$n not reached" "$T/err" || fired=$((fired + 1))
    if [ "$key" = fault_write ] && ! grep -q "not reached" "$T/err"; then
      grep -q "^memprof: cannot write the log .* recording stopped; the program runs on$" \
        "$T/err" || fail "$key=$n: no message that recording stopped"
      if [ "$n" = 1 ]; then
        [ ! -s "$log" ] || fail "$key=1: the file header failed, yet the log holds bytes"
      else
        local chunks
        chunks=$(grep -c '^# chunk ' "$T/dump")
        [ "$chunks" = $((n - 2)) ] || fail "$key=$n: $chunks chunks decoded, $((n - 2)) expected"
        ! grep -q '^END ' "$T/dump" || fail "$key=$n: an END record after the failed write"
      fi
    fi
    rm -f "$T"/n*.mpz*
  done
  [ $fired -ge 1 ] || fail "no $key fault fired in $m runs"
  echo "$what: the run makes $m such calls; $(echo $ns | wc -w) runs, a fault injected in" \
       "$fired, every one survived"
}

case $what in
  reserve) loop fault_reserve alloc ;;
  release) loop fault_release alloc ;;
  write) loop fault_write alloc ;;
  sigalrm|sigfork|threads)
    # Run 1 without recording (the heap alone), runs 2 and 3 recording.
    for i in 1 2 3; do
      opts="mode=full:log=$T/s$i.mpz:flush_ms=1"
      [ $i = 1 ] && opts=mode=off
      run "$opts" "$what"
      check_run "$what" "$T/s$i.mpz" "run $i ($opts)"
      grep -q '^memprof:' "$T/err" && fail "run $i: a memprof: message"
      [ $i = 1 ] || grep -q '^END ' "$T/dump" || fail "run $i: the log has no END record"
    done
    echo "$what: 3 runs (1 heap only, 2 recording), output and logs right" ;;
  *) echo "fault.sh: unknown case $what" >&2; exit 2 ;;
esac
