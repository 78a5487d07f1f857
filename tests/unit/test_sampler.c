/*
 * test_sampler — sampled mode's sampler through its header (sampler.h):
 * exponential gaps with mean T (the first one too), p(S) = 1 − e^(−S/T),
 * unbiased per-stack byte and count estimates within 5%, full mode (T = 0),
 * the libm-free log and 1 − e^(−x) against libm, and the cost of the fast
 * path (printed, not asserted).
 *
 * Statistics (docs/sampling.md §3 and §6): every statistical assertion is set
 * so that a correct sampler fails it with probability about 10⁻⁶ or less,
 * so a failure means a bug, not bad luck. Each check says its own figure.
 * Random seeds are printed; MP_SAMPLER_TEST_SEED=<n> replays a run.
 *
 * libm here is the reference the sampler's own math is checked against.
 */
#include "cunit_main.h"
#include "os.h"
#include "sampler.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KiB 1024u
#define MiB (1024u * 1024u)
#define T512K (512u * KiB)

/* The test's own generator (sizes, inputs): splitmix64, independent of the
 * sampler's stream because it is seeded separately. */
static uint64_t test_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A number in [lo, hi] (multiply-high; its tiny non-uniformity does not
 * matter, the truth is taken from the sizes actually drawn). */
static inline size_t test_range(uint64_t *state, size_t lo, size_t hi)
{
    uint64_t r = test_rand(state) >> 32;
    return lo + (size_t)((r * (uint64_t)(hi - lo + 1)) >> 32);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seeds: one fixed, plus random ones (printed) unless MP_SAMPLER_TEST_SEED
 * pins them all. */
static uint64_t random_seed(void)
{
    const char *e = getenv("MP_SAMPLER_TEST_SEED");
    if (e && *e)
        return strtoull(e, NULL, 0);
    return mp_os_random64();
}

/* ------------------------------------------------------------------------ */
/* The libm-free math against libm. */

static void log_matches_libm_within_2_pow_minus_48(void)
{
    const double tol = ldexp(1.0, -48);
    double worst = 0.0;
    uint64_t st = 42;
    double edge[] = {0x1p-53, 1.0 - 0x1p-53, 0.5, 1.0, 2.0, M_SQRT2, nextafter(M_SQRT2, 0.0),
                     nextafter(M_SQRT2, 3.0), M_SQRT1_2, 1.0 + 0x1p-52, 0.999, 1.001,
                     DBL_MIN, DBL_MAX, 4.9406564584124654e-324, 1e-310, 3.0, 1e300};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0] + 2000000; i++) {
        double x;
        if (i < sizeof edge / sizeof edge[0])
            x = edge[i];
        else if (i & 1) /* the sampler's domain: (k + 1/2)·2^-52 */
            x = ((double)(test_rand(&st) >> 12) + 0.5) * 0x1p-52;
        else { /* any positive finite double, by its bits */
            uint64_t b = test_rand(&st) & UINT64_C(0x7fffffffffffffff);
            if (b >= UINT64_C(0x7ff0000000000000) || b == 0)
                continue;
            memcpy(&x, &b, sizeof x);
        }
        double ref = log(x), got = mp_sampler_log(x);
        double err = ref == 0.0 ? fabs(got) : fabs(got - ref) / fabs(ref);
        if (err > worst)
            worst = err;
        if (err > tol) {
            printf("\n  log(%a): %.17g, libm %.17g\n", x, got, ref);
            CU_FAIL("mp_sampler_log off by more than 2^-48");
            return;
        }
    }
    printf("\n  worst relative error of mp_sampler_log: %.3g (bound 2^-48 = %.3g)\n", worst, tol);
    CU_ASSERT(mp_sampler_log(0.0) == -INFINITY);
}

