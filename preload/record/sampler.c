/*
 * sampler.c — the slow path of sampled mode: drawing exponential gaps and
 * computing weights (docs/sampling.md §4–5; the fast path is inline in
 * sampler.h).
 *
 * Runs once per ~T bytes a thread allocates, on that thread only, on the
 * thread's own mp_sampler_t: no lock, no allocation, no libc or libm call
 * (libmemprof.so does not link libm; docs/sampling.md §4 "The logarithm"),
 * so it is safe anywhere inside malloc.
 */
#include "sampler.h"

/* ln 2 split so that e·LN2_HI is exact for |e| < 2^11 (Cody–Waite; the
 * constants are fdlibm's). */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00
#define SQRT2 1.41421356237309504880

typedef union {
    double d;
    uint64_t u;
} bits_t;

/* splitmix64 (Steele, Lea, Flood 2014): 64-bit state, period 2^64, every
 * seed valid, passes BigCrush. Sebastiano Vigna's reference constants. */
static uint64_t next64(mp_sampler_t *s)
{
    uint64_t z = (s->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in the open interval (0, 1): (k + 1/2)·2^-52 for a 52-bit k, so in
 * [2^-53, 1 − 2^-53] and exactly representable (k + 1/2 needs 53 bits). */
static double uniform_open(mp_sampler_t *s)
{
    return ((double)(next64(s) >> 12) + 0.5) * (1.0 / 4503599627370496.0);
}

/* Uniform in [0, 1) on the 2^-53 grid: P(u < f) = f for any f on the grid. */
static double uniform_co(mp_sampler_t *s)
{
    return (double)(next64(s) >> 11) * (1.0 / 9007199254740992.0);
}

double mp_sampler_log(double x)
{
    bits_t v = {.d = x};
    int e = 0;
    if (!(x > 0.0))
        return x == 0.0 ? -__builtin_inf() : __builtin_nan("");
    if (v.u >= UINT64_C(0x7ff0000000000000))
        return x; /* +inf */
    if (v.u < UINT64_C(0x0010000000000000)) { /* subnormal: scale by 2^54 */
        v.d = x * 18014398509481984.0;
        e = -54;
    }
    e += (int)(v.u >> 52) - 1023;
    v.u = (v.u & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000);
    double m = v.d; /* [1, 2) */
    if (m > SQRT2) {
        m *= 0.5; /* exact */
        e += 1;
    }
    /* m ∈ [√½, √2]: ln m = 2·atanh(f) = 2(f + f³/3 + … + f¹⁹/19) with
     * |f| <= 0.1716, f² <= 0.02944; the first omitted term is below
     * 2.5·10⁻¹⁷ of the sum. m − 1 is exact (Sterbenz), so near x = 1 the
     * result keeps its relative precision. */
    double f = (m - 1.0) / (m + 1.0);
    double f2 = f * f;
    double t = 1.0 / 19;
    t = t * f2 + 1.0 / 17;
    t = t * f2 + 1.0 / 15;
    t = t * f2 + 1.0 / 13;
    t = t * f2 + 1.0 / 11;
    t = t * f2 + 1.0 / 9;
    t = t * f2 + 1.0 / 7;
    t = t * f2 + 1.0 / 5;
    t = t * f2 + 1.0 / 3;
    t = t * f2 + 1.0;
    double de = (double)e;
    return de * LN2_HI + (2.0 * f * t + de * LN2_LO);
}

/* 1 − e^(−x) for x >= 0, relative error <= 2^-48 (docs/sampling.md §4). */
static double one_minus_exp_neg(double x)
{
    if (x < 0.5) {
        /* x − x²/2! + x³/3! − …, Horner: x(1 − x/2(1 − x/3(1 − …))). The
         * first omitted term, x¹⁹/19!, is below 10⁻²² of x. No cancellation:
         * the sum is at least 0.78·x. */
        double t = 1.0;
        for (int k = 18; k >= 2; k--)
            t = 1.0 - x / k * t;
        return x * t;
    }
    if (x >= 40.0)
        return 1.0; /* e^(−40) = 4·10⁻¹⁸ is below half an ulp of 1 */
    /* e^(−x) = 2^(−k)·e^(−r), r = x − k·ln 2 ∈ [0, ln 2) up to rounding
     * (a slightly negative r is fine for the series). k <= 57. */
    int k = (int)(x * INV_LN2);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double t = 1.0; /* e^(−r) = 1 − r(1 − r/2(1 − r/3(…))), 20 terms */
    for (int j = 20; j >= 1; j--)
        t = 1.0 - r / j * t;
    bits_t scale = {.u = (uint64_t)(1023 - k) << 52};
    return 1.0 - t * scale.d; /* e^(−x) <= 0.61: no cancellation */
}

double mp_sampler_probability(uint64_t mean, size_t size)
{
    if (mean == 0)
        return 1.0;
    return one_minus_exp_neg((double)size / (double)mean);
}

double mp_sampler_weight(uint64_t mean, size_t size)
{
    if (mean == 0)
        return (double)size;
    if (size == 0)
        return (double)mean; /* the limit of S/p(S) as S → 0 */
    return (double)size / mp_sampler_probability(mean, size);
}

uint64_t mp_sampler_draw(mp_sampler_t *s)
{
    /* G = −T·ln U is exponential with mean T; keep ⌈G⌉: for an integer S,
     * G > S ⇔ ⌈G⌉ > S, so whole bytes make the same decisions as the real
     * gap (docs/sampling.md §4, "whole bytes"). U >= 2^-53 bounds G by
     * 36.7·T <= 4.1·10¹³ for T <= MP_SAMPLER_MEAN_MAX. */
    double g = -(double)s->mean * mp_sampler_log(uniform_open(s));
    uint64_t c = (uint64_t)g;
    if ((double)c < g)
        c++;
    return c ? c : 1; /* g > 0 always; keep bytes_left >= 1 regardless */
}

void mp_sampler_init(mp_sampler_t *s, uint64_t mean_bytes, uint64_t seed)
{
    s->mean = mean_bytes < MP_SAMPLER_MEAN_MAX ? mean_bytes : MP_SAMPLER_MEAN_MAX;
    s->rng = seed;
    /* The first gap is exponential like all the others: by memorylessness
     * that is the distance from an arbitrary byte (the thread's first) to
     * the next point, so a thread's first allocations are not favoured. */
    s->bytes_left = s->mean ? mp_sampler_draw(s) : 0;
}

uint64_t mp_sampler_slow(mp_sampler_t *s, size_t size)
{
    uint64_t mean = s->mean;
    if (mean == 0)
        return size ? size : 1; /* full mode; bytes_left stays 0 */

    /* size >= bytes_left: a sample point lies inside this allocation. The
     * whole allocation is sampled, with weight S/p(S). Further points inside
     * it would change nothing; by memorylessness the next point beyond its
     * end is an exponential gap away, independent of the past, so draw a
     * fresh gap from the end (docs/sampling.md §4, "straddling"). */
    s->bytes_left = mp_sampler_draw(s);

    if (size == 0)
        size = 1; /* NEVER: bytes_left >= 1 keeps size 0 off this path */
    if (size >= 64 * mean)
        return size; /* p = 1 − e^(−64): weight S, exactly */
    double w = (double)size / one_minus_exp_neg((double)size / (double)mean);
    /* S < 64·T <= 2^46, so w < 2^47 fits and has a fraction to round. Round
     * up with probability equal to the fraction: E[weight] = w exactly. */
    uint64_t wi = (uint64_t)w;
    double frac = w - (double)wi;
    if (frac > 0.0 && uniform_co(s) < frac)
        wi++;
    return wi < size ? size : wi;
}
