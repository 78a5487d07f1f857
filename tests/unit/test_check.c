/*
 * test_check.c — the suppression rules of `memprof check`
 * (cli/check_suppress.h): the template matcher (wildcards, anchors, the
 * implied substring), parsing (comments, blanks, bad lines reported as
 * FILE:LINE), matching a stack (function, module, source file), and the
 * built-in rules' confinement to the innermost C-runtime frames.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suppress.h"
#include "cunit_main.h"

static void template_substring_without_anchors(void)
{
    CU_ASSERT_TRUE(mp_supp_template_match("foo", "foo"));
    CU_ASSERT_TRUE(mp_supp_template_match("foo", "my_foo_init"));
    CU_ASSERT_FALSE(mp_supp_template_match("foo", "fo"));
    CU_ASSERT_FALSE(mp_supp_template_match("foo", ""));
    CU_ASSERT_FALSE(mp_supp_template_match("foo", NULL));
}

static void template_anchors(void)
{
    CU_ASSERT_TRUE(mp_supp_template_match("^foo", "foo_init"));
    CU_ASSERT_FALSE(mp_supp_template_match("^foo", "my_foo"));
    CU_ASSERT_TRUE(mp_supp_template_match("foo$", "my_foo"));
    CU_ASSERT_FALSE(mp_supp_template_match("foo$", "foo_init"));
    CU_ASSERT_TRUE(mp_supp_template_match("^foo$", "foo"));
    CU_ASSERT_FALSE(mp_supp_template_match("^foo$", "foox"));
    /* LSan's first-occurrence walk misses this one. */
    CU_ASSERT_TRUE(mp_supp_template_match("a$", "aa"));
}

static void template_wildcards(void)
{
    CU_ASSERT_TRUE(mp_supp_template_match("^lib*.so", "libfoo.so.6"));
    CU_ASSERT_TRUE(mp_supp_template_match("^a*b*c$", "axxbyyc"));
    CU_ASSERT_FALSE(mp_supp_template_match("^a*b*c$", "axxbyy"));
    CU_ASSERT_TRUE(mp_supp_template_match("*", "anything"));
    CU_ASSERT_TRUE(mp_supp_template_match("^*_init$", "x_init"));
    CU_ASSERT_TRUE(mp_supp_template_match("^ab*ab$", "abab"));
    CU_ASSERT_TRUE(mp_supp_template_match("^ab*ab$", "abxxab"));
    CU_ASSERT_FALSE(mp_supp_template_match("^ab*ab$", "aba"));
}

static void parse_comments_blanks_and_bad_lines(void)
{
    mp_supp_t *s;
    char *msg = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&msg, &len);

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s,
                                  "# a comment\n"
                                  "\n"
                                  "   leak:foo  \r\n"
                                  "race:bar\n"
                                  "leak:\n"
                                  "nonsense\n"
                                  "\tleak:^baz$",
                                  "my.supp", err),
                    3);
    fclose(err);
    CU_ASSERT_EQUAL(mp_supp_count(s), 2);
    CU_ASSERT_STRING_EQUAL(mp_supp_rule(s, 0)->pattern, "foo");
    CU_ASSERT_STRING_EQUAL(mp_supp_rule(s, 0)->origin, "my.supp:3");
    CU_ASSERT_STRING_EQUAL(mp_supp_rule(s, 1)->pattern, "^baz$");
    CU_ASSERT_STRING_EQUAL(mp_supp_rule(s, 1)->origin, "my.supp:7");
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "my.supp:4: unknown suppression type 'race'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "my.supp:5: empty pattern"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "my.supp:6: expected leak:PATTERN"));
    CU_ASSERT_PTR_NULL(mp_supp_rule(s, 2));
    free(msg);
    mp_supp_destroy(s);
}

static mp_frame_t frame(const char *fn, const char *file, const char *module)
{
    mp_frame_t f;

    memset(&f, 0, sizeof f);
    f.function = fn;
    f.file = file;
    f.line = file ? 10 : 0;
    f.module = module;
    return f;
}

