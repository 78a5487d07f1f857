/*
 * os.h — the shim's whole contract with the operating system.
 *
 * Every syscall the heap makes goes through here, so that a port or a fault
 * test replaces one file (os_linux.c). Memory states follow Go's mem.go:
 *
 *   reserved  mapped read/write, never touched: costs address space only
 *             (and commit charge under strict overcommit), reads as zero;
 *   ready     touched by the program: resident, counted in RSS;
 *   released  given back with madvise(MADV_DONTNEED): the mapping stays,
 *             the next touch faults in a zero page.
 *
 * A region goes reserved → ready (by touching it), ready → released (by
 * mp_os_release), released → ready (by touching it). Memory is never
 * unmapped by the heap (like Go's runtime): address space is cheap, and a
 * stable heap range keeps the page map simple.
 *
 * None of these functions allocate or take locks. Functions that can fail
 * return 0 or a negative MP_E* code (diag.h) and write results through
 * out-parameters.
 */
#ifndef MP_OS_H
#define MP_OS_H

#include <stddef.h>
#include <stdint.h>

/* Maps size bytes (a multiple of the system page size) aligned to align (a
 * power of two, at least the system page size), reserved state. hint, if not
 * NULL, is where the caller would like the region to start (to grow the heap
 * contiguously); it is only a hint. */
int mp_os_reserve(size_t size, size_t align, void *hint, void **out);

/* ready|released → released. The range must be system-page aligned. */
int mp_os_release(void *p, size_t size);

/* Unmaps a region (used only for the shim's own metadata on failure paths). */
void mp_os_unmap(void *p, size_t size);

/* CLOCK_MONOTONIC in nanoseconds (vDSO: no syscall). */
uint64_t mp_os_now_ns(void);

/* Resident set size of the process in bytes, from /proc/self/statm; 0 when
 * it cannot be read. */
uint64_t mp_os_rss_bytes(void);

/* Start of the program break heap (brk) as the kernel reports it, and the
 * current break. Blocks inside [start, current) were made by the libc's own
 * malloc before memprof took over. */
uintptr_t mp_os_brk_start(void);
uintptr_t mp_os_brk_now(void);

/* 1 if the system page holding addr is mapped in this process, else 0
 * (mincore: a probe that never faults). */
int mp_os_page_mapped(uintptr_t addr);

/* 64 bits of entropy (getrandom, falling back to time and addresses). */
uint64_t mp_os_random64(void);

/* Writes the whole buffer to fd, retrying on EINTR and short writes;
 * errors are ignored (there is nowhere to report them). */
void mp_os_write_all(int fd, const char *buf, size_t len);

/* The shim's own memory, for the leak scan (record/leakscan.h), which must
 * not take the heap's free pages or the shim's tables for roots. Every
 * region mp_os_reserve maps is remembered (mp_os_unmap forgets it) in a
 * fixed table of MP_OS_OWNED_MAX regions; the threads the shim starts note
 * an address on their stacks. Copies up to max regions into lo[]/hi[] and
 * returns how many; *complete is 0 when the table overflowed (regions were
 * not remembered). */
#define MP_OS_OWNED_MAX 16384u
size_t mp_os_owned(uintptr_t *lo, uintptr_t *hi, size_t max, int *complete);
void mp_os_note_own_thread(void);
/* Up to max addresses noted by mp_os_note_own_thread; returns how many. */
size_t mp_os_own_threads(uintptr_t *addr, size_t max);

/* Fault injection for tests (SQLite's do_faultsim_test): the nth call from
 * now (1 = the next one) of the given kind fails, then calls succeed again.
 * 0 disarms. Always compiled in (one relaxed load per syscall). RESERVE is
 * mp_os_reserve, RELEASE mp_os_release; WRITE is the log writer's write
 * (record/writer.c asks mp_os_fault_fires before each write). The shim arms
 * them from MEMPROF_OPTIONS' fault_* keys (options.h), for tests only. */
enum { MP_OS_FAULT_RESERVE, MP_OS_FAULT_RELEASE, MP_OS_FAULT_WRITE, MP_OS_FAULT_KINDS };
void mp_os_fault_after(int kind, unsigned n);

/* 1 when this call of the given kind is the one that must fail (counts the
 * call down); 0 otherwise, and always when nothing is armed. */
int mp_os_fault_fires(int kind);

/* Calls of the given kind still to come before the armed fault fires
 * (0: none armed, or it fired). */
unsigned mp_os_fault_left(int kind);

#endif
