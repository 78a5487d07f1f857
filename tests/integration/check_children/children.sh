#!/usr/bin/env bash
# children.sh CASE MEMPROF BINDIR CHECKBINDIR [PYTHON3] — one
# integration.check.children_CASE test (../check_children.cmake): a run
# whose program forks (forker) or execs (execer running check/'s leaky)
# under `memprof check`, every log of the run checked.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
BINDIR=$(realpath "$3")
CHECKBIN=$(realpath "$4")
PY=${5:-}

NAME=children
# shellcheck source=tests/integration/check/lib.sh
. "$(dirname "$0")/../check/lib.sh"

# forker's figures: the parent's 100 bytes and the child's 2 x 64, each
# process named with its pid; the child is not the parent.
forker_said() {
    grep -q '228 bytes in 3 blocks leaked from 3 stacks' err || fail "no 228 bytes in 3 blocks"
    grep -q '^  2 processes:$' err || fail "processes not listed"
    parent=$(sed -n 's/^    pid \([0-9]*\) forker (the command): 100 bytes in 1 block leaked$/\1/p' err)
    child=$(sed -n 's/^    pid \([0-9]*\) forker: 128 bytes in 2 blocks leaked$/\1/p' err)
    [ -n "$parent" ] && [ -n "$child" ] && [ "$parent" != "$child" ] ||
        fail "parent ($parent) and child ($child) not told apart"
    grep -q "^  #1  100 bytes in 1 block definitely lost in pid $parent forker$" err ||
        fail "parent's leak"
    grep -q "^  #2  64 bytes in 1 block definitely lost in pid $child forker$" err ||
        fail "child's leak"
    grep -q 'child_leak (forker.c:' err || fail "child_leak not named"
}

case $case_name in
fork)
    check 3 -- "$BINDIR/forker"
    forker_said
    # The thresholds apply to the total of the processes.
    check 3 --max-leaked=227 -- "$BINDIR/forker"
    check 0 --max-leaked=228 -- "$BINDIR/forker"
    grep -q 'within the thresholds' err || fail "228 not within --max-leaked=228"
    if [ -n "$PY" ] && "$PY" -c 'import json' 2>/dev/null; then
        check 3 --json -- "$BINDIR/forker"
        "$PY" - out <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1]))
procs = doc["processes"]
assert len(procs) == 2 and procs[0]["pid"] != procs[1]["pid"], procs
assert [p["exe"].rsplit("/", 1)[-1] for p in procs] == ["forker", "forker"], procs
mine = [l for l in doc["leaks"] if l["suppressed_by"] is None]
by_pid = {}
for l in mine:
    by_pid[l["pid"]] = by_pid.get(l["pid"], 0) + l["bytes"]
assert by_pid == {procs[0]["pid"]: 100, procs[1]["pid"]: 128}, by_pid
assert doc["leaked"] == {"bytes": 228, "blocks": 3, "stacks": 3}, doc["leaked"]
PYEOF
    fi
    ;;
exec)
    check 3 -- "$BINDIR/execer" "$CHECKBIN/leaky"
    grep -q '300 bytes in 3 blocks leaked from 1 stack' err || fail "not leaky's 300 bytes alone"
    grep -q "^    pid [0-9]* execer (the command): exec'd another program" err ||
        fail "execer not said to have exec'd"
    grep -q '^  #1  300 bytes in 3 blocks definitely lost in pid [0-9]* leaky$' err ||
        fail "leaky not named"
    if grep -q before_exec err; then fail "execer's block held at exec counted"; fi
    ;;
log)
    # An older log with the name of a child's: not this run's, left out.
    "$MEMPROF" run -o old.mpz -- "$CHECKBIN/leaky" >/dev/null 2>&1
    check 3 -o run.mpz -- "$BINDIR/forker"
    forker_said
    ls run.mpz.[0-9]* >/dev/null 2>&1 || fail "-o kept no child log"
    cp -p old.mpz run.mpz.1
    check 3 run.mpz
    forker_said
    if grep -q leak_three err; then fail "an earlier run's log was checked"; fi
    ;;
script)
    # A shell running a tool: both leave their memory to exit, still
    # reachable (as memcheck says too): the check passes by default and
    # fails when still reachable blocks count. Without symbols, the rules
    # --gen-suppressions prints name their modules (not
    # __libc_start_call_main, which would suppress every leak), and they
    # make the check pass.
    check 0 -- sh -c 'ls / >/dev/null; true'
    grep -q '^    still reachable: [1-9][0-9]* bytes in [0-9]* blocks (not counted)$' err ||
        fail "the tools' blocks are not still reachable"
    check 3 --kinds=all --gen-suppressions -- sh -c 'ls / >/dev/null; true'
    grep -q '^    pid [0-9]* ls: [0-9]* bytes in' err || fail "ls's leaks not listed"
    grep '^leak:' err >gen.supp || fail "no rule printed"
    if grep -q 'libc_start' gen.supp; then fail "a rule for every stack: $(cat gen.supp)"; fi
    check 0 --kinds=all --suppressions gen.supp -- sh -c 'ls / >/dev/null; true'
    # They do not hide forker's leaks.
    check 3 --suppressions gen.supp -- "$BINDIR/forker"
    forker_said
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
