/* indirect.c — a list of 5 nodes of 48 bytes whose head pointer is lost:
 * the head is definitely lost (48 bytes), the 4 nodes it reaches are
 * indirectly lost (192 bytes). And a cycle of two 64-byte blocks that
 * nothing points to: one definitely lost, the other indirectly. */
#include "common.h"

struct node {
    struct node *next;
    char payload[40];
};

static NOINLINE void lose_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 5; i++) {
        struct node *n = block(sizeof *n, 0);
        n->next = head;
        head = n;
    }
    head = NULL;
}

static NOINLINE void lose_cycle(void)
{
    void **a = block(64, 0), **b = block(64, 0);
    a[0] = b;
    b[0] = a;
}

int main(void)
{
    lose_list();
    lose_cycle();
    clear_stack();
    return 0;
}
