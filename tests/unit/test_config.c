/*
 * test_config.c - hyperparameter files flattened to dotted keys, from the
 * fixtures in tests/unit/data/config/: YAML and JSON, nesting, lists,
 * empty and non-mapping documents, syntax errors with their line, aliases
 * that must not expand, and the depth and size limits.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jsondoc.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

static const char *srcdir;

static char *fixture(const char *name)
{
    return xasprintf("%s/tests/unit/data/config/%s", srcdir, name);
}

/* Load a fixture that must load into cfg (initialised by the caller). */
static void load_ok(struct config *cfg, const char *name)
{
    char *path = fixture(name), *why = NULL;

    if (!ok(config_load_file(cfg, path, &why) == 0 && !why, name))
        printf("#   %s\n", why ? why : "(no message)");
    free(why);
    free(path);
}

static void fails_path(const char *path, const char *want, const char *name)
{
    struct config cfg = CONFIG_INIT;
    char *why = NULL, *expect = xasprintf("%s%s", path, want);
    int ret = config_load_file(&cfg, path, &why);

    is_str(ret ? why : "(loaded without error)", expect, name);
    ok(ret == -1 && cfg.n == 0 && !cfg.path, "nothing kept after an error");
    config_release(&cfg);
    free(why);
    free(expect);
}

static void fails(const char *file, const char *want)
{
    char *path = fixture(file);

    fails_path(path, want, file);
    free(path);
}

/* Key i of cfg, or NULL: safe when a load failed. */
static const char *key_at(const struct config *cfg, size_t i)
{
    return i < cfg->n ? cfg->e[i].key : NULL;
}

static const char *value_at(const struct config *cfg, size_t i)
{
    return i < cfg->n ? cfg->e[i].value : NULL;
}

static void test_flat(void)
{
    struct config cfg = CONFIG_INIT;

    load_ok(&cfg, "basic.yaml");
    is_int((long)cfg.n, 9, "yaml: 9 settings");
    ok(cfg.path && strstr(cfg.path, "basic.yaml"), "yaml: path kept");
    is_str(key_at(&cfg, 0), "lr", "yaml: file order");
    is_str(value_at(&cfg, 0), "0.001", "yaml: number as written");
    is_str(config_get(&cfg, "optimizer"), "adam", "yaml: get");
    is_str(config_get(&cfg, "use_amp"), "true", "yaml: bool as written");
    is_str(config_get(&cfg, "seed"), "null", "yaml: empty value is null");
    is_str(config_get(&cfg, "dropout"), "null", "yaml: ~ is null");
    is_str(config_get(&cfg, "name"), "", "yaml: quoted empty string kept");
    is_str(config_get(&cfg, "note"), "quoted: text", "yaml: quoted text");
    is_str(config_get(&cfg, "label"), "null", "yaml: quoted null text");
    ok(config_get(&cfg, "nope") == NULL, "get of an unknown key is NULL");
    config_release(&cfg);
    ok(cfg.n == 0 && !cfg.e && !cfg.path, "release empties");

    load_ok(&cfg, "basic.json");
    is_int((long)cfg.n, 8, "json: 8 settings");
    is_str(key_at(&cfg, 3), "use_amp", "json: file order");
    is_str(config_get(&cfg, "batch_size"), "32", "json: number");
    is_str(config_get(&cfg, "optimizer"), "adam", "json: string");
    is_str(config_get(&cfg, "warmup"), "null", "json: null");
    is_str(config_get(&cfg, "best"), "NaN", "json: bare NaN kept as text");
    is_str(config_get(&cfg, "clip"), "Infinity", "json: bare Infinity");
    is_str(config_get(&cfg, "empty"), "", "json: empty string");
    config_release(&cfg);
}

