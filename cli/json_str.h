/*
 * json_str.h — a C string as a JSON string, for the JSON views
 * (report_json.c, diff_json.c). Strings from a log (paths, arguments,
 * function names) are bytes that may not be UTF-8: valid UTF-8 passes
 * through, every other byte becomes U+FFFD, quotes, backslashes and
 * control characters are escaped, so the output is always valid JSON.
 */
#ifndef MP_CLI_JSON_STR_H
#define MP_CLI_JSON_STR_H

#include <stdio.h>

/* Writes s, quoted and escaped, to out. */
void mp_json_put_str(FILE *out, const char *s);

#endif
