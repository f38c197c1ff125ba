/*
 * changes.c - what changed since the last report (changes.h).
 *
 * The previous report is known only through the summary.json it wrote:
 * prev_report_parse() reads the few fields compared (jsondoc.h), and
 * changes_find() walks the old and the new runs by name, both sorted
 * bytewise, so the list of changes comes out in one order whatever the
 * input, and the report stays byte-identical for the same previous
 * report and the same runs. The words are written here once; the pages
 * and the summaries only place them.
 */
#include "changes.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "jsondoc.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

void prev_report_init(struct prev_report *p)
{
    memset(p, 0, sizeof(*p));
}

void prev_report_release(struct prev_report *p)
{
    free(p->rule);
    free(p->baseline);
    free(p->kept);
    for (size_t i = 0; i < p->n; i++) {
        free(p->runs[i].name);
        free(p->runs[i].decision);
    }
    free(p->runs);
    prev_report_init(p);
}

static int cmp_prev_run(const void *a, const void *b)
{
    return strcmp(((const struct prev_run *)a)->name,
                  ((const struct prev_run *)b)->name);
}

/* The string member key of obj: its text, NULL when null or missing. */
static int get_string(const struct jsondoc *doc, const struct jsondoc_node *obj,
                      const char *key, bool required, char **out,
                      const char *path, char **why)
{
    const struct jsondoc_node *v = jsondoc_get(doc, obj, key);

    *out = NULL;
    if (!v || jsondoc_is_null(doc, v)) {
        if (!required)
            return 0;
        *why =
            xasprintf("%s:%lu: no \"%s\"", path, (unsigned long)obj->line, key);
        return -1;
    }
    if (v->type != JSONDOC_SCALAR || !v->quoted) {
        *why = xasprintf("%s:%lu: \"%s\" is not a string", path,
                         (unsigned long)v->line, key);
        return -1;
    }
    *out = xstrdup(jsondoc_text(doc, v));
    return 0;
}

static int parse_run(struct prev_run *r, const struct jsondoc *doc,
                     const struct jsondoc_node *o, const char *path, char **why)
{
    const struct jsondoc_node *best;

    memset(r, 0, sizeof(*r));
    r->best_x = r->best_value = NAN;
    if (o->type != JSONDOC_OBJECT) {
        *why = xasprintf("%s:%lu: a run is not an object", path,
                         (unsigned long)o->line);
        return -1;
    }
    if (get_string(doc, o, "name", true, &r->name, path, why) ||
        get_string(doc, o, "decision", true, &r->decision, path, why))
        return -1;
    best = jsondoc_get(doc, o, "best");
    if (best && best->type == JSONDOC_OBJECT) {
        const struct jsondoc_node *x = jsondoc_get(doc, best, "epoch");
        const struct jsondoc_node *v = jsondoc_get(doc, best, "value");

        r->has_best = x && v && !jsondoc_number(doc, x, &r->best_x) &&
                      !jsondoc_number(doc, v, &r->best_value);
    }
    return 0;
}

int prev_report_parse(struct prev_report *p, const char *text, size_t len,
                      const char *path, char **why)
{
    struct jsondoc *doc = jsondoc_parse_string(text, len, path, 1, why);
    const struct jsondoc_node *root, *runs;
    size_t alloc = 0;
    int ret = -1;

    if (!doc)
        return -1;
    root = jsondoc_root(doc);
    if (root->type != JSONDOC_OBJECT) {
        *why = xasprintf("%s:%lu: not a summary.json reportgen wrote", path,
                         (unsigned long)root->line);
        goto out;
    }
    if (get_string(doc, root, "rule", true, &p->rule, path, why) ||
        get_string(doc, root, "baseline", false, &p->baseline, path, why))
        goto out;
    if (jsondoc_get(doc, root, "kept")) {
        p->has_kept = true;
        if (get_string(doc, root, "kept", false, &p->kept, path, why))
            goto out;
    }
    runs = jsondoc_get(doc, root, "runs");
    if (!runs || runs->type != JSONDOC_ARRAY) {
        *why = xasprintf("%s:%lu: no \"runs\" array", path,
                         (unsigned long)root->line);
        goto out;
    }
    for (const struct jsondoc_node *o = jsondoc_first(doc, runs); o;
         o = jsondoc_next(doc, o)) {
        ALLOC_GROW(p->runs, p->n + 1, alloc);
        if (parse_run(&p->runs[p->n], doc, o, path, why)) {
            free(p->runs[p->n].name);
            goto out;
        }
        p->n++;
    }
    if (p->n)
        qsort(p->runs, p->n, sizeof(*p->runs), cmp_prev_run);
    ret = 0;
out:
    jsondoc_free(doc);
    return ret;
}

