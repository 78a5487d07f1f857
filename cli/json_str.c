/*
 * json_str.c — see json_str.h.
 */
#include "json_str.h"

#include <stdint.h>

void mp_json_put_str(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', out);
    while (*p) {
        unsigned char c = *p;
        size_t n = 0;

        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
            p++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\t': fputs("\\t", out); break;
            case '\r': fputs("\\r", out); break;
            default: fprintf(out, "\\u%04x", c);
            }
            p++;
            continue;
        }
        if (c < 0x80) {
            fputc(c, out);
            p++;
            continue;
        }
        /* A UTF-8 sequence: its length from the lead byte, then its
         * continuation bytes; overlong forms, surrogates and values past
         * U+10FFFF are not valid. */
        uint32_t cp = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            cp = c & 0x07;
        }
        size_t k = 1;
        for (; n && k < n; k++) {
            if ((p[k] & 0xc0) != 0x80)
                break;
            cp = cp << 6 | (p[k] & 0x3f);
        }
        if (n && k == n && !(n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) &&
            !(n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
            fwrite(p, 1, n, out);
            p += n;
        } else {
            fputs("\\ufffd", out);
            p++;
        }
    }
    fputc('"', out);
}
