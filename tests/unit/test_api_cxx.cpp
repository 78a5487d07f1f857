/*
 * test_api_cxx.cpp — C++ allocation goes through memprof's heap.
 *
 * operator new/delete in all their forms (plain, array, sized, aligned,
 * nothrow) must hand out usable, suitably aligned memory that memprof
 * counts (the live-object count moves by one per block and back on delete),
 * and an impossible size must give nullptr from the nothrow forms and throw
 * std::bad_alloc from the others, without leaking anything.
 *
 * cunit_main.c is C: mp_test_register has C linkage.
 */
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

#include <malloc.h>

extern "C" {
#include "cunit_main.h"
}
#include "test_api_common.h"

namespace {

mp_heap_stats_t s0, s1, s2;
volatile std::size_t v_huge = SIZE_MAX - 4096;
volatile std::size_t v_huge2 = PTRDIFF_MAX;

struct Obj {
    char b[100];
};

struct Tracked {
    int v[10];
    Tracked() { v[0] = 1; }
    ~Tracked() { v[0] = 0; }
};

struct alignas(64) A64 {
    char c[100];
};

struct alignas(4096) A4096 {
    char c[5000];
};

/* Live objects before (s0), while the block lives (s1) and after (s2). */
void assert_one_more_then_back(const char *what)
{
    if (!mpt_shim_active())
        return; /* behaviour checked; the test reports the missing shim */
    uint64_t a = mpt_live_objects(&s0), b = mpt_live_objects(&s1), c = mpt_live_objects(&s2);
    if (b != a + 1 || c != a)
        std::fprintf(stderr, "\n  %s: live objects %llu -> %llu -> %llu\n", what,
                     (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
    CU_ASSERT_EQUAL(b, a + 1);
    CU_ASSERT_EQUAL(c, a);
}

void new_and_delete_use_memprofs_heap()
{
    mpt_warm_up(0);
    mpt_stats(&s0);
    Obj *o = new Obj;
    mpt_escape(o);
    mpt_stats(&s1);
    std::memset(o->b, 0x11, sizeof o->b);
    std::size_t u = malloc_usable_size(o);
    int c = mpt_class_index(&s1, u);
    delete o;
    mpt_stats(&s2);
    assert_one_more_then_back("new Obj / delete");
    CU_ASSERT(u >= sizeof(Obj));
    if (!mpt_require_shim(__func__))
        return;
    CU_ASSERT_FATAL(c > 0);
    CU_ASSERT_EQUAL(s1.classes[c].objects_live, s0.classes[c].objects_live + 1);
    CU_ASSERT_EQUAL(s2.classes[c].objects_live, s0.classes[c].objects_live);
}

void sized_delete_returns_the_block(void)
{
    mpt_warm_up(0);
    static const std::size_t sizes[] = {1, 100, 3000, 32768, 40000, 1 << 20};
    for (std::size_t n : sizes) {
        mpt_stats(&s0);
        void *p = ::operator new(n);
        mpt_escape(p);
        mpt_stats(&s1);
        std::memset(p, 0x22, n);
        ::operator delete(p, n);
        mpt_stats(&s2);
        assert_one_more_then_back("operator new(n) / operator delete(p, n)");
    }
    mpt_require_shim(__func__);
}

void array_new_and_delete_use_memprofs_heap(void)
{
    mpt_warm_up(0);
    mpt_stats(&s0);
    char *a = new char[5000];
    mpt_escape(a);
    mpt_stats(&s1);
    std::memset(a, 0x33, 5000);
    CU_ASSERT(malloc_usable_size(a) >= 5000);
    delete[] a;
    mpt_stats(&s2);
    assert_one_more_then_back("new char[5000] / delete[]");

    /* Non-trivial destructor: the array carries a cookie. */
    mpt_stats(&s0);
    Tracked *t = new Tracked[10];
    mpt_escape(t);
    mpt_stats(&s1);
    CU_ASSERT_EQUAL(t[9].v[0], 1);
    delete[] t;
    mpt_stats(&s2);
    assert_one_more_then_back("new Tracked[10] / delete[]");

    /* A large array is one span of whole pages. */
    mpt_stats(&s0);
    char *big = new char[1 << 20];
    mpt_escape(big);
    mpt_stats(&s1);
    std::memset(big, 0x44, 1 << 20);
    delete[] big;
    mpt_stats(&s2);
    assert_one_more_then_back("new char[1 MiB] / delete[]");
    if (!mpt_require_shim(__func__))
        return;
    CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects + 1);
    CU_ASSERT_EQUAL(s1.large_bytes, s0.large_bytes + (1u << 20));
    CU_ASSERT_EQUAL(s2.large_bytes, s0.large_bytes);
}

template <typename T> void aligned_type_case(const char *what)
{
    mpt_stats(&s0);
    T *p = new T;
    mpt_escape(p);
    mpt_stats(&s1);
    std::uintptr_t addr = reinterpret_cast<std::uintptr_t>(p);
    bool aligned = addr % alignof(T) == 0;
    std::memset(p->c, 0x55, sizeof p->c);
    delete p;
    mpt_stats(&s2);
    if (!aligned)
        std::fprintf(stderr, "\n  %s: %#lx not aligned to %zu\n", what, (unsigned long)addr,
                     alignof(T));
    CU_ASSERT(aligned);
    assert_one_more_then_back(what);

    mpt_stats(&s0);
    T *a = new T[3];
    mpt_escape(a);
    mpt_stats(&s1);
    aligned = reinterpret_cast<std::uintptr_t>(a) % alignof(T) == 0;
    for (int i = 0; i < 3; i++)
        std::memset(a[i].c, 0x66, sizeof a[i].c);
    delete[] a;
    mpt_stats(&s2);
    CU_ASSERT(aligned);
    assert_one_more_then_back(what);
}

void aligned_new_honours_alignas_64_and_4096(void)
{
    mpt_warm_up(0);
    aligned_type_case<A64>("new alignas(64)");
    aligned_type_case<A4096>("new alignas(4096)");

    for (std::size_t al = 32; al <= (1u << 16); al *= 2) {
        mpt_stats(&s0);
        void *p = ::operator new(100, std::align_val_t(al));
        mpt_escape(p);
        mpt_stats(&s1);
        CU_ASSERT_EQUAL(reinterpret_cast<std::uintptr_t>(p) % al, 0);
        std::memset(p, 0x77, 100);
        ::operator delete(p, 100, std::align_val_t(al)); /* sized + aligned */
        mpt_stats(&s2);
        assert_one_more_then_back("operator new(100, align_val_t)");
    }
    mpt_require_shim(__func__);
}

void nothrow_new_returns_nullptr_for_an_impossible_size(void)
{
    mpt_warm_up(0);
    mp_heap_stats_t a, b;
    int have = mpt_stats(&a) == 0;
    void *p1 = ::operator new(v_huge, std::nothrow);
    void *p2 = ::operator new[](v_huge2, std::nothrow);
    char *p3 = new (std::nothrow) char[v_huge];
    void *p4 = ::operator new(v_huge, std::align_val_t(64), std::nothrow);
    void *p5 = ::operator new[](v_huge, std::align_val_t(4096), std::nothrow);
    CU_ASSERT_PTR_NULL(p1);
    CU_ASSERT_PTR_NULL(p2);
    CU_ASSERT_PTR_NULL(p3);
    CU_ASSERT_PTR_NULL(p4);
    CU_ASSERT_PTR_NULL(p5);
    /* and the nothrow forms do allocate when they can */
    char *ok = new (std::nothrow) char[64];
    CU_ASSERT_PTR_NOT_NULL(ok);
    delete[] ok;
    if (have && mpt_stats(&b) == 0)
        CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a));
    mpt_require_shim(__func__);
}

