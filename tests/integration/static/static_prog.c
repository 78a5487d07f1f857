/*
 * static_prog.c — built twice by integration.static.warning (static.sh):
 * statically linked, where the preloaded shim never loads, and dynamically
 * linked, where it records. It allocates, prints "ran" with a byte of what
 * it allocated, and exits with the status argv[1] gives; with "signal" it
 * kills itself with SIGTERM instead.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *p = malloc(100);
    if (!p)
        return 99;
    strcpy(p, "ran");
    printf("%s\n", p);
    fflush(stdout);
    free(p);
    if (argc > 1 && strcmp(argv[1], "signal") == 0)
        kill(getpid(), SIGTERM);
    return argc > 1 ? atoi(argv[1]) : 0;
}
