/*
 * report_dl.c — libreport_dl.so, which report_prog dlopens: dl_leak(n)
 * allocates n blocks of 72 bytes and forgets them.
 */
#include <stdlib.h>
#include <string.h>

void dl_leak(int n);

void dl_leak(int n)
{
    for (int i = 0; i < n; i++) {
        void *p = malloc(72);
        if (p)
            memset(p, 'd', 72);
    }
}
