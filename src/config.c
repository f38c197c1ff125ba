/*
 * config.c - a run's hyperparameter file, flattened to key = value lines.
 *
 * libyaml's event parser (it reads JSON too, JSON being nearly a subset of
 * YAML 1.1) drives a small state machine: a stack of open mappings and
 * sequences, and the dotted key of the node being read. Each scalar
 * becomes one entry, in file order: {"optimizer": {"lr": 0.1}} gives
 * "optimizer.lr" = "0.1", and a list gives "layers.0", "layers.1", ...
 * Values are kept as written (no number parsing): the page shows what the
 * user wrote, and compare.c compares text.
 *
 * The input is untrusted, so nothing here expands or recurses:
 *   - an alias is shown as "*name" and never followed, so a "billion
 *     laughs" file costs what its text costs;
 *   - nesting deeper than MAX_DEPTH, more than MAX_ENTRIES entries or
 *     more than MAX_BYTES of flattened text stop the read with an error
 *     (dotted keys repeat their parents' names, so a file can flatten to
 *     far more bytes than it holds);
 *   - tags (!!python/object, !!binary, ...) are ignored; the text stays.
 * Only the first document of a stream is a config; a second one is an
 * error, as it is for Python's yaml.safe_load(), rather than silently
 * dropping settings that the user will look for.
 *
 * A .json file is JSON, read as jsondoc.c reads the JSON logs: through
 * its byte filter, and refused where jsondoc refuses (an empty file, an
 * anchor or an alias), so that one text is never valid JSON in a log and
 * invalid in a config or the other way round. The only difference left
 * is that a config must be an object.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "jsondoc.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

#define MAX_DEPTH 64
#define MAX_ENTRIES 100000
#define MAX_BYTES (16 * 1024 * 1024)

/*
 * reportgen's own names first, then the files loggers keep beside their
 * metrics: Lightning's hparams.yaml, Ultralytics' args.yaml, YOLOv5's
 * opt.yaml, DVCLive's dvclive/params.yaml.
 */
const char *const config_names[] = {
    "config.json", "config.yaml",         "config.yml",
    "params.yaml", "hparams.yaml",        "args.yaml",
    "opt.yaml",    "dvclive/params.yaml", NULL};

void config_init(struct config *cfg)
{
    cfg->path = NULL;
    cfg->n = cfg->alloc = 0;
    cfg->e = NULL;
}

void config_release(struct config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n; i++) {
        free(cfg->e[i].key);
        free(cfg->e[i].value);
    }
    free(cfg->e);
    free(cfg->path);
    config_init(cfg);
}

bool config_is_seed_key(const char *key)
{
    const char *dot = strrchr(key, '.');

    return !strcmp(dot ? dot + 1 : key, "seed");
}

const char *config_get(const struct config *cfg, const char *key)
{
    size_t i;

    /*
     * The last wins: libyaml does not reject a repeated key, and the
     * last one is what Python's json and yaml modules, and so the
     * training script, saw.
     */
    for (i = cfg->n; i-- > 0;)
        if (!strcmp(cfg->e[i].key, key))
            return cfg->e[i].value;
    return NULL;
}

/* An open mapping or sequence. */
struct frame {
    bool is_seq;
    bool want_value; /* mapping: a key was read, its value comes next */
    size_t prefix;   /* length of the dotted key of this collection */
    size_t items;    /* values read so far */
};

struct flattener {
    const char *path;
    struct config *cfg;
    struct strbuf key; /* dotted key of the current node */
    struct frame *stack;
    size_t depth, alloc;
    size_t bytes;    /* flattened text so far */
    bool json;       /* a .json file: read as jsondoc.c reads JSON */
    bool done;       /* the top-level node has been read */
    bool top_scalar; /* failed on a top-level scalar */
    struct strbuf err;
};

/* Record "PATH:LINE: message" for the event's line; returns -1. */
static int fail(struct flattener *fl, const yaml_event_t *ev, const char *fmt,
                ...) PRINTF_LIKE(3, 4);

static int fail(struct flattener *fl, const yaml_event_t *ev, const char *fmt,
                ...)
{
    va_list ap;

    strbuf_reset(&fl->err);
    strbuf_addf(&fl->err, "%s:%zu: ", fl->path, ev->start_mark.line + 1);
    va_start(ap, fmt);
    strbuf_vaddf(&fl->err, fmt, ap);
    va_end(ap);
    return -1;
}

