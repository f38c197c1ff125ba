/*
 * test_csvload.c - the metrics.csv reader against the fixtures in
 * tests/unit/data/csv/: every quirk it must accept and every message it
 * must give, compared byte for byte (file:line included).
 *
 * A few inputs depend on csvload.c's 64 KiB read blocks (a CRLF or a
 * UTF-8 character cut in two by a block end) or are too big to check in;
 * those are written to a temporary file by the test itself.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvload.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

/* Must match BLOCK_SIZE in csvload.c for the boundary tests to bite. */
#define BLOCK 65536
/* A value no fixture holds: what the accessors return for "no such". */
#define NONE (-999.0)

static const char *srcdir;

static bool same_bits(double a, double b)
{
    return !memcmp(&a, &b, sizeof(a));
}

static char *fixture(const char *name)
{
    return xasprintf("%s/tests/unit/data/csv/%s", srcdir, name);
}

/* Load a file that must load; report the message if it does not. */
static struct metrics *load_path(const char *path, const char *name)
{
    char *why = NULL;
    struct metrics *m = csvload_file(path, &why);

    if (!ok(m && !why, name))
        printf("#   %s\n", why ? why : "(no message)");
    free(why);
    return m;
}

static struct metrics *load_ok(const char *name)
{
    char *path = fixture(name);
    struct metrics *m = load_path(path, name);

    free(path);
    return m;
}

/* Load path, which must fail with "path" + want. */
static void fails_path(const char *path, const char *want, const char *name)
{
    char *why = NULL, *expect = xasprintf("%s%s", path, want);
    struct metrics *m = csvload_file(path, &why);

    is_str(m ? "(loaded without error)" : why, expect, name);
    metrics_free(m);
    free(why);
    free(expect);
}

static void fails(const char *file, const char *want)
{
    char *path = fixture(file);

    fails_path(path, want, file);
    free(path);
}

/* Accessors that survive a failed load, so a failure cannot crash. */
static long nrows(const struct metrics *m)
{
    return m ? (long)m->nrows : -1;
}

static long ncols(const struct metrics *m)
{
    return m ? (long)m->ncols : -1;
}

static double xat(const struct metrics *m, size_t row)
{
    return m && row < m->nrows ? metrics_x(m, row) : NONE;
}

static long line_at(const struct metrics *m, size_t row)
{
    return m && row < m->nrows ? (long)metrics_line(m, row) : -1;
}

static double val(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c && row < m->nrows ? metrics_v(c, row) : NONE;
}

static long present(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c && row < m->nrows ? metrics_present(c, row) : -1;
}

static const char *colname(const struct metrics *m, size_t i)
{
    return m && i < m->ncols ? m->cols[i].name : NULL;
}

static long role(const struct metrics *m, const char *col)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c ? (long)c->role : -1;
}

static void test_seed(void)
{
    struct metrics *m = load_ok("seed.csv");

    is_int(nrows(m), 5, "seed: 5 rows");
    is_int(ncols(m), 3, "seed: 3 columns besides epoch");
    is_str(m ? m->xname : NULL, "epoch", "seed: x is epoch");
    ok(m && m->path && strstr(m->path, "seed.csv"), "seed: path kept");
    is_str(colname(m, 0), "train_loss", "seed: column order kept");
    is_str(colname(m, 2), "val_acc", "seed: last column");
    is_double(xat(m, 2), 3, 0, "seed: x of row 2");
    is_double(val(m, "val_loss", 2), 0.48, 0, "seed: val_loss row 2");
    is_int(line_at(m, 0), 2, "seed: first row on line 2");
    is_int(line_at(m, 4), 6, "seed: last row on line 6");
    is_int(role(m, "val_loss"), ROLE_VAL_LOSS, "seed: val_loss role");
    metrics_free(m);
}

static void test_line_ends(void)
{
    struct metrics *m;

    m = load_ok("crlf.csv");
    is_int(nrows(m), 3, "crlf: 3 rows");
    is_str(colname(m, 1), "val_loss", "crlf: no CR in the last name");
    is_double(val(m, "val_loss", 2), 0.9, 0, "crlf: last cell");
    is_int(line_at(m, 2), 4, "crlf: line numbers");
    metrics_free(m);

    m = load_ok("cr.csv");
    is_int(nrows(m), 3, "bare cr: 3 rows");
    is_double(val(m, "val_loss", 2), 0.9, 0, "bare cr: last cell");
    is_int(line_at(m, 2), 4, "bare cr: line numbers");
    metrics_free(m);

    /* Keras on Windows: CR CR LF, i.e. a blank line after each row. */
    m = load_ok("crcrlf.csv");
    is_int(nrows(m), 2, "cr cr lf: 2 rows");
    is_double(val(m, "val_loss", 1), 1.0005, 0, "cr cr lf: last cell");
    is_int(line_at(m, 1), 5, "cr cr lf: line numbers count the CR");
    metrics_free(m);

    m = load_ok("no_final_newline.csv");
    is_int(nrows(m), 2, "no final newline: last row kept");
    is_double(val(m, "val_loss", 1), 0.4, 0, "no final newline: last cell");
    metrics_free(m);

    m = load_ok("blank_lines.csv");
    is_int(nrows(m), 2, "blank lines skipped");
    is_int(line_at(m, 0), 4, "blank lines: header on line 3");
    is_int(line_at(m, 1), 7, "blank lines: counted");
    metrics_free(m);
}

