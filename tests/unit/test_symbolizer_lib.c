/*
 * test_symbolizer_lib.c — code for test_symbolizer to resolve, built as
 * libtest_symbolizer_lib.so (with DWARF) and libtest_symbolizer_stripped.so
 * (split and stripped; symbolizer_tests.cmake).
 *
 * Each exported symlib_* function returns a return address captured inside
 * it: symlib_leaf hands back its own return address, which lies in its
 * caller right after the call. Lines the test checks carry a "@NAME"
 * marker in a comment; the test finds their numbers by reading this file,
 * so editing it cannot silently break the expectations.
 *
 * noipa keeps every function a real, separate call whatever the optimizer
 * thinks of it (no inlining, cloning or interprocedural shortcuts), except
 * symlib_inline, which is always inlined on purpose.
 */
#include <stddef.h>

void *symlib_leaf(void);
void *symlib_plain(void);
void *symlib_outer(int x);
void *symlib_call_static(void);
void *symlib_nested_outer(int x);

__attribute__((noipa)) void *symlib_leaf(void)
{
    return __builtin_return_address(0);
}

__attribute__((noipa)) void *symlib_plain(void)
{ /* @PLAIN_BEGIN */
    void *ra = symlib_leaf(); /* @PLAIN_CALL */
    __asm__ volatile("" ::: "memory");
    return ra;
} /* @PLAIN_END */

/* Inlined into symlib_outer: its call to symlib_leaf is an instruction of
 * symlib_outer, described in DWARF as a DW_TAG_inlined_subroutine. */
static inline __attribute__((always_inline)) void *symlib_inline(int x)
{
    void *ra = symlib_leaf(); /* @INLINE_CALL */
    __asm__ volatile("" ::: "memory");
    return x ? ra : NULL;
}

__attribute__((noipa)) void *symlib_outer(int x)
{
    void *ra = symlib_inline(x); /* @OUTER_CALL */
    __asm__ volatile("" ::: "memory");
    return ra;
}

/* Not exported: only .symtab and DWARF know its name, so in the stripped
 * library it can be named only through the separate debug file. */
static __attribute__((noipa)) void *symlib_static(void)
{
    void *ra = symlib_leaf(); /* @STATIC_CALL */
    __asm__ volatile("" ::: "memory");
    return ra;
}

__attribute__((noipa)) void *symlib_call_static(void)
{
    void *ra = symlib_static();
    __asm__ volatile("" ::: "memory");
    return ra;
}

/* A GNU C nested function: its DWARF subprogram sits inside its parent's,
 * where the symbolizer's function index does not look (it falls back to
 * dwarf_getscopes). It uses nothing of its parent, so no trampoline. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
__attribute__((noipa)) void *symlib_nested_outer(int x)
{
    __attribute__((noipa)) void *nested(void)
    {
        void *ra = symlib_leaf(); /* @NESTED_CALL */
        __asm__ volatile("" ::: "memory");
        return ra;
    }
    void *ra = nested();
    __asm__ volatile("" ::: "memory");
    return x ? ra : NULL;
}
#pragma GCC diagnostic pop
