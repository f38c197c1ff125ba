/*
 * strbuf.h - a growable byte buffer, after git's strbuf.
 *
 * Invariants: buf is never NULL (an empty strbuf points at a shared empty
 * string until it first grows) and buf[len] is always '\0', so buf can be
 * used as a C string whenever the content holds no NUL byte.
 */
#ifndef REPORTGEN_STRBUF_H
#define REPORTGEN_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct strbuf {
    size_t alloc;
    size_t len;
    char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                                                            \
    {                                                                          \
        0, 0, strbuf_slopbuf                                                   \
    }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the content; sb is left empty and may be reused. */
void strbuf_release(struct strbuf *sb);
/*
 * Hand the content out and leave sb empty. It is the caller's
 * responsibility to free the returned string. If len is not NULL the
 * length is stored there.
 */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Make room for at least extra more bytes. */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen(sb, 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);

/*
 * Append s as text fit to publish (an HTML page, Markdown): well-formed
 * UTF-8 is kept; every other byte, every C0 control but tab and the line
 * ends, DEL and the C1 controls become U+FFFD, as the SVG and JSON
 * writers do, so a name or a log line cannot put raw bytes on a page.
 */
void strbuf_add_text(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* strbuf_addf() with a va_list (which it leaves for the caller to end). */
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    PRINTF_LIKE(2, 0);
/* Append v formatted by fmt_num(). */
void strbuf_addnum(struct strbuf *sb, double v);
/*
 * Append s (len bytes of text from a user's file) in single quotes, safe
 * to print on a terminal: control bytes and C1 controls are escaped, and
 * text beyond max bytes is cut at a character boundary and marked "...".
 */
void strbuf_add_quoted(struct strbuf *sb, const char *s, size_t len,
                       size_t max);
/* strbuf_add_quoted() of the C string s, cut at 60 bytes. */
void strbuf_add_quoted_str(struct strbuf *sb, const char *s);
/* Remove white space at both ends. */
void strbuf_trim(struct strbuf *sb);

#endif
