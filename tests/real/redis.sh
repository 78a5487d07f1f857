#!/usr/bin/env bash
# real.redis — redis-server (with 2 I/O threads, and its background
# threads) on a unix socket in the test's scratch directory (no TCP port),
# plain, under memprof run and under memprof check (lib.sh says what is
# compared). Only the server runs under memprof; its clients run plain:
#   1. redis-cli: strings, a 2,000-element list, a hash, a sorted set,
#      INCR, ranges — the replies are the transcript, byte for byte
#      (dump.rdb is not compared: it holds the time and memory in use);
#   2. redis-benchmark (6 tests, 5,000 requests each, 20 clients, 2
#      threads): it must complete every test; its rates are not
#      deterministic, so only the test names are kept (the normalisation);
#   3. BGSAVE: the server forks a child that writes dump.rdb and logs to
#      its own memprof log (<log>.<pid>, checked like every log); the
#      transcript says that the save succeeded and how many keys were in it;
#   4. FLUSHALL and SHUTDOWN NOSAVE: the server's exit status.
# Usage: redis.sh MEMPROF
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "$@"
rr_need redis-server redis-cli redis-benchmark

cli() { redis-cli -s "$RR_WORK/redis.sock" "$@"; }

# wait_for WHAT SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
    local what=$1 n=$(($2 * 10))
    shift 2
    while ! "$@" > /dev/null 2>&1; do
        n=$((n - 1))
        if [ $n -le 0 ]; then
            echo "timed out waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

pong() { [ "$(cli ping 2> /dev/null)" = PONG ]; }
saved() { cli info persistence | grep -q '^rdb_bgsave_in_progress:0'; }

session() {
    cat > redis.conf <<EOF
port 0
unixsocket $RR_WORK/redis.sock
unixsocketperm 700
dir $RR_WORK
logfile $RR_WORK/redis.log
dbfilename dump.rdb
save ""
appendonly no
daemonize no
io-threads 2
io-threads-do-reads yes
EOF
    "${RR_PRE[@]}" redis-server ./redis.conf &
    local pid=$! st=0
    if ! wait_for "the server" 60 pong; then
        kill "$pid" 2> /dev/null || true
        wait "$pid" || true
        return 1
    fi

    echo "-- commands"
    cli set greeting hello
    cli append greeting ,world
    cli get greeting
    # Bulk loads: the last reply of each (the list's length, ...).
    for i in $(seq 1 2000); do echo "RPUSH biglist item-$i-$((i * 7919 % 1000))"; done | cli | tail -n 1
    for i in $(seq 1 300); do echo "HSET h field$i $((i * i))"; done | cli | tail -n 1
    for i in $(seq 1 500); do echo "ZADD z $((i * 37 % 501)) m$i"; done | cli | tail -n 1
    for i in $(seq 1 100); do echo "INCRBY counter $i"; done | cli | tail -n 1
    cli lrange biglist 995 1004
    cli hlen h
    cli hget h field123
    cli zrange z 0 4 withscores
    cli zcard z
    cli ltrim biglist 0 99
    cli llen biglist
    cli dbsize

    echo "-- benchmark"
    local b=0
    redis-benchmark -s "$RR_WORK/redis.sock" -n 5000 -c 20 --threads 2 -q \
        -t set,get,incr,lpush,lpop,hset > bench.out 2> bench.err || b=$?
    echo "redis-benchmark exit $b"
    tr '\r' '\n' < bench.out | awk -F: '/requests per second/ { print $1 }'

    echo "-- bgsave"
    cli dbsize
    cli bgsave
    if wait_for "BGSAVE" 60 saved; then
        cli info persistence | grep -E '^rdb_last_bgsave_status:'
    fi
    # The child logs its own lines in the server's log file.
    grep -c 'DB saved on disk' redis.log || true
    grep -c 'Background saving terminated with success' redis.log || true

    echo "-- shutdown"
    cli flushall
    cli dbsize
    cli shutdown nosave > /dev/null 2>&1 || true
    # A server that does not go away is killed after a minute (its status
    # then shows it), rather than hanging the test until ctest's timeout.
    gone() { ! kill -0 "$pid" 2> /dev/null; }
    if ! wait_for "the server to exit" 60 gone; then
        kill -9 "$pid" 2> /dev/null || true
    fi
    wait "$pid" || st=$?
    return $st
}

# Under memprof check the server's leaks at exit are its own: redis frees
# neither its server struct, shared objects, command table nor client
# buffers when it shuts down (it exits right after).
rr_case redis --driver session --supp "$RR_HERE/glibc.supp" \
    --leaky "redis-server keeps its server state until exit"

# BGSAVE's child wrote a log of its own, as a child of the server, and
# exited 0 (the report JSONs lib.sh kept of every log, run and check).
for way in run check; do
    if ! python3 - "$RR_TMP"/redis.$way.redis.mpz*.json <<'PY'
import json, sys
logs = [json.load(open(p)) for p in sys.argv[1:]]
server = [r for r in logs if r["log"].endswith("redis.mpz")]
kids = [r for r in logs if server and r["process"]["ppid"] == server[0]["process"]["pid"]]
ok = [r for r in kids if r["end"] == {"reason": "exit", "status": 0} and r["summary"]["events"] > 0]
print("  BGSAVE child logs: %s" % ", ".join("%s (pid %d, %d events, %s)" % (
    r["log"].rsplit("/", 1)[-1], r["process"]["pid"], r["summary"]["events"], r["end"]) for r in kids))
sys.exit(0 if len(server) == 1 and len(ok) == 1 else 1)
PY
    then
        rr_fail "redis/$way: no log of the BGSAVE child (a child of the server that exited 0)"
    fi
done
rr_done
