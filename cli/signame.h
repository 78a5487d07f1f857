/*
 * signame.h — signal numbers to their names, for messages.
 */
#ifndef MP_CLI_SIGNAME_H
#define MP_CLI_SIGNAME_H

#include <stddef.h>

/* Writes the name of signal sig ("SIGSEGV", "SIGRTMIN+3") into buf and
 * returns buf; an unknown number gives "SIG?" followed by the number. */
const char *mp_signame(int sig, char *buf, size_t size);

#endif
