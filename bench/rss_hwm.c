/*
 * rss_hwm.c — libbench_rss_hwm.so, preloaded by bench/run-record.sh beside
 * whatever else is preloaded (memprof's shim, heaptrack's), to learn the
 * peak resident set of each process of a run on its own.
 *
 * /usr/bin/time reports the largest process of a command's tree; under
 * heaptrack that may be heaptrack_interpret, not the profiled program. So
 * each process that loads this library appends, from a destructor, one line
 *
 *   rss pid=<pid> name=<program_invocation_short_name> hwm_kb=<ru_maxrss>
 *
 * to the file named by BENCH_RSS_OUT (nothing if it is unset), and the
 * script picks the line of the program it ran. ru_maxrss is the high-water
 * mark, so it does not matter which destructors run after this one. Under
 * valgrind the figure is the whole valgrind process, tool included.
 *
 * No malloc and no stdio: it may run inside any allocator, at any point of
 * the exit sequence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char *put_str(char *b, const char *s)
{
    while (*s)
        *b++ = *s++;
    return b;
}

static char *put_num(char *b, unsigned long v)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *b++ = d[--n];
    return b;
}

__attribute__((destructor)) static void rss_hwm_report(void)
{
    const char *path = getenv("BENCH_RSS_OUT");
    if (!path || !*path)
        return;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    int saved = errno;
    char buf[256], *b = buf;
    const char *name = program_invocation_short_name;
    b = put_str(b, "rss pid=");
    b = put_num(b, (unsigned long)getpid());
    b = put_str(b, " name=");
    for (size_t i = 0; name[i] && i < 64; i++)
        *b++ = name[i] == ' ' ? '_' : name[i];
    b = put_str(b, " hwm_kb=");
    b = put_num(b, (unsigned long)ru.ru_maxrss);
    *b++ = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        /* One write with O_APPEND: lines of concurrent processes do not mix. */
        ssize_t w = write(fd, buf, (size_t)(b - buf));
        (void)w;
        close(fd);
    }
    errno = saved;
}