static void test_cells(void)
{
    struct metrics *m;

    m = load_ok("bom.csv");
    is_str(m ? m->xname : NULL, "epoch", "bom: epoch recognised");
    is_int(nrows(m), 2, "bom: 2 rows");
    metrics_free(m);

    m = load_ok("spaces.csv");
    is_str(m ? m->xname : NULL, "epoch", "spaces: header trimmed");
    is_str(colname(m, 0), "val_loss", "spaces: tab trimmed from name");
    is_double(xat(m, 0), 1, 0, "spaces: x trimmed");
    is_double(val(m, "val_loss", 0), 0.5, 0, "spaces: cell trimmed");
    is_double(val(m, "train_acc", 0), 0.25, 0, "spaces: quoted cell trimmed");
    is_double(val(m, "train_acc", 1), 0.5, 0, "spaces: quoted number");
    metrics_free(m);

    m = load_ok("missing.csv");
    is_int(present(m, "val_loss", 0), 0, "missing: empty cell not present");
    ok(isnan(val(m, "val_loss", 0)), "missing: empty cell is NaN");
    is_int(present(m, "train_loss", 1), 0, "missing: inner empty cell");
    is_int(present(m, "train_loss", 2), 1, "missing: full row present");
    metrics_free(m);

    m = load_ok("nonfinite.csv");
    is_str(m ? m->xname : NULL, "step", "nonfinite: x is step");
    is_int(nrows(m), 8, "nonfinite: 8 rows");
    ok(isnan(val(m, "train_loss", 0)) && present(m, "train_loss", 0) == 1,
       "nonfinite: nan is a present value");
    ok(isnan(val(m, "train_loss", 1)), "nonfinite: NaN");
    ok(val(m, "train_loss", 2) == INFINITY, "nonfinite: inf");
    ok(val(m, "train_loss", 3) == -INFINITY, "nonfinite: -inf");
    ok(val(m, "train_loss", 4) == INFINITY, "nonfinite: Infinity");
    ok(val(m, "train_loss", 5) == INFINITY, "nonfinite: +inf");
    ok(val(m, "train_loss", 6) == -INFINITY, "nonfinite: -Infinity");
    is_double(val(m, "train_loss", 7), 1.5e-3, 0, "nonfinite: 1.5e-3");
    ok(m && m->cols[0].line_of_first_nonfinite == 2,
       "nonfinite: line of the first non-finite value");
    metrics_free(m);

    m = load_ok("multiline.csv");
    is_str(colname(m, 0), "val\nloss", "multiline: quoted name keeps LF");
    is_double(val(m, "val\nloss", 0), 0.5, 0, "multiline: cell over 3 lines");
    is_int(line_at(m, 0), 3, "multiline: row line is where it starts");
    is_int(line_at(m, 1), 6, "multiline: later lines still counted");
    metrics_free(m);

    m = load_ok("utf8_names.csv");
    is_str(colname(m, 0),
           "pr\xc3\xa9"
           "cision",
           "utf-8 name kept");
    is_str(colname(m, 1), "\xe6\x8d\x9f\xe5\xa4\xb1", "cjk name kept");
    metrics_free(m);
}

static void test_columns(void)
{
    struct metrics *m;

    m = load_ok("step_only.csv");
    is_str(m ? m->xname : NULL, "step", "step only: x is step");
    is_double(xat(m, 1), 200, 0, "step only: x values");
    is_int(role(m, "lr"), ROLE_LR, "step only: lr role");
    is_int(role(m, "grad_norm"), ROLE_GRAD_NORM, "step only: grad_norm");
    metrics_free(m);

    m = load_ok("epoch_and_step.csv");
    is_str(m ? m->xname : NULL, "epoch", "epoch preferred over step");
    is_int(ncols(m), 2, "epoch and step: step kept as a column");
    is_str(colname(m, 0), "step", "epoch and step: step first");
    is_double(val(m, "step", 2), 149, 0, "epoch and step: step values");
    is_double(xat(m, 2), 1, 0, "epoch and step: x from epoch");
    metrics_free(m);

    m = load_ok("roles.csv");
    is_int(ncols(m), 9, "roles: all other columns kept");
    is_int(role(m, "grad_nonfinite"), ROLE_GRAD_NONFINITE, "roles: grad_nf");
    is_int(role(m, "pred_count_cat"), ROLE_PRED_COUNT, "roles: pred_count");
    is_int(role(m, "pred_count_"), ROLE_OTHER, "roles: bare pred_count_");
    is_int(role(m, "val_loss@night"), ROLE_SLICE, "roles: slice");
    is_int(role(m, "val_acc"), ROLE_VAL_ACC, "roles: val_acc");
    is_int(role(m, "train_acc"), ROLE_TRAIN_ACC, "roles: train_acc");
    is_int(role(m, "my_metric"), ROLE_OTHER, "roles: unknown kept");
    is_int(role(m, "Val_Loss"), ROLE_OTHER, "roles: case matters");
    is_double(val(m, "my_metric", 0), 42, 0, "roles: unknown column value");
    metrics_free(m);
}

