/*
 * csvload.c - delimited text files record by record, on libcsv, and the
 * native metrics.csv reader built on that. The only file that includes
 * <csv.h>: every reader of a CSV-like log (read_keras.c, read_lightning.c,
 * ...) goes through csvload_each().
 *
 * The record reader (struct reader). The file is read in fixed blocks and
 * never held whole: each block is cut into line segments (each ending at a
 * CR or LF, or at the block's end), each segment is checked for binary
 * data and then fed to csv_parse(). Feeding a line at a time is what gives
 * messages their line numbers: libcsv reports no positions, but its
 * callbacks run while it consumes the segment, so "the line being fed" is
 * the line the callback is about. A record's line is where the record
 * starts, which matters when a quoted cell spans lines. The fields of the
 * current record are collected, trimmed, in one buffer (cb1) and handed
 * to the caller's function at the end of the record (cb2); only one record
 * is ever held. Errors are recorded in struct reader (libcsv callbacks
 * cannot fail) and stop the read at the end of the segment.
 *
 * Line ends: LF, CRLF and a bare CR each end a line (libcsv splits rows on
 * any of them and skips the empty rows between CR and LF). Leading and
 * trailing blank lines are skipped by libcsv; a UTF-8 byte order mark is
 * dropped before parsing. Strict mode (CSV_STRICT) makes stray quotes an
 * error instead of silently becoming part of a cell. UTF-16 (a byte order
 * mark, or NUL bytes in every other position of the first block, which is
 * what ASCII text looks like in UTF-16) gets its own message: "binary
 * data" would send the user looking for corruption, not for an encoding.
 *
 * The native reader (struct loader) is one csv_record_fn: the first record
 * is the header, each later one is checked and appended to the metrics.
 */
#include "csvload.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* Bytes read per fread(); also the longest segment fed to csv_parse(). */
#define BLOCK_SIZE 65536
/*
 * The longest cell accepted. A metric cell is a number; a longer one is
 * an unterminated quote swallowing the file, and libcsv would otherwise
 * buffer all of it.
 */
#define MAX_CELL (1024 * 1024)
/* The longest record accepted, all fields together. */
#define MAX_RECORD (16 * 1024 * 1024)
/* How much of a bad cell or a column name a message shows. */
#define QUOTE_CELL_MAX 40
#define QUOTE_NAME_MAX 80
/* How much of the first block the UTF-16 test looks at. */
#define UTF16_SNIFF 512

struct reader {
    const char *path;
    char delim;
    size_t max_fields; /* more fields in one record is an error */
    csv_record_fn fn;
    void *ctx;
    struct csv_parser parser;

    size_t lineno;   /* line of the segment being fed */
    bool in_row;     /* a row has started and not yet ended */
    bool row_ended;  /* cb2 ran during the current segment */
    size_t row_line; /* line where the current row started */

    /* UTF-8 validation state, carried across blocks. */
    unsigned utf8_need;             /* continuation bytes still expected */
    unsigned char utf8_lo, utf8_hi; /* range of the next one */

    /*
     * The current record: its fields one after another in text, each
     * NUL-terminated, starting at off[i]; fields[] is built at its end.
     */
    struct strbuf text;
    size_t *off;
    size_t nfields, off_alloc;
    char **fields;
    size_t fields_alloc;

    bool failed;  /* stop feeding */
    bool stopped; /* fn asked to stop: no message of ours */
    struct strbuf err;

    /*
     * Reading on two threads (struct split): the first part ends at byte
     * split->start, where split->at() may take the rest as read.
     */
    struct split *split;
};

/* Start "PATH:LINE: " (or "PATH: " if line is 0) in sb and return it. */
static struct strbuf *locate(struct strbuf *sb, const char *path, size_t line)
{
    strbuf_reset(sb);
    if (line)
        strbuf_addf(sb, "%s:%zu: ", path, line);
    else
        strbuf_addf(sb, "%s: ", path);
    return sb;
}

/* Record the reader's first error and stop the read. */
static struct strbuf *fail_at(struct reader *rd, size_t line)
{
    rd->failed = true;
    return locate(&rd->err, rd->path, line);
}

/*
 * cb1: append the field, without the white space at its ends, to the
 * current record. libcsv already drops spaces and tabs around unquoted
 * cells; this also trims quoted ones and other white space. In
 * space-separated mode a run of blanks is one separator: libcsv hands
 * over an empty unquoted field (NULL, with CSV_EMPTY_IS_NULL) for each
 * extra blank, and those are dropped; a quoted "" is kept.
 */
