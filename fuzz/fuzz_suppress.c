/*
 * fuzz_suppress.c — libFuzzer target: hostile suppression files through
 * `memprof check`'s parser and matcher (cli/check_suppress.c).
 *
 * The input is a whole file: parsed with messages on (to /dev/null), the
 * built-in rules added, then every rule matched against a few fixed stacks
 * (C runtime, program, unknown frames) and against a stack whose names are
 * the input's own lines — so patterns meet the strings they were written
 * for. Checked: a good line becomes exactly one rule whose pattern has no
 * blank at either end, the bad-line count is what the parser says, and
 * mp_supp_template_match agrees with a plain reference matcher.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suppress.h"

#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "fuzz_suppress: %s:%d: check failed: %s\n", __FILE__, \
                    __LINE__, #c);                                                 \
            abort();                                                               \
        }                                                                          \
    } while (0)

static FILE *devnull;

/* Reference glob (`*` only, whole string) by dynamic programming: an
 * algorithm unlike the one under test (a two-pointer walk). */
static int ref_glob(const char *p, size_t plen, const char *s)
{
    size_t slen = strlen(s);
    char m[64][64]; /* m[i][j]: p[0..i) matches s[0..j) */

    if (plen >= 64 || slen >= 64)
        abort();
    memset(m, 0, sizeof m);
    m[0][0] = 1;
    for (size_t i = 1; i <= plen; i++)
        for (size_t j = 0; j <= slen; j++)
            m[i][j] = p[i - 1] == '*' ? (m[i - 1][j] || (j && m[i][j - 1]))
                                      : (j && m[i - 1][j - 1] && p[i - 1] == s[j - 1]);
    return m[plen][slen];
}

/* What check_suppress.h says a PATTERN means. */
static int ref_match(const char *t, const char *s)
{
    char pat[64];
    size_t len = strlen(t);
    int start = 0, end = 0;

    if (!s || !*s)
        return 0;
    if (len && t[0] == '^')
        start = 1, t++, len--;
    if (len && t[len - 1] == '$')
        end = 1, len--;
    snprintf(pat, sizeof pat, "%s%.*s%s", start ? "" : "*", (int)len, t, end ? "" : "*");
    return ref_glob(pat, strlen(pat), s);
}

static void match_stacks(mp_supp_t *s, char **lines, size_t nlines)
{
    static const mp_frame_t fixed[] = {
        { .function = "_IO_file_doallocate", .module = "/usr/lib/x86_64-linux-gnu/libc.so.6" },
        { .function = "malloc", .module = "/usr/lib/libmemprof.so", .file = "entry.c" },
        { .function = "leaky_init", .module = "/tmp/a.out", .file = "/src/leaky.c", .line = 7 },
        { .function = NULL, .module = NULL, .file = NULL },
        { .function = "__libc_start_main", .module = "/lib/ld-linux-x86-64.so.2" },
    };
    mp_frame_t mine[8];
    size_t n = 0;

    mp_supp_match(s, fixed, sizeof fixed / sizeof fixed[0]);
    for (size_t i = 0; i < nlines && n < 8; i++, n++) {
        memset(&mine[n], 0, sizeof mine[n]);
        mine[n].function = lines[i];
        mine[n].module = i + 1 < nlines ? lines[i + 1] : NULL;
        mine[n].file = lines[(i + 2) % nlines];
    }
    mp_supp_match(s, mine, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *copy = malloc(size + 1), *lines[16];
    size_t nlines = 0, before;
    mp_supp_t *s;
    int bad;

    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (!text || !copy || mp_supp_create(&s) != 0)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    memcpy(copy, text, size + 1);

    before = mp_supp_count(s);
    bad = mp_supp_parse(s, text, "fuzz.supp", devnull);
    CHECK(bad >= 0 || bad == -1);
    if (bad >= 0) {
        for (size_t i = before; i < mp_supp_count(s); i++) {
            const mp_supp_rule_t *r = mp_supp_rule(s, i);
            size_t len = strlen(r->pattern);
            CHECK(len > 0);
            CHECK(r->pattern[0] != ' ' && r->pattern[0] != '\t');
            CHECK(r->pattern[len - 1] != ' ' && r->pattern[len - 1] != '\t');
            CHECK(strncmp(r->origin, "fuzz.supp:", 10) == 0);
            CHECK(!r->runtime_only);
        }
    }
    CHECK(mp_supp_add_builtin(s) == 0);

    for (char *p = copy, *nl; p && nlines < 16; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lines[nlines++] = p;
    }
    match_stacks(s, lines, nlines);

    /* The matcher against the reference, on short pairs of lines. */
    for (size_t i = 0; i + 1 < nlines; i++)
        if (strlen(lines[i]) <= 40 && strlen(lines[i + 1]) <= 60)
            CHECK(mp_supp_template_match(lines[i], lines[i + 1]) ==
                  ref_match(lines[i], lines[i + 1]));

    mp_supp_destroy(s);
    free(text);
    free(copy);
    return 0;
}
