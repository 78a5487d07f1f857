/*
 * human.c — see human.h.
 */
#include "human.h"

#include <inttypes.h>
#include <stdio.h>

const char *mp_human_bytes(char *buf, size_t cap, uint64_t bytes)
{
    static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned u = 0;
    double v;

    if (bytes < 1024) {
        snprintf(buf, cap, "%" PRIu64 " B", bytes);
        return buf;
    }
    v = (double)bytes / 1024.0;
    /* Move up while the value would print as 1024.0 or more. */
    while (v >= 1023.95 && u + 1 < sizeof unit / sizeof unit[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, unit[u]);
    return buf;
}

const char *mp_human_secs(char *buf, size_t cap, uint64_t ns)
{
    double s = (double)ns / 1e9;

    if (s < 0.9995)
        snprintf(buf, cap, "%.3f s", s);
    else if (s < 99.995)
        snprintf(buf, cap, "%.2f s", s);
    else
        snprintf(buf, cap, "%.1f s", s);
    return buf;
}
