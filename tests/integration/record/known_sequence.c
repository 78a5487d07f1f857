/*
 * known_sequence.c — an exact, known sequence of heap calls, for
 * integration.record.known_sequence:
 *
 *   leak_a   1000 × malloc(100)
 *   leak_b     50 × calloc(10, 16)
 *   grow_c      1 × malloc(16), then 10 × realloc doubling it to 16384
 *   main     frees every leak_a block but 10 (i % 100 == 0) and every
 *            leak_b block but 5 (i % 10 == 0); grow_c's block is kept
 *
 * So the log holds 1051 ALLOC, 10 REALLOC and 1035 FREE events, and at exit
 * 16 blocks of 10×100 + 5×160 + 16384 = 18184 bytes are live. The program
 * makes no other allocation (no stdio): it writes the address ranges of
 * leak_a, leak_b, grow_c and main to the file named by argv[1] (checklog
 * --ranges), and "done" to stdout.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <stdlib.h>

#define N_A 1000
#define N_B 50
#define N_C 10

static void *blocks_a[N_A];
static void *blocks_b[N_B];
static void *block_c;

REC_FN(leak_a) void leak_a(void)
{
    for (int i = 0; i < N_A; i++) {
        blocks_a[i] = malloc(100);
        if (!blocks_a[i])
            abort();
        memset(blocks_a[i], 'a', 100);
    }
}
REC_RANGE(leak_a);

REC_FN(leak_b) void leak_b(void)
{
    for (int i = 0; i < N_B; i++) {
        blocks_b[i] = calloc(10, 16);
        if (!blocks_b[i])
            abort();
    }
}
REC_RANGE(leak_b);

REC_FN(grow_c) void grow_c(void)
{
    size_t size = 16;
    block_c = malloc(size);
    if (!block_c)
        abort();
    for (int i = 0; i < N_C; i++) {
        size *= 2;
        void *p = realloc(block_c, size);
        if (!p)
            abort();
        block_c = p;
        memset(block_c, 'c', size);
    }
}
REC_RANGE(grow_c);

REC_RANGE(main);

REC_FN(main) int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: known_sequence RANGES_FILE\n");
        return 2;
    }
    leak_a();
    leak_b();
    grow_c();
    for (int i = 0; i < N_A; i++)
        if (i % 100 != 0)
            free(blocks_a[i]);
    for (int i = 0; i < N_B; i++)
        if (i % 10 != 0)
            free(blocks_b[i]);

    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "known_sequence: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "leak_a", REC_LO(leak_a), REC_HI(leak_a));
    rec_range_write(fd, "leak_b", REC_LO(leak_b), REC_HI(leak_b));
    rec_range_write(fd, "grow_c", REC_LO(grow_c), REC_HI(grow_c));
    rec_range_write(fd, "main", REC_LO(main), REC_HI(main));
    close(fd);
    rec_printf(1, "done\n");
    return 0;
}
