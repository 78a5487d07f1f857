/*
 * sampler.h — Poisson sampling by bytes, for sampled mode. The math (why
 * each allocation is sampled independently with p(S) = 1 − e^(−S/T), why
 * the weight S/p(S) makes per-stack totals unbiased, the variance, why the
 * first gap is exponential too) is in docs/sampling.md; this is its code.
 *
 * Each thread owns one mp_sampler_t (in the recorder's thread state) and is
 * the only one to touch it: no lock, no atomic, no allocation, no libc call.
 * The recorder calls mp_sampler_take() with the size of every allocation it
 * would record in full mode; a non-zero result means "record this one, with
 * this weight".
 *
 * Invariants (T = mean):
 *   T == 0 (full mode):  bytes_left == 0, so every call takes the slow path,
 *                        which returns max(size, 1).
 *   T >  0 (sampled):    1 <= bytes_left <= 37·T; bytes_left == ⌈G⌉ where G
 *                        is the real distance from the end of the last
 *                        allocation to the next sample point.
 * A zero-filled mp_sampler_t is a valid full-mode sampler.
 *
 * The struct is not opaque, unlike most of our handles, because the fast
 * path is inline: a compare and a subtraction on thread-local memory, so
 * that sampled mode at T = 512 KiB costs next to nothing per unsampled
 * allocation (tcmalloc's Sampler is header-inline for the same reason).
 */
#ifndef MP_SAMPLER_H
#define MP_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* Largest mean interval accepted; larger means are clamped to it. Keeps
 * every gap (< 37·T) and every weight computation (S < 64·T < 2^53, exact in
 * a double) far from overflow. docs/sampling.md §5. */
#define MP_SAMPLER_MEAN_MAX (UINT64_C(1) << 40)

typedef struct mp_sampler {
    uint64_t bytes_left; /* bytes to the next sample point, rounded up; 0 in full mode */
    uint64_t rng;        /* splitmix64 state (any value is valid) */
    uint64_t mean;       /* T, the mean interval in bytes; 0 = full mode */
} mp_sampler_t;

/* Sets the mean interval (0: full mode, every allocation with weight = its
 * size) and seeds the generator, then draws the first gap from the
 * exponential like every other one (docs/sampling.md §4, "thread start").
 * Any seed is valid; give each thread its own, e.g. mp_os_random64().
 * Calling it again (new mean, or a reseed in a fork child) restarts cleanly. */
void mp_sampler_init(mp_sampler_t *s, uint64_t mean_bytes, uint64_t seed);

/* The slow path of mp_sampler_take: a sample point lies within this
 * allocation (or the sampler is in full mode). Draws the next gap from the
 * end of the allocation and returns the weight. Out of line on purpose. */
uint64_t mp_sampler_slow(mp_sampler_t *s, size_t size);

/*
 * Accounts an allocation of size bytes. Returns 0 when it is not sampled,
 * else its weight in bytes: the number of bytes this one sample stands for.
 *   sampled mode: weight = S / (1 − e^(−S/T)) rounded randomly to an integer
 *                 (up with probability equal to its fraction, so unbiased),
 *                 >= max(S, T); size 0 is never sampled;
 *   full mode:    weight = size, or 1 for size 0 (so it reads as sampled).
 * The sample stands for weight / max(S, 1) allocations. Call it once per
 * allocation, in the thread's allocation order; whether the allocation then
 * succeeds does not matter to the estimates.
 */
static inline uint64_t mp_sampler_take(mp_sampler_t *s, size_t size)
{
    if (__builtin_expect((uint64_t)size < s->bytes_left, 1)) {
        s->bytes_left -= (uint64_t)size;
        return 0;
    }
    return mp_sampler_slow(s, size);
}

/* Draws the next gap: ⌈−T·ln U⌉ bytes, U uniform in (0, 1), so in
 * [1, 37·T]. Advances the generator; does not touch bytes_left. Requires:
 * s->mean > 0 (with 0 it returns 1, harmlessly). Used by the slow path;
 * exposed for the distribution test. */
uint64_t mp_sampler_draw(mp_sampler_t *s);

/* p(S) = 1 − e^(−S/T), the probability that an allocation of size bytes is
 * sampled (1 when mean is 0). Relative error <= 2^-48 (docs/sampling.md §4). */
double mp_sampler_probability(uint64_t mean, size_t size);

/* The exact (unrounded) weight S / p(S) in bytes; size when mean is 0. */
double mp_sampler_weight(uint64_t mean, size_t size);

/* ln x without libm, for the gaps. Requires: x a positive normal double.
 * Relative error <= 2^-48 (docs/sampling.md §4). */
double mp_sampler_log(double x);

#endif
