/*
 * mksizeclasses — generates preload/heap size-class tables (sizeclasses.h).
 *
 * Run by the build (see preload/CMakeLists.txt); its output is never edited
 * by hand and never committed. The algorithm is Go's mksizeclasses.go,
 * adapted to memprof's rules:
 *
 *   - every class is a multiple of 16 (so every request of >= 16 bytes is
 *     16-byte aligned; glibc gives 16 too, and code relies on it);
 *   - the step between classes grows with the size: 16 below 128 bytes,
 *     size/8 from 128 to 2 KiB, 256 above, so the rounding waste of a request
 *     is at most 12.5% once the alignment quantum stops dominating (below
 *     128 bytes the 16-byte quantum is the floor: a 17-byte request takes 32);
 *   - each class's span is the fewest 8 KiB pages whose tail (the bytes left
 *     over after packing whole objects) is at most 1/8 of the span, so no
 *     class wastes more than 12.5% of its spans;
 *   - neighbouring classes that would use the same span size and hold the
 *     same number of objects are merged (keep the bigger size);
 *   - for classes past 1 KiB, the size is raised as far as the same span
 *     still holds the same number of objects (free memory for the user).
 *
 * The program checks its own output and exits non-zero, failing the build,
 * if any rule is broken, including the exactness of the reciprocal used to
 * turn an offset in a span into an object index.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE_SIZE 8192u
#define MAX_SMALL 32768u
#define MAX_CLASSES 128

typedef struct {
    uint32_t size;    /* object size in bytes */
    uint32_t npages;  /* pages per span */
} cls_t;

static cls_t cls[MAX_CLASSES];
static int ncls = 1; /* class 0 means "large", never a small class */

static int pow2(uint32_t x) { return x && !(x & (x - 1)); }

static void fail(const char *what, uint32_t v)
{
    fprintf(stderr, "mksizeclasses: self-check failed: %s (%u)\n", what, v);
    exit(1);
}

static void make_classes(void)
{
    uint32_t align = 16;
    for (uint32_t size = 16; size <= MAX_SMALL; size += align) {
        if (pow2(size)) {
            if (size >= 2048)
                align = 256;
            else if (size >= 128)
                align = size / 8;
        }
        uint32_t alloc = PAGE_SIZE;
        while (alloc % size > alloc / 8)
            alloc += PAGE_SIZE;
        uint32_t np = alloc / PAGE_SIZE;
        uint32_t prev = ncls > 2 ? cls[ncls - 2].size : 0;
        if (ncls > 1 && np == cls[ncls - 1].npages &&
            alloc / size == alloc / cls[ncls - 1].size &&
            (size < 128 || (size - prev - 1) * 8 <= size)) {
            cls[ncls - 1].size = size;
            continue;
        }
        if (ncls >= MAX_CLASSES)
            fail("too many classes", ncls);
        cls[ncls].size = size;
        cls[ncls].npages = np;
        ncls++;
    }
    /* Grow big classes into their tail: same span, same count, bigger size. */
    for (int i = 1; i < ncls; i++) {
        if (cls[i].size < 1024)
            continue;
        uint32_t span = cls[i].npages * PAGE_SIZE;
        uint32_t n = span / cls[i].size;
        uint32_t s = (span / n) & ~255u;
        uint32_t prev = cls[i - 1].size;
        if (s > cls[i].size && (i == ncls - 1 || s < cls[i + 1].size) &&
            (s - prev - 1) * 8 <= s)
            cls[i].size = s;
    }
}

static uint32_t class_of(uint32_t size)
{
    for (int i = 1; i < ncls; i++)
        if (cls[i].size >= size)
            return (uint32_t)i;
    return 0;
}

static uint32_t batch_of(uint32_t size)
{
    /* Objects moved at once between a thread cache and the central list:
     * about 64 KiB worth, at least 2, at most 32 (TCMalloc's rule). */
    uint32_t n = 65536u / size;
    return n < 2 ? 2 : n > 32 ? 32 : n;
}

static void check(void)
{
    if (cls[ncls - 1].size != MAX_SMALL)
        fail("largest class is not MAX_SMALL", cls[ncls - 1].size);
    for (int i = 1; i < ncls; i++) {
        uint32_t s = cls[i].size, span = cls[i].npages * PAGE_SIZE;
        uint32_t prev = i > 1 ? cls[i - 1].size : 0;
        if (s % 16)
            fail("class not 16-byte aligned", s);
        if (s <= prev)
            fail("classes not increasing", s);
        if (span % s > span / 8)
            fail("span tail waste above 12.5%", s);
        if (s >= 128 && (s - prev - 1) * 8 > s)
            fail("rounding waste above 12.5%", s);
        /* Reciprocal division: idx = (off * mul) >> 32 must be floor(off/s)
         * for every offset inside the span (valid or interior pointer). */
        uint64_t mul = (uint64_t)(UINT32_MAX / s) + 1;
        for (uint32_t off = 0; off < span; off++)
            if ((uint32_t)(((uint64_t)off * mul) >> 32) != off / s)
                fail("reciprocal not exact", s);
    }
    for (uint32_t sz = 1; sz <= MAX_SMALL; sz++) {
        uint32_t c = class_of(sz);
        if (c == 0 || cls[c].size < sz || (c > 1 && cls[c - 1].size >= sz))
            fail("size maps to wrong class", sz);
        /* The emitted lookup tables must agree with the definition. */
        uint32_t t = sz <= 1024 ? class_of(((sz + 15) >> 4) * 16)
                                : class_of(1024 + ((sz - 1024 + 127) >> 7) * 128);
        if (t != c)
            fail("lookup table disagrees", sz);
    }
}