static void match_function_module_or_file(void)
{
    mp_supp_t *s;
    mp_frame_t st[3] = {
        frame("make_node", "/src/tree/node.c", "/opt/app/libtree.so.1"),
        frame("main", "/src/main.c", "/opt/app/prog"),
        frame("__libc_start_main", NULL, "/usr/lib/libc.so.6"),
    };

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s, "leak:^node.c$\n", "a", NULL), 0); /* file basename */
    CU_ASSERT_PTR_NOT_NULL(mp_supp_match(s, st, 3));
    mp_supp_destroy(s);

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s, "leak:^libtree.so\n", "a", NULL), 0); /* module basename */
    CU_ASSERT_PTR_NOT_NULL(mp_supp_match(s, st, 3));
    mp_supp_destroy(s);

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s, "leak:^/src/tree/*\n", "a", NULL), 0); /* file path */
    CU_ASSERT_PTR_NOT_NULL(mp_supp_match(s, st, 3));
    mp_supp_destroy(s);

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s, "leak:^ma$\nleak:^main$\n", "a", NULL), 0);
    mp_supp_rule_t *r = mp_supp_match(s, st, 3); /* any frame, first rule that matches */
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->origin, "a:2");
    CU_ASSERT_EQUAL(r->leaks, 1);
    mp_supp_destroy(s);

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_parse(s, "leak:^other$\n", "a", NULL), 0);
    CU_ASSERT_PTR_NULL(mp_supp_match(s, st, 3));
    mp_supp_destroy(s);
}

static void builtins_only_in_innermost_runtime_frames(void)
{
    mp_supp_t *s;
    mp_frame_t stdio[3] = {
        frame("_IO_file_doallocate", "filedoalloc.c", "/usr/lib/libc.so.6"),
        frame("__printf", "printf.c", "/usr/lib/libc.so.6"),
        frame("main", "p.c", "/tmp/p"),
    };
    /* A leak in a library constructor the loader ran: _dl_init is on the
     * stack, but not between the allocation and the first non-libc frame. */
    mp_frame_t ctor[3] = {
        frame("my_ctor", "lib.c", "/tmp/libx.so"),
        frame("_dl_init", "dl-init.c", "/lib64/ld-linux-x86-64.so.2"),
        frame("__libc_start_main", NULL, "/usr/lib/libc.so.6"),
    };
    mp_frame_t user[3] = {
        frame("__strdup", "strdup.c", "/usr/lib/libc.so.6"),
        frame("main", "p.c", "/tmp/p"),
        frame("__libc_start_main_impl", "libc-start.c", "/usr/lib/libc.so.6"),
    };

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL_FATAL(mp_supp_add_builtin(s), 0);
    CU_ASSERT_PTR_NOT_NULL(mp_supp_match(s, stdio, 3));
    CU_ASSERT_PTR_NULL(mp_supp_match(s, ctor, 3));
    CU_ASSERT_PTR_NULL(mp_supp_match(s, user, 3));
    CU_ASSERT_TRUE(mp_supp_frame_is_runtime(&stdio[0]));
    CU_ASSERT_TRUE(mp_supp_frame_is_runtime(&ctor[1]));
    CU_ASSERT_FALSE(mp_supp_frame_is_runtime(&ctor[0]));
    mp_supp_destroy(s);
}

static void load_reports_unreadable_file(void)
{
    mp_supp_t *s;

    CU_ASSERT_EQUAL_FATAL(mp_supp_create(&s), 0);
    CU_ASSERT_EQUAL(mp_supp_load(s, "/nonexistent/memprof.supp", NULL), -1);
    mp_supp_destroy(s);
    mp_supp_destroy(NULL);
}

void mp_test_register(void)
{
    MP_SUITE("check_suppress", MP_TEST(template_substring_without_anchors),
             MP_TEST(template_anchors), MP_TEST(template_wildcards),
             MP_TEST(parse_comments_blanks_and_bad_lines),
             MP_TEST(match_function_module_or_file),
             MP_TEST(builtins_only_in_innermost_runtime_frames),
             MP_TEST(load_reports_unreadable_file));
}
