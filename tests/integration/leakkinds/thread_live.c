/* thread_live.c — at exit two threads are still alive, blocked in read():
 * one holds a 600-byte block only in a variable on its stack, the other (on
 * x86-64) a 400-byte block only in register r12. Both blocks are still
 * reachable: the stacks and registers of live threads are roots. (No
 * block is lost by these threads: a pointer one dropped may survive in its
 * registers or frames, and both tools would then call it reachable.) */
#include "common.h"

#include <pthread.h>
#include <unistd.h>

static int fds[2];
static volatile int ready;

static void *on_stack(void *arg)
{
    (void)arg;
    void *volatile held = block(600, 6);
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    char c;
    while (read(fds[0], &c, 1) < 0) /* never written: blocks until exit */
        ;
    (void)held;
    return NULL;
}

#if defined(__x86_64__)
static void *in_register(void *arg)
{
    (void)arg;
    register void *held __asm__("r12") = block(400, 9);
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    char c;
    for (;;) { /* read(2) by hand, so no call frame spills r12 */
        long rax = 0;
        __asm__ volatile("syscall"
                         : "+a"(rax)
                         : "D"((long)fds[0]), "S"(&c), "d"(1L), "r"(held)
                         : "rcx", "r11", "memory");
        if (rax >= 0)
            break;
    }
    return NULL;
}
#endif

int main(void)
{
    pthread_t t;
    int n = 1;
    if (pipe(fds) != 0 || pthread_create(&t, NULL, on_stack, NULL) != 0)
        return 1;
#if defined(__x86_64__)
    if (pthread_create(&t, NULL, in_register, NULL) != 0)
        return 1;
    n = 2;
#endif
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < n)
        usleep(1000);
    usleep(20000); /* let them block */
    clear_stack();
    exit(0);
}
