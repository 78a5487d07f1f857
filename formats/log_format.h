/*
 * log_format.h — the vocabulary of the memprof log (docs/format.md): its
 * constants and limits, the MP_ELOG_* error codes, and one struct per record
 * type that both sides share — the encoder (log_encode.h) takes them as
 * input, the reader (log_reader.h) fills them as output — so a round trip is
 * "the same struct came back".
 *
 * Strings, byte strings and arrays are (pointer, count) views, never
 * NUL-terminated and never owned: the encoder copies out of the caller's
 * memory, the reader points into its own chunk buffer and fixed tables, valid
 * until the next mp_reader_next().
 *
 * The numbers here are the format: changing one is a format change.
 */
#ifndef MP_LOG_FORMAT_H
#define MP_LOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* ---- File header and chunks ---------------------------------------- */

#define MP_LOG_MAGIC "\x89MPZ\r\n\x1a\n" /* 8 bytes, no NUL counted */
#define MP_LOG_MAGIC_SIZE 8
#define MP_LOG_MAJOR 1
#define MP_LOG_MINOR 1 /* 1.1: LEAKSCAN */
#define MP_LOG_HEADER_SIZE 16 /* magic, u16 major, u16 minor, u32 flags */

#define MP_CHUNK_MAGIC "MPCK"
#define MP_CHUNK_HEADER_SIZE 16 /* magic, u32 csize, u32 rsize, u32 seq */

/* ---- Limits a reader enforces (docs/format.md, "Limits") ------------ */

#define MP_LOG_MAX_RSIZE (16u << 20) /* raw bytes of one chunk */
#define MP_LOG_MAX_STR 65536u        /* str length */
#define MP_LOG_MAX_BYTES 4096u       /* bytes length */
#define MP_LOG_MAX_ARGC 4096u
#define MP_LOG_MAX_FRAMES 256u
#define MP_LOG_MAX_SEGMENTS 64u
#define MP_LOG_MAX_CLASSES 255u
#define MP_LOG_MAX_THREAD_NAME 16u

/* A record's length is written as a 4-byte padded varint so the encoder can
 * patch it in place: 28 bits, far above the 16 MiB a chunk holds. */
#define MP_LOG_LEN_WIDTH 4
#define MP_LOG_MAX_RECORD_LEN ((1u << (7 * MP_LOG_LEN_WIDTH)) - 1)

/* ---- Record types and event kinds ----------------------------------- */

enum {
    MP_REC_PROCESS = 0x01,
    MP_REC_CLASSES = 0x02,
    MP_REC_MODULE = 0x03,
    MP_REC_MODULE_GONE = 0x04,
    MP_REC_THREAD = 0x05,
    MP_REC_STACK = 0x06,
    MP_REC_BATCH = 0x10,
    MP_REC_WATERMARK = 0x11,
    MP_REC_SNAPSHOT = 0x12,
    MP_REC_HOLLOW = 0x13,
    MP_REC_LEAKSCAN = 0x14,
    MP_REC_LOST = 0x7e,
    MP_REC_END = 0x7f,
};

enum {
    MP_EV_ALLOC = 1,
    MP_EV_FREE = 2,
    MP_EV_REALLOC = 3,
    MP_EV_SAMPLE = 4,
    MP_EV_SPAN = 5,
};
#define MP_EV_KINDS 6 /* kinds are 1..MP_EV_KINDS-1; arrays index by kind */

enum { MP_MODE_FULL = 1, MP_MODE_SAMPLED = 2 };

enum { /* SPAN op */
    MP_SPAN_TAKE = 1,         /* a class took a span from the page heap */
    MP_SPAN_RETURN = 2,       /* a class gave a span back */
    MP_SPAN_RELEASE = 3,      /* pages released to the OS (class 0) */
    MP_SPAN_LARGE_TAKE = 4,   /* a large object's span taken (class 0) */
    MP_SPAN_LARGE_RETURN = 5, /* and given back (class 0) */
};

enum { /* LOST reason */
    MP_LOST_NO_BUFFER = 1,
    MP_LOST_WRITE_FAILED = 2,
    MP_LOST_STOPPED = 3,
};

enum { /* END reason */
    MP_END_EXIT = 0,
    MP_END_SIGNAL = 1,
    MP_END_EXEC = 2,
    MP_END_ERROR = 3,
};

enum { /* MODULE segment flags, as ELF's PF_* */
    MP_SEG_X = 1,
    MP_SEG_W = 2,
    MP_SEG_R = 4,
};

/* ---- Errors ---------------------------------------------------------- */

/* Negative codes returned by mp_formats functions. Their values start at
 * -16 so they can never be confused with the shim's MP_E* codes in
 * preload/diag.h (-1..-4); once released they keep their values. */