static void probability_matches_libm_within_2_pow_minus_48(void)
{
    const double tol = ldexp(1.0, -48);
    uint64_t means[] = {1, 16, 4096, T512K, 3 * MiB + 7, MP_SAMPLER_MEAN_MAX};
    uint64_t st = 7;
    double worst = 0.0;
    for (size_t m = 0; m < sizeof means / sizeof means[0]; m++) {
        uint64_t T = means[m];
        for (int i = 0; i < 200000; i++) {
            /* sizes spread over x = S/T from 2^-40 to 2^7 */
            double x = ldexp(1.0 + (double)(test_rand(&st) >> 11) * 0x1p-53,
                             (int)test_range(&st, 0, 46) - 40);
            double s = floor(x * (double)T);
            if (s < 1.0 || s > 1e18)
                continue;
            size_t S = (size_t)s;
            double ref = -expm1(-(double)S / (double)T);
            double got = mp_sampler_probability(T, S);
            double err = fabs(got - ref) / ref;
            if (err > worst)
                worst = err;
            if (err > tol) {
                printf("\n  p(T=%" PRIu64 ", S=%zu): %.17g, libm %.17g\n", T, S, got, ref);
                CU_FAIL("mp_sampler_probability off by more than 2^-48");
                return;
            }
            double wref = (double)S / ref;
            CU_ASSERT(fabs(mp_sampler_weight(T, S) - wref) <= 2 * tol * wref);
        }
    }
    printf("\n  worst relative error of mp_sampler_probability: %.3g\n", worst);
    CU_ASSERT_EQUAL(mp_sampler_probability(0, 123), 1.0);
    CU_ASSERT_EQUAL(mp_sampler_weight(0, 123), 123.0);
    CU_ASSERT_EQUAL(mp_sampler_probability(T512K, 0), 0.0);
}

/* ------------------------------------------------------------------------ */
/* (a) Gaps are exponential with mean T. */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Goodness of fit of v[0..n) (in units of T) to Exp(1), fully specified.
 *  - Anderson–Darling: A² > 12.52 has probability 1.0·10⁻⁶ under the null
 *    (asymptotic case-0 distribution, docs/sampling.md §6).
 *  - Kolmogorov–Smirnov: √n·D > 2.694 has probability <= 2e^(−2·2.694²) =
 *    1.0·10⁻⁶ for every n (DKW inequality, Massart's constant).
 *  - The mean: within 6 standard errors (1/√n) of 1; normal approximation
 *    for a sum of n >= 10⁵ exponentials, 2·10⁻⁹.
 * The gaps are whole bytes, ⌈G⌉; v holds ⌈G⌉ − ½ (in units of T), which is
 * within 1/(2T) = 10⁻⁶ of G: it moves the empirical CDF by at most ~10⁻⁶,
 * far below what n = 10⁶ can resolve (KS resolution ~2.7·10⁻³). */
static void check_exponential(const char *what, double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    double sum = 0.0, a2 = 0.0, d = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        sum += x;
        double z = -expm1(-x);               /* F(x) */
        double lnz = log(z);                 /* ln F(x_(i)) */
        double ln1mz_rev = -v[n - 1 - i];    /* ln(1 − F(x_(n+1−i))) = −x_(n+1−i) */
        a2 += (2.0 * (double)i + 1.0) * (lnz + ln1mz_rev);
        double dp = (double)(i + 1) / (double)n - z, dm = z - (double)i / (double)n;
        if (dp > d)
            d = dp;
        if (dm > d)
            d = dm;
    }
    a2 = -(double)n - a2 / (double)n;
    double ks = sqrt((double)n) * d;
    double mean = sum / (double)n;
    double mean_z = (mean - 1.0) * sqrt((double)n);
    printf("\n  %s: n=%zu  A²=%.3f (limit 12.52)  √n·D=%.3f (limit 2.694)  mean=%.5f·T (%+.2f σ)\n",
           what, n, a2, ks, mean, mean_z);
    CU_ASSERT(a2 < 12.52);
    CU_ASSERT(ks < 2.694);
    CU_ASSERT(fabs(mean_z) < 6.0);
}

