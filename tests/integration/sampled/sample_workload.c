/*
 * sample_workload.c — a program whose allocations integration.sampled.accuracy
 * knows exactly, so that sampled mode's per-stack estimates can be compared
 * with the truth (docs/sampling.md).
 *
 *     sample_workload T OUT
 *
 * T is the mean sampling interval the shim was given (sample=T, bytes); the
 * program only uses it to compute the variance of the estimates it will be
 * compared with, so that the test states σ for the very sizes used. OUT gets
 * the functions' address ranges and, per function, the true counts and bytes
 * and the variances (see put_truth); stdout gets "done".
 *
 * Four functions allocate, each with its own size mix, interleaved evenly
 * over the run (a Bresenham schedule: by the time a fraction f of the steps
 * is done, each function has made a fraction f of its allocations):
 *
 *   alloc_tiny      1,000,000 × U[16, 64] B        ~ 38 MiB in all
 *   alloc_small       400,000 × U[1, 4] KiB        ~  1 GiB
 *   alloc_medium      900,000 × U[4, 16] KiB       ~  8.6 GiB
 *   alloc_large        10,000 × U[64 KiB, 1 MiB]   ~  5.2 GiB
 *
 * 2.31·10⁶ allocations. Sizes come from splitmix64 with a fixed seed, so two
 * runs (full and sampled mode) make exactly the same calls. Each function
 * keeps a ring of its latest blocks (4096, 512, 256 and 4 slots) and frees
 * the block it replaces: all but 4868 blocks are freed, and those stay live
 * at exit. A block's first and last bytes are written (its pages are not all
 * touched: the run is about the allocator's and recorder's work, not the
 * page faults of 15 GiB).
 *
 * Why these counts (docs/sampling.md §3, T = 512 KiB): medium and large are
 * sized so that 5% of their bytes is at least 6 standard deviations of the
 * byte estimate (medium needs ≥ 7.0 GiB, large, whose g is lower, ≥ 3.5 GiB;
 * they get 6.7σ and 7.3σ), and medium's count too (6.2σ; large's count is
 * at 4.9σ); tiny and small are far from that (σ ≈ 12% and 2.3%) and are
 * checked at 6σ only. The test computes all of this from the numbers
 * printed here.
 *
 * No stdio and no allocation besides the ones counted: output goes through
 * rec_prog.h's write(2) helpers; the variance sums use libm's expm1, which
 * does not allocate.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>

enum { TINY, SMALL, MEDIUM, LARGE, NKINDS };

typedef struct kind {
    const char *name;
    uint64_t count;   /* allocations to make */
    uint64_t lo, hi;  /* sizes: uniform on [lo, hi] bytes */
    uint32_t ring;    /* blocks kept live: the latest ring ones */
} kind_t;

static const kind_t kinds[NKINDS] = {
    [TINY] = { "alloc_tiny", 1000000, 16, 64, 4096 },
    [SMALL] = { "alloc_small", 400000, 1024, 4096, 512 },
    [MEDIUM] = { "alloc_medium", 900000, 4096, 16384, 256 },
    [LARGE] = { "alloc_large", 10000, 64 << 10, 1 << 20, 4 },
};

#define MAX_RING 4096

/* What one function did: the truth the test compares with. */
typedef struct truth {
    uint64_t allocs, bytes;  /* allocations made, bytes requested */
    uint64_t frees;
    uint64_t min_size, max_size;
    double var_bytes;        /* Σ S²/(e^(S/T) − 1): Var of the byte estimate */
    double var_count;        /* Σ 1/(e^(S/T) − 1): Var of the count estimate */
    void *blocks[MAX_RING];  /* the ring of live blocks */
    uint64_t sizes[MAX_RING];
} truth_t;

static truth_t truth[NKINDS];
static double T;                /* the sampling interval, bytes */
static uint64_t rng = 1;        /* splitmix64 state; fixed seed */
static void *volatile sink;     /* stores that keep the calls no tail calls */

