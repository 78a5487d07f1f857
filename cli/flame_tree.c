/*
 * flame_tree.c — see flame_tree.h. Two open-addressing hash tables with
 * linear probing, both kept at most half full (a probe then costs about
 * 1.5 slots): one interns strings (names and files), one maps (parent
 * node, interned name) to a node. Children are not linked while adding;
 * mp_flame_tree_finish groups them by parent with a counting sort (nodes
 * are created after their parent, but siblings are spread out) and sorts
 * each group by name.
 */
#include "flame_tree.h"

#include <stdlib.h>
#include <string.h>

struct mp_flame_tree {
    mp_flame_node_t *nodes;  /* nodes[0] is the root */
    size_t n, cap;
    char **strs;             /* intern table: NULL = empty slot */
    size_t nstrs, strcap;    /* strcap: a power of two */
    uint32_t *slots;         /* node table: node index + 1, 0 = empty */
    size_t slotcap;          /* a power of two, > 2 * (n - 1) */
    uint32_t *child_start;   /* after finish: n + 1 offsets into child */
    uint32_t *child;
    uint32_t depth;
    int finished;
    int has_base;            /* mp_flame_tree_add_base was called */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t hash_node(uint32_t parent, const char *name)
{
    uint64_t h = (uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15ull;

    h ^= (uint64_t)parent * 0xc2b2ae3d27d4eb4full;
    return h ^ (h >> 29);
}

static int strs_grow(mp_flame_tree_t *t)
{
    size_t cap = t->strcap ? 2 * t->strcap : 1024;
    char **v = calloc(cap, sizeof *v);

    if (!v)
        return -1;
    for (size_t i = 0; i < t->strcap; i++) {
        size_t j;

        if (!t->strs[i])
            continue;
        for (j = hash_str(t->strs[i]) & (cap - 1); v[j]; j = (j + 1) & (cap - 1))
            ;
        v[j] = t->strs[i];
    }
    free(t->strs);
    t->strs = v;
    t->strcap = cap;
    return 0;
}

/* The interned copy of s, or NULL out of memory. */
static const char *intern(mp_flame_tree_t *t, const char *s)
{
    size_t j, len;

    if (2 * (t->nstrs + 1) > t->strcap && strs_grow(t) != 0)
        return NULL;
    for (j = hash_str(s) & (t->strcap - 1); t->strs[j]; j = (j + 1) & (t->strcap - 1))
        if (strcmp(t->strs[j], s) == 0)
            return t->strs[j];
    len = strlen(s) + 1;
    t->strs[j] = malloc(len);
    if (!t->strs[j])
        return NULL;
    memcpy(t->strs[j], s, len);
    t->nstrs++;
    return t->strs[j];
}

static int slots_grow(mp_flame_tree_t *t)
{
    size_t cap = t->slotcap ? 2 * t->slotcap : 1024;
    uint32_t *v = calloc(cap, sizeof *v);

    if (!v)
        return -1;
    for (size_t i = 0; i < t->slotcap; i++) {
        const mp_flame_node_t *nd;
        size_t j;

        if (!t->slots[i])
            continue;
        nd = &t->nodes[t->slots[i] - 1];
        for (j = hash_node(nd->parent, nd->name) & (cap - 1); v[j]; j = (j + 1) & (cap - 1))
            ;
        v[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = v;
    t->slotcap = cap;
    return 0;
}

mp_flame_tree_t *mp_flame_tree_new(void)
{
    mp_flame_tree_t *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->cap = 1024;
    t->nodes = calloc(t->cap, sizeof *t->nodes);
    if (!t->nodes || slots_grow(t) != 0 || !(t->nodes[0].name = intern(t, "all"))) {
        mp_flame_tree_free(t);
        return NULL;
    }
    t->n = 1;
    return t;
}

void mp_flame_tree_free(mp_flame_tree_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->strcap; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->slots);
    free(t->nodes);
    free(t->child_start);
    free(t->child);
    free(t);
}

/* The child of parent named name (interned), made if new; UINT32_MAX out
 * of memory. */
static uint32_t child_of(mp_flame_tree_t *t, uint32_t parent, const char *name,
                         const mp_flame_frame_t *f)
{
    size_t j;
    mp_flame_node_t *nd;

    if (2 * t->n > t->slotcap && slots_grow(t) != 0)
        return UINT32_MAX;
    for (j = hash_node(parent, name) & (t->slotcap - 1); t->slots[j];
         j = (j + 1) & (t->slotcap - 1)) {
        nd = &t->nodes[t->slots[j] - 1];
        if (nd->parent == parent && nd->name == name)
            return t->slots[j] - 1;
    }
    if (t->n == UINT32_MAX - 1)
        return UINT32_MAX;
    if (t->n == t->cap) {
        mp_flame_node_t *v = realloc(t->nodes, 2 * t->cap * sizeof *v);

        if (!v)
            return UINT32_MAX;
        t->nodes = v;
        t->cap *= 2;
    }
    nd = &t->nodes[t->n];
    memset(nd, 0, sizeof *nd);
    nd->name = name;
    nd->parent = parent;
    nd->depth = t->nodes[parent].depth + 1;
    nd->line = f->line;
    if (f->file && !(nd->file = intern(t, f->file)))
        return UINT32_MAX;
    if (nd->depth > t->depth)
        t->depth = nd->depth;
    t->slots[j] = (uint32_t)t->n + 1;
    return (uint32_t)t->n++;
}

/* The node of the path frames[0..n) from the root, made where new: 0
 * with *out set, or -1. */
static int path_node(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames, uint32_t *out)
{
    uint32_t at = 0;

    for (size_t i = 0; i < n; i++) {
        const char *name = intern(t, frames[i].name ? frames[i].name : "?");

        if (!name)
            return -1;
        at = child_of(t, at, name, &frames[i]);
        if (at == UINT32_MAX)
            return -1;
    }
    *out = at;
    return 0;
}

/* Adds value, bytes and count to the stack's node's self figures and to
 * every node on its path: the tree's own, or the base's. */
static int add(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames, uint64_t value,
               uint64_t bytes, uint64_t count, int base)
{
    uint32_t at;
    mp_flame_node_t *nd;

    if (t->finished)
        return -1;
    if (value == 0)
        return 0;
    if (path_node(t, n, frames, &at) != 0)
        return -1;
    nd = &t->nodes[at];
    if (base) {
        nd->self_base += value;
    } else {
        nd->self_value += value;
        nd->self_bytes += bytes;
        nd->self_count += count;
    }
    for (;;) {
        if (base) {
            nd->base_value += value;
            nd->base_bytes += bytes;
            nd->base_count += count;
        } else {
            nd->value += value;
            nd->bytes += bytes;
            nd->count += count;
        }
        if (at == 0)
            break;
        at = nd->parent;
        nd = &t->nodes[at];
    }
    return 0;
}

int mp_flame_tree_add(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames,
                      uint64_t value, uint64_t bytes, uint64_t count)
{
    return add(t, n, frames, value, bytes, count, 0);
}

int mp_flame_tree_add_base(mp_flame_tree_t *t, size_t n, const mp_flame_frame_t *frames,
                           uint64_t value, uint64_t bytes, uint64_t count)
{
    if (!t->finished)
        t->has_base = 1;
    return add(t, n, frames, value, bytes, count, 1);
}

int mp_flame_tree_has_base(const mp_flame_tree_t *t)
{
    return t->has_base;
}

static const mp_flame_tree_t *sort_tree; /* for by_name: qsort has no argument */

static int by_name(const void *a, const void *b)
{
    return strcmp(sort_tree->nodes[*(const uint32_t *)a].name,
                  sort_tree->nodes[*(const uint32_t *)b].name);
}

int mp_flame_tree_finish(mp_flame_tree_t *t)
{
    uint32_t *fill;

    if (t->finished)
        return 0;
    t->child_start = calloc(t->n + 1, sizeof *t->child_start);
    t->child = malloc((t->n ? t->n : 1) * sizeof *t->child);
    fill = calloc(t->n + 1, sizeof *fill);
    if (!t->child_start || !t->child || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 1; i < t->n; i++)
        t->child_start[t->nodes[i].parent + 1]++;
    for (size_t i = 0; i < t->n; i++)
        t->child_start[i + 1] += t->child_start[i];
    for (size_t i = 1; i < t->n; i++) {
        uint32_t p = t->nodes[i].parent;

        t->child[t->child_start[p] + fill[p]++] = (uint32_t)i;
    }
    free(fill);
    sort_tree = t;
    for (size_t i = 0; i < t->n; i++)
        if (t->child_start[i + 1] - t->child_start[i] > 1)
            qsort(&t->child[t->child_start[i]], t->child_start[i + 1] - t->child_start[i],
                  sizeof *t->child, by_name);
    sort_tree = NULL;
    t->finished = 1;
    return 0;
}

size_t mp_flame_tree_count(const mp_flame_tree_t *t)
{
    return t->n;
}

const mp_flame_node_t *mp_flame_tree_node(const mp_flame_tree_t *t, size_t i)
{
    return i < t->n ? &t->nodes[i] : NULL;
}

const uint32_t *mp_flame_tree_children(const mp_flame_tree_t *t, size_t i, size_t *n)
{
    if (!t->finished || i >= t->n) {
        *n = 0;
        return NULL;
    }
    *n = t->child_start[i + 1] - t->child_start[i];
    return &t->child[t->child_start[i]];
}

uint32_t mp_flame_tree_depth(const mp_flame_tree_t *t)
{
    return t->depth;
}
