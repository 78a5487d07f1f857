/*
 * flame_tree.h — the frame tree behind `memprof flamegraph`: stacks (root
 * frame first) merged into a tree where a node is one frame reached by one
 * path from the root, carrying the sum of the metric over the stacks that
 * pass through it. It knows nothing of logs: cmd_flamegraph.c turns the
 * report model's symbolized stacks into frames and adds them here;
 * flame_folded.c and flame_svg.c write the tree out.
 *
 *     mp_flame_tree_t *t = mp_flame_tree_new();
 *     mp_flame_tree_add(t, n, frames, value, bytes, count);   per stack
 *     mp_flame_tree_finish(t);               siblings sorted by name
 *     node 0 is the root ("all"); mp_flame_tree_children(t, i, &n) ...
 *     mp_flame_tree_free(t);
 *
 * A differential tree (`memprof flamegraph --diff`) also holds a base: the
 * stacks of the earlier run added with mp_flame_tree_add_base, matched to
 * the later run's by the same rule (frame names along the path, never
 * addresses). A node of the base alone has value 0: it exists, but a
 * drawing whose widths come from value leaves it out.
 *
 * Invariants, once finished: node.value == node.self_value + the sum of
 * its children's values (the same for bytes, count and the base's three);
 * siblings are in
 * strcmp order of their names, so every output is the same for the same
 * stacks, whatever order they were added in. Two frames are the same node
 * when they have the same name under the same parent: file and line are the
 * first added's (inlined copies of one function at two lines merge).
 *
 * Memory: a node per distinct (parent, name) and a copy of every distinct
 * name; lookups through hash tables, so adding is O(depth) per stack.
 * Not thread-safe.
 */
#ifndef MP_CLI_FLAME_TREE_H
#define MP_CLI_FLAME_TREE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_flame_tree mp_flame_tree_t;

/* One frame of a stack, as added. */
typedef struct mp_flame_frame {
    const char *name;  /* function, "module+0xOFF" or "0xADDR"; copied */
    const char *file;  /* source file or NULL; copied */
    uint32_t line;     /* 0 if unknown */
} mp_flame_frame_t;

typedef struct mp_flame_node {
    const char *name;      /* interned: equal names, equal pointers */
    const char *file;      /* NULL if unknown */
    uint32_t line;
    uint32_t parent;       /* node index; the root's is 0 */
    uint32_t depth;        /* root 0, its children 1, ... */
    uint64_t value;        /* the metric summed over the stacks through it */
    uint64_t bytes;        /* bytes of those stacks (what the tooltip says) */
    uint64_t count;        /* blocks or allocations of those stacks */
    uint64_t self_value;   /* the part of value of stacks ending here */
    uint64_t self_bytes, self_count;
    uint64_t base_value;   /* the same four of the base (--diff's earlier run) */
    uint64_t base_bytes, base_count, self_base;
} mp_flame_node_t;

mp_flame_tree_t *mp_flame_tree_new(void);
/* NULL is fine. */
void mp_flame_tree_free(mp_flame_tree_t *t);

/* Adds a stack of n frames, root first (n may be 0: the root's own). A
 * stack with value 0 is skipped. 0, or -1 out of memory (or called after
 * mp_flame_tree_finish). */
int mp_flame_tree_add(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames,
                      uint64_t value, uint64_t bytes, uint64_t count);

/* Adds a stack of the base (the earlier run of a diff), as
 * mp_flame_tree_add adds one of the tree: its frames make the same nodes
 * as the same names would. 0, or -1 as mp_flame_tree_add. */
int mp_flame_tree_add_base(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames,
                           uint64_t value, uint64_t bytes, uint64_t count);
/* 1 once a base stack was added. */
int mp_flame_tree_has_base(const mp_flame_tree_t *t);

/* Sorts siblings by name; after this only the accessors. 0 or -1 (memory). */
int mp_flame_tree_finish(mp_flame_tree_t *t);

/* Nodes, root (index 0) included. */
size_t mp_flame_tree_count(const mp_flame_tree_t *t);
const mp_flame_node_t *mp_flame_tree_node(const mp_flame_tree_t *t, size_t i);
/* The children of node i, in name order (after finish); *n their count. */
const uint32_t *mp_flame_tree_children(const mp_flame_tree_t *t, size_t i, size_t *n);
/* The deepest node's depth. */
uint32_t mp_flame_tree_depth(const mp_flame_tree_t *t);

#endif
