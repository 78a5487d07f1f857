/* leaky.c — leaks 3 blocks of 100 bytes from leak_three: memprof check
 * names leak_three and 300 bytes, and exits 3. */
#include <stdio.h>
#include <stdlib.h>

void *volatile kept[3];

__attribute__((noinline)) void leak_three(void)
{
    for (int i = 0; i < 3; i++)
        kept[i] = malloc(100);
}

int main(void)
{
    leak_three();
    for (int i = 0; i < 3; i++)
        kept[i] = NULL;
    printf("leaky done\n");
    return 0;
}
