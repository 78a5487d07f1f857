/*
 * cli_error.h — the error codes of the memprof command.
 *
 * The CLI is the layer that talks to the user, so a function that fails
 * prints its own message (it knows the context: which option, which path)
 * and then returns one of these, negated. main() only maps the code to an
 * exit status: a usage error exits 2 like the shell's builtins and getopt
 * programs, anything else exits 1. No caller prints a second message.
 *
 * These are the CLI's own codes, kept apart from the MP_E* codes that the
 * log format and the analyzer will share, so that neither set constrains the
 * other; the numbers may change until the first release.
 */
#ifndef MP_CLI_ERROR_H
#define MP_CLI_ERROR_H

enum {
    MP_CLI_EUSAGE = 1, /* bad command line; exit status 2 */
    MP_CLI_ESHIM  = 2, /* libmemprof.so not found or unusable */
    MP_CLI_ESYS   = 3, /* a system call failed (message names it) */
    MP_CLI_ENOMEM = 4, /* out of memory */
};

/* The exit status for a negated code: 2 for usage errors, 1 otherwise. */
static inline int mp_cli_exit_status(int err)
{
    return err == -MP_CLI_EUSAGE ? 2 : 1;
}

#endif