static void test_errors(void)
{
    char *path;

    path = fixture("does-not-exist.csv");
    fails_path(path, ": cannot read: No such file or directory",
               "missing file");
    free(path);
    path = xasprintf("%s/tests/unit/data/csv", srcdir);
    fails_path(path, ": cannot read: Is a directory", "directory");
    free(path);

    fails("empty.csv", ": empty file");
    fails("only_blank.csv", ": empty file");
    fails("only_bom.csv", ": empty file");
    fails("nul.csv", ":3: binary data, not a CSV file");
    fails("bad_utf8.csv", ":3: binary data, not a CSV file");
    fails("truncated_utf8.csv", ":3: binary data, not a CSV file");
    fails("utf16.csv", ": UTF-16 text, not UTF-8");
    fails("utf16be.csv", ": UTF-16 text, not UTF-8");
    fails("utf16le_nobom.csv", ": UTF-16 text, not UTF-8");
    fails("utf16be_nobom.csv", ": UTF-16 text, not UTF-8");
    fails("no_x.csv", ":1: no 'epoch' or 'step' column in header");
    fails("dup.csv", ":1: duplicate column 'val_loss'");
    fails("empty_name.csv", ":1: empty name for column 3 in header");
    fails("ragged_long.csv", ":4: 5 fields, header has 4");
    fails("ragged_short.csv", ":3: 1 field, header has 4");
    fails("ragged_and_bad.csv", ":2: 3 fields, header has 2");
    fails("no_x_value.csv", ":4: no value in column 'epoch'");
    fails("nonfinite_x.csv", ":3: non-finite value 'NaN' in column 'step'");
    fails("bad_number.csv", ":4: bad number 'abc' in column 'val_loss'");
    fails("bad_hex.csv", ":2: bad number '0x10' in column 'val_loss'");
    fails("bad_long.csv", ":2: bad number "
                          "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
                          "in column 'val_loss'");
    fails("bad_control.csv",
          ":2: bad number 'a\\x1b[31mb\\u009bc\\x09z' in column 'val_loss'");
    fails("header_only.csv", ": no data rows");
    fails("header_only_nonl.csv", ": no data rows");
    fails("stray_quote.csv", ":3: stray '\"' in a field (quote the whole "
                             "field and double the quotes inside it)");
    fails("unterminated.csv", ":3: quoted field not closed before end of file");
    fails("crlf_bad.csv", ":4: bad number 'oops' in column 'val_loss'");
    fails("cr_bad.csv", ":3: bad number 'oops' in column 'val_loss'");
    fails("crcrlf_bad.csv", ":5: bad number 'oops' in column 'val_loss'");
    fails("blank_bad.csv", ":7: bad number 'oops' in column 'val_loss'");
    fails("multiline_bad.csv", ":6: bad number 'oops' in column 'val_loss'");
    fails("multiline_badcell.csv",
          ":3: bad number '0.4\\x0aabc' in column 'val_loss'");
    fails("bom_bad.csv", ":2: bad number 'bad' in column 'val_loss'");
}