void changes_init(struct changes *ch)
{
    memset(ch, 0, sizeof(*ch));
}

void changes_release(struct changes *ch)
{
    for (size_t i = 0; i < ch->n; i++) {
        free(ch->c[i].run);
        free(ch->c[i].from);
        free(ch->c[i].to);
        free(ch->c[i].xname);
    }
    free(ch->c);
    changes_init(ch);
}

static struct change *add(struct changes *ch, size_t *alloc,
                          enum change_kind kind, const char *run,
                          const char *from, const char *to)
{
    struct change *c;

    ALLOC_GROW(ch->c, ch->n + 1, *alloc);
    c = &ch->c[ch->n++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->run = run ? xstrdup(run) : NULL;
    c->from = from ? xstrdup(from) : NULL;
    c->to = to ? xstrdup(to) : NULL;
    c->from_x = c->from_value = c->to_x = c->to_value = NAN;
    ch->count[kind]++;
    return c;
}

static bool same_str(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/*
 * Has the best checkpoint moved? summary.json holds numbers as fmt_num()
 * writes them: compare them as written, or every value would differ in
 * its seventh digit.
 */
static bool best_moved(const struct prev_run *p, const struct best *now)
{
    char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE];

    if (p->has_best != now->found)
        return true;
    if (!p->has_best)
        return false;
    if (strcmp(fmt_num(a, sizeof(a), p->best_x), fmt_num(b, sizeof(b), now->x)))
        return true;
    return strcmp(fmt_num(a, sizeof(a), p->best_value),
                  fmt_num(b, sizeof(b), now->value)) != 0;
}

static int cmp_change(const void *a, const void *b)
{
    const struct change *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->run ? x->run : "", y->run ? y->run : "");
}

void changes_find(struct changes *ch, const struct prev_report *prev,
                  const struct run_set *set, const struct rules *rules,
                  const struct comparison *cmp, const struct board *b)
{
    size_t alloc = 0, i = 0, j = 0;
    char *rule;
    const char *baseline =
        cmp->baseline != SIZE_MAX ? set->runs[cmp->baseline].name : NULL;
    const char *kept = b->kept != SIZE_MAX ? set->runs[b->kept].name : NULL;
    bool same_rule;

    changes_init(ch);
    if (!prev)
        return;
    ch->compared = true;
    rule = xasprintf("%s:%s", rules->select.metric,
                     rules->select.maximize ? "max" : "min");
    same_rule = !strcmp(rule, prev->rule);
    if (!same_rule)
        add(ch, &alloc, CHANGE_RULE, NULL, prev->rule, rule);
    if (!same_str(baseline, prev->baseline))
        add(ch, &alloc, CHANGE_BASELINE, NULL, prev->baseline, baseline);
    if (prev->has_kept && !same_str(kept, prev->kept))
        add(ch, &alloc, CHANGE_KEPT, NULL, prev->kept, kept);

    /* The runs of the set are sorted by name (runs_find()), as are prev's. */
    while (i < set->n || j < prev->n) {
        const struct run *r = i < set->n ? &set->runs[i] : NULL;
        const struct prev_run *p = j < prev->n ? &prev->runs[j] : NULL;
        int order = !r ? 1 : !p ? -1 : strcmp(r->name, p->name);
        const char *now = r ? decision_name(cmp->v[i].decision) : NULL;

        if (order < 0) {
            add(ch, &alloc, CHANGE_ADDED, r->name, NULL, now);
            i++;
            continue;
        }
        if (order > 0) {
            add(ch, &alloc, CHANGE_GONE, p->name, p->decision, NULL);
            j++;
            continue;
        }
        if (strcmp(now, p->decision))
            add(ch, &alloc, CHANGE_VERDICT, r->name, p->decision, now);
        /* Under another rule every best moves: not worth a line each. */
        if (same_rule && best_moved(p, &r->an.best)) {
            struct change *c =
                add(ch, &alloc, CHANGE_BEST, r->name, NULL, NULL);

            c->xname = xstrdup(r->read.xname ? r->read.xname : "x");
            if (p->has_best) {
                c->from_x = p->best_x;
                c->from_value = p->best_value;
            }
            if (r->an.best.found) {
                c->to_x = r->an.best.x;
                c->to_value = r->an.best.value;
            }
        }
        i++;
        j++;
    }
    if (ch->n)
        qsort(ch->c, ch->n, sizeof(*ch->c), cmp_change);
    free(rule);
}