static void cb1(void *data, size_t len, void *arg)
{
    struct reader *rd = arg;
    const char *s = data;
    size_t start = 0, end = len;

    if (rd->failed)
        return;
    if (!s) {
        if (rd->delim == ' ')
            return;
        s = "";
        end = len = 0;
    }
    while (start < end && isspace((unsigned char)s[start]))
        start++;
    while (end > start && isspace((unsigned char)s[end - 1]))
        end--;
    if (rd->nfields >= rd->max_fields) {
        char *msg =
            csvload_fields_problem(rd->path, rd->row_line, rd->max_fields);

        rd->failed = true;
        strbuf_addstr(&rd->err, msg);
        free(msg);
        return;
    }
    if (rd->text.len + end - start >= MAX_RECORD) {
        strbuf_addf(fail_at(rd, rd->row_line), "record longer than %d MiB",
                    MAX_RECORD / (1024 * 1024));
        return;
    }
    ALLOC_GROW(rd->off, rd->nfields + 1, rd->off_alloc);
    rd->off[rd->nfields++] = rd->text.len;
    strbuf_add(&rd->text, s + start, end - start);
    strbuf_addch(&rd->text, '\0');
}

/* cb2: hand the record to the caller's function. */
static void cb2(int c, void *arg)
{
    struct reader *rd = arg;
    struct csv_record rec;
    size_t i;

    (void)c;
    rd->row_ended = true;
    if (rd->failed || !rd->nfields)
        goto out; /* a line of blanks in space-separated mode */
    ALLOC_GROW(rd->fields, rd->nfields, rd->fields_alloc);
    for (i = 0; i < rd->nfields; i++)
        rd->fields[i] = rd->text.buf + rd->off[i];
    rec.line = rd->row_line;
    rec.nfields = rd->nfields;
    rec.fields = rd->fields;
    if (rd->fn(&rec, rd->ctx) < 0) {
        rd->failed = true;
        rd->stopped = true;
    }
out:
    rd->nfields = 0;
    strbuf_reset(&rd->text);
}

/*
 * Check one byte of the stream for NUL and for UTF-8 validity (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). The state
 * lives in rd so a sequence may straddle two blocks. Returns false on a
 * byte that cannot be in a text file.
 */
static bool text_byte(struct reader *rd, unsigned char c)
{
    if (rd->utf8_need) {
        if (c < rd->utf8_lo || c > rd->utf8_hi)
            return false;
        rd->utf8_need--;
        rd->utf8_lo = 0x80;
        rd->utf8_hi = 0xBF;
        return true;
    }
    if (c < 0x80)
        return c != 0;
    rd->utf8_lo = 0x80;
    rd->utf8_hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        rd->utf8_need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        rd->utf8_need = 2;
        if (c == 0xE0)
            rd->utf8_lo = 0xA0; /* overlong */
        else if (c == 0xED)
            rd->utf8_hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        rd->utf8_need = 3;
        if (c == 0xF0)
            rd->utf8_lo = 0x90; /* overlong */
        else if (c == 0xF4)
            rd->utf8_hi = 0x8F; /* above U+10FFFF */
    } else {
        return false;
    }
    return true;
}

static void fail_binary(struct reader *rd)
{
    strbuf_addstr(fail_at(rd, rd->lineno),
                  rd->delim == ',' ? "binary data, not a CSV file"
                                   : "binary data, not a text file");
}

/*
 * True when the start of a file (n bytes) is UTF-16: it has a UTF-16 byte
 * order mark, or at least 3/4 of its first byte pairs are an ASCII
 * character and a NUL in the same order, as UTF-16 spells ASCII. Short
 * starts (fewer than 4 pairs) are only judged by the byte order mark.
 */
