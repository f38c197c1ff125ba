/*
 * test_jsondoc.c - the JSON tree on libyaml: what Python's json writes
 * (bare NaN and Infinity, surrogate pairs), compact and tab-indented
 * JSON, errors with their line, the limits (depth, anchors, aliases), a
 * large document, and jsondoc_rows: merging records by x, restarts, and
 * column names that collide.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsondoc.h"
#include "metrics.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

static const char *srcdir;

static struct jsondoc *parse(const char *s, char **why)
{
    return jsondoc_parse_string(s, strlen(s), "t.json", 1, why);
}

/* The error a string gives, or "(parsed)". The caller frees it. */
static char *error_of(const char *s)
{
    char *why = NULL;
    struct jsondoc *doc = parse(s, &why);

    if (doc) {
        jsondoc_free(doc);
        free(why);
        return xstrdup("(parsed)");
    }
    return why ? why : xstrdup("(no message)");
}

static void fails(const char *s, const char *want, const char *name)
{
    char *got = error_of(s);

    is_str(got, want, name);
    free(got);
}

/* The number at member key of the root object, or -12345. */
static double num_at(const struct jsondoc *doc, const char *key)
{
    const struct jsondoc_node *n = jsondoc_get(doc, jsondoc_root(doc), key);
    double v;

    if (!n || jsondoc_number(doc, n, &v))
        return -12345;
    return v;
}

/* The text of member key of the root object, or NULL. */
static const char *text_at(const struct jsondoc *doc, const char *key)
{
    const struct jsondoc_node *n = jsondoc_get(doc, jsondoc_root(doc), key);

    return n ? jsondoc_text(doc, n) : NULL;
}

static void test_scalars(void)
{
    char *why = NULL;
    struct jsondoc *doc =
        parse("{\"i\": 3, \"f\": -1.5e-3, \"s\": \"x\", \"q\": \"2\", "
              "\"t\": true, \"n\": null, \"big\": 1e400}",
              &why);
    const struct jsondoc_node *root, *n;
    double v;

    if (!ok(doc != NULL, "scalars parse")) {
        printf("#   %s\n", why);
        free(why);
        return;
    }
    root = jsondoc_root(doc);
    is_int(root->type, JSONDOC_OBJECT, "root is an object");
    is_int(root->len, 7, "seven members");
    is_double(num_at(doc, "i"), 3, 0, "integer");
    is_double(num_at(doc, "f"), -1.5e-3, 1e-18, "exponent");
    ok(num_at(doc, "big") == INFINITY, "overflow is infinite");
    n = jsondoc_get(doc, root, "q");
    ok(n && n->quoted && jsondoc_number(doc, n, &v) == -1,
       "a quoted number is a string");
    is_str(text_at(doc, "q"), "2", "its text");
    n = jsondoc_get(doc, root, "s");
    ok(n && n->quoted && !strcmp(jsondoc_text(doc, n), "x"), "string");
    n = jsondoc_get(doc, root, "t");
    ok(n && !n->quoted && jsondoc_number(doc, n, &v) == -1,
       "true is not a number");
    n = jsondoc_get(doc, root, "n");
    ok(n && jsondoc_is_null(doc, n) && jsondoc_number(doc, n, &v) == -1,
       "null is null, not a number");
    ok(!jsondoc_is_null(doc, jsondoc_get(doc, root, "s")),
       "a string is not null");
    ok(jsondoc_get(doc, root, "nope") == NULL, "absent key");
    ok(jsondoc_get(doc, n, "x") == NULL, "get on a scalar");
    ok(jsondoc_first(doc, n) == NULL, "a scalar has no children");
    ok(jsondoc_key(doc, root) == NULL, "the root has no key");
    jsondoc_free(doc);
    jsondoc_free(NULL);
}

