/*
 * fork_prog.c — a parent that forks one child: the child leaks 3 blocks
 * of 33 bytes in child_leak and exits; the parent waits, leaks 2 blocks of
 * 44 bytes in parent_leak and exits. Two logs, the child's named
 * <log>.<pid> (integration.report.fork). No stdio.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *kept[8];

void child_leak(void)
{
    for (int i = 0; i < 3; i++)
        kept[i] = malloc(33);
}

void parent_leak(void)
{
    for (int i = 0; i < 2; i++)
        kept[4 + i] = malloc(44);
}

int main(void)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return 1;
    if (pid == 0) {
        child_leak();
        memset(kept, 0, sizeof kept); /* lose them: see report_prog.c */
        exit(0);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    parent_leak();
    memset(kept, 0, sizeof kept);
    return 0;
}