template <typename F> bool throws_bad_alloc(F f)
{
    try {
        f();
    } catch (const std::bad_alloc &) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

void throwing_new_throws_bad_alloc_for_an_impossible_size(void)
{
    mpt_warm_up(0);
    mp_heap_stats_t a, b;
    int have = mpt_stats(&a) == 0;
    CU_ASSERT(throws_bad_alloc([] { mpt_escape(::operator new(v_huge)); }));
    CU_ASSERT(throws_bad_alloc([] { mpt_escape(::operator new[](v_huge2)); }));
    CU_ASSERT(throws_bad_alloc([] { mpt_escape(new char[v_huge]); }));
    CU_ASSERT(throws_bad_alloc([] { mpt_escape(::operator new(v_huge, std::align_val_t(64))); }));
    CU_ASSERT(throws_bad_alloc([] { mpt_escape(new A4096[v_huge / 8192]); }));
    /* The exception objects were freed again: nothing leaked. */
    if (have && mpt_stats(&b) == 0)
        CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a));
    mpt_require_shim(__func__);
}

} // namespace

extern "C" void mp_test_register(void)
{
    MP_SUITE("api_cxx",
             MP_TEST(new_and_delete_use_memprofs_heap),
             MP_TEST(sized_delete_returns_the_block),
             MP_TEST(array_new_and_delete_use_memprofs_heap),
             MP_TEST(aligned_new_honours_alignas_64_and_4096),
             MP_TEST(nothrow_new_returns_nullptr_for_an_impossible_size),
             MP_TEST(throwing_new_throws_bad_alloc_for_an_impossible_size));
}