static void gaps_are_exponential_with_mean_T(void)
{
    enum { N = 1000000 };
    double *v = malloc(N * sizeof *v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    uint64_t seed = random_seed();
    printf("\n  seed %#" PRIx64, seed);
    mp_sampler_t s;
    mp_sampler_init(&s, T512K, seed);
    for (size_t i = 0; i < N; i++) {
        uint64_t g = mp_sampler_draw(&s);
        CU_ASSERT_FATAL(g >= 1 && g <= (uint64_t)(37.0 * T512K));
        v[i] = ((double)g - 0.5) / T512K;
    }
    check_exponential("gaps", v, N);
    free(v);
}

/* The first gap of a thread too (not T, not 0): 10⁵ samplers with
 * consecutive seeds, as threads seeded from a counter would be. */
static void first_gap_is_exponential_too(void)
{
    enum { N = 100000 };
    double *v = malloc(N * sizeof *v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    uint64_t base = random_seed();
    printf("\n  seed base %#" PRIx64, base);
    for (size_t i = 0; i < N; i++) {
        mp_sampler_t s;
        mp_sampler_init(&s, T512K, base + i);
        v[i] = ((double)s.bytes_left - 0.5) / T512K;
    }
    check_exponential("first gaps", v, N);
    free(v);
}

/* ------------------------------------------------------------------------ */
/* (b), (c) Per-stack estimates of bytes and counts. */

enum { TINY, MEDIUM, LARGE, MIXED, NSTACKS };
static const char *const stack_name[NSTACKS] = {"tiny 16-64 B", "medium 1-4 KiB",
                                                "large 100 KiB-1 MiB", "mixed 16 B-1 MiB"};

typedef struct {
    uint64_t n;          /* allocations made */
    uint64_t bytes;      /* bytes allocated (the truth) */
    uint64_t samples;    /* allocations sampled */
    uint64_t est_bytes;  /* Σ weights */
    double est_count;    /* Σ weight / size */
} stack_acc_t;

/* The workload: ROUNDS rounds, each of 16384 tiny allocations interleaved
 * with 256 medium, 4096 mixed and 1 large, all on one sampler (one thread's
 * byte stream), T = 512 KiB — 2.97·10⁸ allocations, 9.6·10¹⁰ bytes. Sizes:
 * uniform in the stack's range; "mixed" picks one of the 16 octaves from
 * 16 B to 1 MiB, then a size uniform in it. Sized by docs/sampling.md §3 so
 * that 5% of each stack's truth is at least 6σ of both its estimates; what
 * each needs at 6σ, and what it gets:
 *   tiny    bytes 1.89·10⁸, count 2.20·10⁸ allocations   gets 2.35·10⁸
 *   medium  bytes 2.94·10⁶, count 3.40·10⁶                gets 3.67·10⁶
 *   large   bytes 6.4·10³,  count 1.26·10⁴                gets 1.43·10⁴
 *   mixed   bytes 5·10⁴,    count 4.3·10⁷ (small sizes)   gets 5.87·10⁷
 * The test computes σ from the sizes actually used and asserts 6σ <= 5%.
 *
 * Each stack cycles through a table of SIZES_N sizes drawn once (the
 * sampler's randomness is what is under test, and a table keeps the loop
 * cheap: ~3·10⁸ allocations per seed). */
#define ROUNDS 14336
#define SIZES_N 65536u
#define SIZE_SEED 0x5157a11u

static uint32_t sizes_tab[NSTACKS][SIZES_N];

static size_t draw_size(int k, uint64_t *r)
{
    switch (k) {
    case TINY:
        return test_range(r, 16, 64);
    case MEDIUM:
        return test_range(r, 1 * KiB, 4 * KiB);
    case LARGE:
        return test_range(r, 100 * KiB, 1 * MiB);
    default: {
        unsigned e = (unsigned)test_range(r, 4, 19);
        return test_range(r, (size_t)1 << e, ((size_t)2 << e) - 1);
    }
    }
}

static void make_sizes(void)
{
    uint64_t r = SIZE_SEED;
    for (int k = 0; k < NSTACKS; k++)
        for (unsigned j = 0; j < SIZES_N; j++)
            sizes_tab[k][j] = (uint32_t)draw_size(k, &r);
}

/* The variances of docs/sampling.md §3 for the n allocations stack k made
 * (entry j of its table used n/SIZES_N times, once more if j < n % SIZES_N):
 * Σ S²/(e^(S/T) − 1) for the bytes, Σ 1/(e^(S/T) − 1) for the count. */
static void stack_variance(int k, uint64_t n, double *var_bytes, double *var_count)
{
    double vb = 0.0, vc = 0.0;
    for (unsigned j = 0; j < SIZES_N; j++) {
        double times = (double)(n / SIZES_N) + (j < n % SIZES_N ? 1.0 : 0.0);
        double S = sizes_tab[k][j], c = 1.0 / expm1(S / T512K);
        vb += times * S * S * c;
        vc += times * c;
    }
    *var_bytes = vb;
    *var_count = vc;
}

static inline void account(mp_sampler_t *smp, stack_acc_t *a, int k)
{
    size_t S = sizes_tab[k][a->n % SIZES_N];
    a->n++;
    a->bytes += S;
    uint64_t w = mp_sampler_take(smp, S);
    if (__builtin_expect(w != 0, 0)) {
        a->samples++;
        a->est_bytes += w;
        a->est_count += (double)w / (double)S;
    }
}

static void run_workload(uint64_t seed, stack_acc_t out[NSTACKS])
{
    mp_sampler_t smp;
    mp_sampler_init(&smp, T512K, seed);
    stack_acc_t a[NSTACKS]; /* local, so that the compiler may keep it in registers */
    memset(a, 0, sizeof a);
    for (unsigned round = 0; round < ROUNDS; round++) {
        account(&smp, &a[LARGE], LARGE);
        for (unsigned i = 0; i < 16384; i++) {
            account(&smp, &a[TINY], TINY);
            if ((i & 63) == 0)
                account(&smp, &a[MEDIUM], MEDIUM);
            if ((i & 3) == 0)
                account(&smp, &a[MIXED], MIXED);
        }
    }
    memcpy(out, a, sizeof a);
}

/* Each stack's byte and count estimates: within 5% of the truth (the
 * requirement) and within 6σ (sharper: 6σ is below 5% for every stack
 * here). Per check, P(|Z| > 6) = 2·10⁻⁹ by the normal approximation (sums
 * of >= 10⁴ independent bounded terms, >= 8·10³ of them sampled).
 * Bernstein's inequality, which needs no approximation, bounds each check by
 * at most 3.6·10⁻⁷ (the mixed count; the others 10⁻⁸ to 10⁻⁷;
 * docs/sampling.md §3). With 2 estimates × 4 stacks × 4 seeds = 32 checks, a
 * correct sampler fails this test with probability about 6·10⁻⁸ (normal),
 * at most 3·10⁻⁶ (Bernstein). */
static void check_stacks(uint64_t seed, const stack_acc_t *acc)
{
    for (int k = 0; k < NSTACKS; k++) {
        const stack_acc_t *a = &acc[k];
        double vb, vc;
        stack_variance(k, a->n, &vb, &vc);
        double sb = sqrt(vb), sc = sqrt(vc);
        double eb = (double)a->est_bytes - (double)a->bytes;
        double ec = a->est_count - (double)a->n;
        printf("  %#18" PRIx64 "  %-20s n=%-10" PRIu64 " samples=%-7" PRIu64
               " bytes %+.3f%% (%+.2fσ, 6σ=%.2f%%)  count %+.3f%% (%+.2fσ, 6σ=%.2f%%)\n",
               seed, stack_name[k], a->n, a->samples, 100.0 * eb / (double)a->bytes, eb / sb,
               600.0 * sb / (double)a->bytes, 100.0 * ec / (double)a->n, ec / sc,
               600.0 * sc / (double)a->n);
        /* the workload's design: 5% is at least 6σ */
        CU_ASSERT(6.0 * sb <= 0.05 * (double)a->bytes);
        CU_ASSERT(6.0 * sc <= 0.05 * (double)a->n);
        CU_ASSERT(fabs(eb) <= 0.05 * (double)a->bytes);
        CU_ASSERT(fabs(eb) <= 6.0 * sb);
        CU_ASSERT(fabs(ec) <= 0.05 * (double)a->n);
        CU_ASSERT(fabs(ec) <= 6.0 * sc);
    }
}

/* Runs the workload with the fixed seed 1, then with three random seeds
 * (printed), or with MP_SAMPLER_TEST_SEED's once. */
static void per_stack_bytes_and_counts_within_5_percent(void)
{
    stack_acc_t acc[NSTACKS];
    make_sizes();
    uint64_t seeds[4] = {1, random_seed(), random_seed(), random_seed()};
    int nseeds = getenv("MP_SAMPLER_TEST_SEED") ? 2 : 4;
    printf("\n");
    for (int i = 0; i < nseeds; i++) {
        double t0 = now_s();
        run_workload(seeds[i], acc);
        double t1 = now_s();
        uint64_t n = 0;
        for (int k = 0; k < NSTACKS; k++)
            n += acc[k].n;
        printf("  seed %#" PRIx64 ": %" PRIu64 " allocations in %.2f s (%.2f ns each)\n",
               seeds[i], n, t1 - t0, 1e9 * (t1 - t0) / (double)n);
        check_stacks(seeds[i], acc);
    }
}

/* ------------------------------------------------------------------------ */
/* (e) p(S) and the weights, empirically. */

/* For each size, N allocations of that size in a row: each is sampled
 * independently with p(S) (docs/sampling.md §1), so the number sampled is
 * Binomial(N, p); it must be within 6 standard deviations of N·p (np(1−p)
 * >= 390 for every size here, normal approximation, 2·10⁻⁹ each). Every
 * weight must be S/p(S) rounded down or up, and the rounding must be
 * unbiased: the sum of (weight − S/p) within 6σ of 0, σ² = Σ f(1 − f) for
 * the fraction f. From S = 40·T on, every allocation is sampled (a gap never
 * exceeds 36.7·T) with weight S. */
static void sampling_probability_matches_the_formula(void)
{
    const size_t sizes[] = {1 * KiB, 16 * KiB, 128 * KiB, 512 * KiB, 1 * MiB, 2 * MiB, 40 * T512K};
    enum { N = 400000 };
    uint64_t seed = random_seed();
    printf("\n  seed %#" PRIx64 "\n", seed);
    mp_sampler_t s;
    mp_sampler_init(&s, T512K, seed);
    for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
        size_t S = sizes[j];
        double p = -expm1(-(double)S / T512K), w = (double)S / p;
        double lo = floor(w * (1 - 1e-12)), hi = ceil(w * (1 + 1e-12));
        double f = w - floor(w);
        uint64_t k = 0, bad = 0;
        double round_sum = 0.0;
        for (int i = 0; i < N; i++) {
            uint64_t got = mp_sampler_take(&s, S);
            if (!got)
                continue;
            k++;
            if ((double)got < lo || (double)got > hi || got < S)
                bad++;
            round_sum += (double)got - w;
        }
        double sd = sqrt(N * p * (1 - p)), z = sd > 0 ? ((double)k - N * p) / sd : 0.0;
        double rsd = sqrt((double)k * f * (1 - f));
        printf("  S=%-9zu p=%.6f sampled %.6f (%+.2fσ)  weight %.1f, rounding %+.3fσ\n", S, p,
               (double)k / N, z, w, rsd > 0 ? round_sum / rsd : 0.0);
        CU_ASSERT_EQUAL(bad, 0);
        if (sd > 0) {
            CU_ASSERT(fabs(z) < 6.0);
        } else {
            CU_ASSERT_EQUAL(k, N);
        }
        CU_ASSERT(fabs(round_sum) <= 6.0 * rsd + 1e-6 * (double)k);
    }
}

/* ------------------------------------------------------------------------ */
/* (d) Full mode and corner cases. */

static void full_mode_samples_everything_with_weight_size(void)
{
    const size_t sizes[] = {1, 7, 16, 4096, T512K, 1u << 30, SIZE_MAX};
    mp_sampler_t s;
    mp_sampler_init(&s, 0, 123);
    CU_ASSERT_EQUAL(s.bytes_left, 0);
    for (int rep = 0; rep < 1000; rep++)
        for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++)
            CU_ASSERT_EQUAL_FATAL(mp_sampler_take(&s, sizes[j]), sizes[j]);
    CU_ASSERT_EQUAL(mp_sampler_take(&s, 0), 1); /* 0 bytes, still reads as sampled */
    CU_ASSERT_EQUAL(s.bytes_left, 0);

    mp_sampler_t z; /* a zero-filled sampler is a full-mode one */
    memset(&z, 0, sizeof z);
    CU_ASSERT_EQUAL(mp_sampler_take(&z, 100), 100);
    CU_ASSERT_EQUAL(mp_sampler_take(&z, 0), 1);
}

