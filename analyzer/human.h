/*
 * human.h — numbers as the report's text shows them to people: bytes in
 * B, KiB, MiB, GiB (powers of 1024, one decimal), times in seconds. Used by
 * the detectors' evidence sentences (findings.c) and the text renderer
 * (cli/report_text.c), so that both say "4.0 KiB" the same way. JSON never
 * uses these: it carries exact numbers.
 */
#ifndef MP_HUMAN_H
#define MP_HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* Longest result of either function, NUL included. */
#define MP_HUMAN_MAX 32

/* "0 B", "1023 B", "1.0 KiB", "4.5 MiB", "2.0 GiB", "3.1 TiB": below
 * 1 KiB exact, above it one decimal, rounded to nearest (1023.96 KiB shows
 * as "1.0 MiB", never "1024.0 KiB"). Returns buf. */
const char *mp_human_bytes(char *buf, size_t cap, uint64_t bytes);

/* A time of the log, ns since the process started, in seconds: "0.000 s",
 * "0.120 s", "12.34 s", "754.2 s" (milliseconds below 1 s, two decimals
 * below 100 s, one above).
 * Returns buf. */
const char *mp_human_secs(char *buf, size_t cap, uint64_t ns);

#endif
