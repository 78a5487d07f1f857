#!/usr/bin/env bash
# integration.real.sqlite3 — the sqlite3 shell with the shim as its malloc.
#
# Compares, plain vs preloaded (see lib.sh): output and exit status of
#   1. loading a file database: 2,000 customers and 20,000 orders inserted
#      one statement each inside a transaction, then indexes;
#   2. reopening it: aggregates, joins, window functions, a recursive CTE,
#      updates, deletes, VACUUM, integrity_check and a hash of the content;
#   3. an in-memory database of 200,000 generated rows: sorts, GROUP BY,
#      DISTINCT, an index build, json functions, big strings.
# Usage: sqlite3.sh /path/to/libmemprof.so
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
mp_real_init "$@"
mp_need sqlite3 awk

SQLITE3=$(command -v sqlite3)

# Input generated once, not preloaded. Notes vary in length (0..700 bytes)
# so rows and the page cache exercise many size classes.
awk 'BEGIN {
    print "PRAGMA journal_mode=DELETE;"
    print "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, tier INTEGER);"
    print "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), amount REAL, qty INTEGER, note TEXT);"
    print "BEGIN;"
    split("Oslo Lima Kyiv Rome Pune Cork Baku Nice Bonn Riga", city, " ")
    for (i = 1; i <= 2000; i++)
        printf "INSERT INTO customers VALUES(%d, \047customer-%05d\047, \047%s\047, %d);\n", i, (i * 7919) % 100000, city[i % 10 + 1], i % 4
    for (i = 1; i <= 20000; i++) {
        n = (i * 37) % 700
        note = ""
        for (j = 0; j < n; j += 10) note = note sprintf("%010d", (i * 131 + j) % 9999999999)
        printf "INSERT INTO orders VALUES(%d, %d, %d.%02d, %d, \047%s\047);\n", i, (i * 613) % 2000 + 1, (i * 37) % 1000, i % 100, i % 17 + 1, note
    }
    print "COMMIT;"
    print "CREATE INDEX orders_customer ON orders(customer_id);"
    print "CREATE INDEX orders_amount ON orders(amount DESC, id);"
    print "SELECT count(*), sum(qty), round(sum(amount), 2), sum(length(note)) FROM orders;"
}' > "$MP_INPUT/load.sql"

cat > "$MP_INPUT/query.sql" <<'SQL'
.headers on
.mode list
SELECT count(*) AS customers FROM customers;
SELECT city, count(*) AS n, round(sum(o.amount), 2) AS total, max(o.qty) AS maxq
  FROM customers c JOIN orders o ON o.customer_id = c.id
  GROUP BY city ORDER BY total DESC;
SELECT c.name, count(o.id) AS orders, round(avg(o.amount), 3) AS avg_amount
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id ORDER BY orders DESC, c.name LIMIT 10;
SELECT tier, count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE amount > 900) GROUP BY tier;
SELECT id, amount, rank() OVER (PARTITION BY qty ORDER BY amount DESC, id) AS r
  FROM orders WHERE qty = 3 ORDER BY r LIMIT 8;
SELECT customer_id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS running
  FROM orders WHERE id % 1000 = 7;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 60)
  SELECT n, a FROM fib WHERE n % 10 = 0;
SELECT group_concat(name, ',') FROM (SELECT name FROM customers WHERE tier = 3 ORDER BY name LIMIT 40);
SELECT substr(note, 1, 20), length(note) FROM orders ORDER BY length(note) DESC, id LIMIT 5;
BEGIN;
UPDATE orders SET note = note || note WHERE id % 7 = 0;
DELETE FROM orders WHERE amount < 250;
DELETE FROM customers WHERE id NOT IN (SELECT customer_id FROM orders);
COMMIT;
SELECT changes(), total_changes();
SELECT count(*), round(sum(amount), 2), sum(length(note)) FROM orders;
SELECT count(*) FROM customers;
VACUUM;
PRAGMA integrity_check;
PRAGMA page_count;
SELECT count(*) FROM orders INDEXED BY orders_customer WHERE customer_id BETWEEN 100 AND 200;
.sha3sum
SQL

cat > "$MP_INPUT/memory.sql" <<'SQL'
CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT);
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 200000)
  INSERT INTO t SELECT x, (x * 7919) % 100003, printf('%08d-%s', (x * 104729) % 1000003, substr('abcdefghijklmnop', x % 16 + 1)) FROM s;
SELECT count(*), count(DISTINCT b), sum(length(c)), min(c), max(c) FROM t;
SELECT c FROM t ORDER BY c DESC LIMIT 3;
SELECT b % 100 AS k, count(*), sum(a) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 5;
CREATE INDEX t_c ON t(c);
SELECT count(*) FROM t WHERE c BETWEEN '00100000' AND '00200000';
SELECT length(group_concat(c, '')) FROM t WHERE a % 3 = 0;
SELECT json_array_length(json_group_array(json_object('a', a, 'c', c))) FROM t WHERE a <= 50000;
SELECT length(replace(hex(zeroblob(100000)), '00', 'xyz'));
DELETE FROM t WHERE a % 2 = 0;
SELECT count(*), sum(b) FROM t;
SQL

workload() {
    mp_step "$SQLITE3" -batch -bail db.sqlite < "$MP_INPUT/load.sql"
    mp_step "$SQLITE3" -batch db.sqlite < "$MP_INPUT/query.sql"
    mp_step "$SQLITE3" -batch :memory: < "$MP_INPUT/memory.sql"
    # The file the preloaded sqlite3 wrote, checked by the same kind of run.
    mp_step "$SQLITE3" -batch db.sqlite 'PRAGMA integrity_check; SELECT count(*) FROM orders;'
}
mp_compare workload
