/* overflow.c — more reachable blocks pushed at once than the leak scan's
 * mark stack holds (2^20): a global table of 1,100,000 pointers to 16-byte
 * blocks, all still reachable (with the table itself: 1,100,001 blocks,
 * 17,600,000 + 8,800,000 bytes); and a lost list of 3 nodes of 24 bytes (1
 * definitely lost, 2 indirectly lost). The scan must give the same kinds
 * after its overflow sweep (LEAKSCAN flag 2). */
#include "common.h"

#define N 1100000

void **table;

struct node {
    struct node *next;
    char pad[16];
};

static NOINLINE void lose_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 3; i++) {
        struct node *n = block(sizeof *n, 0);
        n->next = head;
        head = n;
    }
}

int main(void)
{
    table = block(N * sizeof *table, 0);
    for (int i = 0; i < N; i++)
        table[i] = block(16, 1);
    lose_list();
    clear_stack();
    return 0;
}