int main(void)
{
    make_classes();
    check();

    printf("/* generated by tools/mksizeclasses.c; do not edit */\n");
    printf("#ifndef MP_SIZECLASSES_H\n#define MP_SIZECLASSES_H\n\n");
    printf("#include <stdint.h>\n\n");
    printf("#define MP_PAGE_SHIFT 13\n");
    printf("#define MP_PAGE_SIZE %u\n", PAGE_SIZE);
    printf("#define MP_MAX_SMALL %u\n", MAX_SMALL);
    printf("#define MP_NUM_CLASSES %d /* class 0 is \"large\", 1..%d small */\n\n",
           ncls, ncls - 1);
    printf("/* class  bytes/obj  pages  objects  tail waste  max waste\n");
    for (int i = 1; i < ncls; i++) {
        uint32_t s = cls[i].size, span = cls[i].npages * PAGE_SIZE;
        uint32_t prev = i > 1 ? cls[i - 1].size : 0;
        uint32_t n = span / s, tail = span - n * s;
        /* Worst case: every object holds a request of prev+1 bytes. */
        double maxw = 100.0 * ((double)(s - prev - 1) * n + tail) / span;
        printf(" * %5d  %9u  %5u  %7u  %9.2f%%  %8.2f%%\n", i, s, cls[i].npages,
               n, 100.0 * tail / span, maxw);
    }
    printf(" */\n\n");

    printf("static const uint32_t mp_class_size[MP_NUM_CLASSES] = {\n    0,");
    for (int i = 1; i < ncls; i++)
        printf("%s%u,", i % 10 == 0 ? "\n    " : " ", cls[i].size);
    printf("\n};\n\n");
    printf("static const uint8_t mp_class_pages[MP_NUM_CLASSES] = {\n    0,");
    for (int i = 1; i < ncls; i++)
        printf("%s%u,", i % 16 == 0 ? "\n    " : " ", cls[i].npages);
    printf("\n};\n\n");
    printf("static const uint16_t mp_class_objects[MP_NUM_CLASSES] = {\n    0,");
    for (int i = 1; i < ncls; i++)
        printf("%s%u,", i % 12 == 0 ? "\n    " : " ",
               cls[i].npages * PAGE_SIZE / cls[i].size);
    printf("\n};\n\n");
    printf("static const uint8_t mp_class_batch[MP_NUM_CLASSES] = {\n    0,");
    for (int i = 1; i < ncls; i++)
        printf("%s%u,", i % 16 == 0 ? "\n    " : " ", batch_of(cls[i].size));
    printf("\n};\n\n");
    printf("/* floor(offset / size) == (offset * mp_class_divmul[c]) >> 32 for\n"
           " * every offset inside a span of class c (checked by the generator). */\n");
    printf("static const uint32_t mp_class_divmul[MP_NUM_CLASSES] = {\n    0,");
    for (int i = 1; i < ncls; i++)
        printf("%s%u,", i % 6 == 0 ? "\n    " : " ", UINT32_MAX / cls[i].size + 1);
    printf("\n};\n\n");

    /* Lookup: sizes <= 1024 by 16-byte steps, above by 128-byte steps. */
    printf("#define MP_SMALL_LOOKUP_MAX 1024\n");
    printf("static const uint8_t mp_size_to_class16[1024 / 16 + 1] = {\n   ");
    for (uint32_t i = 0; i <= 1024 / 16; i++)
        printf("%s%u,", i && i % 16 == 0 ? "\n    " : " ", class_of(i ? i * 16 : 1));
    printf("\n};\n");
    printf("static const uint8_t mp_size_to_class128[(MP_MAX_SMALL - 1024) / 128 + 1] = {\n   ");
    for (uint32_t i = 0; i <= (MAX_SMALL - 1024) / 128; i++)
        printf("%s%u,", i && i % 16 == 0 ? "\n    " : " ", class_of(1024 + i * 128));
    printf("\n};\n\n");
    printf("static inline uint32_t mp_size_class(uint64_t size)\n{\n"
           "    if (size <= MP_SMALL_LOOKUP_MAX)\n"
           "        return mp_size_to_class16[(size + 15) >> 4];\n"
           "    return mp_size_to_class128[(size - 1024 + 127) >> 7];\n}\n\n");
    printf("#endif\n");
    return 0;
}
