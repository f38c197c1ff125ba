/*
 * jsondoc.c - JSON files into a compact tree, on libyaml's event parser,
 * and JSON log records into rows of a struct metrics.
 *
 * The JSON log formats (a Hugging Face trainer_state.json, detectron2's
 * metrics.json lines) are read here into a struct jsondoc, which their
 * readers walk. libyaml is already the config reader's parser, and it
 * reads JSON as YAML flow collections, including what Python's json.dump
 * writes for non-finite floats: bare NaN, Infinity and -Infinity, which a
 * strict JSON parser rejects, are plain YAML scalars. Compact JSON works
 * too: {"key":1} is fine in flow context because the key is quoted.
 *
 * Real JSON still trips libyaml in two ways, which a byte filter between
 * the file and the parser removes (filter_read()):
 *   - a tab where YAML wants indentation (before the top-level brace, or
 *     on a line after the closing one): tabs outside double-quoted
 *     strings become spaces, which JSON treats the same;
 *   - a character outside the Basic Multilingual Plane written as a
 *     UTF-16 surrogate pair, "\ud83d\ude00", as json.dump does by
 *     default: YAML wants "\U0001F600" and refuses each half. The filter
 *     writes the character as UTF-8 instead, and a lone surrogate as
 *     "\uFFFD". It never lengthens the text nor moves a line break, so
 *     libyaml's line numbers stay those of the file.
 * The filter only tracks double quotes and backslashes, so it is exact
 * for JSON; in YAML flow text with a '"' inside a single-quoted scalar
 * it can miss a tab, which then fails as it would have anyway. Input
 * starting with a UTF-16 byte order mark is passed through untouched.
 * Still refused: a key and its ':' on different lines (libyaml's simple
 * keys end at a line break); no JSON writer in the wild does that.
 *
 * The tree costs little more than the text: nodes are 28 bytes in one
 * array, strings sit in one pool, and nothing is allocated per node. The
 * input is untrusted: depth is limited, aliases and anchors are refused
 * (so nothing can expand), and every error names the file and line.
 */
#include "jsondoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util.h"

#include "banned.h"

/* Bytes of input the filter holds; a \uXXXX\uXXXX pair needs 12. */
#define FILTER_BUF 16384
#define ESCAPE_PAIR 12
/* Slots of the cache that stores each distinct key once (a power of 2). */
#define KEY_CACHE 256

/* Where the text comes from, and the filter's state over it. */
struct filter {
    FILE *fp;               /* the file, or NULL for a string */
    const unsigned char *s; /* the string */
    size_t slen, spos;
    size_t inpos, inlen;
    bool eof, started, passthrough, in_string;
    unsigned char pend[8]; /* output not yet handed to libyaml */
    size_t npend, pendpos;
    size_t breaks;      /* line breaks handed out (CR LF counts once) */
    bool tail;          /* bytes handed out after the last break */
    unsigned char prev; /* the last byte handed out */
    unsigned char in[FILTER_BUF]; /* last: filter_init() leaves it be */
};

static void filter_init(struct filter *f, FILE *fp, const char *s, size_t len)
{
    /* Not the buffer: a JSON line costs a parse, not 16 KiB of memset. */
    memset(f, 0, offsetof(struct filter, in));
    f->fp = fp;
    f->s = (const unsigned char *)s;
    f->slen = len;
}

