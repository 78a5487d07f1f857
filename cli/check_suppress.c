/*
 * check_suppress.c — suppression rules for `memprof check` (see
 * check_suppress.h for the syntax and what a rule is matched against).
 *
 * The matcher is a glob with `*` only, over an implied `*` at each end
 * unless the pattern is anchored by `^` / `$`. It backtracks to the last
 * `*` only (the classic two-pointer wildcard walk), so it runs in
 * O(len(pattern) * len(name)) and never recurses. LSan's own TemplateMatch
 * takes the first occurrence of each literal piece and so misses some
 * matches (`leak:a$` against "aa"); ours finds them.
 *
 * Built-in rules: what a plain C program leaves allocated at exit under
 * memprof (glibc 2.3x, checked with printf, setlocale, ctime, fopen): the
 * stdio buffers of stdout/stderr/open files (_IO_file_doallocate), the
 * locale data setlocale loads and keeps (_nl_*), the time zone tzset reads
 * once (tzset/__tz*), and the loader's and libc's own setup (_dl_*,
 * __libc_*, __tls_get_addr). They apply to the C-runtime frames nearest
 * the allocation only, so a leak made by the program through libc (strdup,
 * fopen without fclose) is still reported.
 */
#define _GNU_SOURCE
#include "check_suppress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mp_supp {
    mp_supp_rule_t *v; /* rules in the order added */
    size_t n, cap;
};

static const struct {
    const char *pattern;
    const char *why;
} builtins[] = {
    { "^_IO_file_doallocate$", "stdio buffers (stdout, stderr, open FILEs), kept until exit" },
    { "^_nl_", "locale data and message catalogs that setlocale and gettext keep" },
    { "^setlocale$", "the locale names setlocale keeps for the next call" },
    { "^tzset", "the time zone that localtime/ctime read once" },
    { "^__tz", "the time zone that localtime/ctime read once" },
    { "^_dl_", "the dynamic loader's own allocations (link maps, TLS, dlopen state)" },
    { "^__libc_", "libc's one-time setup" },
    { "__tls_get_addr", "thread-local storage blocks of loaded libraries" },
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

int mp_supp_create(mp_supp_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void mp_supp_destroy(mp_supp_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].pattern);
        free(s->v[i].origin);
    }
    free(s->v);
    free(s);
}

static int add_rule(mp_supp_t *s, const char *pattern, size_t len, const char *origin,
                    int runtime_only, const char *why)
{
    mp_supp_rule_t *r;

    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        mp_supp_rule_t *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    r = &s->v[s->n];
    memset(r, 0, sizeof *r);
    r->pattern = strndup(pattern, len);
    r->origin = strdup(origin);
    if (!r->pattern || !r->origin) {
        free(r->pattern);
        free(r->origin);
        return -1;
    }
    r->runtime_only = runtime_only;
    r->why = why;
    s->n++;
    return 0;
}

int mp_supp_add_builtin(mp_supp_t *s)
{
    for (size_t i = 0; i < NBUILTINS; i++)
        if (add_rule(s, builtins[i].pattern, strlen(builtins[i].pattern), "built-in", 1,
                     builtins[i].why) != 0)
            return -1;
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int mp_supp_parse(mp_supp_t *s, const char *text, const char *name, FILE *err)
{
    int bad = 0;
    unsigned line = 0;

    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        const char *b = p, *e = eol ? eol : p + strlen(p);
        char origin[4200];

        line++;
        p = eol ? eol + 1 : e;
        while (b < e && is_blank(*b))
            b++;
        while (e > b && is_blank(e[-1]))
            e--;
        if (b == e || *b == '#')
            continue;
        snprintf(origin, sizeof origin, "%s:%u", name, line);
        if ((size_t)(e - b) < 5 || memcmp(b, "leak:", 5) != 0) {
            const char *colon = memchr(b, ':', (size_t)(e - b));
            if (err && colon)
                fprintf(err, "%s: unknown suppression type '%.*s' (memprof checks leaks: "
                             "expected leak:PATTERN)\n",
                        origin, (int)(colon - b), b);
            else if (err)
                fprintf(err, "%s: expected leak:PATTERN or a # comment, not '%.*s'\n", origin,
                        (int)(e - b > 60 ? 60 : e - b), b);
            bad++;
            continue;
        }
        b += 5;
        while (b < e && is_blank(*b))
            b++;
        if (b == e || (e - b == 1 && (*b == '^' || *b == '$' || *b == '*')) ||
            (e - b == 2 && b[0] == '^' && b[1] == '$')) {
            if (err)
                fprintf(err, "%s: empty pattern after leak: (it would match every leak; "
                             "use --max-leaked to allow leaks)\n",
                        origin);
            bad++;
            continue;
        }
        if (memchr(b, '\0', (size_t)(e - b)) || add_rule(s, b, (size_t)(e - b), origin, 0, NULL))
            return -1;
    }
    return bad;
}