/* Python's json.dump(float("nan")) and friends, at every depth. */
static void test_nonfinite(void)
{
    char *why = NULL;
    struct jsondoc *doc =
        parse("{\"a\": NaN, \"b\": [1, Infinity, -Infinity, NaN], "
              "\"c\": {\"d\": {\"e\": [-Infinity]}}, \"q\": \"NaN\"}",
              &why);
    const struct jsondoc_node *b, *c, *e;
    double v[4];
    size_t i = 0;

    if (!ok(doc != NULL, "bare NaN and Infinity parse")) {
        printf("#   %s\n", why);
        free(why);
        return;
    }
    ok(isnan(num_at(doc, "a")), "NaN in an object");
    b = jsondoc_get(doc, jsondoc_root(doc), "b");
    for (const struct jsondoc_node *n = jsondoc_first(doc, b); n && i < 4;
         n = jsondoc_next(doc, n))
        if (jsondoc_number(doc, n, &v[i++]))
            v[i - 1] = -12345;
    is_int((long)i, 4, "four array items");
    ok(v[0] == 1 && v[1] == INFINITY && v[2] == -INFINITY && isnan(v[3]),
       "Infinity, -Infinity and NaN in an array");
    c = jsondoc_get(doc, jsondoc_root(doc), "c");
    e = jsondoc_get(doc, jsondoc_get(doc, c, "d"), "e");
    ok(e && jsondoc_number(doc, jsondoc_first(doc, e), &v[0]) == 0 &&
           v[0] == -INFINITY,
       "-Infinity nested three deep");
    is_double(num_at(doc, "q"), -12345, 0, "a quoted NaN is a string");
    jsondoc_free(doc);
}

static void test_layout(void)
{
    char *why = NULL;
    struct jsondoc *doc;
    const struct jsondoc_node *n;

    /* Compact JSON: no space after ':' or ','. */
    doc = parse("{\"a\":1,\"b\":[1,2],\"c\":{\"d\":\"x\"},\"e\":-2}", &why);
    ok(doc && num_at(doc, "a") == 1 && num_at(doc, "e") == -2, "compact JSON");
    jsondoc_free(doc);
    free(why);

    /* Tab indentation, even before the top-level brace. */
    doc = parse("\t{\n\t\"a\":\t1,\n\t\"b\": [\n\t\t2\n\t]\n\t}\n\t", &why);
    ok(doc && num_at(doc, "a") == 1, "tabs as indentation");
    if (!doc)
        printf("#   %s\n", why);
    jsondoc_free(doc);
    free(why);

    /* A tab inside a string is kept. */
    doc = parse("{\"a\": \"x\ty\"}", &why);
    is_str(doc ? text_at(doc, "a") : NULL, "x\ty", "a tab in a string");
    jsondoc_free(doc);
    free(why);

    /* Lines, keys, order; a repeated key gives the last, as Python. */
    doc = parse("{\n  \"k\": 1,\n  \"k\": 2,\n  \"l\": [\n    3\n  ]\n}", &why);
    ok(doc && num_at(doc, "k") == 2, "the last of a repeated key wins");
    n = doc ? jsondoc_first(doc, jsondoc_root(doc)) : NULL;
    ok(n && !strcmp(jsondoc_key(doc, n), "k") && n->line == 2,
       "first member, key and line");
    n = n ? jsondoc_next(doc, jsondoc_next(doc, n)) : NULL;
    ok(n && n->type == JSONDOC_ARRAY && n->line == 4 && n->len == 1,
       "third member is the array, at its line");
    n = n ? jsondoc_first(doc, n) : NULL;
    ok(n && n->line == 5 && jsondoc_key(doc, n) == NULL,
       "array items have no key");
    jsondoc_free(doc);
    free(why);

    /* The line given to parse_string offsets every line. */
    doc = jsondoc_parse_string("\n{\"a\": 1}", 9, "x", 40, &why);
    n = doc ? jsondoc_first(doc, jsondoc_root(doc)) : NULL;
    is_int(n ? (long)n->line : -1, 41, "lines count from the given line");
    jsondoc_free(doc);
    free(why);

    /* A top-level scalar and empty containers. */
    doc = parse("[[], {}, \"\"]", &why);
    n = doc ? jsondoc_first(doc, jsondoc_root(doc)) : NULL;
    ok(n && n->type == JSONDOC_ARRAY && n->len == 0 && !jsondoc_first(doc, n),
       "empty array");
    n = n ? jsondoc_next(doc, n) : NULL;
    ok(n && n->type == JSONDOC_OBJECT && n->len == 0, "empty object");
    n = n ? jsondoc_next(doc, n) : NULL;
    ok(n && n->quoted && !jsondoc_is_null(doc, n), "empty string, not null");
    jsondoc_free(doc);
    free(why);
    doc = parse("42", &why);
    ok(doc && jsondoc_root(doc)->type == JSONDOC_SCALAR, "a top-level scalar");
    jsondoc_free(doc);
    free(why);
}

