#!/usr/bin/env bash
# real.gcc — gcc -O2 compiling a large generated C file (4,500 lines: 300
# functions with structs, switches, string tables, calls between them and
# deliberate -Wall warnings; bigger gets slow under two recordings), plain, under memprof run and under memprof
# check (lib.sh says what is compared). The driver execs cc1 and as, each
# under memprof with a log of its own. Compared byte for byte: the object
# file (its sha256) and the warnings on stderr; stdout is empty.
# Usage: gcc.sh MEMPROF
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "$@"
rr_need gcc awk
FUNCS=300

awk -v N="$FUNCS" 'BEGIN {
    print "#include <stdio.h>\n#include <string.h>"
    for (i = 0; i < N; i++) {
        printf "struct rec%d { int id; double w[%d]; const char *name; struct rec%d *next; };\n", i, i % 7 + 1, i
        printf "static const char *const tab%d[] = {", i
        for (k = 0; k < 8; k++) printf "\"s%d_%d\", ", i, k
        print "0 };"
        printf "int fn%d(int x, char *buf, size_t n) {\n", i
        printf "    int unused%d = x;\n", i
        printf "    struct rec%d r = { x, { %d.5 }, tab%d[x & 7], 0 };\n", i, i, i
        printf "    switch (x %% 6) {\n"
        for (c = 0; c < 6; c++)
            printf "    case %d: r.id += snprintf(buf, n, \"%%s-%%d-%d\", r.name, x * %d); break;\n", c, c, i + c
        print "    }"
        if (i % 10) printf "    return r.id + (int)r.w[0] + (x > 1 ? fn%d(x / 2, buf, n) : 0);\n}\n", i - 1
        else print "    return r.id + (int)r.w[0];\n}"
    }
    print "int main(int argc, char **argv) {\n    char buf[64];\n    long t = 0;"
    for (i = 0; i < N; i += 37) printf "    t += fn%d(argc + %d, buf, sizeof buf);\n", i, i % 5
    print "    printf(\"%ld %s\\n\", t, buf);\n    return 0;\n}"
}' > "$RR_INPUT/big.c"
echo "big.c: $(wc -l < "$RR_INPUT/big.c") lines"

setup() { cp "$RR_INPUT/big.c" big.c; }

# The gcc driver never frees its specs, options and argument vectors (it
# exits right after its children): memprof check fails on them, and must
# list exactly what the log has live at exit.
#
# Known false finding: cc1's GC allocator (ggc-page.cc, push_by_depth via
# ggc_internal_alloc) grows its save_in_use array by doubling with xrealloc
# alongside the page table it indexes; the array holds NULL pointers until
# a PCH write, so at exit its pages are all zero, and bucket_retention
# reports it as a hollow 128 KiB table although it is in use and the heap
# is still at 80% of its peak (a hollow block is reported whether or not
# the heap fell far: analyzer/detect_bucket.c).
rr_case gcc --files big.o --supp "$RR_HERE/glibc.supp" \
    --leaky "the gcc driver keeps its specs and options until exit" \
    --known bucket_retention@xrealloc@cc1 \
    -- gcc -O2 -Wall -c big.c -o big.o
rr_done
