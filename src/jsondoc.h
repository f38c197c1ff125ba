/*
 * jsondoc.h - JSON documents read into a small, compact tree, and the
 * helper that turns JSON log records into rows of a struct metrics.
 *
 * The parser is libyaml's (JSON is nearly a subset of YAML 1.1), with a
 * byte filter in front that smooths over the differences that real JSON
 * files hit (see jsondoc.c). A document is an array of nodes in document
 * order; a container's children are linked through first and next, and
 * every string (keys and scalar text) lives in one text pool. Scalars are
 * kept as text with a flag for quoted (a JSON string) or plain (a number,
 * true, false, null, or Python's bare NaN, Infinity and -Infinity); numbers
 * are parsed on demand by jsondoc_number().
 *
 * A document is immutable once parsed: node pointers stay valid until
 * jsondoc_free().
 */
#ifndef REPORTGEN_JSONDOC_H
#define REPORTGEN_JSONDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "strbuf.h"

/* Nesting deeper than this is refused (JSON logs nest two or three). */
#define JSONDOC_MAX_DEPTH 64

enum jsondoc_type { JSONDOC_SCALAR = 0, JSONDOC_OBJECT, JSONDOC_ARRAY };

/*
 * One node. 32-bit offsets and indices keep a node at 28 bytes: a
 * trainer_state.json of 100,000 log entries holds about a million nodes.
 * Documents that would overflow them (4 GiB of text) are refused.
 */
struct jsondoc_node {
    unsigned char type;   /* enum jsondoc_type */
    unsigned char quoted; /* scalar: written in quotes (a string) */
    uint32_t line;        /* 1-based line where the node starts */
    uint32_t key;         /* object member: offset of its key in the pool;
                             JSONDOC_NOKEY otherwise */
    uint32_t text;        /* scalar: offset of its text in the pool */
    uint32_t len;         /* scalar: length of the text (a "\u0000" escape
                             cuts the C string short, not len); object or
                             array: number of children */
    uint32_t first;       /* object or array: first child, 0 if none */
    uint32_t next;        /* next sibling, 0 if this is the last */
};

#define JSONDOC_NOKEY UINT32_MAX

struct jsondoc {
    struct jsondoc_node *nodes; /* nodes[0] is the root */
    size_t n, alloc;
    char *text; /* the pool: NUL-terminated strings, back to back */
    size_t textlen, textalloc;
};

/*
 * Parse the JSON file at path into a new document (jsondoc_free() it).
 * On failure return NULL and store in *why "PATH:LINE: what failed" (the
 * caller frees it): the file cannot be read, holds no value, is not
 * well-formed, holds a second document, nests deeper than
 * JSONDOC_MAX_DEPTH, uses a YAML anchor or alias (JSON has none), has a
 * key that is not a scalar, or is too large for the tree.
 */
struct jsondoc *jsondoc_parse_file(const char *path, char **why);

/*
 * Parse the len bytes at s (one line of a JSON lines file, say) as above.
 * path and line are only used in messages: the text starts on that line
 * of that file.
 */
struct jsondoc *jsondoc_parse_string(const char *s, size_t len,
                                     const char *path, size_t line, char **why);

/*
 * The byte filter above, as a libyaml input: for a reader that takes
 * libyaml's events itself (config.c flattens them as they come) but must
 * read JSON as jsondoc does, surrogate pairs and tabs included.
 * jsondoc_input_new() wraps fp (borrowed, read from its start);
 * jsondoc_input_attach() makes it the parser's input;
 * jsondoc_input_line() gives the 1-based line of a libyaml reader error's
 * offset (it reads fp again); jsondoc_input_free() frees it, not fp.
 */
struct jsondoc_input;
struct yaml_parser_s;
struct yaml_event_s;
struct jsondoc_input *jsondoc_input_new(FILE *fp);
void jsondoc_input_attach(struct jsondoc_input *in,
                          struct yaml_parser_s *parser);
size_t jsondoc_input_line(struct jsondoc_input *in, size_t offset);
void jsondoc_input_free(struct jsondoc_input *in);

/*
 * What YAML has and JSON has not, in one libyaml node event: an alias or
 * an anchor. Returns NULL, or the message ("alias '*x' (JSON has no
 * aliases)") for the caller to free. jsondoc refuses these, and so does
 * config.c in a .json file, so that both read the same JSON.
 */
char *jsondoc_event_problem(const struct yaml_event_s *ev);

/* Free doc and everything it owns. jsondoc_free(NULL) does nothing. */
void jsondoc_free(struct jsondoc *doc);

/* The top-level value. */
const struct jsondoc_node *jsondoc_root(const struct jsondoc *doc);

/* The first child of an object or array, or NULL (also for a scalar). */
const struct jsondoc_node *jsondoc_first(const struct jsondoc *doc,
                                         const struct jsondoc_node *node);