static void zero_byte_requests_are_never_sampled(void)
{
    /* p(0) = 0 even at the smallest mean (every gap is >= 1 byte). */
    mp_sampler_t s;
    mp_sampler_init(&s, 1, 99);
    unsigned sampled0 = 0, sampled1 = 0;
    for (int i = 0; i < 100000; i++) {
        sampled0 += mp_sampler_take(&s, 0) != 0;
        CU_ASSERT_FATAL(s.bytes_left >= 1);
    }
    for (int i = 0; i < 100000; i++)
        sampled1 += mp_sampler_take(&s, 1) != 0;
    CU_ASSERT_EQUAL(sampled0, 0);
    /* T = 1, S = 1: p = 1 − e^(−1) = 0.632, σ = 152 over 10⁵: within 6σ */
    CU_ASSERT(fabs((double)sampled1 - 63212.06) < 6 * 152.5);
}

static void huge_means_are_clamped_and_huge_sizes_weigh_their_size(void)
{
    mp_sampler_t s;
    mp_sampler_init(&s, UINT64_MAX, 5);
    CU_ASSERT_EQUAL(s.mean, MP_SAMPLER_MEAN_MAX);
    CU_ASSERT(s.bytes_left >= 1 && s.bytes_left <= 37 * MP_SAMPLER_MEAN_MAX);
    CU_ASSERT_EQUAL(mp_sampler_take(&s, SIZE_MAX), SIZE_MAX);
    CU_ASSERT_EQUAL(mp_sampler_take(&s, (size_t)64 * MP_SAMPLER_MEAN_MAX),
                    (size_t)64 * MP_SAMPLER_MEAN_MAX);
    /* A sampled size just under 64·T: weight at least the size, finite. */
    mp_sampler_init(&s, MP_SAMPLER_MEAN_MAX, 6);
    uint64_t w = mp_sampler_take(&s, (size_t)64 * MP_SAMPLER_MEAN_MAX - 1);
    CU_ASSERT(w >= (size_t)64 * MP_SAMPLER_MEAN_MAX - 1 && w <= (size_t)64 * MP_SAMPLER_MEAN_MAX);
}

