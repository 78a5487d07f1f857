/*
 * fuzz_options.c — libFuzzer target: hostile option strings through every
 * option parser memprof has.
 *
 *   - the shim's MEMPROF_OPTIONS parser (preload/options.c), with and
 *     without its warnings: after parsing, every field is its default or
 *     inside the range options.c's table allows, and log is a
 *     NUL-terminated string without ':' (what the shim relies on later);
 *   - the CLI's readers of the same string (cli/run_env.c:
 *     mp_options_has_key, mp_options_get) and its builder (mp_optbuf_add);
 *   - the command-line syntax shared by every command (cli/options.c:
 *     mp_opts_parse, mp_opts_parse_single) on an argv made of the input's
 *     NUL-separated pieces, against a table with one option of each
 *     shape, and mp_parse_size on every value given to a SIZE option.
 *
 * A wrong parse is turned into a crash (abort) so libFuzzer reports it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"     /* cli/options.h: the command-line syntax */
#include "run_env.h"
#include "../preload/options.h"

#define MAX_ARGS 64

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "fuzz_options: %s:%d: check failed: %s\n", __FILE__, \
                    __LINE__, #c);                                                \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* ---- The shim's MEMPROF_OPTIONS --------------------------------------- */

static void check_shim(const char *s, int warn)
{
    mp_options_t d, o;

    mp_options_defaults(&d);
    o = d;
    mp_options_parse(s, &o, warn);
    CHECK(o.mode == MP_OPT_MODE_OFF || o.mode == MP_OPT_MODE_FULL);
    CHECK(o.stats == 0 || o.stats == 1);
    CHECK(o.background_thread == 0 || o.background_thread == 1);
    CHECK(o.verbose == 0 || o.verbose == 1);
    CHECK(o.follow_fork == 0 || o.follow_fork == 1);
    CHECK(o.follow_exec == 0 || o.follow_exec == 1);
    CHECK(o.scavenge_delay_ms <= 3600000);
    CHECK(o.depth >= 1 && o.depth <= 256);
    CHECK(o.flush_ms >= 1 && o.flush_ms <= 100);
    CHECK(o.snapshot_ms >= 1 && o.snapshot_ms <= 60000);
    CHECK(o.hollow_min <= 1u << 30);
    CHECK(o.hollow_signal <= 64);
    CHECK(o.sample <= 1u << 30);
    CHECK(memchr(o.log, '\0', sizeof o.log) != NULL);
    CHECK(strchr(o.log, ':') == NULL);
    /* A key the input does not name keeps its default. */
    if (!strstr(s, "depth"))
        CHECK(o.depth == d.depth);
    if (!strstr(s, "log"))
        CHECK(o.log[0] == '\0');
}

/* ---- The CLI's view of MEMPROF_OPTIONS -------------------------------- */

static int valid_digits(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return len > 0;
}

static void check_cli_env(const char *s)
{
    static const char *const keys[] = { "mode", "log", "depth", "sample", "follow_fork", "" };
    char buf[64];
    mp_optbuf_t b = { .len = 0 };

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int has = mp_options_has_key(s, keys[i]);
        int got = mp_options_get(s, keys[i], NULL, buf, sizeof buf);
        CHECK(has == got);
        if (got)
            CHECK(strlen(buf) < sizeof buf);
        if (mp_options_get(s, keys[i], valid_digits, buf, sizeof buf))
            CHECK(got && valid_digits(buf, strlen(buf)));
        (void)mp_options_get(s, keys[i], NULL, buf, 1);
    }
    /* The builder never overruns, however long the values. */
    for (int i = 0; i < 8; i++)
        if (mp_optbuf_add(&b, "log", s) != 0)
            break;
    CHECK(b.len == strlen(b.text) && b.len < sizeof b.text);
}

/* ---- The command-line syntax ------------------------------------------- */

enum { O_FLAG, O_VALUE, O_SIZE, O_SHORT_FLAG, O_SHORT_VALUE };

static const mp_opt_t table[] = {
    { "json", 0, NULL, "a flag", O_FLAG },
    { "top", 0, "N", "a value", O_VALUE },
    { "max-leaked", 0, "SIZE", "a size", O_SIZE },
    { "quiet", 'q', NULL, "a flag with a short form", O_SHORT_FLAG },
    { "output", 'o', "FILE", "a value with a short form", O_SHORT_VALUE },
    { NULL, 0, NULL, NULL, 0 },
};

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    int *calls = ctx;
    unsigned long long n;

    (*calls)++;
    CHECK(opt >= table && opt < table + sizeof table / sizeof table[0] - 1);
    CHECK((value != NULL) == (opt->value != NULL));
    if (opt->id == O_SIZE && mp_parse_size(value, 1ull << 40, &n) == 0) {
        CHECK(n <= 1ull << 40);
        CHECK(value[0] >= '0' && value[0] <= '9');
    }
    return opt->id == O_VALUE && value[0] == 'x' ? -1 : 0; /* a callback's refusal */
}

static void check_argv(int argc, char **argv)
{
    mp_opts_result_t r;
    int calls = 0, help;
    const char *operand;

    if (mp_opts_parse("fuzz", table, argc, argv, 1, on_option, &calls, &r) == 0) {
        CHECK(r.first_operand >= 1 && r.first_operand <= argc);
        CHECK(calls <= argc);
    }
    calls = 0;
    if (mp_opts_parse_single("fuzz", table, argc, argv, on_option, &calls, &help,
                             &operand) == 0 && operand) {
        int found = 0;
        for (int i = 1; i < argc; i++)
            found |= argv[i] == operand;
        CHECK(found);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *argv[MAX_ARGS + 1];
    int argc = 0;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    /* argv: "fuzz" then the NUL-separated pieces. */
    argv[argc++] = "fuzz";
    for (size_t i = 0; i < size && argc < MAX_ARGS; i += strlen(s + i) + 1)
        argv[argc++] = s + i;
    argv[argc] = NULL;
    check_argv(argc, argv);

    /* MEMPROF_OPTIONS: the whole input, NULs read as ':'. */
    for (size_t i = 0; i < size; i++)
        if (s[i] == '\0')
            s[i] = ':';
    check_shim(s, 0);
    check_shim(s, 1);
    check_cli_env(s);
    free(s);
    return 0;
}
