#!/usr/bin/env bash
# real.sqlite3 — the sqlite3 shell: 10^5 INSERT statements in one
# transaction into a file database, an index, queries (aggregates, a join,
# a window function, a range through the index), deleting a third, VACUUM
# and integrity_check; plain, under memprof run and under memprof check
# (lib.sh says what is compared). Output is deterministic: compared byte
# for byte, and so is the database file it leaves.
# Usage: sqlite3.sh MEMPROF
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "$@"
rr_need sqlite3 awk

# The SQL is generated once, outside every run.
# synchronous=OFF: no fsync, the test is about memory, not the disk.
awk 'BEGIN {
    print "PRAGMA synchronous=OFF;"
    print "CREATE TABLE item(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, price REAL, note TEXT);"
    print "CREATE TABLE grp(id INTEGER PRIMARY KEY, label TEXT);"
    print "BEGIN;"
    for (g = 0; g < 100; g++)
        printf "INSERT INTO grp VALUES(%d, \047group-%02d\047);\n", g, g
    for (i = 1; i <= 100000; i++) {
        n = (i * 37) % 120
        printf "INSERT INTO item VALUES(%d, %d, \047item-%06d\047, %d.%02d, \047%s\047);\n",
            i, (i * 7919) % 100, (i * 104729) % 1000000, (i * 13) % 500, i % 100,
            substr("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn", 1, n)
    }
    print "COMMIT;"
}' > "$RR_INPUT/load.sql"
cat >> "$RR_INPUT/load.sql" <<'SQL'
CREATE INDEX item_name ON item(name);
CREATE INDEX item_grp_price ON item(grp, price);
SELECT count(*), sum(grp), round(sum(price), 2), sum(length(note)) FROM item;
SELECT g.label, count(*), round(avg(i.price), 3), max(i.name)
  FROM item i JOIN grp g ON g.id = i.grp GROUP BY g.id ORDER BY count(*) DESC, g.id LIMIT 5;
SELECT id, name FROM item WHERE name BETWEEN 'item-500000' AND 'item-500100' ORDER BY name;
SELECT grp, id, price, rank() OVER (PARTITION BY grp ORDER BY price DESC, id) AS r
  FROM item WHERE grp IN (3, 42) ORDER BY grp, r LIMIT 6;
SELECT count(*) FROM item INDEXED BY item_grp_price WHERE grp = 7 AND price > 250;
DELETE FROM item WHERE id % 3 = 0;
SELECT changes();
VACUUM;
PRAGMA integrity_check;
SELECT count(*), round(sum(price), 2) FROM item;
SQL

setup() { cp "$RR_INPUT/load.sql" load.sql; }

rr_case sqlite3 --files db.sqlite --supp "$RR_HERE/glibc.supp" -- sqlite3 -batch -bail db.sqlite ".read load.sql"
rr_done