int mp_supp_load(mp_supp_t *s, const char *path, FILE *err)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    int rc;

    if (!f) {
        if (err)
            fprintf(err, "memprof: check: cannot read suppressions '%s': %s\n", path,
                    strerror(errno));
        return -1;
    }
    do {
        if (cap - len < 4096) {
            char *t = realloc(text, cap = cap ? 2 * cap : 8192);
            if (!t) {
                free(text);
                fclose(f);
                return -1;
            }
            text = t;
        }
        n = fread(text + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        if (err)
            fprintf(err, "memprof: check: cannot read suppressions '%s': %s\n", path,
                    strerror(errno));
        free(text);
        fclose(f);
        return -1;
    }
    fclose(f);
    text[len] = '\0';
    rc = mp_supp_parse(s, text, path, err);
    free(text);
    return rc;
}

size_t mp_supp_count(const mp_supp_t *s)
{
    return s->n;
}

mp_supp_rule_t *mp_supp_rule(mp_supp_t *s, size_t i)
{
    return i < s->n ? &s->v[i] : NULL;
}

/* Glob of pat[0..plen) against str with `*` only, the whole of str. */
static int glob(const char *pat, size_t plen, const char *str)
{
    size_t p = 0, star = (size_t)-1;
    const char *s = str, *mark = NULL;

    while (*s) {
        if (p < plen && pat[p] == '*') {
            star = p++;
            mark = s;
        } else if (p < plen && pat[p] == *s) {
            p++;
            s++;
        } else if (star != (size_t)-1) {
            p = star + 1;
            s = ++mark;
        } else {
            return 0;
        }
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

int mp_supp_template_match(const char *templ, const char *str)
{
    size_t len = strlen(templ);
    int start = 0, end = 0;
    char *pat;
    int rc;

    if (!str || !*str)
        return 0;
    if (len && templ[0] == '^') {
        start = 1;
        templ++;
        len--;
    }
    if (len && templ[len - 1] == '$') {
        end = 1;
        len--;
    }
    pat = malloc(len + 3);
    if (!pat)
        return 0;
    snprintf(pat, len + 3, "%s%.*s%s", start ? "" : "*", (int)len, templ, end ? "" : "*");
    rc = glob(pat, strlen(pat), str);
    free(pat);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

int mp_supp_frame_is_runtime(const mp_frame_t *f)
{
    const char *b = base_name(f->module);

    return b && (strncmp(b, "libc.so", 7) == 0 || strncmp(b, "libc-", 5) == 0 ||
                 strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "ld.so", 5) == 0 ||
                 strncmp(b, "ld64.so", 7) == 0);
}

static int frame_matches(const char *pattern, const mp_frame_t *f)
{
    return mp_supp_template_match(pattern, f->function) ||
           mp_supp_template_match(pattern, f->module) ||
           (f->module && base_name(f->module) != f->module &&
            mp_supp_template_match(pattern, base_name(f->module))) ||
           mp_supp_template_match(pattern, f->file) ||
           (f->file && base_name(f->file) != f->file &&
            mp_supp_template_match(pattern, base_name(f->file)));
}

mp_supp_rule_t *mp_supp_match(mp_supp_t *s, const mp_frame_t *frames, size_t nframes)
{
    size_t runtime = 0; /* frames [0, runtime) are the innermost C-runtime run */

    while (runtime < nframes && mp_supp_frame_is_runtime(&frames[runtime]))
        runtime++;
    for (size_t i = 0; i < s->n; i++) {
        mp_supp_rule_t *r = &s->v[i];
        size_t n = r->runtime_only ? runtime : nframes;

        for (size_t k = 0; k < n; k++) {
            if (frame_matches(r->pattern, &frames[k])) {
                r->leaks++;
                return r;
            }
        }
    }
    return NULL;
}