/* json.dump's default ensure_ascii writes surrogate pairs. */
static void test_surrogates(void)
{
    char *why = NULL;
    struct jsondoc *doc = parse(
        "{\"e\": \"\\ud83c\\udfaf!\", \"\\ud83d\\ude00\": 1, "
        "\"lone\": \"a\\ud83db\\ude00c\", \"esc\": \"\\\\ud83d\\\\ude00\", "
        "\"q\": \"\\\"\\ud83d\\ude00\", \"bmp\": \"\\u00e9\"}",
        &why);

    if (!ok(doc != NULL, "surrogate pairs parse")) {
        printf("#   %s\n", why);
        free(why);
        return;
    }
    is_str(text_at(doc, "e"), "\xf0\x9f\x8e\xaf!", "a pair is one character");
    is_double(num_at(doc, "\xf0\x9f\x98\x80"), 1, 0, "in a key too");
    is_str(text_at(doc, "lone"),
           "a\xef\xbf\xbd"
           "b\xef\xbf\xbd"
           "c",
           "a lone surrogate is U+FFFD");
    is_str(text_at(doc, "esc"), "\\ud83d\\ude00",
           "an escaped backslash is not an escape");
    is_str(text_at(doc, "q"), "\"\xf0\x9f\x98\x80",
           "after an escaped quote, still in the string");
    is_str(text_at(doc, "bmp"), "\xc3\xa9", "other \\u escapes");
    jsondoc_free(doc);
}

static void test_errors(void)
{
    struct strbuf sb = STRBUF_INIT;
    char *path, *why = NULL, *want;
    struct jsondoc *doc;

    fails("{\"a\": 1,\n \"b\": 2",
          "t.json:2: did not find expected ',' or "
          "'}' (while parsing a flow mapping at "
          "line 1)",
          "unclosed object, at its last line");
    fails("{\"a\": 1}\n{\"b\": 2}",
          "t.json:2: did not find expected <document start>", "two values");
    fails("", "t.json:1: no JSON value", "empty");
    fails(" \n ", "t.json:2: no JSON value", "blank");
    fails("{\"a\": &x 1, \"b\": *x}",
          "t.json:1: anchor '&x' (JSON has no anchors)", "anchors refused");
    fails("[*x]", "t.json:1: alias '*x' (JSON has no aliases)",
          "aliases refused");
    fails("{[1]: 2}", "t.json:1: object key is an object or array",
          "collection as a key");
    fails("{\"a\": \"b}",
          "t.json:1: found unexpected end of stream "
          "(while scanning a quoted scalar at line 1)",
          "unclosed string");
    fails("\"\\ud83d\\udfg0\"",
          "t.json:1: did not find expected hexdecimal number (while "
          "parsing a quoted scalar at line 1)",
          "a bad second half is libyaml's error");

    /* Depth: 64 levels parse, 65 do not. */
    for (int i = 0; i < JSONDOC_MAX_DEPTH; i++)
        strbuf_addch(&sb, '[');
    for (int i = 0; i < JSONDOC_MAX_DEPTH; i++)
        strbuf_addch(&sb, ']');
    fails(sb.buf, "(parsed)", "64 levels deep");
    strbuf_reset(&sb);
    for (int i = 0; i <= JSONDOC_MAX_DEPTH; i++)
        strbuf_addch(&sb, '[');
    for (int i = 0; i <= JSONDOC_MAX_DEPTH; i++)
        strbuf_addch(&sb, ']');
    fails(sb.buf, "t.json:1: nesting deeper than 64 levels", "65 levels");
    strbuf_release(&sb);

    /* Files: bad UTF-8 (a reader error: the line is found again). */
    path = xasprintf("%s/tests/unit/data/hf/bad/bad_utf8.json", srcdir);
    doc = jsondoc_parse_file(path, &why);
    want = xasprintf("%s:6: invalid trailing UTF-8 octet (byte 0x0a)", path);
    is_str(doc ? "(parsed)" : why, want, "bad UTF-8, with its line");
    jsondoc_free(doc);
    free(why);
    free(want);
    free(path);

    path = xasprintf("%s/tests/unit/data/hf/bad/truncated.json", srcdir);
    doc = jsondoc_parse_file(path, &why);
    want = xasprintf("%s:15: did not find expected ',' or '}' (while "
                     "parsing a flow mapping at line 12)",
                     path);
    is_str(doc ? "(parsed)" : why, want, "a cut file fails at its last line");
    jsondoc_free(doc);
    free(why);
    free(want);
    free(path);

    path = xasprintf("%s/tests/unit/data/hf/no-such-file.json", srcdir);
    doc = jsondoc_parse_file(path, &why);
    want = xasprintf("%s: cannot read: No such file or directory", path);
    is_str(doc ? "(parsed)" : why, want, "a missing file");
    jsondoc_free(doc);
    free(why);
    free(want);
    free(path);

    path = xasprintf("%s/tests/unit/data/hf", srcdir);
    doc = jsondoc_parse_file(path, &why);
    want = xasprintf("%s: cannot read: Is a directory", path);
    is_str(doc ? "(parsed)" : why, want, "a folder");
    jsondoc_free(doc);
    free(why);
    free(want);
    free(path);
}