static bool is_utf16(const unsigned char *p, size_t n)
{
    size_t i, pairs, le = 0, be = 0;

    if (n >= 2 &&
        ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return true;
    if (n > UTF16_SNIFF)
        n = UTF16_SNIFF;
    pairs = n / 2;
    if (pairs < 4)
        return false;
    for (i = 0; i + 1 < n; i += 2) {
        if (p[i] && p[i] < 0x80 && !p[i + 1])
            le++;
        else if (!p[i] && p[i + 1] && p[i + 1] < 0x80)
            be++;
    }
    return 4 * le >= 3 * pairs || 4 * be >= 3 * pairs;
}

/* True when libcsv skips s as part of a blank line (it trims only these). */
static bool blank(const unsigned char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Report a libcsv failure at the current line. */
static void fail_csv(struct reader *rd)
{
    int e = csv_error(&rd->parser);
    struct strbuf *sb = fail_at(rd, rd->lineno);

    if (e == CSV_EPARSE)
        strbuf_addstr(sb, "stray '\"' in a field (quote the whole field "
                          "and double the quotes inside it)");
    else
        strbuf_addstr(sb, csv_strerror(e));
}

/*
 * Feed one segment (a line or the part of one that is in this block) to
 * libcsv, keeping track of where rows start.
 */
static void feed(struct reader *rd, const unsigned char *s, size_t len)
{
    if (!rd->in_row)
        rd->row_line = rd->lineno;
    rd->row_ended = false;
    if (csv_parse(&rd->parser, s, len, cb1, cb2, rd) != len) {
        if (!rd->failed)
            fail_csv(rd);
        return;
    }
    /*
     * A segment holds at most one line end, as its last byte, so a row
     * that ended in it ended there. Otherwise a row is open from the
     * first segment libcsv did not skip as blank.
     */
    if (rd->row_ended)
        rd->in_row = false;
    else if (!rd->in_row && !blank(s, len))
        rd->in_row = true;
    if (!rd->failed && csv_get_buffer_size(&rd->parser) > MAX_CELL) {
        strbuf_addf(fail_at(rd, rd->row_line),
                    "field longer than %d bytes (unterminated quote?)",
                    MAX_CELL);
    }
}

/*
 * The fast path: a whole line of a comma-separated file, with no quote,
 * that starts no record libcsv is in the middle of, split here in place
 * (s[len] is its line end, which is overwritten) instead of by libcsv a
 * byte at a time. Only for that provably simple case: there libcsv's
 * rules come down to "fields end at commas, blanks around them are
 * dropped", and the fields are the same; quotes and the other delimiters
 * go through libcsv.
 */
static bool simple_line(const struct reader *rd, const unsigned char *s,
                        size_t len)
{
    return rd->delim == ',' && !rd->in_row && !blank(s, len) &&
           !memchr(s, '"', len);
}

static void fast_record(struct reader *rd, unsigned char *s, size_t len)
{
    unsigned char *end = s + len, *p = s;
    struct csv_record rec;

    rd->nfields = 0;
    for (;;) {
        unsigned char *q = memchr(p, ',', (size_t)(end - p)), *e;

        if (!q)
            q = end;
        e = q;
        /* No byte above ' ' is a space (the C locale's isspace()). */
        while (p < e && *p <= ' ' && isspace(*p))
            p++;
        while (e > p && e[-1] <= ' ' && isspace(e[-1]))
            e--;
        *e = '\0';
        ALLOC_GROW(rd->fields, rd->nfields + 1, rd->fields_alloc);
        rd->fields[rd->nfields++] = (char *)p;
        if (q == end)
            break;
        p = q + 1;
    }
    rec.line = rd->lineno;
    rec.nfields = rd->nfields;
    rec.fields = rd->fields;
    rd->nfields = 0;
    if (rd->fn(&rec, rd->ctx) < 0) {
        rd->failed = true;
        rd->stopped = true;
    }
}

/*
 * Cut a block into segments at CR and LF, check each for binary data and
 * feed it. *prev_cr says whether the byte before the block was a CR, so a
 * CRLF split across two blocks still counts as one line end. In
 * space-separated mode a tab is a blank like a space (even inside quotes,
 * where no metric log puts one).
 */
static void feed_block(struct reader *rd, unsigned char *buf, size_t n,
                       bool *prev_cr)
{
    size_t start = 0, i;

    for (i = 0; i < n && !rd->failed; i++) {
        unsigned char c;
        bool crlf_tail;

        /*
         * Skip printable ASCII (the bytes of numbers and commas) eight at
         * a time: a byte below 0x20 borrows in the subtraction and one
         * from 0x80 up has its top bit set, so the word is all printable
         * ASCII exactly when no top bit is set in either.
         */
        while (!rd->utf8_need && n - i >= 8) {
            uint64_t w;

            memcpy(&w, buf + i, 8);
            if ((w | (w - UINT64_C(0x2020202020202020))) &
                UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        c = buf[i];

        /* Fast path for the bytes of numbers and commas. */
        if (c >= 0x20 && c < 0x80 && !rd->utf8_need)
            continue;
        if (!text_byte(rd, c)) {
            fail_binary(rd);
            return;
        }
        if (c == '\t' && rd->delim == ' ')
            buf[i] = ' ';
        if (c != '\n' && c != '\r')
            continue;
        crlf_tail = c == '\n' && i == start && *prev_cr;
        if (simple_line(rd, buf + start, i - start))
            fast_record(rd, buf + start, i - start);
        else
            feed(rd, buf + start, i + 1 - start);
        if (!crlf_tail)
            rd->lineno++;
        *prev_cr = c == '\r';
        start = i + 1;
    }
    if (!rd->failed && start < n) {
        feed(rd, buf + start, n - start);
        *prev_cr = false;
    }
}

/*
 * Reading a long file on two threads. A file of at least split_min bytes
 * is cut at the first line start after its middle. The calling thread
 * reads the first part as ever, while a second one reads the rest into a
 * struct metrics of its own, through fast_record() and data_record()
 * only: a line they do not take (a quote, a CR, a tab, a byte outside
 * printable ASCII, a blank line, a last line without its line end, a bad
 * cell) makes it give up, and the first thread then reads that part
 * itself, so every message is the one a single thread gives. When both
 * parts are read, the second's rows are appended to the first's, their
 * lines counted on from where the first part ended.
 */
static size_t split_min;
_Thread_local size_t csvload_tails_read;

void csvload_parallel(size_t min_bytes)
{
    split_min = min_bytes;
}

struct split {
    int fd;
    off_t start; /* where the second part starts; 0: no split */
    /*
     * Called by the first part's reader at start: true when the second
     * part was read (the reader then stops), false to read on.
     */
    bool (*at)(struct split *sp, const struct reader *rd);
    /* Called before the file is closed: stop the second part's reading. */
    void (*drop)(struct split *sp);
    void *ctx;
};

/* Where to cut fd's file (see above), or 0 not to. */
static off_t split_point(int fd)
{
    struct stat st;
    char buf[4096];
    off_t off;
    ssize_t n;

    if (!split_min || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        st.st_size < (off_t)split_min)
        return 0;
    /* A line is at most MAX_RECORD bytes: look that far for its end. */
    for (off = st.st_size / 2; off < st.st_size / 2 + MAX_RECORD; off += n) {
        char *nl;

        n = pread(fd, buf, sizeof(buf), off);
        if (n <= 0)
            return 0;
        nl = memchr(buf, '\n', (size_t)n);
        if (nl)
            return off + (nl - buf) + 1 < st.st_size ? off + (nl - buf) + 1 : 0;
    }
    return 0;
}

/* Read the whole file through the reader; false on any failure. */
static bool read_all(struct reader *rd, FILE *fp)
{
    unsigned char *buf = xmalloc(BLOCK_SIZE);
    bool first = true, prev_cr = false;
    size_t n, pos = 0;
    off_t stop = rd->split ? rd->split->start : 0;

    for (;;) {
        size_t want = BLOCK_SIZE;
        unsigned char *p = buf;

        if (stop && pos == (size_t)stop && !rd->failed) {
            stop = 0;
            if (rd->split->at(rd->split, rd))
                break;
        }
        if (stop && (size_t)stop - pos < want)
            want = (size_t)stop - pos;
        if (rd->failed || (n = fread(buf, 1, want, fp)) == 0)
            break;
        pos += n;

        if (first) {
            if (is_utf16(p, n)) {
                strbuf_addstr(fail_at(rd, 0), "UTF-16 text, not UTF-8");
                break;
            }
            /* A byte order mark is an encoding signature, not text. */
            if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
                p += 3;
                n -= 3;
            }
        }
        first = false;
        feed_block(rd, p, n, &prev_cr);
    }
    free(buf);
    if (rd->failed)
        return false;
    if (ferror(fp)) {
        strbuf_addf(fail_at(rd, 0), "cannot read: %s", strerror(errno));
        return false;
    }
    if (rd->utf8_need) {
        fail_binary(rd); /* the file ends inside a character */
        return false;
    }
    /* The last line may have no line end: csv_fini() ends its row. */
    if (csv_fini(&rd->parser, cb1, cb2, rd) != 0 && !rd->failed) {
        if (csv_error(&rd->parser) == CSV_EPARSE)
            strbuf_addstr(fail_at(rd, rd->row_line),
                          "quoted field not closed before end of file");
        else
            strbuf_addstr(fail_at(rd, rd->row_line),
                          csv_strerror(csv_error(&rd->parser)));
    }
    return !rd->failed;
}

char *csvload_fields_problem(const char *path, size_t line, size_t max)
{
    if (max == METRICS_MAX_COLUMNS)
        return xasprintf("%s:%zu: more than %zu fields (reportgen reads at "
                         "most %zu columns)",
                         path, line, max, max);
    return xasprintf("%s:%zu: more than %zu fields on one line", path, line,
                     max);
}

int csvload_each(const char *path, char delim, csv_record_fn fn, void *ctx,
                 char **why)
{
    return csvload_each_max(path, delim, METRICS_MAX_COLUMNS, fn, ctx, why);
}

/* csvload_each_max(), and with split the file cut (struct split). */
static int each(const char *path, char delim, size_t max_fields,
                csv_record_fn fn, void *ctx, char **why, struct split *split)
{
    struct reader rd;
    unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    FILE *fp;
    int ret;

    *why = NULL;
    fp = input_open(path, why);
    if (!fp)
        return -1;
    memset(&rd, 0, sizeof(rd));
    if (split) {
        split->fd = fileno(fp);
        split->start = split_point(split->fd);
        if (split->start)
            rd.split = split;
    }
    rd.path = path;
    rd.delim = delim;
    rd.max_fields = max_fields;
    rd.fn = fn;
    rd.ctx = ctx;
    rd.lineno = 1;
    strbuf_init(&rd.text, 0);
    strbuf_init(&rd.err, 0);
    if (delim == ' ')
        opts |= CSV_EMPTY_IS_NULL;
    if (csv_init(&rd.parser, opts))
        die("out of memory initialising libcsv");
    csv_set_delim(&rd.parser, (unsigned char)delim);
    /* One out-of-memory policy: libcsv's buffers abort like ours. */
    csv_set_realloc_func(&rd.parser, xrealloc);
    /*
     * libcsv grows its cell buffer by a fixed blk_size (128 bytes by
     * default), not geometrically, so a long cell costs quadratic
     * copying. Steps of a block keep a MAX_CELL cell to 16 reallocs.
     */
    csv_set_blk_size(&rd.parser, BLOCK_SIZE);

    if (read_all(&rd, fp)) {
        ret = 0;
    } else {
        ret = -1;
        if (!rd.stopped)
            *why = strbuf_detach(&rd.err, NULL);
    }
    if (split)
        split->drop(split);
    fclose(fp);
    csv_free(&rd.parser);
    strbuf_release(&rd.text);
    strbuf_release(&rd.err);
    free(rd.off);
    free(rd.fields);
    return ret;
}

int csvload_each_max(const char *path, char delim, size_t max_fields,
                     csv_record_fn fn, void *ctx, char **why)
{
    return each(path, delim, max_fields, fn, ctx, why, NULL);
}

/* The native metrics.csv reader: one csv_record_fn over csvload_each(). */
struct loader {
    const char *path;
    struct metrics *m;
    bool have_header;
    char **names;
    size_t nnames;
    size_t xfield;       /* index of the x field */
    size_t *colmap;      /* field index -> metrics column, SIZE_MAX for x */
    double *vals;        /* the current row, by field index */
    int32_t *dec;        /* or, where pres[i] >= PRES_DECIMAL, as a decimal */
    unsigned char *pres; /* 0 missing, 1 in vals, PRES_DECIMAL + its
                            scale: in dec */
    struct strbuf err;
    struct split *split; /* the file is read on two threads */
    struct tail *tail;   /* the thread reading the second part */
};

struct named_field {
    const char *name;
    size_t index;
};

static int cmp_named_field(const void *a, const void *b)
{
    const struct named_field *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

char *csvload_cell_problem(const char *path, size_t line, const char *cell,
                           const char *column)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_addf(&sb, "%s:%zu: not a number ", path, line);
    strbuf_add_quoted(&sb, cell, strlen(cell), QUOTE_CELL_MAX);
    if (column) {
        strbuf_addstr(&sb, " in column ");
        strbuf_add_quoted(&sb, column, strlen(column), QUOTE_NAME_MAX);
    }
    return strbuf_detach(&sb, NULL);
}

/*
 * The first field, in file order, whose name an earlier field already has,
 * or SIZE_MAX. Sorting by (name, index) puts duplicates side by side and
 * keeps this O(n log n): headers of wide sweeps can hold thousands of
 * columns.
 */
static size_t first_duplicate(char *const *names, size_t n)
{
    struct named_field *f = xreallocarray(NULL, n, sizeof(*f));
    size_t i, dup = SIZE_MAX;

    for (i = 0; i < n; i++) {
        f[i].name = names[i];
        f[i].index = i;
    }
    qsort(f, n, sizeof(*f), cmp_named_field);
    for (i = 1; i < n; i++)
        if (!strcmp(f[i - 1].name, f[i].name) && f[i].index < dup)
            dup = f[i].index;
    free(f);
    return dup;
}

char *csvload_header_problem(char *const *names, size_t n, size_t first)
{
    size_t dup = first_duplicate(names, n);
    struct strbuf sb = STRBUF_INIT;

    for (size_t i = first; i < n && i <= dup; i++)
        if (!*names[i])
            return xasprintf("empty name for column %zu in header", i + 1);
    if (dup == SIZE_MAX)
        return NULL;
    strbuf_addstr(&sb, "duplicate column ");
    strbuf_add_quoted(&sb, names[dup], strlen(names[dup]), QUOTE_NAME_MAX);
    return strbuf_detach(&sb, NULL);
}

/* The header: check the names and set up the metrics. */
static int header_record(struct loader *ld, const struct csv_record *rec)
{
    size_t i, x_epoch = SIZE_MAX, x_step = SIZE_MAX;
    char *problem;

    ld->have_header = true;
    ld->nnames = rec->nfields;
    ld->names = xreallocarray(NULL, ld->nnames, sizeof(*ld->names));
    for (i = 0; i < ld->nnames; i++)
        ld->names[i] = xstrdup(rec->fields[i]);
    problem = csvload_header_problem(ld->names, ld->nnames, 0);
    if (problem) {
        strbuf_addstr(locate(&ld->err, ld->path, rec->line), problem);
        free(problem);
        return -1;
    }
    for (i = 0; i < ld->nnames; i++) {
        if (!strcmp(ld->names[i], "epoch"))
            x_epoch = i;
        else if (!strcmp(ld->names[i], "step"))
            x_step = i;
    }
    if (x_epoch == SIZE_MAX && x_step == SIZE_MAX) {
        strbuf_addstr(locate(&ld->err, ld->path, rec->line),
                      "no 'epoch' or 'step' column in header");
        return -1;
    }
    /* Epoch is preferred: it is what a practitioner reads curves against. */
    ld->xfield = x_epoch != SIZE_MAX ? x_epoch : x_step;
    ld->m = metrics_new(ld->path, ld->names[ld->xfield]);
    ld->colmap = xreallocarray(NULL, ld->nnames, sizeof(*ld->colmap));
    for (i = 0; i < ld->nnames; i++)
        ld->colmap[i] = i == ld->xfield
                            ? SIZE_MAX
                            : metrics_add_column(ld->m, ld->names[i]);
    ld->vals = xreallocarray(NULL, ld->nnames, sizeof(*ld->vals));
    ld->dec = xreallocarray(NULL, ld->nnames, sizeof(*ld->dec));
    ld->pres = xcalloc(ld->nnames, sizeof(*ld->pres));
    return 0;
}

/*
 * The second part of a file read on two threads (struct split): its own
 * reader and loader, the same header, its own struct metrics.
 */
struct tail {
    pthread_t thread;
    int fd;
    off_t start;
    struct reader rd;
    struct loader ld;
    atomic_bool cancel; /* the first part failed: stop */
    bool read;          /* every line was read */
};

static int data_record(struct loader *ld, const struct csv_record *rec);

static int tail_record(const struct csv_record *rec, void *ctx)
{
    return data_record(ctx, rec);
}

/*
 * Lines of buf (n bytes from the file) that end in it: each is read by
 * fast_record() or the tail gives up (rd->failed). Returns how many bytes
 * were taken: a line cut by the block's end is read with the next.
 */
static size_t tail_block(struct tail *t, unsigned char *buf, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i < n && !t->rd.failed; i++) {
        unsigned char c = buf[i];

        if (c >= 0x20 && c < 0x7f)
            continue;
        if (c != '\n' || !simple_line(&t->rd, buf + start, i - start)) {
            t->rd.failed = true;
            break;
        }
        fast_record(&t->rd, buf + start, i - start);
        t->rd.lineno++;
        start = i + 1;
    }
    return start;
}

static void *tail_main(void *arg)
{
    struct tail *t = arg;
    unsigned char *buf = xmalloc(BLOCK_SIZE + 1);
    size_t have = 0;
    off_t off = t->start;

    while (!t->rd.failed && !atomic_load(&t->cancel)) {
        ssize_t n = pread(t->fd, buf + have, BLOCK_SIZE - have, off);
        size_t used;

        if (n < 0 || (n == 0 && have)) {
            t->rd.failed = true; /* a last line without its line end */
            break;
        }
        if (n == 0) {
            t->read = true;
            break;
        }
        off += n;
        have += (size_t)n;
        used = tail_block(t, buf, have);
        if (!used && have == BLOCK_SIZE)
            t->rd.failed = true; /* a line longer than a block */
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    free(buf);
    return NULL;
}

/* Free what the tail owns but its rows (t->ld.m). */
static void tail_free(struct tail *t)
{
    free(t->rd.fields);
    free(t->ld.vals);
    free(t->ld.dec);
    free(t->ld.pres);
    strbuf_release(&t->ld.err);
    free(t);
}

/*
 * The first part's reader is at the split: when the tail read its part
 * and the first part ended between records, append the tail's rows and
 * stop; otherwise read on through the second part here.
 */
static bool tail_join(struct split *sp, const struct reader *rd)
{
    struct loader *ld = sp->ctx;
    struct tail *t = ld->tail;
    bool take;

    sp->start = 0; /* past the split: no tail starts any more */
    if (!t)
        return false;
    pthread_join(t->thread, NULL);
    ld->tail = NULL;
    take = t->read && !rd->in_row;
    if (take) {
        metrics_append(ld->m, t->ld.m, rd->lineno - 1);
        csvload_tails_read++;
    } else {
        metrics_free(t->ld.m);
    }
    tail_free(t);
    return take;
}

/* Stop the tail, if any, without its part (the first part failed). */
static void tail_drop(struct loader *ld)
{
    struct tail *t = ld->tail;

    if (!t)
        return;
    atomic_store(&t->cancel, true);
    pthread_join(t->thread, NULL);
    ld->tail = NULL;
    metrics_free(t->ld.m);
    tail_free(t);
}

static void tail_drop_split(struct split *sp)
{
    sp->start = 0;
    tail_drop(sp->ctx);
}

/*
 * The header is read: start the thread for the second part, with
 * SIGINT, SIGTERM and SIGHUP blocked (their handlers run on the main
 * thread). Without a thread, the first reader simply reads on.
 */
static void tail_start(struct loader *ld)
{
    struct tail *t = xcalloc(1, sizeof(*t));
    sigset_t block, old;

    t->fd = ld->split->fd;
    t->start = ld->split->start;
    t->rd.path = ld->path;
    t->rd.delim = ',';
    t->rd.fn = tail_record;
    t->rd.ctx = &t->ld;
    t->rd.lineno = 1;
    t->ld = *ld;
    t->ld.tail = NULL;
    t->ld.split = NULL;
    strbuf_init(&t->ld.err, 0);
    t->ld.vals = xreallocarray(NULL, ld->nnames, sizeof(*t->ld.vals));
    t->ld.dec = xreallocarray(NULL, ld->nnames, sizeof(*t->ld.dec));
    t->ld.pres = xcalloc(ld->nnames, sizeof(*t->ld.pres));
    t->ld.m = metrics_new(ld->path, ld->m->xname);
    for (size_t i = 0; i < ld->m->ncols; i++)
        metrics_add_column(t->ld.m, ld->m->cols[i].name);
    atomic_init(&t->cancel, false);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    if (pthread_create(&t->thread, NULL, tail_main, t)) {
        metrics_free(t->ld.m);
        tail_free(t);
    } else {
        ld->tail = t;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * A data row: check it and append it to the metrics. A wrong number of
 * fields is reported before a bad cell, since then the cells are not
 * under the columns they seem to be.
 */
enum { PRES_DECIMAL = 2 };

/*
 * A cell of at most 9 digits, an optional '-' and decimal point, and
 * nothing else ("0.396622", "-12", "0.001"): *q / 10^*scale, the value
 * parse_number() reads from it. -0 is left to parse_number().
 */
static bool short_decimal(const char *s, int32_t *q, int *scale)
{
    const char *p = s, *f;
    bool neg = *p == '-';
    uint32_t w = 0;
    int nd;

    p += neg;
    for (f = p; (unsigned)(*p - '0') < 10; p++)
        w = w * 10 + (uint32_t)(*p - '0');
    nd = (int)(p - f);
    *scale = 0;
    if (*p == '.') {
        for (f = ++p; (unsigned)(*p - '0') < 10; p++)
            w = w * 10 + (uint32_t)(*p - '0');
        *scale = (int)(p - f);
        nd += *scale;
    }
    if (*p || !nd || nd > 9 || (neg && !w))
        return false;
    *q = neg ? -(int32_t)w : (int32_t)w;
    return true;
}

static int data_record(struct loader *ld, const struct csv_record *rec)
{
    size_t i, row;
    struct strbuf *sb;
    int scale;

    if (rec->nfields != ld->nnames) {
        sb = locate(&ld->err, ld->path, rec->line);
        strbuf_addf(sb, "%zu field%s, header has %zu", rec->nfields,
                    rec->nfields == 1 ? "" : "s", ld->nnames);
        return -1;
    }
    for (i = 0; i < ld->nnames; i++) {
        const char *t = rec->fields[i];
        bool is_x = i == ld->xfield;

        ld->pres[i] = 0;
        if (!*t)
            continue; /* missing */
        if (short_decimal(t, &ld->dec[i], &scale)) {
            ld->pres[i] = (unsigned char)(PRES_DECIMAL + scale);
            continue;
        }
        /* A nan epoch cannot be placed on an axis or ordered. */
        if (parse_number(t, &ld->vals[i]) == 0 &&
            (!is_x || isfinite(ld->vals[i]))) {
            ld->pres[i] = 1;
            continue;
        }
        sb = locate(&ld->err, ld->path, rec->line);
        strbuf_addstr(sb, is_x ? "non-finite value " : "bad number ");
        strbuf_add_quoted(sb, t, strlen(t), QUOTE_CELL_MAX);
        strbuf_addstr(sb, " in column ");
        strbuf_add_quoted(sb, ld->names[i], strlen(ld->names[i]),
                          QUOTE_NAME_MAX);
        return -1;
    }
    if (!ld->pres[ld->xfield]) {
        sb = locate(&ld->err, ld->path, rec->line);
        strbuf_addf(sb, "no value in column '%s'", ld->names[ld->xfield]);
        return -1;
    }
    i = ld->xfield;
    row = metrics_add_row(
        ld->m,
        ld->pres[i] >= PRES_DECIMAL
            ? decimal_value(ld->dec[i], ld->pres[i] - PRES_DECIMAL)
            : ld->vals[i],
        rec->line);
    for (i = 0; i < ld->nnames; i++) {
        if (!ld->pres[i] || i == ld->xfield)
            continue;
        if (ld->pres[i] >= PRES_DECIMAL)
            metrics_set_decimal(ld->m, row, ld->colmap[i], ld->dec[i],
                                ld->pres[i] - PRES_DECIMAL);
        else
            metrics_set(ld->m, row, ld->colmap[i], ld->vals[i]);
    }
    return 0;
}

static int native_record(const struct csv_record *rec, void *ctx)
{
    struct loader *ld = ctx;

    if (!ld->have_header) {
        int ret = header_record(ld, rec);

        if (!ret && ld->split && ld->split->start)
            tail_start(ld);
        return ret;
    }
    return data_record(ld, rec);
}

struct metrics *csvload_file(const char *path, char **why)
{
    struct loader ld;
    struct metrics *m = NULL;
    size_t i;

    struct split split = {.at = tail_join, .drop = tail_drop_split};

    memset(&ld, 0, sizeof(ld));
    ld.path = path;
    strbuf_init(&ld.err, 0);
    split.ctx = &ld;
    ld.split = split_min ? &split : NULL;
    if (each(path, ',', METRICS_MAX_COLUMNS, native_record, &ld, why,
             ld.split) < 0) {
        if (!*why)
            *why = strbuf_detach(&ld.err, NULL);
    } else if (!ld.have_header) {
        /* Nothing, only blank lines, or only a byte order mark. */
        *why = xasprintf("%s: empty file", path);
    } else if (!ld.m->nrows) {
        *why = xasprintf("%s: no data rows", path);
    } else {
        m = ld.m;
        ld.m = NULL;
    }
    tail_drop(&ld);
    metrics_free(ld.m);
    for (i = 0; i < ld.nnames; i++)
        free(ld.names[i]);
    free(ld.names);
    free(ld.colmap);
    free(ld.vals);
    free(ld.dec);
    free(ld.pres);
    strbuf_release(&ld.err);
    return m;
}
