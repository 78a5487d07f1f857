/*
 * options.h — the shim's settings, read from MEMPROF_OPTIONS.
 *
 * Syntax, as the sanitizers' options: a colon-separated list of key=value,
 * e.g. MEMPROF_OPTIONS=mode=off:stats=1. Read once at start by scanning
 * environ (no getenv, no allocation). An unknown key or a bad value gives
 * one `memprof:` warning and the default. `memprof run` composes this
 * variable from its flags, so everything here also works when the shim is
 * preloaded by hand.
 *
 * Written once during initialisation, read-only afterwards (no lock).
 */
#ifndef MP_OPTIONS_H
#define MP_OPTIONS_H

#include <stdint.h>

enum {
    MP_OPT_MODE_OFF = 0,  /* the shim is the allocator and records nothing */
    MP_OPT_MODE_FULL = 1, /* every allocation and free with its stack */
};

#define MP_LOG_PATH_MAX 4096

typedef struct mp_options {
    int mode;                    /* MP_MODE_* */
    int stats;                   /* 1: print heap counters on stderr at exit */
    uint32_t scavenge_delay_ms;  /* free pages idle this long are released */
    int background_thread;       /* 1: a scavenger thread may be started */
    int verbose;                 /* 1: say what the shim does (start, scavenger) */
    uint32_t depth;              /* frames per stack, 1..256 */
    uint32_t flush_ms;           /* writer sweeps at least this often */
    uint32_t snapshot_ms;        /* heap counters snapshot period */
    int follow_fork;             /* 1: forked children record their own log */
    int follow_exec;             /* 1: exec'd programs keep the shim preloaded */
    uint32_t hollow_min;         /* hollow scan: blocks of at least this many
                                    bytes (0: no scan) */
    uint32_t hollow_signal;      /* signal asking for a scan now (0: none) */
    int leak_scan;               /* 1: classify the blocks live at exit (leak
                                    kinds, record/leakscan.h); full mode only */
    uint32_t sample;             /* sampled mode: mean bytes between samples;
                                    0 = record every allocation */
    uint32_t fault_reserve;      /* tests only (docs/hardening.md): fail the
                                    Nth mmap of the run (os.h); 0 none */
    uint32_t fault_release;      /* ... the Nth madvise release */
    uint32_t fault_write;        /* ... the Nth write of the log */
    char log[MP_LOG_PATH_MAX];   /* log path ("" = memprof.<exe>.<pid>.mpz) */
    int secure;                  /* 1: a setuid/setgid program (AT_SECURE):
                                    options not read, no message written */
} mp_options_t;

extern mp_options_t mp_options;

/* The defaults, documented in docs/user-guide.md. */
void mp_options_defaults(mp_options_t *o);

/* Parses a MEMPROF_OPTIONS string into *o (which keeps its values for keys
 * not given). warn != 0 prints one `memprof:` line per problem. Returns the
 * number of problems found. */
int mp_options_parse(const char *s, mp_options_t *o, int warn);

/* Defaults, then MEMPROF_OPTIONS from the environment, into mp_options;
 * arms the fault injector (os.h) when a fault_* key asks for it. */
void mp_options_init(void);

#endif