static void same_seed_same_decisions(void)
{
    mp_sampler_t a, b;
    mp_sampler_init(&a, 4096, 77);
    mp_sampler_init(&b, 4096, 77);
    uint64_t st = 3;
    for (int i = 0; i < 100000; i++) {
        size_t S = test_range(&st, 1, 20000);
        CU_ASSERT_EQUAL_FATAL(mp_sampler_take(&a, S), mp_sampler_take(&b, S));
    }
    /* and another seed, other decisions (fixed seeds: deterministic) */
    mp_sampler_init(&a, 4096, 77);
    mp_sampler_init(&b, 4096, 78);
    int differ = 0;
    for (int i = 0; i < 100000 && !differ; i++) {
        size_t S = test_range(&st, 1, 20000);
        differ = (mp_sampler_take(&a, S) != 0) != (mp_sampler_take(&b, S) != 0);
    }
    CU_ASSERT(differ);
}

/* ------------------------------------------------------------------------ */
/* (f) The fast path's cost, informational. */

static __thread mp_sampler_t tls_sampler; /* where the recorder keeps it: TLS */

static void fast_path_cost_is_printed(void)
{
    enum { CALLS = 100000000, NSIZES = 1024 };
    static size_t sizes[NSIZES];
    uint64_t st = 11;
    for (int i = 0; i < NSIZES; i++)
        sizes[i] = test_range(&st, 16, 256);

    volatile uint64_t sink = 0;
    uint64_t acc = 0;
    double t0 = now_s();
    for (int i = 0; i < CALLS; i++) {
        acc += sizes[i & (NSIZES - 1)];
        __asm__ volatile("" : : "r"(acc) : "memory");
    }
    double t1 = now_s();
    sink = acc;

    /* Not sampled: at the largest mean, 1.4·10¹⁰ bytes hold a sample point
     * with probability ~1%; the count of sampled calls is printed. */
    mp_sampler_init(&tls_sampler, MP_SAMPLER_MEAN_MAX, 1);
    acc = 0;
    uint64_t sampled = 0;
    double t2 = now_s();
    for (int i = 0; i < CALLS; i++) {
        uint64_t w = mp_sampler_take(&tls_sampler, sizes[i & (NSIZES - 1)]);
        sampled += w != 0;
        __asm__ volatile("" : : "r"(w) : "memory");
    }
    double t3 = now_s();

    /* T = 512 KiB: one call in ~3,800 takes the slow path. */
    mp_sampler_init(&tls_sampler, T512K, 1);
    uint64_t sampled512 = 0;
    double t4 = now_s();
    for (int i = 0; i < CALLS; i++) {
        uint64_t w = mp_sampler_take(&tls_sampler, sizes[i & (NSIZES - 1)]);
        sampled512 += w != 0;
        __asm__ volatile("" : : "r"(w) : "memory");
    }
    double t5 = now_s();
    sink += sampled + sampled512;
    (void)sink;

    double base = (t1 - t0) / CALLS * 1e9;
    printf("\n  loop alone %.2f ns/iteration; mp_sampler_take not sampled %.2f ns/call "
           "(%.2f ns over the loop, %" PRIu64 " sampled); at T=512 KiB %.2f ns/call "
           "(%.2f ns over the loop, %" PRIu64 " sampled)\n",
           base, (t3 - t2) / CALLS * 1e9, (t3 - t2) / CALLS * 1e9 - base, sampled,
           (t5 - t4) / CALLS * 1e9, (t5 - t4) / CALLS * 1e9 - base, sampled512);
    CU_PASS("informational");
}

void mp_test_register(void)
{
    MP_SUITE("sampler_math", MP_TEST(log_matches_libm_within_2_pow_minus_48),
             MP_TEST(probability_matches_libm_within_2_pow_minus_48));
    MP_SUITE("sampler", MP_TEST(gaps_are_exponential_with_mean_T),
             MP_TEST(first_gap_is_exponential_too),
             MP_TEST(sampling_probability_matches_the_formula),
             MP_TEST(per_stack_bytes_and_counts_within_5_percent),
             MP_TEST(full_mode_samples_everything_with_weight_size),
             MP_TEST(zero_byte_requests_are_never_sampled),
             MP_TEST(huge_means_are_clamped_and_huge_sizes_weigh_their_size),
             MP_TEST(same_seed_same_decisions), MP_TEST(fast_path_cost_is_printed));
}