enum {
    MP_ELOG_OVERFLOW = -16, /* the caller's buffer is too small */
    MP_ELOG_INVAL = -17,    /* bad argument (a count over its limit) */
    MP_ELOG_NOMEM = -18,    /* out of memory (reader only) */
    MP_ELOG_IO = -19,       /* the file could not be opened or read */
    MP_ELOG_MAGIC = -20,    /* not a memprof log */
    MP_ELOG_VERSION = -21,  /* a major version this code does not read */
    MP_ELOG_TRUNC = -22,    /* the file ends inside a header or chunk */
    MP_ELOG_CORRUPT = -23,  /* a header, frame or record is wrong */
    MP_ELOG_ZSTD = -24,     /* zstd refused to compress */
};

/* A short description of an MP_ELOG_* code ("truncated log"). */
const char *mp_log_strerror(int code);

/* ---- Records ---------------------------------------------------------- */

typedef struct mp_str {
    const char *ptr; /* not NUL-terminated */
    size_t len;      /* bytes */
} mp_str_t;

typedef struct mp_bytes {
    const uint8_t *ptr;
    size_t len;
} mp_bytes_t;

typedef struct mp_rec_process {
    uint64_t pid, ppid;
    uint64_t start_real_ns;   /* wall clock at start, ns since the epoch */
    uint64_t start_mono_ns;   /* CLOCK_MONOTONIC at start: timestamp zero */
    uint64_t page_size;       /* system page, bytes */
    uint64_t heap_page_size;  /* memprof heap page, bytes */
    uint64_t mode;            /* MP_MODE_* */
    uint64_t sample_interval; /* mean bytes between samples; 0 in full mode */
    uint64_t max_depth;       /* frames captured at most */
    mp_str_t exe;
    uint32_t argc; /* <= MP_LOG_MAX_ARGC */
    const mp_str_t *argv;
} mp_rec_process_t;

typedef struct mp_class_info {
    uint64_t size;  /* bytes per object */
    uint64_t pages; /* heap pages per span */
} mp_class_info_t;

typedef struct mp_rec_classes {
    uint32_t n; /* <= MP_LOG_MAX_CLASSES; classes[0] is class 1 */
    const mp_class_info_t *classes;
} mp_rec_classes_t;

typedef struct mp_segment {
    uint64_t vaddr; /* ELF virtual address */
    uint64_t memsz; /* bytes */
    uint64_t flags; /* MP_SEG_* */
} mp_segment_t;

typedef struct mp_rec_module {
    uint64_t id, ts;
    uint64_t bias; /* runtime address = ELF vaddr + bias */
    mp_str_t path;
    mp_bytes_t build_id; /* <= MP_LOG_MAX_BYTES; empty if none */
    uint32_t nseg;       /* <= MP_LOG_MAX_SEGMENTS */
    const mp_segment_t *segs;
} mp_rec_module_t;

typedef struct mp_rec_module_gone {
    uint64_t id, ts;
} mp_rec_module_gone_t;

typedef struct mp_rec_thread {
    uint64_t tid, ts;
    mp_str_t name; /* <= MP_LOG_MAX_THREAD_NAME */
} mp_rec_thread_t;

typedef struct mp_rec_stack {
    uint64_t id; /* >= 1 */
    uint32_t n;  /* <= MP_LOG_MAX_FRAMES */
    const uint64_t *frames; /* innermost first, absolute addresses */
} mp_rec_stack_t;

/* A BATCH as the reader returns it: its header and a view of its events,
 * already checked, for mp_batch_iter (log_reader.h). */
typedef struct mp_rec_batch {
    uint64_t tid, base_ts;
    uint32_t nevents;        /* events in the batch */
    const uint8_t *events;   /* encoded events (reader's memory) */
    size_t events_len;       /* bytes */
} mp_rec_batch_t;

typedef struct mp_rec_watermark {
    uint64_t ts;
} mp_rec_watermark_t;

typedef struct mp_class_stat {
    uint64_t spans, live_objects;
} mp_class_stat_t;

typedef struct mp_rec_snapshot {
    uint64_t ts;
    uint64_t rss; /* bytes */
    uint64_t mapped, in_use, idle, released; /* page-heap bytes */
    uint64_t large_objects, large_bytes;
    uint32_t n; /* <= MP_LOG_MAX_CLASSES; classes[0] is class 1 */
    const mp_class_stat_t *classes;
} mp_rec_snapshot_t;

#define MP_LOG_MAX_HOLLOW 1024u /* blocks in one HOLLOW record */

enum { /* HOLLOW reason */
    MP_HOLLOW_EXIT = 1,      /* the scan at exit */
    MP_HOLLOW_REQUESTED = 2, /* a scan the user asked for (SIGUSR2) */
};

typedef struct mp_hollow_block {
    uint64_t addr;            /* the block (a live allocation) */
    uint64_t size;            /* bytes scanned: the block's span */
    uint64_t zero_pages;      /* resident pages that hold only zero bytes */
    uint64_t untouched_pages; /* pages never touched (not resident) */
} mp_hollow_block_t;

typedef struct mp_rec_hollow {
    uint64_t ts, reason;      /* reason: MP_HOLLOW_* */
    uint64_t page_size;       /* bytes per page counted below */
    uint32_t n;               /* <= MP_LOG_MAX_HOLLOW */
    const mp_hollow_block_t *blocks;
} mp_rec_hollow_t;

