/*
 * check_suppress.h — the suppressions of `memprof check`: rules that say
 * which leaks are expected, in LeakSanitizer's syntax, and the matcher that
 * applies them to a leak's symbolized stack.
 *
 * A suppressions file holds one rule per line:
 *
 *     # comment (a whole line); blank lines are ignored
 *     leak:PATTERN
 *
 * PATTERN is matched, as LSan does (sanitizer_common's TemplateMatch),
 * against each frame of the stack: its function name, its module's path
 * and the module's file name, and its source file's path and file name.
 *   - `*` matches any run of characters, including none;
 *   - a leading `^` anchors the pattern at the start of the name, a
 *     trailing `$` at its end; without them the pattern may match anywhere
 *     inside the name (`leak:foo` matches `foo_init` and `libfoo.so`).
 * Leading and trailing blanks of a line are ignored. A line that is not a
 * comment, blank or `leak:PATTERN` with a non-empty PATTERN is an error,
 * reported as FILE:LINE.
 *
 * Built-in rules (mp_supp_add_builtin) cover the C runtime's one-time
 * allocations — stdio buffers, locale data, the dynamic loader's and libc's
 * own setup. They are matched only against the innermost run of frames
 * that lie in the C runtime (libc.so, ld-linux): the frames between the
 * allocation and the first frame of another module. So `_dl_*` hides the
 * loader's own bookkeeping but never a leak in a library constructor that
 * the loader happens to call, and `__libc_*` never matches a stack only
 * because __libc_start_main is at its bottom.
 *
 * Not thread-safe; the rules live until mp_supp_destroy.
 */
#ifndef MP_CLI_CHECK_SUPPRESS_H
#define MP_CLI_CHECK_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "symbolizer.h"

typedef struct mp_supp_rule {
    char *pattern;     /* as written after "leak:", blanks trimmed */
    char *origin;      /* "FILE:LINE", or "built-in" */
    int runtime_only;  /* 1: match the innermost C-runtime frames only */
    const char *why;   /* built-in rules: what they cover; else NULL */
    uint64_t leaks;    /* stacks it suppressed (mp_supp_match counts) */
    uint64_t bytes;    /* their leaked bytes (the caller adds them) */
    uint64_t blocks;   /* their leaked blocks (the caller adds them) */
} mp_supp_rule_t;

typedef struct mp_supp mp_supp_t;

/* 0 with *out set, or -1 (out of memory). */
int mp_supp_create(mp_supp_t **out);
/* NULL is fine. */
void mp_supp_destroy(mp_supp_t *s);

/* Adds the built-in rules. 0, or -1 (out of memory). */
int mp_supp_add_builtin(mp_supp_t *s);

/* Parses text (a whole file's contents) and adds its rules; name is the
 * file name used in messages and origins. Every bad line is reported on
 * err as "NAME:LINE: why" (err may be NULL). Returns the number of bad
 * lines (0: all good; the good lines are added either way), or -1 out of
 * memory. */
int mp_supp_parse(mp_supp_t *s, const char *text, const char *name, FILE *err);

/* Reads the file path and parses it (mp_supp_parse). Returns the number
 * of bad lines, or -1 if it cannot be read (message on err). */
int mp_supp_load(mp_supp_t *s, const char *path, FILE *err);

size_t mp_supp_count(const mp_supp_t *s);
/* i < count; NULL otherwise. */
mp_supp_rule_t *mp_supp_rule(mp_supp_t *s, size_t i);

/* 1 if templ (a PATTERN as above) matches str, else 0. NULL str: 0. */
int mp_supp_template_match(const char *templ, const char *str);

/* The first rule that matches the stack (frames innermost first), with its
 * leak count incremented, or NULL. */
mp_supp_rule_t *mp_supp_match(mp_supp_t *s, const mp_frame_t *frames, size_t nframes);

/* 1 if the frame lies in the C runtime (libc.so*, ld-linux*, ld.so*). */
int mp_supp_frame_is_runtime(const mp_frame_t *f);

#endif
