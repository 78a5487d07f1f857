/*
 * options.c — parses the option syntax shared by every memprof command
 * (described in options.h) against a command's table, and prints the table
 * as help. It knows nothing of what any option means: commands give meaning
 * in their callback, so adding an option is one table row and one case.
 *
 * We do not use getopt_long: it permutes argv by default (options after the
 * command would be stolen from the profiled program), its messages cannot
 * name our command, and its short-option bundling is more than we want.
 */
#include "options.h"

#include <stdarg.h>
#include <string.h>

#include "cli_error.h"

#include <errno.h>
#include <stdlib.h>

void mp_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "memprof: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Finds the long option whose name is the first len bytes of s. */
static const mp_opt_t *find_long(const mp_opt_t *table, const char *s, size_t len)
{
    for (const mp_opt_t *o = table; o->name; o++)
        if (strlen(o->name) == len && memcmp(o->name, s, len) == 0)
            return o;
    return NULL;
}

static const mp_opt_t *find_short(const mp_opt_t *table, char c)
{
    for (const mp_opt_t *o = table; o->name; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

static int unknown(const char *cmd, const char *arg, size_t len)
{
    mp_usage_error(cmd, "unknown option '%.*s' (see memprof %s --help)", (int)len, arg,
                   cmd);
    return -MP_CLI_EUSAGE;
}

int mp_opts_parse(const char *cmd, const mp_opt_t *table, int argc, char **argv,
                  int start, mp_opt_fn fn, void *ctx, mp_opts_result_t *out)
{
    int i = start;

    out->help = 0;
    while (i < argc) {
        const char *arg = argv[i];
        const mp_opt_t *opt;
        const char *value = NULL;
        const char *shown;     /* how the option was spelt, for messages */
        int inline_value = 0;  /* value came after '=' (or glued to -c) */

        if (arg[0] != '-' || arg[1] == '\0')
            break;                      /* first operand ("-" is one too) */
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            out->help = 1;
            i++;
            break;
        }

        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t namelen = eq ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
            opt = find_long(table, arg + 2, namelen);
            if (!opt && eq && namelen == 4 && memcmp(arg + 2, "help", 4) == 0) {
                mp_usage_error(cmd, "option '--help' takes no value (got '%s')", arg);
                return -MP_CLI_EUSAGE;
            }
            if (!opt)
                return unknown(cmd, arg, namelen + 2);
            if (eq) {
                value = eq + 1;
                inline_value = 1;
            }
            shown = arg;
        } else {
            opt = find_short(table, arg[1]);
            if (!opt)
                return unknown(cmd, arg, 2);
            if (arg[2] != '\0') {
                value = arg + 2;
                inline_value = 1;
            }
            shown = arg;
        }

        if (!opt->value && inline_value) {
            mp_usage_error(cmd, "option '--%s' takes no value (got '%s')", opt->name, shown);
            return -MP_CLI_EUSAGE;
        }
        if (opt->value && !inline_value) {
            if (i + 1 >= argc) {
                mp_usage_error(cmd, "option '--%s' needs a value (--%s=%s)", opt->name,
                               opt->name, opt->value);
                return -MP_CLI_EUSAGE;
            }
            value = argv[++i];
        }

        int err = fn(ctx, opt, value);
        if (err)
            return err;
        i++;
    }
    out->first_operand = i;
    return 0;
}

void mp_opts_print_help(FILE *out, const mp_opt_t *table)
{
    char spell[64];

    for (const mp_opt_t *o = table; o->name; o++) {
        int n = 0;

        if (o->short_name)
            n = snprintf(spell, sizeof spell, "-%c, ", o->short_name);
        snprintf(spell + n, sizeof spell - (size_t)n, "--%s%s%s", o->name,
                 o->value ? "=" : "", o->value ? o->value : "");
        fprintf(out, "  %-22s %s\n", spell, o->help);
    }
    fprintf(out, "  %-22s %s\n", "-h, --help", "show this help and exit");
}

int mp_parse_size(const char *value, unsigned long long max, unsigned long long *out)
{
    char *e;
    unsigned shift = 0;
    unsigned long long n;

    if (value[0] < '0' || value[0] > '9')
        return -1;
    errno = 0;
    n = strtoull(value, &e, 10);
    if (errno == ERANGE)
        return -1;
    switch (*e) {
    case 'k': case 'K': shift = 10; e++; break;
    case 'm': case 'M': shift = 20; e++; break;
    case 'g': case 'G': shift = 30; e++; break;
    }
    if (*e != '\0' || n > (max >> shift))
        return -1;
    *out = n << shift;
    return 0;
}

int mp_opts_parse_single(const char *cmd, const mp_opt_t *table, int argc, char **argv,
                         mp_opt_fn fn, void *ctx, int *help, const char **operand)
{
    mp_opts_result_t parsed;

    *help = 0;
    *operand = NULL;
    for (int start = 1;;) {
        int rc = mp_opts_parse(cmd, table, argc, argv, start, fn, ctx, &parsed);
        if (rc)
            return rc;
        if (parsed.help) {
            *help = 1;
            return 0;
        }
        if (parsed.first_operand >= argc)
            return 0;
        if (*operand) {
            mp_usage_error(cmd, "one log at a time ('%s' is one too many)",
                           argv[parsed.first_operand]);
            return -MP_CLI_EUSAGE;
        }
        *operand = argv[parsed.first_operand];
        start = parsed.first_operand + 1;
    }
}
