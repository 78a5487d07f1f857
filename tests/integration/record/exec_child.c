/*
 * exec_child.c — allocates, then execs another program, for
 * integration.record.exec_child:
 *
 *     exec_child RANGES_FILE PROGRAM [ARGS...]
 *
 * Writes before_exec's range to RANGES_FILE and "pid=PID" to stdout,
 * allocates 25 blocks of 48 bytes in before_exec() (kept), then execs
 * PROGRAM with ARGS (same pid, same environment: the shim is preloaded
 * into the new image too). Exits 127 if the exec fails.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <stdlib.h>

static void *blocks[25];

REC_RANGE(before_exec);

REC_FN(before_exec) void before_exec(void)
{
    for (int i = 0; i < 25; i++) {
        blocks[i] = malloc(48);
        if (!blocks[i])
            abort();
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        rec_printf(2, "usage: exec_child RANGES_FILE PROGRAM [ARGS...]\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "exec_child: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "before_exec", REC_LO(before_exec), REC_HI(before_exec));
    close(fd);
    rec_printf(1, "pid=%d\n", (int)getpid());
    before_exec(); /* just before exec: only an exec hook gets these into the log */
    execv(argv[2], argv + 2);
    rec_printf(2, "exec_child: cannot exec %s\n", argv[2]);
    return 127;
}