/* "3 verdicts changed", "1 run added": n things, singular or plural. */
static void add_count(struct strbuf *sb, bool *first, size_t n, const char *one,
                      const char *many, const char *what)
{
    if (!n)
        return;
    strbuf_addf(sb, "%s%zu %s %s", *first ? " " : ", ", n, n == 1 ? one : many,
                what);
    *first = false;
}

char *changes_sentence(const struct changes *ch)
{
    struct strbuf sb = STRBUF_INIT;
    bool first = true;

    if (!ch->compared)
        return NULL;
    if (!ch->n)
        return xstrdup("No change since the last report: the same rule, "
                       "runs, verdicts, kept run and best checkpoints.");
    strbuf_addstr(&sb, "Since the last report:");
    if (ch->count[CHANGE_RULE]) {
        strbuf_addstr(&sb, " the rule changed");
        first = false;
    }
    if (ch->count[CHANGE_BASELINE]) {
        strbuf_addstr(&sb, first ? " the baseline changed"
                                 : ", the baseline changed");
        first = false;
    }
    if (ch->count[CHANGE_KEPT]) {
        const struct change *c = NULL;

        for (size_t i = 0; i < ch->n && !c; i++)
            if (ch->c[i].kind == CHANGE_KEPT)
                c = &ch->c[i];
        strbuf_addf(&sb, "%sthe run to keep is %s (was %s)", first ? " " : ", ",
                    c->to ? c->to : "none", c->from ? c->from : "none");
        first = false;
    }
    add_count(&sb, &first, ch->count[CHANGE_ADDED], "run", "runs", "added");
    add_count(&sb, &first, ch->count[CHANGE_GONE], "run", "runs", "gone");
    add_count(&sb, &first, ch->count[CHANGE_VERDICT], "verdict", "verdicts",
              "changed");
    add_count(&sb, &first, ch->count[CHANGE_BEST], "best checkpoint",
              "best checkpoints", "moved");
    strbuf_addch(&sb, '.');
    return strbuf_detach(&sb, NULL);
}

/* "0.41 at epoch 12", or "none". */
static void add_best(struct strbuf *sb, double x, double v, const char *xname)
{
    char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE];

    if (isnan(x))
        strbuf_addstr(sb, "none");
    else
        strbuf_addf(sb, "%s at %s %s", fmt_num(b, sizeof(b), v), xname,
                    fmt_num(a, sizeof(a), x));
}

char *change_line(const struct change *c, const char *metric)
{
    struct strbuf sb = STRBUF_INIT;

    switch (c->kind) {
    case CHANGE_RULE:
        strbuf_addf(&sb, "Rule: %s, now %s", c->from, c->to);
        break;
    case CHANGE_BASELINE:
        strbuf_addf(&sb, "Baseline: %s, now %s", c->from ? c->from : "none",
                    c->to ? c->to : "none");
        break;
    case CHANGE_KEPT:
        strbuf_addf(&sb, "Run to keep: %s, now %s", c->from ? c->from : "none",
                    c->to ? c->to : "none");
        break;
    case CHANGE_ADDED:
        strbuf_addf(&sb, "Added: %s (%s)", c->run, c->to);
        break;
    case CHANGE_GONE:
        strbuf_addf(&sb, "Gone: %s (was %s)", c->run, c->from);
        break;
    case CHANGE_VERDICT:
        strbuf_addf(&sb, "%s: %s, now %s", c->run, c->from, c->to);
        break;
    case CHANGE_BEST:
        strbuf_addf(&sb, "%s: best %s ", c->run, metric);
        add_best(&sb, c->from_x, c->from_value, c->xname);
        strbuf_addstr(&sb, ", now ");
        add_best(&sb, c->to_x, c->to_value, c->xname);
        break;
    }
    return strbuf_detach(&sb, NULL);
}
