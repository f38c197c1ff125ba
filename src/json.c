/*
 * json.c - the writer behind summary.json. Small enough to read in one
 * sitting and tested on its own (tests/unit/test_json.c), which is why
 * reportgen does not pull in a JSON library to write one file.
 */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "util.h"
#include "banned.h"

void json_init(struct json *w, struct strbuf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->first[0] = true;
}

static void newline(struct json *w)
{
    strbuf_addch(w->out, '\n');
    for (size_t i = 0; i < w->depth; i++)
        strbuf_addstr(w->out, "  ");
}

/* Separate a value from the one before it, unless it follows its key. */
static void before_value(struct json *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        strbuf_addch(w->out, ',');
    if (w->depth)
        newline(w);
    w->first[w->depth] = false;
}

static void open_level(struct json *w, char c)
{
    before_value(w);
    strbuf_addch(w->out, c);
    if (w->depth + 1 >= JSON_MAX_DEPTH)
        die("json: nesting deeper than %d", JSON_MAX_DEPTH);
    w->first[++w->depth] = true;
}

static void close_level(struct json *w, char c)
{
    bool empty = w->first[w->depth];

    w->depth--;
    if (!empty)
        newline(w);
    strbuf_addch(w->out, c);
    if (!w->depth)
        strbuf_addch(w->out, '\n');
}

void json_begin_object(struct json *w)
{
    open_level(w, '{');
}

void json_end_object(struct json *w)
{
    close_level(w, '}');
}

void json_begin_array(struct json *w)
{
    open_level(w, '[');
}

void json_end_array(struct json *w)
{
    close_level(w, ']');
}

void json_key(struct json *w, const char *key)
{
    before_value(w);
    json_quote(w->out, key);
    strbuf_addstr(w->out, ": ");
    w->after_key = true;
}

void json_quote(struct strbuf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);

    strbuf_addch(out, '"');
    while (*p) {
        size_t len;

        if (utf8_next(p, left, &len) == 0xfffd && len == 1) {
            strbuf_addstr(out, "\\ufffd");
            p++;
            left--;
            continue;
        }
        if (len > 1) {
            strbuf_add(out, p, len);
            p += len;
            left -= len;
            continue;
        }
        switch (*p) {
        case '"':
            strbuf_addstr(out, "\\\"");
            break;
        case '\\':
            strbuf_addstr(out, "\\\\");
            break;
        case '\n':
            strbuf_addstr(out, "\\n");
            break;
        case '\r':
            strbuf_addstr(out, "\\r");
            break;
        case '\t':
            strbuf_addstr(out, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                strbuf_addf(out, "\\u%04x", *p);
            else
                strbuf_addch(out, *p);
        }
        p++;
        left--;
    }
    strbuf_addch(out, '"');
}

void json_string(struct json *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    before_value(w);
    json_quote(w->out, s);
}

void json_number(struct json *w, double v)
{
    if (!isfinite(v)) {
        json_null(w);
        return;
    }
    before_value(w);
    strbuf_addnum(w->out, v);
}

void json_bool(struct json *w, bool v)
{
    before_value(w);
    strbuf_addstr(w->out, v ? "true" : "false");
}

void json_null(struct json *w)
{
    before_value(w);
    strbuf_addstr(w->out, "null");
}
