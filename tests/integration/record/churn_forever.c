/*
 * churn_forever.c — allocates and frees without end, for
 * integration.record.sigkill:
 *
 *     churn_forever RANGES_FILE
 *
 * Writes churn's range to RANGES_FILE, prints "running" once the first
 * 10,000 allocations are made, and loops until killed: churn() allocates
 * blocks of 16..4096 bytes into a window of 1024 slots, freeing the block
 * it replaces, and keeps every 1000th forever (a slow leak).
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <stdlib.h>

static void *window[1024];

REC_RANGE(churn);

REC_FN(churn) void *churn(unsigned long i)
{
    void *p = malloc(16 + (i * 2654435761u) % 4081);
    if (!p)
        abort();
    memset(p, (int)i, 16);
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: churn_forever RANGES_FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "churn_forever: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "churn", REC_LO(churn), REC_HI(churn));
    close(fd);
    for (unsigned long i = 0;; i++) {
        void **slot = &window[i % 1024];
        if (i % 1000 != 0)
            free(*slot); /* every 1000th block is left behind */
        *slot = churn(i);
        if (i == 10000)
            rec_printf(1, "running\n");
    }
}