/* The next sibling of node, or NULL. */
const struct jsondoc_node *jsondoc_next(const struct jsondoc *doc,
                                        const struct jsondoc_node *node);

/* The key of an object member, or NULL for any other node. */
const char *jsondoc_key(const struct jsondoc *doc,
                        const struct jsondoc_node *node);
/* The text of a scalar (as unescaped by the parser), or NULL. */
const char *jsondoc_text(const struct jsondoc *doc,
                         const struct jsondoc_node *node);

/*
 * The member of object obj named key, or NULL (also when obj is not an
 * object). A repeated key gives the last one, as Python's json does.
 */
const struct jsondoc_node *jsondoc_get(const struct jsondoc *doc,
                                       const struct jsondoc_node *obj,
                                       const char *key);

/* True when node is a plain null (null, Null, NULL, ~ or nothing). */
bool jsondoc_is_null(const struct jsondoc *doc,
                     const struct jsondoc_node *node);

/*
 * Parse a plain scalar as a number with parse_number() (so NaN, Infinity
 * and -Infinity, as Python's json writes them, are numbers). Returns 0
 * and stores the value, or -1 for anything else: a quoted string, true,
 * false, null, an object or an array.
 */
int jsondoc_number(const struct jsondoc *doc, const struct jsondoc_node *node,
                   double *out);

/*
 * An open-addressing hash index of strings held elsewhere: each slot
 * holds an index + 1 into the owner's array (0: empty). Lookups cost one
 * string comparison on average, so a log of 100,000 distinct keys costs
 * linear time, not quadratic.
 */
struct jsondoc_index {
    size_t *slot;
    size_t cap, n; /* cap is 0 or a power of 2, n < cap / 2 */
};

/*
 * String comparisons made by the key and column-name lookups of the
 * calling thread since it started: tests check that they grow linearly
 * with the keys. Per thread, as runs are read on several (-j).
 */
extern _Thread_local size_t jsondoc_compares;

/*
 * Rows of a struct metrics from JSON log records: objects of name/number
 * pairs, each logged at some x (step, iteration or epoch). Records at the
 * same x merge into one row (a Trainer's training and evaluation entries
 * at step 500), and rows stay sorted by x. When x goes back, or a record
 * repeats a key already set at its x, the log was restarted or resumed:
 * the rows from that x on are dropped and the later records replace them,
 * as the later run overwrote the earlier one's checkpoints.
 */
struct jsondoc_rows {
    struct metrics *m; /* borrowed: the metrics being filled */
    /*
     * The column name for a log key: set out and return true, or return
     * false to leave the key out (the x key, say). Called once per key.
     */
    bool (*name)(const char *key, struct strbuf *out);
    /*
     * Optional, NULL unless the caller sets it after jsondoc_rows_init():
     * return false to leave value v of the column named name out, as if
     * the log had not held it. keep_data is passed along.
     */
    bool (*keep)(void *keep_data, const char *name, double v);
    void *keep_data;
    size_t nkeys, alloc, hint;
    struct jsondoc_rowkey *keys; /* log key -> column */
    struct jsondoc_index keyidx; /* keys[] by key */
    struct jsondoc_index colidx; /* m->cols[] by name */
    size_t colsindexed;          /* m->cols[] entries in colidx */
    size_t max_columns;          /* METRICS_MAX_COLUMNS unless changed */
    size_t keys_left_out;        /* keys not read for max_columns */
    struct jsondoc_cell *cells;  /* scratch: one record's values */
    size_t cellsalloc;
    size_t restarts;     /* times the log restarted */
    size_t restart_line; /* line of the first restart */
    double restart_from; /* last x before the first restart */
    double restart_to;   /* x the first restart went back to */
};

/* Start filling m (borrowed), naming columns with name(). */
void jsondoc_rows_init(struct jsondoc_rows *r, struct metrics *m,
                       bool (*name)(const char *key, struct strbuf *out));
/* Free what r owns (not the metrics). */
void jsondoc_rows_release(struct jsondoc_rows *r);

/*
 * Add the members of object obj (read from line) that hold numbers, at
 * x, as described above. A key met once max_columns columns exist is
 * left out (jsondoc_rows_finish() notes how many). Members that are
 * null, strings, booleans, objects or arrays are left out: missing, not
 * zero. x must be finite. A non-finite value's column cites the line of
 * the value itself.
 */
void jsondoc_rows_add(struct jsondoc_rows *r, const struct jsondoc *doc,
                      const struct jsondoc_node *obj, double x, size_t line);

/*
 * Finish: drop the columns left without a value (only the rows a restart
 * replaced had one, or keep() left every value out), and note the keys
 * left out for max_columns. Call once, after the last jsondoc_rows_add().
 */
void jsondoc_rows_finish(struct jsondoc_rows *r);

#endif
