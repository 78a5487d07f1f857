/* execer.c PROGRAM — holds 50 bytes from before_exec, then execs PROGRAM:
 * what a process holds when it execs is gone with it, not leaked, so
 * memprof check counts PROGRAM's leaks only. */
#include <stdlib.h>
#include <unistd.h>

void *volatile held;

__attribute__((noinline)) void before_exec(void)
{
    held = malloc(50);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    before_exec();
    execv(argv[1], argv + 1);
    return 127;
}