static uint64_t next_random(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The bookkeeping shared by the four functions; not in their sections. */
static void account(int k, void *p, uint64_t size)
{
    truth_t *t = &truth[k];
    uint32_t slot = (uint32_t)(t->allocs % kinds[k].ring);

    if (!p)
        abort();
    ((volatile char *)p)[0] = 1;
    ((volatile char *)p)[size - 1] = 1;
    if (t->blocks[slot]) {
        free(t->blocks[slot]);
        t->frees++;
    }
    t->blocks[slot] = p;
    t->sizes[slot] = size;
    t->allocs++;
    t->bytes += size;
    if (!t->min_size || size < t->min_size)
        t->min_size = size;
    if (size > t->max_size)
        t->max_size = size;
    double s = (double)size, e = expm1(s / T);
    t->var_bytes += s * s / e;
    t->var_count += 1.0 / e;
}

/* The allocating functions, each alone in its section (rec_prog.h): a
 * stack's innermost frame of the program tells which one made it. The
 * result is stored after the call, so that the call is no tail call. */
REC_FN(alloc_tiny) void *alloc_tiny(uint64_t size)
{
    void *p = malloc(size);
    sink = p; /* a use after the call */
    return p;
}
REC_RANGE(alloc_tiny);

REC_FN(alloc_small) void *alloc_small(uint64_t size)
{
    void *p = malloc(size);
    sink = p; /* a use after the call */
    return p;
}
REC_RANGE(alloc_small);

REC_FN(alloc_medium) void *alloc_medium(uint64_t size)
{
    void *p = malloc(size);
    sink = p; /* a use after the call */
    return p;
}
REC_RANGE(alloc_medium);

REC_FN(alloc_large) void *alloc_large(uint64_t size)
{
    void *p = malloc(size);
    sink = p; /* a use after the call */
    return p;
}
REC_RANGE(alloc_large);

static void *(*const fns[NKINDS])(uint64_t) = { alloc_tiny, alloc_small, alloc_medium,
                                                alloc_large };

static void put_truth(int fd)
{
    static const uintptr_t lo[NKINDS] = { REC_LO(alloc_tiny), REC_LO(alloc_small),
                                          REC_LO(alloc_medium), REC_LO(alloc_large) };
    static const uintptr_t hi[NKINDS] = { REC_HI(alloc_tiny), REC_HI(alloc_small),
                                          REC_HI(alloc_medium), REC_HI(alloc_large) };

    rec_printf(fd, "interval %.0f\n", T);
    for (int k = 0; k < NKINDS; k++) {
        const truth_t *t = &truth[k];
        uint64_t live = 0, live_bytes = 0;
        for (uint32_t i = 0; i < kinds[k].ring; i++)
            if (t->blocks[i]) {
                live++;
                live_bytes += t->sizes[i];
            }
        rec_range_write(fd, kinds[k].name, lo[k], hi[k]);
        rec_printf(fd,
                   "truth %s allocs=%llu bytes=%llu frees=%llu live_blocks=%llu "
                   "live_bytes=%llu min_size=%llu max_size=%llu var_bytes=%.17g "
                   "var_count=%.17g\n",
                   kinds[k].name, (unsigned long long)t->allocs,
                   (unsigned long long)t->bytes, (unsigned long long)t->frees,
                   (unsigned long long)live, (unsigned long long)live_bytes,
                   (unsigned long long)t->min_size, (unsigned long long)t->max_size,
                   t->var_bytes, t->var_count);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || atof(argv[1]) <= 0) {
        rec_printf(2, "usage: sample_workload T OUT\n");
        return 2;
    }
    T = atof(argv[1]);

    enum { STEPS = 100000 };
    for (uint64_t step = 1; step <= STEPS; step++)
        for (int k = 0; k < NKINDS; k++)
            while (truth[k].allocs * STEPS < kinds[k].count * step) {
                uint64_t size = kinds[k].lo + next_random() % (kinds[k].hi - kinds[k].lo + 1);
                void *p = fns[k](size);
                account(k, p, size);
            }

    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rec_printf(2, "sample_workload: cannot create %s\n", argv[2]);
        return 1;
    }
    put_truth(fd);
    close(fd);
    rec_printf(1, "done\n");
    return 0;
}
