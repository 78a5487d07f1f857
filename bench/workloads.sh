# bench/workloads.sh — the recording workloads of run-record.sh and
# run-report.sh (sourced). The caller sets REPO, BIN, RAW (a scratch
# directory) and WANT (the names to run), then calls define_workloads,
# which fills WORKLOADS with "name|label|environment|command|stdin" rows:
#   deepstack1   bench_deepstack 1: allocations from 5..15-frame call chains
#   deepstack2   bench_deepstack 2: the same with 2 threads, cross-thread frees
#   python       bench/record_py.py, PYTHONMALLOC=malloc PYTHONHASHSEED=0
#   sqlite       10^5 INSERTs in one transaction, 2 indexes, a few queries,
#                into an in-memory database
# A workload whose program is missing is left out with a message.

define_workloads() {
    PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)}
    SQLITE=$(command -v sqlite3 || true)
    # The SQL script: deterministic, 10^5 rows in one transaction.
    SQL=$RAW/insert.sql
    awk 'BEGIN {
        print "CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, grp INTEGER, score REAL, note TEXT);"
        print "BEGIN;"
        s = 12345
        for (i = 1; i <= 100000; i++) {
            s = (s * 1103515245 + 12345) % 2147483648
            g = s % 97
            printf "INSERT INTO item(name, grp, score, note) VALUES(\047item-%06d-%x\047, %d, %.2f, \047note %d for group %d\047);\n", i, s, g, (s % 100000) / 100.0, s % 1000, g
        }
        print "COMMIT;"
        print "CREATE INDEX item_grp ON item(grp, score);"
        print "CREATE INDEX item_name ON item(name);"
        print "SELECT grp, count(*), round(avg(score), 2) FROM item GROUP BY grp ORDER BY 3 DESC LIMIT 3;"
        print "SELECT count(*) FROM item WHERE name LIKE \047%-7%\047;"
        print "SELECT name, score FROM item WHERE grp = 42 ORDER BY score DESC LIMIT 3;"
        print "SELECT count(DISTINCT note) FROM item;"
        print "UPDATE item SET score = score + 1 WHERE grp < 10;"
        print "DELETE FROM item WHERE grp > 90;"
        print "SELECT count(*), round(sum(score), 2) FROM item;"
    }' >"$SQL"
    local all=(
        "deepstack1|deepstack, 1 thread||$BIN/bench_deepstack 1|/dev/null"
        "deepstack2|deepstack, 2 threads, cross frees||$BIN/bench_deepstack 2|/dev/null"
        "python|python3 (PYTHONMALLOC=malloc)|PYTHONMALLOC=malloc PYTHONHASHSEED=0|$PYTHON $REPO/bench/record_py.py|/dev/null"
        "sqlite|sqlite3, 10^5 inserts||$SQLITE :memory:|$SQL"
    )
    WORKLOADS=()
    local wl w
    for wl in "${all[@]}"; do
        w=${wl%%|*}
        case " $WANT " in *" $w "*) ;; *) continue ;; esac
        case $w in
        python) if [ -z "$PYTHON" ] || [ ! -x "$PYTHON" ]; then say "python3 not found: skipping the python workload"; continue; fi ;;
        sqlite) if [ -z "$SQLITE" ]; then say "sqlite3 not found (apt-get install sqlite3): skipping the sqlite workload"; continue; fi ;;
        esac
        WORKLOADS+=("$wl")
    done
    [ ${#WORKLOADS[@]} -gt 0 ] || { say "no workload to run (WORKLOADS=$WANT)"; exit 2; }
}