/* A compact-JSON file with CRLF line ends and tab indentation. */
static void test_file(void)
{
    char *path =
        xasprintf("%s/tests/unit/data/hf/compact/trainer_state.json", srcdir);
    char *why = NULL;
    struct jsondoc *doc = jsondoc_parse_file(path, &why);
    const struct jsondoc_node *hist;

    if (!ok(doc != NULL, "tab-indented compact CRLF file parses")) {
        printf("#   %s\n", why);
        free(why);
        free(path);
        return;
    }
    hist = jsondoc_get(doc, jsondoc_root(doc), "log_history");
    ok(hist && hist->type == JSONDOC_ARRAY && hist->len == 6,
       "log_history has six entries");
    ok(hist && hist->line == 11, "log_history's line (CRLF counts once)");
    jsondoc_free(doc);
    free(path);
}

/*
 * A trainer_state.json-like document of 100,000 entries: it must parse
 * (a quadratic step would not finish) and store each key once.
 */
static void test_large(void)
{
    struct strbuf sb = STRBUF_INIT;
    struct jsondoc *doc;
    char *why = NULL;
    const struct jsondoc_node *hist, *last = NULL;
    size_t n = 100000;

    strbuf_addstr(&sb, "{\"log_history\": [\n");
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&sb,
                    "  {\"epoch\": %zu.5, \"grad_norm\": NaN, "
                    "\"learning_rate\": 1e-05, \"loss\": 0.%zu, "
                    "\"step\": %zu}%s\n",
                    i, i, i, i + 1 < n ? "," : "");
    strbuf_addstr(&sb, "]}\n");
    doc = jsondoc_parse_string(sb.buf, sb.len, "big.json", 1, &why);
    if (!ok(doc != NULL, "100,000 entries parse")) {
        printf("#   %s\n", why);
        free(why);
        strbuf_release(&sb);
        return;
    }
    hist = jsondoc_get(doc, jsondoc_root(doc), "log_history");
    is_int(hist ? (long)hist->len : -1, (long)n, "all entries are there");
    for (const struct jsondoc_node *e = jsondoc_first(doc, hist); e;
         e = jsondoc_next(doc, e))
        last = e;
    ok(last && last->line == n + 1, "the last entry's line");
    is_int((long)doc->n, (long)(2 + 6 * n), "nodes: six per entry");
    ok(doc->textlen < sb.len / 2, "keys are stored once");
    jsondoc_free(doc);
    strbuf_release(&sb);
}

static bool name_as_is(const char *key, struct strbuf *out)
{
    static const struct {
        const char *key, *name;
    } map[] = {{"loss", "train_loss"},
               {"eval_loss", "val_loss"},
               {"eval_acc", "val_acc"},
               {"eval_accuracy", "val_acc"}};

    if (!strcmp(key, "x"))
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (!strcmp(key, map[i].key)) {
            strbuf_addstr(out, map[i].name);
            return true;
        }
    }
    strbuf_addstr(out, key);
    return true;
}

/* keep(): leave out NaN in the columns whose name starts with "ap". */
static bool keep_no_nan_ap(void *data, const char *name, double v)
{
    size_t *seen = data;

    ++*seen;
    return strncmp(name, "ap", 2) || !isnan(v);
}

