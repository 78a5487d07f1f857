/*
 * xml_text.h — text taken from a log (function names, file names, the
 * command line) written into XML, SVG or HTML: the flame graph
 * (flame_svg.c), the timeline (timeline_svg.c) and the HTML report
 * (report_html.c) all escape through here, so a hostile symbol or argument
 * ("<script>", a quote that ends an attribute) stays text.
 *
 * The five specials become &amp; &lt; &gt; &quot; &apos; (safe in element
 * content and in quoted attributes alike); control characters, which XML
 * 1.0 does not allow, become '?', except tab and newline. Bytes >= 0x80
 * pass through: the documents are UTF-8.
 */
#ifndef MP_CLI_XML_TEXT_H
#define MP_CLI_XML_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes at most len bytes of s (fewer at a NUL), escaped. */
void mp_xml_text_n(FILE *out, const char *s, size_t len);
/* Writes s escaped; NULL writes nothing. */
void mp_xml_text(FILE *out, const char *s);

#endif