static void test_nested(void)
{
    struct config cfg = CONFIG_INIT;

    load_ok(&cfg, "nested.yaml");
    is_int((long)cfg.n, 7, "nested: 7 settings");
    is_str(key_at(&cfg, 0), "model.name", "nested: dotted key");
    is_str(key_at(&cfg, 1), "model.head.dropout", "nested: two levels");
    is_str(value_at(&cfg, 1), "0.5", "nested: value");
    is_str(config_get(&cfg, "optimizer.lr"), "0.1", "nested: get");
    is_str(key_at(&cfg, 6), "epochs", "nested: back at the top");
    config_release(&cfg);

    load_ok(&cfg, "nested.json");
    is_str(config_get(&cfg, "model.layers.1.dim"), "128",
           "nested json: list of mappings");
    is_str(key_at(&cfg, 4), "epochs", "nested json: order");
    config_release(&cfg);

    load_ok(&cfg, "list.yaml");
    is_int((long)cfg.n, 12, "list: 12 settings");
    is_str(key_at(&cfg, 0), "layers.0", "list: indexed key");
    is_str(value_at(&cfg, 1), "128", "list: second item");
    is_str(config_get(&cfg, "layers.2.1"), "3", "list: list in a list");
    is_str(config_get(&cfg, "augment.1"), "crop", "list: flow list");
    is_str(config_get(&cfg, "schedule.1.lr"), "0.001",
           "list: mapping in a list");
    is_str(config_get(&cfg, "callbacks"), "[]", "list: empty list shown");
    is_str(config_get(&cfg, "extra"), "{}", "list: empty mapping shown");
    config_release(&cfg);

    load_ok(&cfg, "multiline.yaml");
    is_str(config_get(&cfg, "desc"), "line one\nline two\n",
           "block literal kept");
    is_str(config_get(&cfg, "folded"), "a b\n", "folded scalar");
    config_release(&cfg);

    load_ok(&cfg, "tags.yaml");
    is_str(config_get(&cfg, "weights.0.1"), "2.0", "python tag ignored");
    is_str(config_get(&cfg, "blob"), "aGVsbG8=\n", "binary kept as text");
    is_str(config_get(&cfg, "ratio"), "1", "!!float kept as written");
    config_release(&cfg);

    load_ok(&cfg, "dup_key.json");
    is_int((long)cfg.n, 2, "repeated key: both kept, in order");
    is_str(config_get(&cfg, "lr"), "0.2", "repeated key: the last wins");
    config_release(&cfg);

    load_ok(&cfg, "tabs.json");
    is_str(config_get(&cfg, "model.name"), "mlp", "json indented by tabs");
    config_release(&cfg);
}

static void test_empty(void)
{
    struct config cfg = CONFIG_INIT;

    load_ok(&cfg, "empty.yaml");
    ok(cfg.n == 0 && cfg.path, "empty file: no settings, path set");
    config_release(&cfg);
    load_ok(&cfg, "comment_only.yaml");
    is_int((long)cfg.n, 0, "comment only: no settings");
    config_release(&cfg);
    load_ok(&cfg, "empty_braces.yaml");
    is_int((long)cfg.n, 0, "lightning {}: no settings");
    config_release(&cfg);
    load_ok(&cfg, "onedoc_markers.yaml");
    is_str(config_get(&cfg, "lr"), "0.1", "--- and ... around one document");
    config_release(&cfg);
}

static void test_alias(void)
{
    struct config cfg = CONFIG_INIT;

    load_ok(&cfg, "alias.yaml");
    is_int((long)cfg.n, 7, "alias: 7 settings");
    is_str(config_get(&cfg, "base.lr"), "0.1", "alias: anchored mapping");
    is_str(config_get(&cfg, "run1.<<"), "*base",
           "alias: merge key not "
           "expanded");
    is_str(config_get(&cfg, "run1.lr"), "0.01", "alias: local value");
    is_str(config_get(&cfg, "same"), "*base", "alias: shown as *name");
    is_str(config_get(&cfg, "tag"), "fast", "alias: anchored scalar");
    is_str(config_get(&cfg, "copy"), "*t", "alias of a scalar");
    config_release(&cfg);

    /* Nine levels of nine aliases: 9^9 lols if expanded, 81 entries here. */
    load_ok(&cfg, "laughs.yaml");
    is_int((long)cfg.n, 81, "billion laughs: not expanded");
    is_str(config_get(&cfg, "i.8"), "*h", "billion laughs: alias text");
    config_release(&cfg);
}

