/*
 * healthy_freeall.c — example_healthy_freeall: a program that allocates a
 * lot and frees everything.
 *
 * 200,000 small blocks (16 to 1,024 bytes, ~100 MiB) and 200 large ones
 * (64 KiB to 1 MiB, ~100 MiB) are allocated and written, then freed in a
 * shuffled order; a second, smaller round does the same again, so freed
 * memory is reused. Nothing is live at exit and nothing is kept alive
 * after the peak: memprof must find neither a leak nor retention. The
 * block pointers live in static arrays, and there is no stdio (output
 * goes through snprintf and write(2)), so the program's heap is empty at
 * exit. It then stays up for 1.5 s, as a program that goes on running
 * would: long enough for memprof's allocator to give the freed pages back
 * to the OS (it releases pages idle for 1 s, docs/heap.md), so that
 * neither the heap nor the pages are kept.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    SMALL = 200000, /* small blocks */
    LARGE = 200,    /* large blocks */
    TOTAL = SMALL + LARGE,
};

static void *blocks[TOTAL];
static size_t order[TOTAL];

static void say(const char *s)
{
    size_t len = strlen(s);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(1, s + off, len - off);
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rng(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* Allocate n small and n/1000 large blocks, touch them, free them all in
 * a shuffled order; returns the bytes allocated. */
static size_t round_trip(size_t nsmall)
{
    size_t nlarge = nsmall / 1000, n = nsmall + nlarge, bytes = 0;

    for (size_t i = 0; i < n; i++) {
        size_t size = i < nsmall ? 16 + (size_t)(rng() % 1009)
                                 : ((size_t)64 << 10) + (size_t)(rng() % (960u << 10));
        blocks[i] = malloc(size);
        if (!blocks[i]) {
            say("example_healthy_freeall: out of memory\n");
            exit(1);
        }
        memset(blocks[i], (int)(i & 0xff), size);
        bytes += size;
        order[i] = i;
    }
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)(rng() % (i + 1)), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (size_t i = 0; i < n; i++) {
        free(blocks[order[i]]);
        blocks[order[i]] = NULL;
    }
    return bytes;
}

int main(void)
{
    char line[256];
    size_t first = round_trip(SMALL);
    size_t second = round_trip(SMALL / 4);
    struct timespec ts = {1, 500 * 1000 * 1000};

    nanosleep(&ts, NULL);
    snprintf(line, sizeof line, "allocated and freed %.1f MiB, then %.1f MiB\n",
             (double)first / 1048576.0, (double)second / 1048576.0);
    say(line);
    return 0;
}
