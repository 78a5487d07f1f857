/*
 * flame_folded.c — see flame_folded.h. An explicit depth-first walk (the
 * tree can be as deep as the log's stacks, thousands of frames with
 * recursion, so no C recursion), with the path from the root kept as node
 * indices.
 */
#include "flame_folded.h"

#include <inttypes.h>
#include <stdlib.h>

static void put_name(FILE *out, const char *s)
{
    for (; *s; s++)
        putc(*s == ';' ? ':' : *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* " VALUE", or with a base " BASE VALUE" (difffolded.pl's order); after
 * the stack's text. */
static void put_values(FILE *out, const char *stack, const mp_flame_node_t *nd, int diff)
{
    fputs(stack, out);
    if (diff)
        fprintf(out, " %" PRIu64, nd->self_base);
    fprintf(out, " %" PRIu64 "\n", nd->self_value);
}

int mp_flame_write_folded(FILE *out, const mp_flame_tree_t *t)
{
    size_t depth = (size_t)mp_flame_tree_depth(t) + 1;
    uint32_t *path = malloc(depth * sizeof *path);
    size_t *next = malloc(depth * sizeof *next); /* next child to visit, per level */
    size_t top = 0;
    const mp_flame_node_t *root = mp_flame_tree_node(t, 0);
    int diff = mp_flame_tree_has_base(t);

    if (!path || !next) {
        free(path);
        free(next);
        return -1;
    }
    if (root->self_value || (diff && root->self_base))
        put_values(out, "all", root, diff);
    path[0] = 0;
    next[0] = 0;
    while (1) {
        size_t nc;
        const uint32_t *kids = mp_flame_tree_children(t, path[top], &nc);

        if (next[top] < nc) {
            uint32_t c = kids[next[top]++];
            const mp_flame_node_t *nd = mp_flame_tree_node(t, c);

            path[++top] = c;
            next[top] = 0;
            if (nd->self_value || (diff && nd->self_base)) {
                for (size_t i = 1; i <= top; i++) {
                    if (i > 1)
                        putc(';', out);
                    put_name(out, mp_flame_tree_node(t, path[i])->name);
                }
                put_values(out, "", nd, diff);
            }
            continue;
        }
        if (top == 0)
            break;
        top--;
    }
    free(path);
    free(next);
    return ferror(out) ? -1 : 0;
}
