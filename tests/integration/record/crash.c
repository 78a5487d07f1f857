/*
 * crash.c — allocates known blocks, then takes a SIGSEGV, for
 * integration.record.sigsegv and integration.record.sigsegv_recover:
 *
 *     crash RANGES_FILE [die|abort|handler|recover]
 *
 * Writes known_blocks' and after_recover's ranges to RANGES_FILE, allocates
 * 20 blocks of 64 bytes in known_blocks() (kept), then at once — well
 * within the writer's flush period — stores through a null pointer. Then:
 *   die      (default) no handler: the process dies of SIGSEGV.
 *   abort    no handler, and abort() instead of the store: SIGABRT.
 *   handler  a SIGSEGV handler installed with sigaction prints
 *            "caught 11" and calls _exit(42).
 *   recover  the handler siglongjmps back; the program then allocates 10
 *            blocks of 32 bytes in after_recover() (kept), prints
 *            "recovered" and exits 0 — as programs that use SIGSEGV on
 *            purpose (garbage collectors, JIT runtimes) do.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>

static void *blocks[20];
static void *later[10];
static sigjmp_buf back;

REC_RANGE(known_blocks);
REC_RANGE(after_recover);

REC_FN(known_blocks) void known_blocks(void)
{
    for (int i = 0; i < 20; i++) {
        blocks[i] = malloc(64);
        if (!blocks[i])
            abort();
    }
}

REC_FN(after_recover) void after_recover(void)
{
    for (int i = 0; i < 10; i++) {
        later[i] = malloc(32);
        if (!later[i])
            abort();
    }
}

static void on_segv_exit(int sig)
{
    rec_printf(1, "caught %d\n", sig);
    _exit(42);
}

static void on_segv_recover(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        rec_printf(2, "usage: crash RANGES_FILE [die|abort|handler|recover]\n");
        return 2;
    }
    const char *mode = argc > 2 ? argv[2] : "die";
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "crash: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "known_blocks", REC_LO(known_blocks), REC_HI(known_blocks));
    rec_range_write(fd, "after_recover", REC_LO(after_recover), REC_HI(after_recover));
    close(fd);

    if (strcmp(mode, "die") != 0 && strcmp(mode, "abort") != 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = strcmp(mode, "handler") == 0 ? on_segv_exit : on_segv_recover;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_NODEFER;
        if (sigaction(SIGSEGV, &sa, NULL) != 0)
            return 1;
    }
    known_blocks();
    if (strcmp(mode, "abort") == 0)
        abort();
    volatile int *volatile null = NULL; /* a real store, not one the compiler drops or traps */
    if (sigsetjmp(back, 1) == 0) {
        *null = 1;
        rec_printf(2, "crash: the store through NULL did not fault\n");
        return 1;
    }
    after_recover();
    rec_printf(1, "recovered\n");
    return 0;
}