#define MP_LOG_MAX_LEAKSCAN 4096u /* blocks in one LEAKSCAN record */

enum { /* LEAKSCAN block kind, as memcheck's */
    MP_LEAK_DEFINITE = 1,  /* no pointer reaches it */
    MP_LEAK_INDIRECT = 2,  /* reached only from definitely lost blocks */
    MP_LEAK_POSSIBLE = 3,  /* reached only through interior pointers */
    MP_LEAK_REACHABLE = 4, /* a start pointer reaches it from a root */
};
#define MP_LEAK_KINDS 5 /* kinds are 1..MP_LEAK_KINDS-1 */

enum { /* LEAKSCAN flags */
    MP_LEAKSCAN_UNPAUSED = 1, /* a live thread could not be paused: its
                                 registers were not scanned, its whole stack
                                 mapping was */
    MP_LEAKSCAN_OVERFLOW = 2, /* the mark stack overflowed (rescans; the
                                 result is the same, only slower) */
};

typedef struct mp_leak_block {
    uint64_t addr; /* a block live at the scan */
    uint64_t kind; /* MP_LEAK_DEFINITE..MP_LEAK_POSSIBLE */
} mp_leak_block_t;

typedef struct mp_rec_leakscan {
    uint64_t ts, flags;        /* flags: MP_LEAKSCAN_* */
    uint64_t live_blocks;      /* blocks live in the heap at the scan */
    uint64_t root_bytes;       /* bytes of roots read */
    uint64_t heap_bytes;       /* bytes of blocks read */
    uint64_t threads;          /* live threads besides the exiting one */
    uint64_t threads_paused;   /* of which paused (registers scanned) */
    uint64_t duration_ns;      /* the scan's wall time */
    uint32_t n;                /* <= MP_LOG_MAX_LEAKSCAN */
    const mp_leak_block_t *blocks; /* ascending addresses; blocks not listed
                                      are still reachable */
} mp_rec_leakscan_t;

typedef struct mp_rec_lost {
    uint64_t ts, events, reason; /* reason: MP_LOST_* */
} mp_rec_lost_t;

typedef struct mp_rec_end {
    uint64_t ts, reason, detail, events; /* reason: MP_END_* */
} mp_rec_end_t;

/* A record of a type this code does not know (a newer minor version, or
 * the reserved HOLLOW): skipped, but shown for what it is. */
typedef struct mp_rec_unknown {
    const uint8_t *payload;
} mp_rec_unknown_t;

/* One decoded record. */
typedef struct mp_record {
    uint8_t type;    /* MP_REC_*, or any other value for an unknown record */
    uint32_t len;    /* payload bytes */
    uint32_t extra;  /* payload bytes past the fields this code knows (skipped) */
    uint32_t chunk;  /* seq of the chunk holding it */
    uint32_t offset; /* of its type byte within the chunk's raw bytes */
    union {
        mp_rec_process_t process;
        mp_rec_classes_t classes;
        mp_rec_module_t module;
        mp_rec_module_gone_t module_gone;
        mp_rec_thread_t thread;
        mp_rec_stack_t stack;
        mp_rec_batch_t batch;
        mp_rec_watermark_t watermark;
        mp_rec_snapshot_t snapshot;
        mp_rec_hollow_t hollow;
        mp_rec_leakscan_t leakscan;
        mp_rec_lost_t lost;
        mp_rec_end_t end;
        mp_rec_unknown_t unknown;
    } u;
} mp_record_t;

/* One BATCH event, with the deltas resolved. */
typedef struct mp_event {
    uint8_t kind;      /* MP_EV_* */
    uint64_t ts;       /* log timestamp, ns */
    uint64_t addr;     /* the block (REALLOC: the new one; SPAN: first page) */
    uint64_t old_addr; /* REALLOC: the old block, 0 if none */
    uint64_t size;     /* ALLOC, REALLOC, SAMPLE: bytes */
    uint64_t stack;    /* ALLOC, REALLOC, SAMPLE: stack id, 0 = none */
    uint64_t weight;   /* SAMPLE: bytes this allocation stands for */
    uint64_t op;       /* SPAN: MP_SPAN_* */
    uint64_t cls;      /* SPAN: class, 0 for ops 3..5 */
    uint64_t pages;    /* SPAN: heap pages */
} mp_event_t;

/* "PROCESS", "BATCH", ...; NULL for a type this code does not know. */
const char *mp_log_record_name(unsigned type);

/* "definite", "indirect", "possible", "reachable" for MP_LEAK_*; NULL for
 * anything else. */
const char *mp_log_leak_kind_name(unsigned kind);
/* The same as memcheck words them: "definitely lost", "indirectly lost",
 * "possibly lost", "still reachable"; "leaked" for anything else (a kind
 * unknown). */
const char *mp_log_leak_kind_label(unsigned kind);

/* "ALLOC", "FREE", ...; NULL for an unknown kind. */
const char *mp_log_event_name(unsigned kind);

#endif
