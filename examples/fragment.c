/*
 * fragment.c — example_fragment: span retention. A program allocates a
 * million small objects of one size (48 bytes, one size class), frees all
 * but one in every 40, and keeps the survivors to the end:
 *
 *   allocated  1,000,000 * 48 B = 45.8 MiB, in spans of that class;
 *   kept          25,000 * 48 B =  1.1 MiB (1,200,000 B), spread evenly:
 *                 an 8 KiB span holds 170 objects of 48 bytes, so every
 *                 span keeps 4 or 5 survivors and none can go back to the
 *                 page heap. The class retains ~46 MiB for ~1.1 MiB live.
 *
 * The survivors are allocated by keep_survivor, everything else by
 * make_temporary (both not inlined), so memprof's stacks tell them apart:
 * the survivors' stack is the one to blame for the pinned spans. The
 * objects are interleaved in allocation order, which is what puts
 * survivors in every span. Pointers live in static arrays, not on the
 * heap, so that what is live at exit is exactly the survivors: 1,200,000
 * bytes in 25,000 blocks. No stdio (its buffer would be a block of its
 * own): output goes through snprintf and write(2).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

enum {
    OBJECTS = 1000000, /* small objects allocated */
    OBJECT_SIZE = 48,  /* bytes each: one size class */
    KEEP_EVERY = 40,   /* one object in 40 survives */
    SURVIVORS = OBJECTS / KEEP_EVERY,
};

typedef struct record {
    uint64_t id;       /* which object */
    uint64_t data[5];  /* payload: 48 bytes in all */
} record_t;

_Static_assert(sizeof(record_t) == OBJECT_SIZE, "a record is 48 bytes");

static record_t *temporaries[OBJECTS]; /* NULL where a survivor went */
static record_t *survivors[SURVIVORS];

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

static void die(const char *s)
{
    say(s);
    exit(1);
}

static NOINLINE record_t *make_temporary(uint64_t id)
{
    record_t *r = malloc(sizeof *r);
    if (!r)
        die("example_fragment: out of memory\n");
    r->id = id;
    for (int i = 0; i < 5; i++)
        r->data[i] = id * 31 + (uint64_t)i;
    return r;
}

static NOINLINE record_t *keep_survivor(uint64_t id)
{
    record_t *r = malloc(sizeof *r);
    if (!r)
        die("example_fragment: out of memory\n");
    r->id = id;
    for (int i = 0; i < 5; i++)
        r->data[i] = id * 17 + (uint64_t)i;
    return r;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(void)
{
    char line[256];
    size_t kept = 0;
    uint64_t start = now_ns();

    for (size_t i = 0; i < OBJECTS; i++) {
        if (i % KEEP_EVERY == 0)
            survivors[kept++] = keep_survivor(i);
        else
            temporaries[i] = make_temporary(i);
    }
    snprintf(line, sizeof line, "allocated %d objects of %d bytes: %.1f MiB\n",
             OBJECTS, OBJECT_SIZE, (double)OBJECTS * OBJECT_SIZE / 1048576.0);
    say(line);

    uint64_t sum = 0;
    for (size_t i = 0; i < OBJECTS; i++) {
        if (temporaries[i]) {
            sum += temporaries[i]->id;
            free(temporaries[i]);
            temporaries[i] = NULL;
        }
    }

    /* The survivors stay, and are used, until exit: as long again as the
     * allocating and freeing took (200 ms at least), so the pinned state is
     * half the run however slow a loaded machine made the busy part — as
     * in a program that goes on running — and a detector that wants
     * retention to last (span_retention: the run's last 20%) sees it. */
    uint64_t busy = now_ns() - start, wait = busy > 200000000u ? busy : 200000000u;
    struct timespec ts = {(time_t)(wait / 2 / 1000000000u), (long)(wait / 2 % 1000000000u)};
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < kept; k++)
            sum += survivors[k]->data[round];
        nanosleep(&ts, NULL);
    }
    snprintf(line, sizeof line,
             "kept %zu objects, %zu bytes, one in %d (checksum %llu)\n# survivors=%zu survivor_bytes=%zu\n",
             kept, kept * OBJECT_SIZE, KEEP_EVERY, (unsigned long long)sum,
             kept, kept * OBJECT_SIZE);
    say(line);
    return 0;
}
