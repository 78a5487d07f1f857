/* fail4.c — no leak, exits 4: memprof check exits 4 ("the program exited
 * with status 4"), not 0 and not the leak status. */
#include <stdlib.h>

int main(void)
{
    free(malloc(10));
    return 4;
}
