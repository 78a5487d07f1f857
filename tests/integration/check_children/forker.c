/* forker.c — leaks 100 bytes from parent_leak, forks a child that leaks
 * 2 x 64 bytes from child_leak and exits; memprof check must name both
 * processes and count 228 bytes in 3 blocks in all. The pointers are
 * dropped before exit: the blocks are definitely lost. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *volatile kept[3];

__attribute__((noinline)) void parent_leak(void)
{
    kept[0] = malloc(100);
}

__attribute__((noinline)) void child_leak(void)
{
    kept[1] = malloc(64);
    kept[2] = malloc(64);
}

int main(void)
{
    int status;
    pid_t pid;

    parent_leak();
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        child_leak();
        kept[0] = kept[1] = kept[2] = NULL;
        exit(0);
    }
    kept[0] = NULL;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    return 0;
}
