/* clean.c — frees all it allocates and prints (the stdio buffer is the C
 * runtime's, suppressed by default): memprof check exits 0. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(1000);

    if (!p)
        return 1;
    p[0] = 'x';
    printf("clean %c\n", p[0]);
    free(p);
    return 0;
}
