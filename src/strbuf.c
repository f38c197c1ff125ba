/*
 * strbuf.c - growable buffers. Every string reportgen builds (paths, SVG,
 * JSON, messages) is built here, so no code sizes a fixed buffer.
 */
#include "strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
    sb->alloc = 0;
    sb->len = 0;
    sb->buf = strbuf_slopbuf;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *res;

    strbuf_grow(sb, 0);
    res = sb->buf;
    if (len)
        *len = sb->len;
    strbuf_init(sb, 0);
    return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    bool fresh = !sb->alloc;
    size_t want = sb->len + extra + 1;

    if (want < sb->len)
        die("strbuf too large");
    if (fresh)
        sb->buf = NULL;
    ALLOC_GROW(sb->buf, want, sb->alloc);
    if (fresh)
        sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (!sb->alloc) {
        if (len)
            die("strbuf_setlen beyond an empty buffer");
        return;
    }
    sb->len = len;
    sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    if (len)
        memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
    char ch = (char)c;

    strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int len;

    va_copy(cp, ap);
    len = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (len < 0)
        die("strbuf_addf: bad format");
    strbuf_grow(sb, (size_t)len);
    vsnprintf(sb->buf + sb->len, (size_t)len + 1, fmt, ap);
    sb->len += (size_t)len;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_addnum(struct strbuf *sb, double v)
{
    char buf[FMT_NUM_SIZE];

    strbuf_addstr(sb, fmt_num(buf, sizeof(buf), v));
}

void strbuf_trim(struct strbuf *sb)
{
    size_t start = 0, end = sb->len;

    while (start < end && isspace((unsigned char)sb->buf[start]))
        start++;
    while (end > start && isspace((unsigned char)sb->buf[end - 1]))
        end--;
    if (start)
        memmove(sb->buf, sb->buf + start, end - start);
    if (sb->alloc)
        strbuf_setlen(sb, end - start);
}

void strbuf_add_quoted(struct strbuf *sb, const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, cut = len;

    if (len > max) {
        cut = max;
        /* Do not split a UTF-8 sequence: back up over continuations. */
        while (cut > 0 && (p[cut] & 0xC0) == 0x80)
            cut--;
    }
    strbuf_addch(sb, '\'');
    for (i = 0; i < cut; i++) {
        if (p[i] < 0x20 || p[i] == 0x7F) {
            strbuf_addf(sb, "\\x%02x", p[i]);
        } else if (p[i] == 0xC2 && i + 1 < cut && p[i + 1] >= 0x80 &&
                   p[i + 1] <= 0x9F) {
            /* U+0080..U+009F: terminals treat some as escape sequences. */
            strbuf_addf(sb, "\\u%04x", p[i + 1]);
            i++;
        } else {
            strbuf_addch(sb, p[i]);
        }
    }
    if (cut < len)
        strbuf_addstr(sb, "...");
    strbuf_addch(sb, '\'');
}

void strbuf_add_quoted_str(struct strbuf *sb, const char *s)
{
    strbuf_add_quoted(sb, s, strlen(s), 60);
}

/*
 * Are the 8 bytes at p all printable ASCII (0x20..0x7e)? Bytewise tests
 * on one word: a byte below 0x20 borrows in x - 0x20..., one at 0x7f or
 * above sets its high bit in x + 0x01... (no carry crosses a byte, since
 * every byte is then below 0x7f). Tabs and line ends fail here and are
 * taken one at a time by the caller.
 */
static bool plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t x;

    memcpy(&x, p, 8);
    return !((x | (x - 0x20 * ones) | (x + ones)) & high);
}

void strbuf_add_text(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);

    /* Room for the common case, where every byte is kept as it is. */
    strbuf_grow(sb, left);
    while (left) {
        size_t used, run = 0;
        uint32_t cp;

        /*
         * Printable ASCII and the kept line ends are copied as one run:
         * a page's text (and a chart's SVG) is almost all of them.
         */
        while (run < left) {
            if (run + 8 <= left && plain8(p + run))
                run += 8;
            else if ((p[run] >= 0x20 && p[run] < 0x7f) || p[run] == '\t' ||
                     p[run] == '\n' || p[run] == '\r')
                run++;
            else
                break;
        }
        if (run) {
            strbuf_add(sb, p, run);
            p += run;
            left -= run;
            continue;
        }
        cp = utf8_next(p, left, &used);
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            (cp >= 0x7f && cp < 0xa0) || (cp == 0xfffd && used == 1))
            strbuf_addstr(sb, "\xef\xbf\xbd");
        else
            strbuf_add(sb, p, used);
        p += used;
        left -= used;
    }
}