/* Move the unread input to the front and read more; -1 on a read error. */
static int filter_fill(struct filter *f)
{
    size_t have = f->inlen - f->inpos, got;

    memmove(f->in, f->in + f->inpos, have);
    f->inpos = 0;
    f->inlen = have;
    if (f->fp) {
        got = fread(f->in + have, 1, FILTER_BUF - have, f->fp);
        if (got < FILTER_BUF - have) {
            if (ferror(f->fp))
                return -1;
            f->eof = true;
        }
    } else {
        got = f->slen - f->spos;
        if (got > FILTER_BUF - have)
            got = FILTER_BUF - have;
        memcpy(f->in + have, f->s + f->spos, got);
        f->spos += got;
        if (f->spos == f->slen)
            f->eof = true;
    }
    f->inlen += got;
    return 0;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of "\uXXXX" at p (6 bytes available), or -1. */
static long escape_u(const unsigned char *p)
{
    long v = 0;

    if (p[0] != '\\' || p[1] != 'u')
        return -1;
    for (int i = 2; i < 6; i++) {
        int h = hexval(p[i]);

        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/*
 * Filter the escape at the read position (a backslash inside a string)
 * into f->pend, and consume it.
 */
static void filter_escape(struct filter *f)
{
    const unsigned char *p = f->in + f->inpos;
    size_t avail = f->inlen - f->inpos;
    long hi = avail >= 6 ? escape_u(p) : -1, lo;

    if (hi >= 0xD800 && hi <= 0xDBFF && avail >= ESCAPE_PAIR &&
        (lo = escape_u(p + 6)) >= 0xDC00 && lo <= 0xDFFF) {
        long cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);

        f->pend[0] = (unsigned char)(0xF0 | (cp >> 18));
        f->pend[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        f->pend[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        f->pend[3] = (unsigned char)(0x80 | (cp & 0x3F));
        f->npend = 4;
        f->inpos += ESCAPE_PAIR;
    } else if (hi >= 0xD800 && hi <= 0xDFFF) {
        memcpy(f->pend, "\\uFFFD", 6);
        f->npend = 6;
        f->inpos += 6;
    } else {
        /*
         * Any other escape goes through as it is, two bytes at a time so
         * that an escaped quote or backslash does not end the string.
         */
        f->npend = avail >= 2 ? 2 : 1;
        memcpy(f->pend, p, f->npend);
        f->inpos += f->npend;
    }
    f->pendpos = 0;
}

/* Hand byte c out to libyaml, counting lines. */
static void filter_put(struct filter *f, unsigned char *buf, size_t *n,
                       unsigned char c)
{
    if (c == '\r' || (c == '\n' && f->prev != '\r'))
        f->breaks++;
    f->tail = c != '\r' && c != '\n';
    f->prev = c;
    buf[(*n)++] = c;
}

/*
 * The last line that holds a byte, of those handed out so far. At the end
 * of the input libyaml moves its mark to a new line, so an error there
 * ("did not find expected '}'") would name a line past the end.
 */
static size_t filter_lines(const struct filter *f)
{
    size_t lines = f->breaks + (f->tail ? 1 : 0);

    return lines ? lines : 1;
}

/* libyaml's read handler: up to size filtered bytes into buf. */
static int filter_read(void *data, unsigned char *buf, size_t size,
                       size_t *size_read)
{
    struct filter *f = data;
    size_t n = 0;

    while (n < size) {
        unsigned char c;

        if (f->pendpos < f->npend) {
            filter_put(f, buf, &n, f->pend[f->pendpos++]);
            continue;
        }
        if (f->inlen - f->inpos < ESCAPE_PAIR && !f->eof && filter_fill(f) < 0)
            return 0;
        if (f->inpos == f->inlen)
            break;
        if (!f->started) {
            f->started = true;
            f->passthrough =
                f->inlen >= 2 && ((f->in[0] == 0xFF && f->in[1] == 0xFE) ||
                                  (f->in[0] == 0xFE && f->in[1] == 0xFF));
        }
        c = f->in[f->inpos];
        if (f->passthrough) {
            filter_put(f, buf, &n, c);
            f->inpos++;
        } else if (c == '\\' && f->in_string) {
            filter_escape(f);
        } else {
            if (c == '"')
                f->in_string = !f->in_string;
            else if (c == '\t' && !f->in_string)
                c = ' ';
            filter_put(f, buf, &n, c);
            f->inpos++;
        }
    }
    *size_read = n;
    return 1;
}

/*
 * The 1-based line of offset in the filtered text, read again from the
 * start: libyaml gives reader errors (bad UTF-8, a control character) as
 * an offset only, and its reader runs ahead of the scanner's line count.
 */
static size_t line_of_offset(struct filter *f, size_t offset)
{
    unsigned char buf[4096];
    size_t line = 1, pos = 0, got;
    unsigned char prev = 0;

    if (f->fp) {
        if (fseek(f->fp, 0, SEEK_SET) < 0)
            return 1;
        clearerr(f->fp);
    }
    filter_init(f, f->fp, (const char *)f->s, f->slen);
    while (pos < offset && filter_read(f, buf, sizeof(buf), &got) && got) {
        for (size_t i = 0; i < got && pos < offset; i++, pos++) {
            if (buf[i] == '\r' || (buf[i] == '\n' && prev != '\r'))
                line++;
            prev = buf[i];
        }
    }
    return line;
}

/* An open object or array. */
struct frame {
    uint32_t node;   /* the container */
    uint32_t last;   /* its last child so far, 0 if none */
    uint32_t key;    /* object: the key read, whose value comes next */
    bool want_value; /* object: a key was read */
};

struct builder {
    const char *path;
    struct filter *f; /* the input, for line numbers */
    size_t line0;     /* line of the text's first line, minus one */
    struct jsondoc *doc;
    struct frame stack[JSONDOC_MAX_DEPTH];
    size_t depth;
    bool done;                /* the top-level value has been read */
    uint32_t keys[KEY_CACHE]; /* pool offset + 1 of recent keys, by hash */
    struct strbuf err;
};

static int fail(struct builder *b, size_t line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/* The 1-based line in the file of libyaml's 0-based line. */
static size_t file_line(const struct builder *b, size_t line)
{
    size_t last = filter_lines(b->f);

    return b->line0 + (line + 1 < last ? line + 1 : last);
}

/* Record "PATH:LINE: message" for a 0-based libyaml line; returns -1. */
static int fail(struct builder *b, size_t line, const char *fmt, ...)
{
    va_list ap;

    strbuf_reset(&b->err);
    strbuf_addf(&b->err, "%s:%zu: ", b->path, file_line(b, line));
    va_start(ap, fmt);
    strbuf_vaddf(&b->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int add_text(struct builder *b, const yaml_event_t *ev, const char *s,
                    size_t len, uint32_t *off)
{
    struct jsondoc *doc = b->doc;

    if (len >= UINT32_MAX - 1 - doc->textlen)
        return fail(b, ev->start_mark.line, "more than 4 GiB of text");
    ALLOC_GROW(doc->text, doc->textlen + len + 1, doc->textalloc);
    memcpy(doc->text + doc->textlen, s, len);
    doc->text[doc->textlen + len] = '\0';
    *off = (uint32_t)doc->textlen;
    doc->textlen += len + 1;
    return 0;
}

/*
 * Add a key to the pool, or find it there: log records repeat the same
 * few keys thousands of times, and storing each once saves a third of
 * the pool. The cache is direct-mapped on an FNV-1a hash; a collision
 * only costs a copy.
 */
static int add_key(struct builder *b, const yaml_event_t *ev, const char *s,
                   size_t len, uint32_t *off)
{
    const char *pool = b->doc->text;
    uint32_t h = 2166136261u, *slot;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    slot = &b->keys[h & (KEY_CACHE - 1)];
    if (*slot && *slot - 1 + len < b->doc->textlen &&
        !memcmp(pool + *slot - 1, s, len) && !pool[*slot - 1 + len]) {
        *off = *slot - 1;
        return 0;
    }
    if (add_text(b, ev, s, len, off))
        return -1;
    *slot = *off + 1;
    return 0;
}

/* Append a node for ev, linked into the open container; -1 on overflow. */
static int add_node(struct builder *b, const yaml_event_t *ev,
                    enum jsondoc_type type, uint32_t *idx)
{
    struct jsondoc *doc = b->doc;
    struct jsondoc_node *node;
    size_t line = b->line0 + ev->start_mark.line + 1;

    if (doc->n >= UINT32_MAX - 1)
        return fail(b, ev->start_mark.line, "more than %lu values",
                    (unsigned long)UINT32_MAX - 1);
    ALLOC_GROW(doc->nodes, doc->n + 1, doc->alloc);
    *idx = (uint32_t)doc->n;
    node = &doc->nodes[doc->n++];
    memset(node, 0, sizeof(*node));
    node->type = (unsigned char)type;
    node->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    node->key = JSONDOC_NOKEY;
    if (b->depth) {
        struct frame *f = &b->stack[b->depth - 1];
        struct jsondoc_node *parent = &doc->nodes[f->node];

        if (parent->type == JSONDOC_OBJECT) {
            node->key = f->key;
            f->want_value = false;
        }
        if (f->last)
            doc->nodes[f->last].next = *idx;
        else
            parent->first = *idx;
        f->last = *idx;
        parent->len++;
    }
    return 0;
}

static const unsigned char *anchor_of(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return ev->data.scalar.anchor;
    case YAML_MAPPING_START_EVENT:
        return ev->data.mapping_start.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return ev->data.sequence_start.anchor;
    default:
        return NULL;
    }
}

char *jsondoc_event_problem(const struct yaml_event_s *ev)
{
    const unsigned char *anchor = anchor_of(ev);

    if (ev->type == YAML_ALIAS_EVENT)
        return xasprintf("alias '*%s' (JSON has no aliases)",
                         (const char *)ev->data.alias.anchor);
    if (anchor)
        return xasprintf("anchor '&%s' (JSON has no anchors)",
                         (const char *)anchor);
    return NULL;
}

/* A value or a key: a scalar, or the start of an object or array. */
static int node_event(struct builder *b, const yaml_event_t *ev)
{
    struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
    char *problem = jsondoc_event_problem(ev);
    uint32_t idx;

    if (problem) {
        fail(b, ev->start_mark.line, "%s", problem);
        free(problem);
        return -1;
    }
    if (f && b->doc->nodes[f->node].type == JSONDOC_OBJECT && !f->want_value) {
        if (ev->type != YAML_SCALAR_EVENT)
            return fail(b, ev->start_mark.line,
                        "object key is an object or array");
        if (add_key(b, ev, (const char *)ev->data.scalar.value,
                    ev->data.scalar.length, &f->key))
            return -1;
        f->want_value = true;
        return 0;
    }
    if (ev->type == YAML_SCALAR_EVENT) {
        struct jsondoc_node *node;
        uint32_t off;

        if (add_text(b, ev, (const char *)ev->data.scalar.value,
                     ev->data.scalar.length, &off) ||
            add_node(b, ev, JSONDOC_SCALAR, &idx))
            return -1;
        node = &b->doc->nodes[idx];
        node->text = off;
        node->len = (uint32_t)ev->data.scalar.length;
        node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        if (!b->depth)
            b->done = true;
        return 0;
    }
    if (b->depth >= JSONDOC_MAX_DEPTH)
        return fail(b, ev->start_mark.line, "nesting deeper than %d levels",
                    JSONDOC_MAX_DEPTH);
    if (add_node(b, ev,
                 ev->type == YAML_MAPPING_START_EVENT ? JSONDOC_OBJECT
                                                      : JSONDOC_ARRAY,
                 &idx))
        return -1;
    f = &b->stack[b->depth++];
    memset(f, 0, sizeof(*f));
    f->node = idx;
    return 0;
}

/* Handle one event; 1 at the end of the stream, 0 to go on, -1 on error. */
static int handle(struct builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        if (b->done)
            return fail(b, ev->start_mark.line, "more than one document");
        return 0;
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        return node_event(b, ev);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        if (!--b->depth)
            b->done = true;
        return 0;
    default: /* stream start, document end, no event */
        return 0;
    }
}

/* Turn a libyaml failure into "PATH:LINE: problem (context at line N)". */
static void parser_error(struct builder *b, const yaml_parser_t *p,
                         struct filter *f)
{
    strbuf_reset(&b->err);
    if (p->error == YAML_MEMORY_ERROR) {
        strbuf_addf(&b->err, "%s: out of memory in libyaml", b->path);
    } else if (p->error == YAML_READER_ERROR && f->fp && ferror(f->fp)) {
        strbuf_addf(&b->err, "%s: cannot read: %s", b->path, strerror(errno));
    } else if (p->error == YAML_READER_ERROR) {
        strbuf_addf(&b->err, "%s:%zu: %s", b->path,
                    b->line0 + line_of_offset(f, p->problem_offset),
                    p->problem ? p->problem : "cannot read");
        if (p->problem_value != -1)
            strbuf_addf(&b->err, " (byte 0x%02x)", (unsigned)p->problem_value);
    } else {
        strbuf_addf(&b->err, "%s:%zu: %s", b->path,
                    file_line(b, p->problem_mark.line),
                    p->problem ? p->problem : "cannot parse");
        if (p->context)
            strbuf_addf(&b->err, " (%s at line %zu)", p->context,
                        file_line(b, p->context_mark.line));
    }
}

/* Parse what f reads; path and line0 for messages. */
static struct jsondoc *parse(struct filter *f, const char *path, size_t line0,
                             char **why)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    int ret = 0;

    memset(&b, 0, sizeof(b));
    b.path = path;
    b.f = f;
    b.line0 = line0;
    b.doc = xcalloc(1, sizeof(*b.doc));
    strbuf_init(&b.err, 0);
    if (!yaml_parser_initialize(&parser))
        die("out of memory initialising libyaml");
    yaml_parser_set_input(&parser, filter_read, f);
    while (!ret) {
        if (!yaml_parser_parse(&parser, &ev)) {
            parser_error(&b, &parser, f);
            ret = -1;
            break;
        }
        ret = handle(&b, &ev);
        if (ret > 0 && !b.done)
            ret = fail(&b, ev.start_mark.line, "no JSON value");
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (ret < 0) {
        *why = strbuf_detach(&b.err, NULL);
        jsondoc_free(b.doc);
        return NULL;
    }
    strbuf_release(&b.err);
    return b.doc;
}

struct jsondoc *jsondoc_parse_file(const char *path, char **why)
{
    struct filter *f;
    struct jsondoc *doc;
    FILE *fp;

    fp = input_open(path, why);
    if (!fp)
        return NULL;
    f = xmalloc(sizeof(*f));
    filter_init(f, fp, NULL, 0);
    doc = parse(f, path, 0, why);
    free(f);
    fclose(fp);
    return doc;
}

struct jsondoc *jsondoc_parse_string(const char *s, size_t len,
                                     const char *path, size_t line, char **why)
{
    struct filter *f = xmalloc(sizeof(*f));
    struct jsondoc *doc;

    *why = NULL;
    filter_init(f, NULL, s, len);
    doc = parse(f, path, line ? line - 1 : 0, why);
    free(f);
    return doc;
}

/* The filter is the input: a struct jsondoc_input is a struct filter. */
struct jsondoc_input {
    struct filter f;
};

struct jsondoc_input *jsondoc_input_new(FILE *fp)
{
    struct jsondoc_input *in = xmalloc(sizeof(*in));

    filter_init(&in->f, fp, NULL, 0);
    return in;
}

void jsondoc_input_attach(struct jsondoc_input *in, yaml_parser_t *parser)
{
    yaml_parser_set_input(parser, filter_read, &in->f);
}

size_t jsondoc_input_line(struct jsondoc_input *in, size_t offset)
{
    return line_of_offset(&in->f, offset);
}

void jsondoc_input_free(struct jsondoc_input *in)
{
    free(in);
}

void jsondoc_free(struct jsondoc *doc)
{
    if (!doc)
        return;
    free(doc->nodes);
    free(doc->text);
    free(doc);
}

const struct jsondoc_node *jsondoc_root(const struct jsondoc *doc)
{
    return &doc->nodes[0];
}

const struct jsondoc_node *jsondoc_first(const struct jsondoc *doc,
                                         const struct jsondoc_node *node)
{
    if (node->type == JSONDOC_SCALAR || !node->first)
        return NULL;
    return &doc->nodes[node->first];
}

const struct jsondoc_node *jsondoc_next(const struct jsondoc *doc,
                                        const struct jsondoc_node *node)
{
    return node->next ? &doc->nodes[node->next] : NULL;
}

const char *jsondoc_key(const struct jsondoc *doc,
                        const struct jsondoc_node *node)
{
    return node->key == JSONDOC_NOKEY ? NULL : doc->text + node->key;
}

const char *jsondoc_text(const struct jsondoc *doc,
                         const struct jsondoc_node *node)
{
    return node->type == JSONDOC_SCALAR ? doc->text + node->text : NULL;
}

const struct jsondoc_node *jsondoc_get(const struct jsondoc *doc,
                                       const struct jsondoc_node *obj,
                                       const char *key)
{
    const struct jsondoc_node *found = NULL, *c;

    if (obj->type != JSONDOC_OBJECT)
        return NULL;
    for (c = jsondoc_first(doc, obj); c; c = jsondoc_next(doc, c))
        if (!strcmp(doc->text + c->key, key))
            found = c;
    return found;
}

bool jsondoc_is_null(const struct jsondoc *doc, const struct jsondoc_node *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    const char *s = jsondoc_text(doc, node);

    if (!s || node->quoted)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
        if (!strcmp(s, nulls[i]))
            return true;
    return false;
}

int jsondoc_number(const struct jsondoc *doc, const struct jsondoc_node *node,
                   double *out)
{
    const char *s = jsondoc_text(doc, node);

    if (!s || node->quoted)
        return -1;
    return parse_number(s, out);
}

/* A log key and the column it fills (SIZE_MAX: left out). */
struct jsondoc_rowkey {
    char *key;
    size_t col;
};

/* One value of the record being added. */
struct jsondoc_cell {
    size_t col;
    double v;
    size_t line; /* where the value is written */
};

_Thread_local size_t jsondoc_compares;

/* FNV-1a, 64 bits. */
static size_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 32));
}

/*
 * The slot of s in idx: the one holding it, or the empty one where it
 * would go. str(ctx, i) is the string of entry i of the owner's array.
 * Linear probing; the table is never more than half full.
 */
static size_t *index_slot(const struct jsondoc_index *idx, const char *s,
                          const char *(*str)(const void *ctx, size_t i),
                          const void *ctx)
{
    size_t mask = idx->cap - 1, i = hash_str(s) & mask;

    while (idx->slot[i]) {
        jsondoc_compares++;
        if (!strcmp(str(ctx, idx->slot[i] - 1), s))
            break;
        i = (i + 1) & mask;
    }
    return &idx->slot[i];
}

/* Entry i of the owner's array, or SIZE_MAX when s is not indexed. */
static size_t index_find(const struct jsondoc_index *idx, const char *s,
                         const char *(*str)(const void *ctx, size_t i),
                         const void *ctx)
{
    size_t *slot;

    if (!idx->cap)
        return SIZE_MAX;
    slot = index_slot(idx, s, str, ctx);
    return *slot ? *slot - 1 : SIZE_MAX;
}

/* Index entry i (whose string is not indexed yet), growing as needed. */
static void index_add(struct jsondoc_index *idx, size_t i,
                      const char *(*str)(const void *ctx, size_t i),
                      const void *ctx)
{
    if (2 * (idx->n + 1) > idx->cap) {
        struct jsondoc_index grown = {NULL, idx->cap ? 2 * idx->cap : 64, 0};

        grown.slot = xcalloc(grown.cap, sizeof(*grown.slot));
        for (size_t k = 0; k < idx->cap; k++)
            if (idx->slot[k])
                *index_slot(&grown, str(ctx, idx->slot[k] - 1), str, ctx) =
                    idx->slot[k];
        grown.n = idx->n;
        free(idx->slot);
        *idx = grown;
    }
    *index_slot(idx, str(ctx, i), str, ctx) = i + 1;
    idx->n++;
}

static const char *rowkey_str(const void *ctx, size_t i)
{
    return ((const struct jsondoc_rows *)ctx)->keys[i].key;
}

static const char *column_str(const void *ctx, size_t i)
{
    return ((const struct metrics *)ctx)->cols[i].name;
}

void jsondoc_rows_init(struct jsondoc_rows *r, struct metrics *m,
                       bool (*name)(const char *key, struct strbuf *out))
{
    memset(r, 0, sizeof(*r));
    r->m = m;
    r->name = name;
    r->max_columns = METRICS_MAX_COLUMNS;
}

void jsondoc_rows_release(struct jsondoc_rows *r)
{
    for (size_t i = 0; i < r->nkeys; i++)
        free(r->keys[i].key);
    free(r->keys);
    free(r->cells);
    free(r->keyidx.slot);
    free(r->colidx.slot);
    memset(r, 0, sizeof(*r));
}

/* Is a column of m named name? Columns added since are indexed first. */
static bool name_taken(struct jsondoc_rows *r, const char *name)
{
    const struct metrics *m = r->m;

    for (; r->colsindexed < m->ncols; r->colsindexed++)
        if (index_find(&r->colidx, m->cols[r->colsindexed].name, column_str,
                       m) == SIZE_MAX)
            index_add(&r->colidx, r->colsindexed, column_str, m);
    return index_find(&r->colidx, name, column_str, m) != SIZE_MAX;
}

/*
 * A new column for log key orig, named name unless another key took that
 * name already (eval_acc and eval_accuracy both map to val_acc): then the
 * log's own name, and failing that the log's name numbered.
 */
static size_t new_column(struct jsondoc_rows *r, const char *name,
                         const char *orig)
{
    struct strbuf sb = STRBUF_INIT;
    size_t col;

    if (name_taken(r, name))
        name = orig;
    for (size_t i = 2; name_taken(r, name); i++) {
        strbuf_reset(&sb);
        strbuf_addf(&sb, "%s (%zu)", orig, i);
        name = sb.buf;
    }
    col = metrics_add_column_as(r->m, name, orig);
    strbuf_release(&sb);
    return col;
}

/*
 * The column of log key key. Records of one log repeat their keys in the
 * same order, so the key after the one found last is tried first, then
 * the hash index: a record costs about one comparison per key, however
 * many columns there are. A key met for the first time once max_columns
 * columns exist is left out (and counted).
 */
static size_t key_column(struct jsondoc_rows *r, const char *key)
{
    struct strbuf sb = STRBUF_INIT;
    size_t col = SIZE_MAX, k;

    if (r->hint < r->nkeys) {
        jsondoc_compares++;
        if (!strcmp(r->keys[r->hint].key, key))
            return r->keys[r->hint++].col;
    }
    k = index_find(&r->keyidx, key, rowkey_str, r);
    if (k != SIZE_MAX) {
        r->hint = k + 1;
        return r->keys[k].col;
    }
    if (r->name(key, &sb)) {
        if (r->m->ncols < r->max_columns)
            col = new_column(r, sb.buf, key);
        else
            r->keys_left_out++;
    }
    strbuf_release(&sb);
    ALLOC_GROW(r->keys, r->nkeys + 1, r->alloc);
    r->keys[r->nkeys].key = xstrdup(key);
    r->keys[r->nkeys].col = col;
    index_add(&r->keyidx, r->nkeys, rowkey_str, r);
    r->hint = ++r->nkeys;
    return col;
}

/*
 * Drop rows from row on. A column whose first non-finite value was in
 * them has none left: its first non-finite line was at or after the
 * first dropped row's line, and rows are in file order.
 */
static void drop_rows(struct metrics *m, size_t row)
{
    if (row >= m->nrows)
        return;
    for (size_t i = 0; i < m->ncols; i++) {
        struct column *c = &m->cols[i];

        if (c->line_of_first_nonfinite &&
            c->line_of_first_nonfinite >= metrics_line(m, row))
            c->line_of_first_nonfinite = 0;
    }
    m->nrows = row;
}

void jsondoc_rows_add(struct jsondoc_rows *r, const struct jsondoc *doc,
                      const struct jsondoc_node *obj, double x, size_t line)
{
    struct metrics *m = r->m;
    const struct jsondoc_node *c;
    struct jsondoc_cell *cells;
    size_t n = 0, row = m->nrows ? m->nrows - 1 : 0;
    bool same = m->nrows && metrics_x(m, row) == x;
    bool back = m->nrows && x < metrics_x(m, row);

    if (obj->type != JSONDOC_OBJECT)
        return;
    ALLOC_GROW(r->cells, (size_t)obj->len, r->cellsalloc);
    cells = r->cells;
    for (c = jsondoc_first(doc, obj); c; c = jsondoc_next(doc, c)) {
        size_t col;
        double v;

        if (jsondoc_number(doc, c, &v))
            continue;
        col = key_column(r, jsondoc_key(doc, c));
        if (col == SIZE_MAX ||
            (r->keep && !r->keep(r->keep_data, m->cols[col].name, v)))
            continue;
        /* A key set twice at one x: the same step logged again. */
        if (same && metrics_present(&m->cols[col], row))
            back = true;
        cells[n].col = col;
        cells[n].v = v;
        cells[n].line = c->line;
        n++;
    }
    if (!n)
        return;
    if (back) {
        size_t keep = m->nrows;

        while (keep && metrics_x(m, keep - 1) >= x)
            keep--;
        if (!r->restarts++) {
            r->restart_line = line;
            r->restart_from = metrics_x(m, m->nrows - 1);
            r->restart_to = x;
        }
        drop_rows(m, keep);
        same = false;
    }
    if (!same)
        row = metrics_add_row(m, x, line);
    for (size_t i = 0; i < n; i++) {
        struct column *col = &m->cols[cells[i].col];
        size_t had = col->line_of_first_nonfinite;

        metrics_set(m, row, cells[i].col, cells[i].v);
        /* Cite the value's own line, not the row's first record's. */
        if (!had && col->line_of_first_nonfinite)
            col->line_of_first_nonfinite = cells[i].line;
    }
}

void jsondoc_rows_finish(struct jsondoc_rows *r)
{
    struct metrics *m = r->m;
    size_t keep = 0;

    for (size_t i = 0; i < m->ncols; i++) {
        struct column *c = &m->cols[i];
        bool any = false;

        for (size_t j = 0; j < m->nrows && !any; j++)
            any = metrics_present(c, j);
        if (!any) {
            free(c->name);
            free(c->orig);
            numvec_release(&c->v);
            free(c->presence);
            continue;
        }
        m->cols[keep++] = *c;
    }
    m->ncols = keep;
    if (r->keys_left_out)
        metrics_note(m,
                     "%zu keys left out: reportgen reads the first %zu "
                     "columns of a log",
                     r->keys_left_out, r->max_columns);
    /* The key map's column numbers are stale now: nothing may be added. */
    for (size_t i = 0; i < r->nkeys; i++)
        r->keys[i].col = SIZE_MAX;
}