/*
 * Does a key look like it holds a secret? Configs are published (run
 * pages, the one-file report), and a training script's config often
 * carries a hub token or a tracker's API key beside the learning rate.
 * Any of these words, in any case, anywhere in the dotted key, hides the
 * value; a false alarm (max_tokens) only hides a setting, a miss
 * publishes a credential.
 */
static bool secret_key(const char *key)
{
    static const char *const words[] = {
        "token",  "password", "passwd",      "secret",      "auth", "api_key",
        "apikey", "api-key",  "private_key", "credentials", NULL};

    for (const char *p = key; *p; p++)
        for (size_t w = 0; words[w]; w++) {
            size_t i = 0;

            while (words[w][i] &&
                   tolower((unsigned char)p[i]) == (unsigned char)words[w][i])
                i++;
            if (!words[w][i])
                return true;
        }
    return false;
}

static int add_entry(struct flattener *fl, const yaml_event_t *ev,
                     const char *value, size_t len)
{
    struct config *cfg = fl->cfg;

    if (cfg->n >= MAX_ENTRIES)
        return fail(fl, ev, "more than %d settings", MAX_ENTRIES);
    fl->bytes += fl->key.len + len;
    if (fl->bytes > MAX_BYTES)
        return fail(fl, ev, "more than %d MiB of settings",
                    MAX_BYTES / (1024 * 1024));
    if (secret_key(fl->key.buf)) {
        value = CONFIG_HIDDEN;
        len = strlen(CONFIG_HIDDEN);
    }
    ALLOC_GROW(cfg->e, cfg->n + 1, cfg->alloc);
    cfg->e[cfg->n].key = xstrndup(fl->key.buf, fl->key.len);
    /* A "\0" escape in a quoted scalar ends the value there. */
    cfg->e[cfg->n].value = xstrndup(value, len);
    cfg->n++;
    return 0;
}

/*
 * The text of a scalar as the page shows it. A plain null (empty, "~",
 * "null") reads "null" whatever its spelling, so that "lr:" and "lr: ~"
 * compare equal; quoted scalars keep their text, so '' stays empty.
 */
static void scalar_text(const yaml_event_t *ev, const char **s, size_t *len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    const char *v = (const char *)ev->data.scalar.value;
    size_t i, n = ev->data.scalar.length;

    *s = v;
    *len = n;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return;
    for (i = 0; i < ARRAY_SIZE(nulls); i++) {
        if (n == strlen(nulls[i]) && !memcmp(v, nulls[i], n)) {
            *s = "null";
            *len = 4;
            return;
        }
    }
}

static int push(struct flattener *fl, const yaml_event_t *ev, bool is_seq)
{
    struct frame *f;

    if (fl->depth >= MAX_DEPTH)
        return fail(fl, ev, "nesting deeper than %d levels", MAX_DEPTH);
    ALLOC_GROW(fl->stack, fl->depth + 1, fl->alloc);
    f = &fl->stack[fl->depth++];
    f->is_seq = is_seq;
    f->want_value = false;
    f->prefix = fl->key.len;
    f->items = 0;
    return 0;
}

/* Set the key to the collection's key plus ".part" (no dot at the top). */
static void set_key(struct flattener *fl, const struct frame *f,
                    const char *part, size_t len)
{
    strbuf_setlen(&fl->key, f->prefix);
    if (f->prefix)
        strbuf_addch(&fl->key, '.');
    strbuf_add(&fl->key, part, len);
}

static void alias_text(struct strbuf *sb, const yaml_event_t *ev)
{
    strbuf_reset(sb);
    strbuf_addch(sb, '*');
    strbuf_addstr(sb, (const char *)ev->data.alias.anchor);
}

/* The document's top node: it must be a mapping, or nothing at all. */
static int top_node(struct flattener *fl, const yaml_event_t *ev)
{
    const char *s;
    size_t len;

    switch (ev->type) {
    case YAML_MAPPING_START_EVENT:
        return push(fl, ev, false);
    case YAML_SCALAR_EVENT:
        scalar_text(ev, &s, &len);
        /* "---" alone or "null": a config with no settings. */
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            !strcmp(s, "null")) {
            fl->done = true;
            return 0;
        }
        fl->top_scalar = true;
        return fail(fl, ev, "top level is a scalar, not a mapping");
    case YAML_SEQUENCE_START_EVENT:
        return fail(fl, ev, "top level is a sequence, not a mapping");
    default:
        return fail(fl, ev, "top level is an alias, not a mapping");
    }
}

