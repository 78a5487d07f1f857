/*
 * shell_word.h — printing a string as one shell word, for the command
 * lines memprof suggests ("read it with: memprof report 'my log.mpz'").
 */
#ifndef MP_CLI_SHELL_WORD_H
#define MP_CLI_SHELL_WORD_H

#include <stdio.h>

/* s as it is when it needs no quoting, else in single quotes (a ' inside
 * becoming '\''). An empty string prints as ''. */
void mp_shell_word(FILE *out, const char *s);

#endif
