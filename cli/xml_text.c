/*
 * xml_text.c — see xml_text.h.
 */
#include "xml_text.h"

void mp_xml_text_n(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; s && i < len && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default:
            putc((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : c, out);
        }
    }
}

void mp_xml_text(FILE *out, const char *s)
{
    mp_xml_text_n(out, s, (size_t)-1);
}
