/*
 * demangle.c — see demangle.h. The analyzer links libstdc++ for this one
 * function; it is a normal program, so that costs nothing that matters.
 */
#include "demangle.h"

#include <stddef.h>

/* libstdc++ declares it in <cxxabi.h>, a C++ header, as extern "C" in
 * namespace abi: the symbol is plain __cxa_demangle. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *mp_demangle(const char *name)
{
    /* Only Itanium-mangled names: "_Z…". Others (C names, "main") would be
     * parsed as a <type> by __cxa_demangle, which turns "i" into "int". */
    if (!name || name[0] != '_' || name[1] != 'Z')
        return NULL;
    int status = 0;
    char *s = __cxa_demangle(name, NULL, NULL, &status);
    return status == 0 ? s : NULL;
}