/* A node inside a collection: a key, a sequence item or a value. */
static int inner_node(struct flattener *fl, const yaml_event_t *ev)
{
    struct frame *f = &fl->stack[fl->depth - 1];
    struct strbuf tmp = STRBUF_INIT;
    const char *s;
    size_t len;
    int ret = 0;

    if (!f->is_seq && !f->want_value) {
        /* A mapping key. */
        if (ev->type == YAML_SCALAR_EVENT) {
            s = (const char *)ev->data.scalar.value;
            set_key(fl, f, s, ev->data.scalar.length);
        } else if (ev->type == YAML_ALIAS_EVENT) {
            alias_text(&tmp, ev);
            set_key(fl, f, tmp.buf, tmp.len);
        } else {
            return fail(fl, ev,
                        "mapping key is a mapping or sequence "
                        "(only scalar keys are supported)");
        }
        f->want_value = true;
        strbuf_release(&tmp);
        return 0;
    }
    if (f->is_seq) {
        strbuf_addf(&tmp, "%zu", f->items);
        set_key(fl, f, tmp.buf, tmp.len);
    }
    f->want_value = false;
    f->items++;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        scalar_text(ev, &s, &len);
        ret = add_entry(fl, ev, s, len);
        break;
    case YAML_ALIAS_EVENT:
        /* Never expanded: see the comment at the top of the file. */
        alias_text(&tmp, ev);
        ret = add_entry(fl, ev, tmp.buf, tmp.len);
        break;
    case YAML_MAPPING_START_EVENT:
        ret = push(fl, ev, false);
        break;
    default: /* YAML_SEQUENCE_START_EVENT */
        ret = push(fl, ev, true);
        break;
    }
    strbuf_release(&tmp);
    return ret;
}

/*
 * The end of a collection. An empty one still gets an entry ("{}" or
 * "[]") so that "callbacks: []" shows on the page and diffs against a run
 * that has callbacks; the top-level mapping has no key and gets none.
 */
static int pop(struct flattener *fl, const yaml_event_t *ev)
{
    struct frame *f = &fl->stack[--fl->depth];

    strbuf_setlen(&fl->key, f->prefix);
    if (!fl->depth) {
        fl->done = true;
        return 0;
    }
    if (!f->items)
        return add_entry(fl, ev, f->is_seq ? "[]" : "{}", 2);
    return 0;
}

/* Handle one event; 1 at the end of the stream, 0 to go on, -1 on error. */
static int handle(struct flattener *fl, const yaml_event_t *ev)
{
    char *problem;

    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        /* An empty YAML file is a config with no settings; JSON is not. */
        if (fl->json && !fl->done)
            return fail(fl, ev, "no JSON value");
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        if (fl->done)
            return fail(fl, ev, "more than one YAML document in the file");
        return 0;
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        if (fl->json && (problem = jsondoc_event_problem(ev))) {
            fail(fl, ev, "%s", problem);
            free(problem);
            return -1;
        }
        if (!fl->depth)
            return top_node(fl, ev);
        return inner_node(fl, ev);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return pop(fl, ev);
    default: /* stream start, document end, no event */
        return 0;
    }
}

/*
 * The 1-based line of byte offset in fp. libyaml reports reader errors
 * (bad UTF-8, a control character) by byte offset only, and its reader
 * runs ahead of the scanner, so the scanner's line would be wrong.
 */
static size_t line_of_offset(FILE *fp, size_t offset)
{
    size_t line = 1, i;
    int c, prev = 0;

    if (fseek(fp, 0, SEEK_SET) < 0)
        return 1;
    for (i = 0; i < offset && (c = getc(fp)) != EOF; i++) {
        if (c == '\r' || (c == '\n' && prev != '\r'))
            line++;
        prev = c;
    }
    return line;
}

/*
 * Turn a libyaml failure into "PATH:LINE: problem (context at line N)".
 * in is the JSON filter the parser reads through, or NULL for YAML.
 */
