/*
 * demangle.h — C++ symbol names made readable, with the C++ runtime's own
 * demangler (libstdc++'s __cxa_demangle, the Itanium ABI's), so names read
 * exactly as the compiler and the debugger print them. Writing our own
 * demangler is out of the question: the grammar is large and keeps growing.
 */
#ifndef MP_DEMANGLE_H
#define MP_DEMANGLE_H

/* The demangled form of name as a malloc'd string, or NULL if name is not a
 * mangled C++ name (C functions, already-readable names) or cannot be
 * demangled; the caller then keeps name as it is. */
char *mp_demangle(const char *name);

#endif