static void test_limits(void)
{
    struct config cfg = CONFIG_INIT;
    struct strbuf key = STRBUF_INIT;
    int i;

    /* 64 levels (the top mapping and 63 below it) are allowed. */
    load_ok(&cfg, "deep_ok.yaml");
    strbuf_addstr(&key, "a");
    for (i = 0; i < 63; i++)
        strbuf_addstr(&key, ".b");
    is_str(config_get(&cfg, key.buf), "1", "depth 64: allowed");
    strbuf_release(&key);
    config_release(&cfg);
    fails("deep_65.yaml", ":1: nesting deeper than 64 levels");
    fails("deep.yaml", ":1: nesting deeper than 64 levels");
    fails("deep_block.yaml", ":65: nesting deeper than 64 levels");
}

/* Write data to a new temporary file and return its name (free it). */
static char *write_temp(const struct strbuf *data)
{
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/test_config.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FILE *fp = fd < 0 ? NULL : fdopen(fd, "wb");

    if (!fp || fwrite(data->buf, 1, data->len, fp) != data->len || fclose(fp)) {
        printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return path;
}

static void test_generated(void)
{
    struct strbuf sb = STRBUF_INIT;
    struct config cfg = CONFIG_INIT;
    char *path, *why = NULL;
    size_t i;

    /* One more setting than allowed. */
    for (i = 0; i <= 100000; i++)
        strbuf_addf(&sb, "k%zu: %zu\n", i, i);
    path = write_temp(&sb);
    fails_path(path, ":100001: more than 100000 settings", "entry limit");
    unlink(path);
    free(path);

    /* Exactly the limit is fine. */
    strbuf_reset(&sb);
    for (i = 0; i < 100000; i++)
        strbuf_addf(&sb, "k%zu: %zu\n", i, i);
    path = write_temp(&sb);
    ok(config_load_file(&cfg, path, &why) == 0 && cfg.n == 100000,
       "100000 settings load");
    free(why);
    config_release(&cfg);
    unlink(path);
    free(path);

    /*
     * A long key under which many values sit: the flattened text grows
     * with key length times entries, far beyond the file's size.
     */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "? ");
    for (i = 0; i < 5000; i++)
        strbuf_addch(&sb, 'k');
    strbuf_addstr(&sb, "\n:\n");
    for (i = 0; i < 5000; i++)
        strbuf_addstr(&sb, "- 1\n");
    path = write_temp(&sb);
    /* Item k adds 5000 + ".k" + "1" bytes; item 3351 crosses 16 MiB. */
    fails_path(path, ":3354: more than 16 MiB of settings",
               "flattened size limit");
    unlink(path);
    free(path);

    /* A plain key beyond libyaml's 1024-character limit: its message. */
    strbuf_reset(&sb);
    for (i = 0; i < 5000; i++)
        strbuf_addch(&sb, 'k');
    strbuf_addstr(&sb, ": 1\n");
    path = write_temp(&sb);
    fails_path(path, ":1: mapping values are not allowed in this context",
               "very long plain key");
    unlink(path);
    free(path);

    /* A long key that libyaml accepts (explicit "? " form) is kept. */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "? ");
    for (i = 0; i < 5000; i++)
        strbuf_addch(&sb, 'k');
    strbuf_addstr(&sb, "\n: 1\n");
    path = write_temp(&sb);
    ok(config_load_file(&cfg, path, &why) == 0 && cfg.n == 1 &&
           strlen(cfg.e[0].key) == 5000,
       "very long explicit key kept");
    free(why);
    config_release(&cfg);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

static void test_errors(void)
{
    char *path;

    path = fixture("does-not-exist.yaml");
    fails_path(path, ": cannot read: No such file or directory",
               "missing file");
    free(path);
    path = fixture("dir_json");
    fails_path(path, ": cannot read: Is a directory", "directory");
    free(path);
    fails("scalar.yaml", ":1: top level is a scalar, not a mapping");
    fails("toplist.yaml", ":1: top level is a sequence, not a mapping");
    fails("broken.yaml", ":4: did not find expected key "
                         "(while parsing a block mapping at line 1)");
    fails("broken_flow.json", ":4: did not find expected ',' or ']' "
                              "(while parsing a flow sequence at line 3)");
    fails("tabs.yaml", ":2: found character that cannot start any token "
                       "(while scanning for the next token at line 2)");
    fails("multidoc.yaml", ":2: more than one YAML document in the file");
    fails("binary.yaml", ":2: control characters are not allowed "
                         "(byte 0x00)");
    fails("bad_utf8.yaml", ":2: incomplete UTF-8 octet sequence");
    fails("complex_key.yaml", ":1: mapping key is a mapping or sequence "
                              "(only scalar keys are supported)");
}

