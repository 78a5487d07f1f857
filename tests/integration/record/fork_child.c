/*
 * fork_child.c — a parent that forks a child which allocates and exits,
 * for integration.record.fork_child:
 *
 *     fork_child RANGES_FILE
 *
 * The parent starts a thread that allocates and frees in busy_work() all
 * the time (so the fork lands in the middle of recording), allocates 20
 * blocks of 64 bytes in parent_work() and keeps them, then forks. The child
 * allocates 30 blocks of 200 bytes in child_work(), frees 10 of them and 5
 * of the parent's blocks (made before it existed: not in its log), and
 * exits with exit(0). The parent waits for it, stops the thread and prints
 * "parent=PID child=PID" on stdout; the ranges of the three functions go
 * to RANGES_FILE.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

static void *parent_blocks[20];
static void *child_blocks[30];
static int stop;

REC_RANGE(busy_work);
REC_RANGE(parent_work);
REC_RANGE(child_work);

REC_FN(busy_work) void *busy_work(unsigned i)
{
    void *p = malloc(32 + i % 64);
    if (!p)
        abort();
    memset(p, 1, 32);
    return p;
}

static void *busy(void *arg)
{
    (void)arg;
    void *keep[8] = {0};
    for (unsigned i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); i++) {
        free(keep[i % 8]);
        keep[i % 8] = busy_work(i);
    }
    for (unsigned i = 0; i < 8; i++)
        free(keep[i]);
    return NULL;
}

REC_FN(parent_work) void parent_work(void)
{
    for (int i = 0; i < 20; i++) {
        parent_blocks[i] = malloc(64);
        if (!parent_blocks[i])
            abort();
    }
}

REC_FN(child_work) void child_work(void)
{
    for (int i = 0; i < 30; i++) {
        child_blocks[i] = malloc(200);
        if (!child_blocks[i])
            abort();
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: fork_child RANGES_FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "fork_child: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "busy_work", REC_LO(busy_work), REC_HI(busy_work));
    rec_range_write(fd, "parent_work", REC_LO(parent_work), REC_HI(parent_work));
    rec_range_write(fd, "child_work", REC_LO(child_work), REC_HI(child_work));
    close(fd);

    pthread_t th;
    if (pthread_create(&th, NULL, busy, NULL) != 0)
        abort();
    parent_work();
    usleep(30000); /* the busy thread's events are in its buffer, and some in the log */

    pid_t pid = fork();
    if (pid < 0) {
        rec_printf(2, "fork_child: fork failed\n");
        return 1;
    }
    if (pid == 0) {
        child_work();
        for (int i = 0; i < 10; i++)
            free(child_blocks[i]);
        for (int i = 0; i < 5; i++)
            free(parent_blocks[i]);
        exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rec_printf(2, "fork_child: the child failed (status 0x%x)\n", status);
        return 1;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    rec_printf(1, "parent=%d child=%d\n", (int)getpid(), (int)pid);
    return 0;
}
