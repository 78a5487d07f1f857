/*
 * clean_prog.c — allocates, reallocates and frees everything, with no
 * stdio (whose buffer the C library keeps to the end): `memprof report`
 * must find nothing to say about it (integration.report.real).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

int main(void)
{
    char *v[64];
    for (int i = 0; i < 64; i++)
        v[i] = dup_n("a clean program frees what it allocates", (size_t)(i % 40));
    for (int i = 0; i < 64; i++) {
        char *p = realloc(v[i], 200);
        if (p)
            v[i] = p;
    }
    for (int i = 0; i < 64; i++)
        free(v[i]);
    return write(1, "clean\n", 6) == 6 ? 0 : 1;
}
