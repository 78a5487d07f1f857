/*
 * flame_folded.h — writes a frame tree (flame_tree.h) as collapsed stacks,
 * the text flamegraph.pl, inferno and speedscope read: one line per stack
 * that has a value of its own, its frames root first joined by ';', a
 * space, the value (a whole number: bytes or a count).
 *
 *     main;parse;xstrdup 4096
 *
 * Order: depth first, siblings by name (strcmp), a stack before the stacks
 * it is a prefix of — the same tree always gives the same text. A ';' in a
 * name is written ':' and a newline ' ' (the format has no escapes); the
 * root itself is never a frame, and value the root holds on its own (stacks
 * of no frame) is written as the stack "all".
 *
 * A tree with a base (a diff, flame_tree.h) writes both runs' values, the
 * base's (A) first, as flamegraph.pl reads a diff and difffolded.pl
 * writes one; a stack of either run is a line:
 *
 *     main;parse;xstrdup 1024 4096
 */
#ifndef MP_CLI_FLAME_FOLDED_H
#define MP_CLI_FLAME_FOLDED_H

#include <stdio.h>

#include "flame_tree.h"

/* t must be finished. 0, or -1 on a write error or out of memory. */
int mp_flame_write_folded(FILE *out, const mp_flame_tree_t *t);

#endif