/* Feed the records of a JSON array, each at its "x", into m. */
static size_t feed(struct metrics *m, const char *json, size_t *seen)
{
    struct jsondoc_rows rows;
    char *why = NULL;
    struct jsondoc *doc = parse(json, &why);
    size_t restarts;

    if (!doc) {
        printf("#   %s\n", why);
        free(why);
        return SIZE_MAX;
    }
    jsondoc_rows_init(&rows, m, name_as_is);
    if (seen) {
        rows.keep = keep_no_nan_ap;
        rows.keep_data = seen;
    }
    for (const struct jsondoc_node *e = jsondoc_first(doc, jsondoc_root(doc));
         e; e = jsondoc_next(doc, e)) {
        const struct jsondoc_node *xn = jsondoc_get(doc, e, "x");
        double x;

        if (xn && !jsondoc_number(doc, xn, &x))
            jsondoc_rows_add(&rows, doc, e, x, e->line);
    }
    jsondoc_rows_finish(&rows);
    restarts = rows.restarts;
    if (restarts)
        printf("# first restart at line %zu: %g after %g\n", rows.restart_line,
               rows.restart_to, rows.restart_from);
    jsondoc_rows_release(&rows);
    jsondoc_free(doc);
    return restarts;
}

static double cell(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = metrics_find(m, col);

    if (!c || row >= m->nrows)
        return -12345;
    return metrics_present(c, row) ? metrics_v(c, row) : -999;
}

static void test_rows(void)
{
    struct metrics *m = metrics_new("r.json", "step");
    const struct column *c;

    is_int((long)feed(m,
                      "[\n{\"x\": 10, \"loss\": 1.5, \"s\": \"a\"},\n"
                      "{\"x\": 10, \"eval_loss\": 1.7, \"n\": null},\n"
                      "{\"x\": 20, \"loss\": NaN, \"eval_acc\": 0.5, "
                      "\"eval_accuracy\": 0.6},\n"
                      "{\"x\": 30, \"t\": true, \"o\": {\"loss\": 9}}\n]",
                      NULL),
           0, "no restart");
    is_int((long)m->nrows, 2, "records at one x merge; empty ones add none");
    is_int((long)m->ncols, 4, "strings, null, booleans, objects left out");
    is_double(cell(m, "train_loss", 0), 1.5, 0, "train value at x 10");
    is_double(cell(m, "val_loss", 0), 1.7, 0, "eval value at x 10");
    is_double(cell(m, "val_loss", 1), -999, 0, "missing at x 20");
    ok(isnan(cell(m, "train_loss", 1)), "NaN is a value");
    c = metrics_find(m, "train_loss");
    ok(c && c->line_of_first_nonfinite == 4, "line of the first NaN");
    c = metrics_find(m, "val_acc");
    is_str(c ? c->orig : NULL, "eval_acc", "the first key gets the name");
    c = metrics_find(m, "eval_accuracy");
    ok(c && !c->orig && !strcmp(c->name, "eval_accuracy"),
       "the second keeps the log's name");
    metrics_free(m);

    /* A restart: x goes back; a key repeats at one x. */
    m = metrics_new("r.json", "step");
    is_int((long)feed(m,
                      "[\n{\"x\": 1, \"loss\": 9, \"old\": 1},\n"
                      "{\"x\": 1, \"loss\": 3, \"eval_loss\": 8},\n"
                      "{\"x\": 2, \"loss\": Infinity},\n"
                      "{\"x\": 3, \"loss\": 1, \"old\": NaN},\n"
                      "{\"x\": 2, \"loss\": 2},\n"
                      "{\"x\": 2, \"eval_loss\": 4}\n]",
                      NULL),
           2, "two restarts");
    is_int((long)m->nrows, 2, "rows from the restart on replaced");
    is_double(cell(m, "train_loss", 0), 3, 0, "repeated x: the later value");
    is_double(cell(m, "val_loss", 0), 8, 0, "merged at x 1");
    is_double(cell(m, "train_loss", 1), 2, 0, "x 2 from the later run");
    is_double(cell(m, "val_loss", 1), 4, 0, "merged at x 2");
    c = metrics_find(m, "train_loss");
    ok(c && c->line_of_first_nonfinite == 0,
       "the dropped Infinity is forgotten");
    ok(metrics_find(m, "old") == NULL,
       "a column only the replaced rows had is dropped");
    is_int((long)m->ncols, 2, "two columns left");
    metrics_free(m);

    /* keep() leaves values out; a column left with none is dropped. */
    {
        size_t seen = 0;

        m = metrics_new("r.json", "step");
        is_int((long)feed(m,
                          "[{\"x\": 1, \"apS\": NaN, \"apM\": NaN, "
                          "\"loss\": NaN},\n"
                          "{\"x\": 2, \"apS\": NaN, \"apM\": 0.5}]",
                          &seen),
               0, "keep: no restart");
        is_int((long)seen, 5, "keep: asked for every value");
        ok(metrics_find(m, "apS") == NULL, "keep: an emptied column goes");
        is_double(cell(m, "apM", 0), -999, 0, "keep: a value left out");
        is_double(cell(m, "apM", 1), 0.5, 0, "keep: a value kept");
        ok(isnan(cell(m, "train_loss", 0)), "keep: other NaN kept");
        metrics_free(m);
    }
}

