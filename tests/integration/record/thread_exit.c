/*
 * thread_exit.c — threads whose blocks are freed as they exit, for
 * integration.record.thread_exit:
 *
 *     thread_exit RANGES_FILE
 *
 * 8 threads (4 at a time) each allocate 50 blocks of 96 bytes in
 * per_thread() and free 40 of them through a pthread key destructor (as
 * thread-local caches and C++ thread_local objects do, when the thread
 * exits), keeping 10 in a global table. Once they are all joined, main
 * allocates 400 blocks of 96 bytes in after_threads() — the heap hands it
 * the addresses the threads' destructors freed — and frees them. So at
 * exit exactly the 80 kept blocks are live. Writes the two ranges to
 * RANGES_FILE and "done" to stdout.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>

#define THREADS 8
#define PER 50
#define FREED_AT_EXIT 40

static pthread_key_t key;
static void *kept[THREADS][PER - FREED_AT_EXIT];
static void *later[400];

REC_RANGE(per_thread);
REC_RANGE(after_threads);

typedef struct tls_cache {
    void *blocks[FREED_AT_EXIT];
} tls_cache_t;

static void cache_destroy(void *arg)
{
    tls_cache_t *c = arg;
    for (int i = 0; i < FREED_AT_EXIT; i++)
        free(c->blocks[i]);
    free(c);
}

REC_FN(per_thread) void *per_thread(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    tls_cache_t *c = malloc(sizeof *c);
    if (!c)
        abort();
    for (int i = 0; i < PER; i++) {
        void *p = malloc(96);
        if (!p)
            abort();
        if (i < FREED_AT_EXIT)
            c->blocks[i] = p;
        else
            kept[id][i - FREED_AT_EXIT] = p;
    }
    pthread_setspecific(key, c);
    return NULL;
}

REC_FN(after_threads) void after_threads(void)
{
    for (int i = 0; i < 400; i++) {
        later[i] = malloc(96);
        if (!later[i])
            abort();
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: thread_exit RANGES_FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "thread_exit: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "per_thread", REC_LO(per_thread), REC_HI(per_thread));
    rec_range_write(fd, "after_threads", REC_LO(after_threads), REC_HI(after_threads));
    close(fd);
    /* Allocate before making the key, as nearly every program does: the
     * shim's own thread-exit key (made at its first event) then comes
     * before ours, and its destructor runs before ours. */
    free(malloc(1));
    if (pthread_key_create(&key, cache_destroy) != 0)
        return 1;
    for (unsigned round = 0; round < THREADS / 4; round++) {
        pthread_t th[4];
        for (unsigned i = 0; i < 4; i++)
            if (pthread_create(&th[i], NULL, per_thread, (void *)(uintptr_t)(round * 4 + i)) != 0)
                abort();
        for (unsigned i = 0; i < 4; i++)
            pthread_join(th[i], NULL);
    }
    after_threads();
    for (int i = 0; i < 400; i++)
        free(later[i]);
    rec_printf(1, "done\n");
    return 0;
}
