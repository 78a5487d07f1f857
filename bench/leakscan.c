/*
 * leakscan.c — a heap for timing memprof's leak scan at exit
 * (bench/run-check.sh): what the scan costs per live block and per GiB.
 *
 *   bench_leakscan blocks N [SIZE]   N blocks of SIZE bytes (default 64) in a
 *                                    linked list kept by a global: every
 *                                    block is reached and read
 *   bench_leakscan large MIB         MIB blocks of 1 MiB, each filled with
 *                                    data (no pointers), kept by a global
 *                                    table: the scan reads every byte
 *
 * Half of the list's blocks of `blocks` are also linked from the block
 * before them, the other half lost, so the mark phase and the cliques both
 * have work. Prints: result blocks=<n> bytes=<n>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct node *next;
};

struct node *list_head;     /* the reachable list */
static void **table;        /* large blocks */

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    unsigned long n = strtoul(argv[2], NULL, 10);
    if (!strcmp(argv[1], "blocks")) {
        size_t size = argc > 3 ? strtoul(argv[3], NULL, 10) : 64;
        struct node *lost = NULL;
        for (unsigned long i = 0; i < n; i++) {
            struct node *b = calloc(1, size < sizeof *b ? sizeof *b : size);
            if (!b)
                return 1;
            if (i & 1) {
                b->next = lost; /* a lost list: 1 definite, the rest indirect */
                lost = b;
            } else {
                b->next = list_head;
                list_head = b;
            }
        }
        lost = NULL;
        printf("result blocks=%lu bytes=%lu\n", n, (unsigned long)(n * size));
    } else if (!strcmp(argv[1], "large")) {
        table = calloc(n ? n : 1, sizeof *table);
        for (unsigned long i = 0; i < n; i++) {
            table[i] = malloc(1 << 20);
            if (!table[i])
                return 1;
            memset(table[i], 0x5a, 1 << 20);
        }
        printf("result blocks=%lu bytes=%lu\n", n, n << 20);
    } else {
        return 2;
    }
    return 0;
}
