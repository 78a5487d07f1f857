/*
 * log_format.c — names for the log format's codes: record types, event
 * kinds and MP_ELOG_* errors (log_format.h). Tables only; used by the reader
 * and the tools that print logs, never on the shim's hot path.
 */
#include "log_format.h"

const char *mp_log_strerror(int code)
{
    switch (code) {
    case 0: return "success";
    case MP_ELOG_OVERFLOW: return "buffer too small";
    case MP_ELOG_INVAL: return "invalid argument";
    case MP_ELOG_NOMEM: return "out of memory";
    case MP_ELOG_IO: return "input/output error";
    case MP_ELOG_MAGIC: return "not a memprof log";
    case MP_ELOG_VERSION: return "unsupported log format version";
    case MP_ELOG_TRUNC: return "truncated log";
    case MP_ELOG_CORRUPT: return "corrupt log";
    case MP_ELOG_ZSTD: return "compression failed";
    }
    return "unknown error";
}

const char *mp_log_record_name(unsigned type)
{
    switch (type) {
    case MP_REC_PROCESS: return "PROCESS";
    case MP_REC_CLASSES: return "CLASSES";
    case MP_REC_MODULE: return "MODULE";
    case MP_REC_MODULE_GONE: return "MODULE_GONE";
    case MP_REC_THREAD: return "THREAD";
    case MP_REC_STACK: return "STACK";
    case MP_REC_BATCH: return "BATCH";
    case MP_REC_WATERMARK: return "WATERMARK";
    case MP_REC_SNAPSHOT: return "SNAPSHOT";
    case MP_REC_HOLLOW: return "HOLLOW";
    case MP_REC_LEAKSCAN: return "LEAKSCAN";
    case MP_REC_LOST: return "LOST";
    case MP_REC_END: return "END";
    }
    return NULL;
}

const char *mp_log_event_name(unsigned kind)
{
    switch (kind) {
    case MP_EV_ALLOC: return "ALLOC";
    case MP_EV_FREE: return "FREE";
    case MP_EV_REALLOC: return "REALLOC";
    case MP_EV_SAMPLE: return "SAMPLE";
    case MP_EV_SPAN: return "SPAN";
    }
    return NULL;
}

const char *mp_log_leak_kind_name(unsigned kind)
{
    static const char *const names[MP_LEAK_KINDS] = {NULL, "definite", "indirect", "possible",
                                                     "reachable"};
    return kind < MP_LEAK_KINDS ? names[kind] : NULL;
}

const char *mp_log_leak_kind_label(unsigned kind)
{
    static const char *const labels[MP_LEAK_KINDS] = {"leaked", "definitely lost",
                                                      "indirectly lost", "possibly lost",
                                                      "still reachable"};
    return kind < MP_LEAK_KINDS ? labels[kind] : "leaked";
}
