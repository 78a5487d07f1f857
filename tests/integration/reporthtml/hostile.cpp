/*
 * hostile.cpp — a program whose function names hold markup, for
 * integration.reporthtml (see ../reporthtml.cmake): the template
 * instances grab<script> and grab<img> are named "void* grab<script>(unsigned
 * long)" and "void* grab<img>(unsigned long)" in its DWARF, so the report's
 * findings, stacks and flame graph all carry "<script>" and "<img>" from
 * the log. Each leaks one block (100 and 200 B). Built -g -O0 -fno-inline.
 */
#include <cstdlib>

struct script {};
struct img {};

static void *keep[2];

template <class T> __attribute__((noinline)) void *grab(std::size_t n)
{
    return std::malloc(n);
}

int main()
{
    keep[0] = grab<script>(100);
    keep[1] = grab<img>(200);
    int ok = keep[0] && keep[1];
    keep[0] = keep[1] = nullptr; /* lost, not still reachable: leak findings */
    return ok ? 0 : 1;
}
