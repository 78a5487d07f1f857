/*
 * api_mix.c — every allocation entry point once, for
 * integration.record.api_mix:
 *
 *     api_mix RANGES_FILE
 *
 * In api_calls(), in this order:
 *    malloc(10)                       ALLOC     p1
 *    calloc(3, 7)                     ALLOC     p2 (21 bytes)
 *    realloc(NULL, 30)                ALLOC     p3
 *    realloc(p3, 5000)                REALLOC   p3 (moves: another class)
 *    realloc(p2, 0)                   FREE      p2 (glibc: frees, returns NULL)
 *    reallocarray(NULL, 4, 8)         ALLOC     p4 (32)
 *    memalign(64, 100)                ALLOC     p5
 *    posix_memalign(&p6, 128, 200)    ALLOC     p6
 *    aligned_alloc(256, 512)          ALLOC     p7
 *    valloc(300)                      ALLOC     p8
 *    pvalloc(100)                     ALLOC     p9 (4096: pvalloc asks for whole pages)
 *    malloc(1 MiB)                    ALLOC     p10 (a large object)
 *    strdup("hello")                  ALLOC     p11 (6; made inside the libc)
 *    malloc(0)                        ALLOC     p12 (0 bytes, a unique pointer)
 *    free(p1), free(p10), free(NULL)  FREE ×2
 * 12 ALLOC, 1 REALLOC, 3 FREE; 9 blocks of 10246 bytes stay live. The
 * program checks alignments and contents itself (exit 1 if wrong), makes
 * no other allocation, writes api_calls' range to RANGES_FILE and "done".
 */
#define _GNU_SOURCE
#include "rec_prog.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>

static void *kept[16];

REC_RANGE(api_calls);

static int aligned(void *p, uintptr_t a) { return p && ((uintptr_t)p & (a - 1)) == 0; }

REC_FN(api_calls) int api_calls(void)
{
    int bad = 0;
    void *p1 = malloc(10);
    char *p2 = calloc(3, 7);
    char *p3 = realloc(NULL, 30);
    bad |= !p1 || !p2 || !p3;
    for (int i = 0; i < 21 && p2; i++)
        bad |= p2[i] != 0;
    if (p3)
        memcpy(p3, "grow me", 8);
    p3 = realloc(p3, 5000);
    bad |= !p3 || strcmp(p3, "grow me") != 0;
    bad |= realloc(p2, 0) != NULL;
    void *p4 = reallocarray(NULL, 4, 8);
    void *p5 = memalign(64, 100);
    void *p6 = NULL;
    bad |= posix_memalign(&p6, 128, 200) != 0;
    void *p7 = aligned_alloc(256, 512);
    void *p8 = valloc(300);
    void *p9 = pvalloc(100);
    void *p10 = malloc(1 << 20);
    char *p11 = strdup("hello");
    void *p12 = malloc(0);
    bad |= !p4 || !aligned(p5, 64) || !aligned(p6, 128) || !aligned(p7, 256) ||
           !aligned(p8, 4096) || !aligned(p9, 4096) || !p10 || !p11 || !p12;
    bad |= p11 && strcmp(p11, "hello") != 0;
    free(p1);
    free(p10);
    free(NULL);
    void *keep[] = {p3, p4, p5, p6, p7, p8, p9, p11, p12};
    memcpy(kept, keep, sizeof keep);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        rec_printf(2, "usage: api_mix RANGES_FILE\n");
        return 2;
    }
    if (api_calls() != 0) {
        rec_printf(2, "api_mix: an allocation function misbehaved\n");
        return 1;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "api_mix: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "api_calls", REC_LO(api_calls), REC_HI(api_calls));
    close(fd);
    rec_printf(1, "done\n");
    return 0;
}