/*
 * 100,000 distinct keys in one record, then the same keys in a second
 * record in another order: the column lookups must cost a bounded number
 * of string comparisons per key (the hash index), not one per column
 * (quadratic: 5e9 comparisons here). Counted, not timed.
 */
static void test_many_keys(void)
{
    enum { NKEYS = 100000 };
    struct metrics *m = metrics_new("r.json", "step");
    struct strbuf sb = STRBUF_INIT;
    struct jsondoc_rows rows;
    struct jsondoc *doc;
    char *why = NULL;
    size_t before;
    const struct jsondoc_node *e;

    strbuf_addstr(&sb, "[{\"x\": 1");
    for (int i = 0; i < NKEYS; i++)
        strbuf_addf(&sb, ", \"k%d\": %d", i, i);
    strbuf_addstr(&sb, "},\n{\"x\": 2");
    for (int i = NKEYS; i-- > 0;)
        strbuf_addf(&sb, ", \"k%d\": %d", (i * 7919) % NKEYS, i);
    strbuf_addstr(&sb, "}]");
    doc = parse(sb.buf, &why);
    ok(doc != NULL, "many keys: parsed");
    if (!doc) {
        printf("#   %s\n", why);
        free(why);
        strbuf_release(&sb);
        metrics_free(m);
        return;
    }
    jsondoc_rows_init(&rows, m, name_as_is);
    rows.max_columns = 2 * NKEYS;
    before = jsondoc_compares;
    for (e = jsondoc_first(doc, jsondoc_root(doc)); e; e = jsondoc_next(doc, e))
        jsondoc_rows_add(&rows, doc, e, e->line, e->line);
    jsondoc_rows_finish(&rows);
    is_int((long)m->ncols, NKEYS, "many keys: one column per key");
    is_int((long)m->nrows, 2, "many keys: two rows");
    is_double(cell(m, "k7919", 1), 1, 0, "many keys: a value of the 2nd row");
    if (!ok(jsondoc_compares - before < 8 * (size_t)NKEYS,
            "many keys: comparisons grow linearly with the keys"))
        printf("#   %zu comparisons for %d keys\n", jsondoc_compares - before,
               NKEYS);
    jsondoc_rows_release(&rows);
    metrics_free(m);

    /* The default cap: keys past METRICS_MAX_COLUMNS are left out. */
    m = metrics_new("r.json", "step");
    jsondoc_rows_init(&rows, m, name_as_is);
    e = jsondoc_first(doc, jsondoc_root(doc));
    jsondoc_rows_add(&rows, doc, e, 1, 1);
    jsondoc_rows_finish(&rows);
    is_int((long)m->ncols, METRICS_MAX_COLUMNS, "cap: columns kept");
    is_str(m->nnotes ? m->notes[0] : NULL,
           "95904 keys left out: reportgen reads the first 4096 columns of "
           "a log",
           "cap: a note says how many keys were left out");
    jsondoc_rows_release(&rows);
    metrics_free(m);
    jsondoc_free(doc);
    strbuf_release(&sb);
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir)
        srcdir = ".";
    plan(96);
    test_scalars();
    test_nonfinite();
    test_layout();
    test_surrogates();
    test_errors();
    test_file();
    test_large();
    test_rows();
    test_many_keys();
    return done();
}