static void test_dir(void)
{
    struct config cfg = CONFIG_INIT;
    char *dir, *why = NULL;

    /* config.json wins over config.yaml. */
    dir = fixture("dir_json");
    ok(config_load_dir(&cfg, dir, &why) == 0, "dir: loads");
    is_str(config_get(&cfg, "source"), "config.json", "dir: config.json first");
    ok(cfg.path && strstr(cfg.path, "dir_json/config.json"), "dir: path");
    config_release(&cfg);
    free(dir);

    /* A trailing slash does not double. */
    dir = xasprintf("%s/tests/unit/data/config/dir_params/", srcdir);
    ok(config_load_dir(&cfg, dir, &why) == 0, "dir/: loads");
    is_str(config_get(&cfg, "source"), "params.yaml",
           "dir: params.yaml before hparams.yaml");
    ok(cfg.path && strstr(cfg.path, "dir_params/params.yaml"),
       "dir/: one slash");
    config_release(&cfg);
    free(dir);

    /* The first existing file is the one read, even when it is broken. */
    dir = fixture("dir_bad");
    ok(config_load_dir(&cfg, dir, &why) == -1 && why &&
           strstr(why, "dir_bad/config.yml:2: "),
       "dir: a broken config.yml is an error, not skipped");
    ok(!cfg.path && cfg.n == 0, "dir: nothing kept after an error");
    free(why);
    why = NULL;
    config_release(&cfg);
    free(dir);

    /* No config at all is not an error. */
    dir = xasprintf("%s/tests/unit/data/csv", srcdir);
    ok(config_load_dir(&cfg, dir, &why) == 0 && !why, "dir: none is fine");
    ok(!cfg.path && cfg.n == 0, "dir: none leaves the config empty");
    config_release(&cfg);
    free(dir);

    is_str(config_names[0], "config.json", "names: first");
    is_str(config_names[4], "hparams.yaml", "names: Lightning's");
    is_str(config_names[7], "dvclive/params.yaml", "names: last");
    ok(config_names[8] == NULL, "names: NULL-terminated");
}

/* Write text to DIR/name in a new temporary folder; *dir gets DIR. */
static char *write_named(const char *name, const char *text, char **dir)
{
    const char *tmp = getenv("TMPDIR");
    struct strbuf sb = STRBUF_INIT;
    char *path, *tmpl;

    tmpl = xasprintf("%s/test_config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        printf("Bail out! cannot create %s: %s\n", tmpl, strerror(errno));
        exit(1);
    }
    *dir = tmpl;
    path = xasprintf("%s/%s", tmpl, name);
    strbuf_addstr(&sb, text);
    {
        FILE *fp = fopen(path, "wb");

        if (!fp || fwrite(sb.buf, 1, sb.len, fp) != sb.len || fclose(fp)) {
            printf("Bail out! cannot write %s\n", path);
            exit(1);
        }
    }
    strbuf_release(&sb);
    return path;
}

