/*
 * shell_word.c — see shell_word.h.
 */
#include "shell_word.h"

#include <string.h>

void mp_shell_word(FILE *out, const char *s)
{
    const char *p;

    for (p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    "_-+=.,/@%:",
                    *p))
            break;
    if (*s && !*p) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (p = s; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", out);
        else
            fputc(*p, out);
    }
    fputc('\'', out);
}
