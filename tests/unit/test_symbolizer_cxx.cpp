/*
 * test_symbolizer_cxx.cpp — a C++ method for test_symbolizer to resolve
 * and demangle (built as libtest_symbolizer_cxx.so; symbolizer_tests.cmake).
 * symcxx_call_method returns a return address inside ns::Klass::method(int),
 * at the line marked "@METHOD_CALL".
 */
extern "C" void *symcxx_leaf();
extern "C" void *symcxx_call_method(int x);

extern "C" __attribute__((noipa)) void *symcxx_leaf()
{
    return __builtin_return_address(0);
}

namespace ns {
struct Klass {
    int v;
    void *method(int x);
};

__attribute__((noipa)) void *Klass::method(int x)
{
    void *ra = symcxx_leaf(); /* @METHOD_CALL */
    __asm__ volatile("" ::: "memory");
    return x + v ? ra : nullptr;
}
} // namespace ns

extern "C" __attribute__((noipa)) void *symcxx_call_method(int x)
{
    ns::Klass k{1};
    return k.method(x);
}