/* Remove what write_named() made, and free its names. */
static void drop_named(char *path, char *dir)
{
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

/*
 * A config.json reads as the JSON logs do: what json.dump writes by
 * default (a character outside the BMP as a surrogate pair, tab
 * indentation) loads; a lone surrogate becomes U+FFFD.
 */
static void test_json_like_logs(void)
{
    struct config cfg = CONFIG_INIT;
    char *dir, *why = NULL;
    char *path = write_named("config.json",
                             "{\n\t\"name\": \"run \\ud83d\\ude00\",\n"
                             "\t\"lone\": \"\\udc00\",\n\t\"lr\": 0.1\n}\n",
                             &dir);

    if (!ok(config_load_dir(&cfg, dir, &why) == 0, "json.dump output loads"))
        printf("#   %s\n", why ? why : "(no message)");
    is_str(config_get(&cfg, "name"), "run \xf0\x9f\x98\x80",
           "a surrogate pair is the character");
    is_str(config_get(&cfg, "lone"), "\xef\xbf\xbd",
           "a lone surrogate is U+FFFD");
    is_str(config_get(&cfg, "lr"), "0.1", "the next value");
    free(why);
    config_release(&cfg);
    drop_named(path, dir);

    /* A reader error is still placed on its line of the file. */
    path = write_named("config.json",
                       "{\n\"a\": \"\\ud83d\\ude00\",\n\"b\": \"\xff\"\n}\n",
                       &dir);
    fails_path(path, ":3: invalid leading UTF-8 octet (byte 0xff)",
               "bad UTF-8 in a JSON config: its line");
    drop_named(path, dir);
}

/*
 * The two JSON front ends, config.c (a config.json) and jsondoc.c (the
 * JSON logs), accept and refuse the same texts: each odd input below is
 * fed to both. The one difference is by design: a config must be an
 * object, so a top-level array or scalar is refused by config.c alone.
 */
static void test_same_json(void)
{
    static const struct {
        const char *text;
        bool valid;  /* jsondoc reads it */
        bool object; /* ... and it is an object (or null) */
    } cases[] = {
        {"{\"a\": 1}", true, true},
        {"{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity}", true, true},
        {"{\"a\": 1,}", true, true},
        {"\xef\xbb\xbf{\"a\": 1}", true, true},
        {"{\"a\": 1, \"a\": 2}", true, true},
        {"{\"a\": {\"b\": 1}, \"a\": 2}", true, true},
        {"{\"a\": \"\\ud83d\\ude00\", \"b\": \"\\u0000\"}", true, true},
        {"\t{\"a\":\n\t 1}", true, true},
        {"{'a': 1} # a comment", true, true},
        {"{\"a\": !!str 1}", true, true},
        {"null", true, true},
        {"[1, 2,]", true, false},
        {"1", true, false},
        {"\"text\"", true, false},
        {"", false, false},
        {"  \n", false, false},
        {"{\"a\": &x 1, \"b\": *x}", false, false},
        {"{\"a\": 1} // a comment", false, false},
        {"{\"a\": [1,,2]}", false, false},
        {"{\"a\"\n: 1}", false, false},
        {"{} {}", false, false},
        {"{}\n---\n{}", false, false},
        {"{\"a\": 1}\nx", false, false},
    };
    size_t bad = 0;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct config cfg = CONFIG_INIT;
        char *dir, *why = NULL, *why_doc = NULL;
        char *path = write_named("config.json", cases[i].text, &dir);
        bool cfg_ok = !config_load_file(&cfg, path, &why);
        struct jsondoc *doc = jsondoc_parse_file(path, &why_doc);

        if ((doc != NULL) != cases[i].valid ||
            cfg_ok != (cases[i].valid && cases[i].object)) {
            printf("#   '%s': config %s, jsondoc %s\n", cases[i].text,
                   cfg_ok ? "reads it" : why, doc ? "reads it" : why_doc);
            bad++;
        }
        jsondoc_free(doc);
        config_release(&cfg);
        free(why);
        free(why_doc);
        drop_named(path, dir);
    }
    is_int((long)bad, 0, "config.c and jsondoc.c read the same JSON");

    {
        char *dir, *path = write_named("config.json", "{\"a\": &x 1}", &dir);

        fails_path(path, ":1: anchor '&x' (JSON has no anchors)",
                   "an anchor in a JSON config: jsondoc's words");
        drop_named(path, dir);
        path = write_named("config.json", "", &dir);
        fails_path(path, ":1: no JSON value", "an empty JSON config");
        drop_named(path, dir);
        path = write_named("config.yaml", "", &dir);
        {
            struct config cfg = CONFIG_INIT;
            char *why = NULL;

            ok(!config_load_file(&cfg, path, &why) && cfg.n == 0,
               "an empty YAML config is still one with no settings");
            free(why);
            config_release(&cfg);
        }
        drop_named(path, dir);
    }
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(137);
    test_flat();
    test_nested();
    test_empty();
    test_alias();
    test_limits();
    test_generated();
    test_errors();
    test_dir();
    test_json_like_logs();
    test_same_json();
    return done();
}
