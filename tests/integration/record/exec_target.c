/*
 * exec_target.c — what exec_child execs in integration.record.exec_child:
 *
 *     exec_target RANGES_FILE
 *
 * Allocates 40 blocks of 80 bytes in target_work(), frees 15, writes
 * target_work's range to RANGES_FILE and "target pid=PID" to stdout, and
 * exits 0.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <stdlib.h>

static void *blocks[40];

REC_RANGE(target_work);

REC_FN(target_work) void target_work(void)
{
    for (int i = 0; i < 40; i++) {
        blocks[i] = malloc(80);
        if (!blocks[i])
            abort();
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: exec_target RANGES_FILE\n");
        return 2;
    }
    target_work();
    for (int i = 0; i < 15; i++)
        free(blocks[i]);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "exec_target: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "target_work", REC_LO(target_work), REC_HI(target_work));
    close(fd);
    rec_printf(1, "target pid=%d\n", (int)getpid());
    return 0;
}
