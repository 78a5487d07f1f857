/*
 * replay_prog.c — a program whose heap the test knows exactly, for
 * integration.replay (replay.sh):
 *
 *   leak_small   25 × malloc(40), never freed
 *   leak_big      3 × malloc(100000), never freed (large objects)
 *   temps      1000 × malloc(64), each freed before the next allocation:
 *                   temporary allocations
 *   peak_up     200 × malloc(5000), all live at once, then freed in order
 *   grow          malloc(16) then 10 reallocs doubling it to 16384, freed
 *
 * So the log holds 1229 allocations, 10 reallocs and 1201 frees; at exit
 * 28 blocks of 25×40 + 3×100000 = 301000 bytes are live; the heap peaks at
 * 1000 + 300000 + 200×5000 = 1301000 bytes with peak_up's last allocation.
 * Temporary allocations: temps' 1000, plus peak_up's last block and grow's
 * last (each freed with no allocation after it: docs/analysis.md), 1002.
 *
 * It sleeps 30 ms between phases so that the shim's writer (flush_ms=5)
 * puts them in several chunks. No stdio, no other allocation (the helpers
 * of ../record/rec_prog.h); writes the functions' address ranges to
 * argv[1] and "done" to stdout.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

static void *small[25], *big[3], *blocks[200];
static void *volatile sink; /* keeps malloc/free pairs from being elided */

static void pause_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

REC_FN(leak_small) void leak_small(void)
{
    for (int i = 0; i < 25; i++) {
        small[i] = malloc(40);
        if (!small[i])
            abort();
        memset(small[i], 's', 40);
    }
}
REC_RANGE(leak_small);

REC_FN(leak_big) void leak_big(void)
{
    for (int i = 0; i < 3; i++) {
        big[i] = malloc(100000);
        if (!big[i])
            abort();
        memset(big[i], 'b', 100000);
    }
}
REC_RANGE(leak_big);

REC_FN(temps) void temps(void)
{
    for (int i = 0; i < 1000; i++) {
        void *p = malloc(64);
        if (!p)
            abort();
        memset(p, 't', 64);
        sink = p;
        free(sink);
    }
}
REC_RANGE(temps);

REC_FN(peak_up) void peak_up(void)
{
    for (int i = 0; i < 200; i++) {
        blocks[i] = malloc(5000);
        if (!blocks[i])
            abort();
        memset(blocks[i], 'p', 5000);
    }
}
REC_RANGE(peak_up);

REC_FN(grow) void *grow(void)
{
    size_t size = 16;
    void *p = malloc(size);
    if (!p)
        abort();
    for (int i = 0; i < 10; i++) {
        size *= 2;
        void *q = realloc(p, size);
        if (!q)
            abort();
        p = q;
        memset(p, 'g', size);
    }
    sink = p;
    return p;
}
REC_RANGE(grow);

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: replay_prog RANGES_FILE\n");
        return 2;
    }
    leak_small();
    pause_ms(30);
    leak_big();
    pause_ms(30);
    temps();
    pause_ms(30);
    peak_up();
    for (int i = 0; i < 200; i++)
        free(blocks[i]);
    pause_ms(30);
    free(grow());
    pause_ms(30);

    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "replay_prog: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "leak_small", REC_LO(leak_small), REC_HI(leak_small));
    rec_range_write(fd, "leak_big", REC_LO(leak_big), REC_HI(leak_big));
    rec_range_write(fd, "temps", REC_LO(temps), REC_HI(temps));
    rec_range_write(fd, "peak_up", REC_LO(peak_up), REC_HI(peak_up));
    rec_range_write(fd, "grow", REC_LO(grow), REC_HI(grow));
    close(fd);
    rec_printf(1, "done\n");
    return 0;
}