/* Write data to a new temporary file and return its name (free it). */
static char *write_temp(const struct strbuf *data)
{
    const char *dir = getenv("TMPDIR");
    char *path =
        xasprintf("%s/test_csvload.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FILE *fp = fd < 0 ? NULL : fdopen(fd, "wb");

    if (!fp || fwrite(data->buf, 1, data->len, fp) != data->len || fclose(fp)) {
        printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return path;
}

/*
 * A CRLF whose CR ends one read block and whose LF starts the next must
 * count as one line end, or every later line number is off by one.
 */
static void test_crlf_across_blocks(void)
{
    struct strbuf sb = STRBUF_INIT;
    struct metrics *m;
    size_t row = 1, straddle, pad;
    char *path;

    strbuf_addstr(&sb, "epoch,val_loss\r\n");
    while (sb.len < BLOCK - 64)
        strbuf_addf(&sb, "%zu,0.5\r\n", row++);
    /* This row's CR is the last byte of the first block. */
    straddle = row;
    strbuf_addf(&sb, "%zu,0.25", row++);
    pad = BLOCK - 1 - sb.len;
    while (pad--)
        strbuf_addch(&sb, '0');
    strbuf_addstr(&sb, "\r\n");
    ok(sb.buf[BLOCK - 1] == '\r' && sb.buf[BLOCK] == '\n',
       "crlf across blocks: CR at the block end");
    strbuf_addf(&sb, "%zu,0.125\r\n", row++);

    path = write_temp(&sb);
    m = load_path(path, "crlf across blocks: loads");
    is_int(nrows(m), (long)row - 1, "crlf across blocks: row count");
    is_double(val(m, "val_loss", straddle - 1), 0.25, 0,
              "crlf across blocks: padded cell");
    is_int(line_at(m, row - 2), (long)row, "crlf across blocks: last line");
    metrics_free(m);
    unlink(path);
    free(path);

    strbuf_addf(&sb, "%zu,oops\r\n", row);
    path = write_temp(&sb);
    {
        char *want = xasprintf(":%zu: bad number 'oops' in column "
                               "'val_loss'",
                               row + 1);

        fails_path(path, want, "crlf across blocks: line in message");
        free(want);
    }
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* A UTF-8 character cut by a block end is still valid text. */
static void test_utf8_across_blocks(void)
{
    struct strbuf sb = STRBUF_INIT, name = STRBUF_INIT;
    struct metrics *m;
    char *path;

    strbuf_addstr(&sb, "epoch,");
    while (sb.len + name.len < BLOCK - 1)
        strbuf_addch(&name, 'a');
    strbuf_addstr(&name, "\xc3\xa9_x"); /* e-acute across the boundary */
    strbuf_add(&sb, name.buf, name.len);
    strbuf_addstr(&sb, "\n1,0.5\n");
    ok((unsigned char)sb.buf[BLOCK - 1] == 0xc3 &&
           (unsigned char)sb.buf[BLOCK] == 0xa9,
       "utf-8 across blocks: character cut by the block end");
    path = write_temp(&sb);
    m = load_path(path, "utf-8 across blocks: loads");
    is_double(val(m, name.buf, 0), 0.5, 0, "utf-8 across blocks: name intact");
    metrics_free(m);
    unlink(path);
    free(path);
    strbuf_release(&name);
    strbuf_release(&sb);
}

/* An unterminated quote must not make the reader buffer the whole file. */
static void test_huge_field(void)
{
    struct strbuf sb = STRBUF_INIT;
    char *path;
    size_t i;

    strbuf_addstr(&sb, "epoch,val_loss\n1,0.5\n2,\"0.4\n");
    for (i = 0; i < 40000; i++)
        strbuf_addstr(&sb, "3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3\n");
    path = write_temp(&sb);
    fails_path(path,
               ":3: field longer than 1048576 bytes (unterminated quote?)",
               "unterminated quote stops at 1 MiB");
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

static void test_many_rows(void)
{
    struct strbuf sb = STRBUF_INIT;
    struct metrics *m;
    const size_t n = 200000;
    char *path;
    size_t i;

    strbuf_addstr(&sb, "step,train_loss,val_loss\n");
    for (i = 0; i < n; i++) {
        if (i % 10 == 9)
            strbuf_addf(&sb, "%zu,%.17g,%.17g\n", i, 1.0 / (double)(i + 1),
                        2.0 / (double)(i + 1));
        else
            strbuf_addf(&sb, "%zu,%.17g,\n", i, 1.0 / (double)(i + 1));
    }
    path = write_temp(&sb);
    m = load_path(path, "200000 rows: loads");
    is_int(nrows(m), (long)n, "200000 rows: row count");
    is_double(xat(m, n - 1), (double)(n - 1), 0, "200000 rows: last x");
    is_int(line_at(m, n - 1), (long)n + 1, "200000 rows: last line");
    is_double(val(m, "train_loss", 123456), 1.0 / 123457, 0,
              "200000 rows: values exact (17 digits)");
    is_int(present(m, "val_loss", 123456), 0, "200000 rows: sparse missing");
    is_double(val(m, "val_loss", n - 1), 2.0 / (double)n, 0,
              "200000 rows: sparse present");
    metrics_free(m);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/*
 * csvload_each(): what a reader of another format sees. Each record is
 * written to a strbuf as "LINE:field|field|...\n" so one string compare
 * checks fields, trimming and line numbers together.
 */
struct each_ctx {
    struct strbuf out;
    size_t stop_at; /* stop at this record (1-based), 0 never */
    size_t n;
};

static int each_record(const struct csv_record *rec, void *ctx)
{
    struct each_ctx *ec = ctx;
    size_t i;

    strbuf_addf(&ec->out, "%zu:", rec->line);
    for (i = 0; i < rec->nfields; i++)
        strbuf_addf(&ec->out, "%s%s", i ? "|" : "", rec->fields[i]);
    strbuf_addch(&ec->out, '\n');
    return ++ec->n == ec->stop_at ? -1 : 0;
}

/* Run csvload_each over a fixture; return the records or the message. */
static char *each(const char *file, char delim, size_t stop_at, int *ret)
{
    struct each_ctx ec = {STRBUF_INIT, stop_at, 0};
    char *path = fixture(file), *why = NULL;

    *ret = csvload_each(path, delim, each_record, &ec, &why);
    if (why) {
        const char *base = strrchr(why, '/');

        strbuf_reset(&ec.out);
        strbuf_addf(&ec.out, "ERR %s", base ? base + 1 : why);
        free(why);
    }
    free(path);
    return strbuf_detach(&ec.out, NULL);
}

static void test_each(void)
{
    char *got;
    int ret;

    got = each("each_tab.tsv", '\t', 0, &ret);
    is_str(got, "1:step|loss|val loss\n3:10|0.5|\n4:20||0.25\n5:30|a\tb|1e-3\n",
           "each: tab-separated, CRLF, empty cells kept, quotes");
    is_int(ret, 0, "each: tab-separated returns 0");
    free(got);

    got = each("each_space.txt", ' ', 0, &ret);
    is_str(got, "1:Epoch|Loss|Acc\n3:1|0.50|0.25\n4:2|0.40|\n6:3|nan|x y\n",
           "each: runs of blanks are one separator, \"\" kept");
    free(got);

    got = each("seed.csv", ',', 2, &ret);
    is_str(got, "1:epoch|train_loss|val_loss|val_acc\n2:1|0.70|0.62|0.61\n",
           "each: the callback stops the read");
    is_int(ret, -1, "each: a stopped read returns -1 without message");
    free(got);

    got = each("multiline.csv", ',', 0, &ret);
    is_str(got, "1:epoch|val\nloss\n3:1|0.5\n6:2|0.4\n",
           "each: a record spanning lines is numbered where it starts");
    free(got);

    got = each("nul.csv", ',', 0, &ret);
    is_str(got, "ERR nul.csv:3: binary data, not a CSV file",
           "each: binary data stops the read with a message");
    is_int(ret, -1, "each: failure returns -1");
    free(got);

    got = each("nul.csv", '\t', 0, &ret);
    is_str(got, "ERR nul.csv:3: binary data, not a text file",
           "each: binary message for tab-separated");
    free(got);

    got = each("utf16le_nobom.csv", '\t', 0, &ret);
    is_str(got, "ERR utf16le_nobom.csv: UTF-16 text, not UTF-8",
           "each: UTF-16 without byte order mark");
    free(got);

    got = each("empty.csv", ',', 0, &ret);
    is_str(got, "", "each: an empty file has no records");
    is_int(ret, 0, "each: an empty file is no error");
    free(got);

    got = each("stray_quote.csv", ',', 0, &ret);
    ok(got && strstr(got, "ERR stray_quote.csv:3: stray"),
       "each: strict quotes");
    free(got);
}

/*
 * Lines without quotes are split without libcsv (csvload.c's fast path);
 * quoting every field sends the same content through libcsv. Random
 * files, big enough that lines straddle read blocks, with blanks around
 * fields, empty fields, trailing commas, blank lines and every line end,
 * must give the same records either way.
 */
static uint64_t rng = 88172645463325252ULL;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static char *each_path(const char *path)
{
    struct each_ctx ec = {STRBUF_INIT, 0, 0};
    char *why = NULL;

    if (csvload_each(path, ',', each_record, &ec, &why) < 0) {
        strbuf_addf(&ec.out, "ERR %s", why ? why : "");
        free(why);
    }
    return strbuf_detach(&ec.out, NULL);
}

static void test_fast_path(void)
{
    static const char *const blanks[] = {"", "", " ", "\t", "  "};
    static const char *const ends[] = {"\n", "\n", "\r\n", "\r"};
    int same = 0;

    for (int round = 0; round < 4; round++) {
        struct strbuf plain = STRBUF_INIT, quoted = STRBUF_INIT;
        char *a, *b, *pa, *pb;

        for (int line = 0; line < 6000; line++) {
            unsigned nf = 1 + pick(6);
            const char *end = ends[round < 3 ? (unsigned)round : pick(4)];

            if (!pick(20)) { /* a blank line */
                const char *bl = blanks[pick(5)];

                strbuf_addf(&plain, "%s%s", bl, end);
                strbuf_addf(&quoted, "%s%s", bl, end);
                continue;
            }
            for (unsigned f = 0; f < nf; f++) {
                char cell[32];
                const char *lb = blanks[pick(5)], *rb = blanks[pick(5)];

                /* One empty cell alone would make a blank line. */
                switch (nf > 1 ? pick(4) : 1 + pick(3)) {
                case 0:
                    cell[0] = '\0';
                    break;
                case 1:
                    snprintf(cell, sizeof(cell), "%u", pick(100000));
                    break;
                case 2:
                    snprintf(cell, sizeof(cell), "%u.%u", pick(10),
                             pick(1000000));
                    break;
                default:
                    snprintf(cell, sizeof(cell), "a%sb", blanks[pick(5)]);
                }
                strbuf_addf(&plain, "%s%s%s%s", f ? "," : "", lb, cell, rb);
                strbuf_addf(&quoted, "%s%s\"%s\"%s", f ? "," : "", lb, cell,
                            rb);
            }
            strbuf_addstr(&plain, end);
            strbuf_addstr(&quoted, end);
        }
        pa = write_temp(&plain);
        pb = write_temp(&quoted);
        a = each_path(pa);
        b = each_path(pb);
        same += !strcmp(a, b) && strlen(a) > 10000;
        unlink(pa);
        unlink(pb);
        free(pa);
        free(pb);
        free(a);
        free(b);
        strbuf_release(&plain);
        strbuf_release(&quoted);
    }
    is_int(same, 4, "unquoted lines give the records libcsv gives");
}

/*
 * parse_number() reads plain decimals without strtod when it can do so
 * exactly; it must give strtod's value, bit for bit, on random decimal
 * strings (signs, leading zeros, long fractions, exponents, and strings
 * strtod rejects, which it must reject too).
 */
static void test_numbers(void)
{
    long bad = 0;

    for (long i = 0; i < 300000; i++) {
        char b[80], *p = b, *end;
        double got = 0, want;
        int ret, wret;
        unsigned n;

        if (!pick(4))
            *p++ = "+-"[pick(2)];
        for (n = pick(12); n; n--)
            *p++ = (char)('0' + pick(10));
        if (pick(3)) {
            *p++ = '.';
            for (n = pick(14); n; n--)
                *p++ = (char)('0' + pick(10));
        }
        if (!pick(4)) {
            *p++ = "eE"[pick(2)];
            if (pick(2))
                *p++ = "+-"[pick(2)];
            for (n = pick(3); n; n--)
                *p++ = (char)('0' + pick(10));
        }
        *p = '\0';
        ret = parse_number(b, &got);
        want = strtod(b, &end);
        wret = end == b || *end || !*b ? -1 : 0;
        if (ret != wret || (!ret && memcmp(&got, &want, sizeof(got))))
            if (!bad++)
                printf("# '%s': got %d %.17g, want %d %.17g\n", b, ret, got,
                       wret, want);
    }
    is_int(bad, 0, "parse_number() agrees with strtod on random decimals");
}

/*
 * Every cell read from a file is the double parse_number() gives for its
 * text, bit for bit, however the column stores it; a column of short
 * decimals is stored as 32-bit decimals, one with a longer number in it as
 * doubles.
 */
static void test_stored_numbers(void)
{
    enum { ROWS = 20000 };
    struct strbuf csv = STRBUF_INIT;
    char(*cells)[40] = xcalloc(ROWS, sizeof(*cells));
    struct metrics *m;
    char *path, *why = NULL;
    long bad = 0;

    strbuf_addstr(&csv, "step,any,short,long\n");
    for (long i = 0; i < ROWS; i++) {
        char *p = cells[i], *end;
        unsigned n;

        do {
            p = cells[i];
            if (!pick(4))
                *p++ = "+-"[pick(2)];
            for (n = pick(11); n; n--)
                *p++ = (char)('0' + pick(10));
            if (pick(3)) {
                *p++ = '.';
                for (n = pick(11); n; n--)
                    *p++ = (char)('0' + pick(10));
            }
            if (!pick(6)) {
                *p++ = "eE"[pick(2)];
                if (pick(2))
                    *p++ = "+-"[pick(2)];
                for (n = pick(3); n; n--)
                    *p++ = (char)('0' + pick(10));
            }
            *p = '\0';
            if (!pick(50))
                snprintf(cells[i], sizeof(cells[i]), "%s",
                         (const char *[]){"nan", "inf", "-inf", "-0", "-0.000",
                                          ""}[pick(6)]);
            (void)strtod(cells[i], &end);
        } while (*cells[i] && (end == cells[i] || *end));
        strbuf_addf(&csv, "%ld,%s,%u.%03u,%s\n", i, cells[i], pick(1000),
                    pick(1000), i == ROWS / 2 ? "0.1234567891" : "12.5");
    }
    path = write_temp(&csv);
    m = csvload_file(path, &why);
    ok(m && m->nrows == ROWS && m->ncols == 3, "stored numbers: read");
    for (size_t r = 0; m && r < ROWS; r++) {
        double want = NAN;
        const struct column *c = &m->cols[0];

        if (*cells[r] && parse_number(cells[r], &want))
            want = -999;
        if (metrics_present(c, r) != !!*cells[r] ||
            (*cells[r] && !same_bits(metrics_v(c, r), want)) ||
            metrics_x(m, r) != (double)r)
            if (!bad++)
                printf("# row %zu '%s': got %.17g, want %.17g\n", r, cells[r],
                       metrics_v(c, r), want);
    }
    is_int(bad, 0, "stored numbers: every cell as parse_number() reads it");
    ok(m && !m->cols[1].v.d && !m->x.d,
       "stored numbers: short decimals and steps take 4 bytes a value");
    ok(m && m->cols[2].v.d && metrics_v(&m->cols[2], 0) == 12.5 &&
           metrics_v(&m->cols[2], ROWS / 2) == 0.1234567891 &&
           metrics_v(&m->cols[2], ROWS - 1) == 12.5,
       "stored numbers: a ten-digit value makes its column doubles");
    metrics_free(m);
    unlink(path);
    free(path);
    free(why);
    free(cells);
    strbuf_release(&csv);
}

/* One header check for every CSV reader: the first bad column wins. */
static void test_header_problem(void)
{
    static const struct {
        const char *names[5];
        size_t n, first;
        const char *want;
    } cases[] = {
        {{"epoch", "loss", "acc"}, 3, 0, NULL},
        {{"epoch", "loss", "", "loss"},
         4,
         0,
         "empty name for column 3 in header"},
        {{"epoch", "loss", "loss", ""}, 4, 0, "duplicate column 'loss'"},
        {{"a", "b", "b", "a"}, 4, 0, "duplicate column 'b'"},
        {{"", "loss", "acc"}, 3, 1, NULL},
        {{"", "loss", ""}, 3, 1, "empty name for column 3 in header"},
        {{"epoch", "loss", "epoch"}, 3, 1, "duplicate column 'epoch'"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *got = csvload_header_problem((char *const *)cases[i].names,
                                           cases[i].n, cases[i].first);

        if (cases[i].want)
            is_str(got, cases[i].want, cases[i].want);
        else
            ok(got == NULL, "header problem: fine names give none");
        free(got);
    }
}

/* Every reader's message for a cell that is not a number. */
static void test_cell_problem(void)
{
    char *got;

    got = csvload_cell_problem("r/m.csv", 12, "n/a", "val_loss");
    is_str(got, "r/m.csv:12: not a number 'n/a' in column 'val_loss'",
           "cell problem: file, line, cell and column");
    free(got);
    got = csvload_cell_problem("r/m.tsv", 3, "x", NULL);
    is_str(got, "r/m.tsv:3: not a number 'x'", "cell problem: no column");
    free(got);
    got = csvload_cell_problem(
        "f", 1, "\x1b[31m0123456789012345678901234567890123456789", "c");
    ok(!strchr(got, '\x1b'), "cell problem: no control byte reaches the "
                             "terminal");
    ok(strstr(got, "...' in column 'c'") != NULL,
       "cell problem: a long cell is cut and marked");
    free(got);
}

/*
 * Whether two reads of a file gave the same: both the same message, or
 * both the same metrics (names, x, values bit for bit, presence, lines).
 */
static bool same_read(const struct metrics *a, const char *wa,
                      const struct metrics *b, const char *wb)
{
    if (!a != !b || !wa != !wb || (wa && strcmp(wa, wb)))
        return false;
    if (!a)
        return true;
    if (a->nrows != b->nrows || a->ncols != b->ncols ||
        strcmp(a->xname, b->xname))
        return false;
    for (size_t r = 0; r < a->nrows; r++)
        if (metrics_line(a, r) != metrics_line(b, r) ||
            !same_bits(metrics_x(a, r), metrics_x(b, r)))
            return false;
    for (size_t c = 0; c < a->ncols; c++) {
        const struct column *ca = &a->cols[c], *cb = &b->cols[c];

        if (strcmp(ca->name, cb->name) ||
            ca->line_of_first_nonfinite != cb->line_of_first_nonfinite)
            return false;
        for (size_t r = 0; r < a->nrows; r++)
            if (metrics_present(ca, r) != metrics_present(cb, r) ||
                !same_bits(metrics_v(ca, r), metrics_v(cb, r)))
                return false;
    }
    return true;
}

/*
 * Read path on one thread and with its second half on another; true when
 * both gave the same. *split tells whether the second thread's rows were
 * the ones kept.
 */
static bool same_on_two_threads(const char *path, bool *split)
{
    char *wa = NULL, *wb = NULL;
    struct metrics *a, *b;
    size_t before = csvload_tails_read;
    bool same;

    csvload_parallel(0);
    a = csvload_file(path, &wa);
    csvload_parallel(1);
    b = csvload_file(path, &wb);
    csvload_parallel(0);
    same = same_read(a, wa, b, wb);
    if (!same)
        printf("#   %s: '%s' / '%s'\n", path, wa ? wa : "", wb ? wb : "");
    if (split)
        *split = csvload_tails_read > before;
    metrics_free(a);
    metrics_free(b);
    free(wa);
    free(wb);
    return same;
}

/*
 * A long file read on two threads is read as on one, whatever its second
 * half holds: every fixture, and generated files with a problem or a
 * quirk before or after the middle.
 */
static void test_two_threads(void)
{
    static const char *const fixtures[] = {"bad_control.csv",
                                           "bad_hex.csv",
                                           "bad_long.csv",
                                           "bad_number.csv",
                                           "bad_utf8.csv",
                                           "blank_bad.csv",
                                           "blank_lines.csv",
                                           "bom.csv",
                                           "bom_bad.csv",
                                           "cr.csv",
                                           "cr_bad.csv",
                                           "crcrlf.csv",
                                           "crcrlf_bad.csv",
                                           "crlf.csv",
                                           "crlf_bad.csv",
                                           "dup.csv",
                                           "empty.csv",
                                           "empty_name.csv",
                                           "epoch_and_step.csv",
                                           "header_only.csv",
                                           "header_only_nonl.csv",
                                           "missing.csv",
                                           "multiline.csv",
                                           "multiline_bad.csv",
                                           "multiline_badcell.csv",
                                           "no_final_newline.csv",
                                           "no_x.csv",
                                           "no_x_value.csv",
                                           "nonfinite.csv",
                                           "nonfinite_x.csv",
                                           "nul.csv",
                                           "only_blank.csv",
                                           "only_bom.csv",
                                           "ragged_and_bad.csv",
                                           "ragged_long.csv",
                                           "ragged_short.csv",
                                           "roles.csv",
                                           "seed.csv",
                                           "spaces.csv",
                                           "step_only.csv",
                                           "stray_quote.csv",
                                           "truncated_utf8.csv",
                                           "unterminated.csv",
                                           "utf16.csv",
                                           "utf16be.csv",
                                           "utf16be_nobom.csv",
                                           "utf16le_nobom.csv",
                                           "utf8_names.csv"};
    /* What the second half of a generated file holds, at its row 700. */
    static const char *const quirks[] = {
        "",                     /* nothing: the rows are the second thread's */
        "700,\"0.5\",1\n",      /* a quoted cell */
        "\n",                   /* a blank line */
        "700,0.5,1\r\n",        /* a CRLF */
        "700,\t0.5,1\n",        /* a tab */
        "700,0.5\n",            /* too few fields */
        "700,0.5x,1\n",         /* a bad number */
        "700,nan,inf\n",        /* non-finite values */
        "700,\xc3\xa9,1\n",     /* a letter that is not a number */
        "700,\xff,1\n",         /* not UTF-8 */
        "700,,\n",              /* missing values */
        "700,\"0.5\n701\",1\n", /* a quoted line end */
    };
    bool all = true, split = false;
    char *path;

    for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
        path = fixture(fixtures[i]);
        all &= same_on_two_threads(path, NULL);
        free(path);
    }
    ok(all, "every fixture: the same read on two threads");

    for (size_t q = 0; q < ARRAY_SIZE(quirks); q++) {
        for (int where = 0; where < 3; where++) {
            struct strbuf sb = STRBUF_INIT;
            bool taken;

            strbuf_addstr(&sb, "step,train_loss,val_loss\n");
            for (size_t r = 0; r < 1000; r++) {
                /* Before the middle, just after it, or on the last line. */
                size_t at = where == 0 ? 300 : where == 1 ? 520 : 999;

                if (r == at && *quirks[q])
                    strbuf_addstr(&sb, quirks[q]);
                else
                    strbuf_addf(&sb, "%zu,%.6f,%.4f\n", r,
                                1.0 / (double)(r + 1), 0.5 + (double)r);
            }
            if (q == 0 && where == 2)
                strbuf_setlen(&sb, sb.len - 1); /* no final line end */
            path = write_temp(&sb);
            if (!same_on_two_threads(path, &taken)) {
                all = false;
                printf("#   quirk %zu at %d\n", q, where);
            }
            if (q == 0 && where == 0)
                split = taken;
            unlink(path);
            free(path);
            strbuf_release(&sb);
        }
    }
    ok(all, "a quirk before the middle, after it or last: the same read");
    ok(split, "a plain file: its second half read by the second thread");
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(174);
    test_seed();
    test_line_ends();
    test_cells();
    test_columns();
    test_errors();
    test_crlf_across_blocks();
    test_utf8_across_blocks();
    test_huge_field();
    test_many_rows();
    test_each();
    test_fast_path();
    test_numbers();
    test_stored_numbers();
    test_header_problem();
    test_cell_problem();
    test_two_threads();
    return done();
}