static void parser_error(struct flattener *fl, const yaml_parser_t *p, FILE *fp,
                         struct jsondoc_input *in)
{
    strbuf_reset(&fl->err);
    if (p->error == YAML_MEMORY_ERROR) {
        strbuf_addf(&fl->err, "%s: out of memory in libyaml", fl->path);
        return;
    }
    if (p->error == YAML_READER_ERROR && ferror(fp)) {
        strbuf_addf(&fl->err, "%s: cannot read: %s", fl->path, strerror(errno));
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        strbuf_addf(&fl->err, "%s:%zu: %s", fl->path,
                    in ? jsondoc_input_line(in, p->problem_offset)
                       : line_of_offset(fp, p->problem_offset),
                    p->problem ? p->problem : "cannot read");
        if (p->problem_value != -1)
            strbuf_addf(&fl->err, " (byte 0x%02x)", (unsigned)p->problem_value);
        return;
    }
    strbuf_addf(&fl->err, "%s:%zu: %s", fl->path, p->problem_mark.line + 1,
                p->problem ? p->problem : "cannot parse");
    if (p->context)
        strbuf_addf(&fl->err, " (%s at line %zu)", p->context,
                    p->context_mark.line + 1);
}

/* Is path a JSON file, by its name? */
static bool is_json(const char *path)
{
    size_t len = strlen(path);

    return len >= 5 && !strcmp(path + len - 5, ".json");
}

int config_load_file(struct config *cfg, const char *path, char **why)
{
    struct flattener fl;
    yaml_parser_t parser;
    yaml_event_t ev;
    struct jsondoc_input *in = NULL;
    FILE *fp;
    int ret = 0;

    config_release(cfg);
    fp = input_open(path, why);
    if (!fp)
        return -1;
    if (!yaml_parser_initialize(&parser))
        die("out of memory initialising libyaml");
    /*
     * JSON is read as the JSON logs are (jsondoc.c's filter), so that
     * what json.dump writes, an emoji as a surrogate pair included, reads
     * the same in a config as in a log.
     */
    if (is_json(path)) {
        in = jsondoc_input_new(fp);
        jsondoc_input_attach(in, &parser);
    } else {
        yaml_parser_set_input_file(&parser, fp);
    }

    memset(&fl, 0, sizeof(fl));
    fl.json = in != NULL;
    fl.path = path;
    fl.cfg = cfg;
    strbuf_init(&fl.key, 0);
    strbuf_init(&fl.err, 0);
    while (!ret) {
        if (!yaml_parser_parse(&parser, &ev)) {
            parser_error(&fl, &parser, fp, in);
            ret = -1;
            break;
        }
        ret = handle(&fl, &ev);
        yaml_event_delete(&ev);
    }
    /*
     * A key longer than libyaml's 1024-character limit for simple keys
     * first reads as a top-level scalar, and the real problem shows on
     * the next event: prefer libyaml's message to a misleading one.
     */
    if (ret < 0 && fl.top_scalar && !yaml_parser_parse(&parser, &ev))
        parser_error(&fl, &parser, fp, in);
    else if (ret < 0 && fl.top_scalar)
        yaml_event_delete(&ev);
    yaml_parser_delete(&parser);
    jsondoc_input_free(in);
    fclose(fp);
    strbuf_release(&fl.key);
    free(fl.stack);
    if (ret < 0) {
        *why = strbuf_detach(&fl.err, NULL);
        config_release(cfg);
        return -1;
    }
    strbuf_release(&fl.err);
    cfg->path = xstrdup(path);
    return 0;
}

int config_load_dir(struct config *cfg, const char *dir, char **why)
{
    struct strbuf path = STRBUF_INIT;
    size_t i, dirlen;
    struct stat st;
    int ret = 0;

    *why = NULL;
    config_release(cfg);
    strbuf_addstr(&path, dir);
    if (path.len && path.buf[path.len - 1] != '/')
        strbuf_addch(&path, '/');
    dirlen = path.len;
    for (i = 0; config_names[i]; i++) {
        strbuf_setlen(&path, dirlen);
        strbuf_addstr(&path, config_names[i]);
        if (stat(path.buf, &st) < 0) {
            /*
             * Absent is normal; anything else (EACCES on the folder,
             * ELOOP) is worth a message, which the load will give.
             */
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
        }
        ret = config_load_file(cfg, path.buf, why);
        break;
    }
    strbuf_release(&path);
    return ret;
}
