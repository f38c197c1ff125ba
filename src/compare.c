/*
 * compare.c - every run judged against one baseline under one fixed rule.
 *
 * The last analysis stage: it runs once every run has been read and
 * diagnosed, and reads only what runs.h keeps of each run (the best
 * checkpoint under the rule, the slice values there, the flattened config
 * and the diagnosis), never a series. What it builds, a struct
 * comparison, is what html.c, summary.c and charts.c render. Apart from
 * rules_load(), which reads RUNS_DIR/reportgen.yaml through config.c,
 * nothing here does I/O.
 *
 * The method is the checkpoint discipline of the seed notes (QD03, QD07,
 * QD08) and "one change at a time" (000):
 *   - a run is represented by its best held-out checkpoint under the
 *     rule, never by its last epoch or its training loss;
 *   - the average can be vetoed by a deployment slice: a slice that
 *     drops more than it may, at the best checkpoints, rolls the run back
 *     even when the average improved;
 *   - configs are diffed key by key against the baseline's, seed aside,
 *     and a run that changed several settings is flagged, because its
 *     effect cannot be attributed to any one of them;
 *   - runs whose configs differ only in seed form a seed group, and a
 *     group is judged by its mean, against its spread, so that one lucky
 *     seed is not kept.
 *
 * The verdict of a run is decided in this order, the first that applies
 * winning (see judge()): skipped; nothing to compare with (the diagnosis
 * decides); not comparable (investigate); the baseline itself or a seed
 * replicate of it (its diagnosis decides); a diagnosis asking for a
 * rollback; a slice regression; worse than the baseline (rollback); a
 * gain too small or within the seed noise (tune); a diagnosis asking for
 * a change (tune); several settings changed at once (tune: the gain
 * cannot be attributed to one change); keep. Without a baseline, the best
 * comparable run is the reference (kept), and the others tie with it (tune) or
 * are clearly worse (rollback, marked outranked: nothing was changed that
 * needs undoing, so the headline does not count them as needing action): a
 * leaderboard under the rule. Then dispose()
 * writes the rest of the decision record to follow the verdict.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define RULES_FILE "reportgen.yaml"

/*
 * Relative slack for comparisons of differences. The numbers compared
 * are differences of logged values, and 0.85 - 0.84 is
 * 0.010000000000000009 in binary floating point: a bare "drop > 0.01"
 * would flip on the last bit of a value the user wrote with two digits.
 * 1e-12 of the magnitude involved is far below any difference a metric
 * logged to a few digits can show, and far above double rounding (2e-16).
 */
#define SLACK 1e-12

/* How many changed keys a "why" names before it says "...". */
#define WHY_MAX_KEYS 5

/* ------------------------------------------------------------------ */
/* The rule                                                            */
/* ------------------------------------------------------------------ */

void rules_init(struct rules *r)
{
    memset(r, 0, sizeof(*r));
    diag_thresholds_init(&r->thresholds);
}

void rules_release(struct rules *r)
{
    free(r->path);
    free(r->select.metric);
    free(r->chosen_why);
    free(r->chosen_how);
    free(r->baseline);
    for (size_t i = 0; i < r->nslices; i++)
        free(r->slices[i].column);
    free(r->slices);
    rules_init(r);
}

/*
 * The last colon splits, so a metric name may itself hold colons
 * ("metrics/mAP_0.5:0.95:max").
 */
int rule_parse(struct rule *rule, const char *spec)
{
    const char *colon = strrchr(spec, ':');

    if (!colon || colon == spec)
        return -1;
    if (!strcmp(colon + 1, "min"))
        rule->maximize = false;
    else if (!strcmp(colon + 1, "max"))
        rule->maximize = true;
    else
        return -1;
    rule->metric = xstrndup(spec, colon - spec);
    return 0;
}

/*
 * Scores (accuracy, F1, AUC, mAP, precision, recall, IoU, ...) are better
 * high, everything else (losses, errors) low.
 */
bool slice_maximize(const char *column, const struct rule *select)
{
    static const char *const scores[] = {"acc",       "f1",     "auc", "map",
                                         "precision", "recall", "iou", "dice",
                                         "bleu",      "rouge"};
    const char *at = strchr(column, '@');
    size_t len = at ? (size_t)(at - column) : strlen(column);
    char *base = xstrndup(column, len);
    bool max = false;

    if (select->metric && !strcmp(base, select->metric)) {
        max = select->maximize;
    } else {
        for (char *p = base; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        for (size_t i = 0; i < ARRAY_SIZE(scores); i++)
            if (strstr(base, scores[i]))
                max = true;
    }
    free(base);
    return max;
}

/*
 * A number of the rules file: finite and >= 0. Infinity is refused too:
 * "may drop inf" is better said by leaving the slice out.
 */
static int parse_amount(const char *path, const char *key, const char *value,
                        double *out, char **why)
{
    if (parse_number(value, out) || !isfinite(*out) || *out < 0) {
        *why = xasprintf("%s: bad %s '%s': expected a number >= 0", path, key,
                         value);
        return -1;
    }
    return 0;
}

/* Set slice column's drop in r, replacing an earlier one (the last wins). */
static void set_slice(struct rules *r, const char *column, double max_drop)
{
    struct slice_rule *s = NULL;

    for (size_t i = 0; i < r->nslices; i++)
        if (!strcmp(r->slices[i].column, column))
            s = &r->slices[i];
    if (!s) {
        r->slices =
            xreallocarray(r->slices, r->nslices + 1, sizeof(*r->slices));
        s = &r->slices[r->nslices++];
        s->column = xstrdup(column);
        s->maximize = false;
    }
    s->max_drop = max_drop;
}

/* Which keys of the rules file were given. */
enum given {
    GIVEN_SELECT = (1 << 0),
    GIVEN_BASELINE = (1 << 1),
    GIVEN_MIN_IMPROVEMENT = (1 << 2),
    GIVEN_SLICES = (1 << 3),
    GIVEN_THRESHOLDS = (1 << 4)
};

/*
 * Read one flattened entry of the rules file into file. config.c keeps no
 * line numbers, so messages say "PATH: ..." and quote the key and value
 * instead.
 */
static int read_entry(struct rules *file, unsigned *given, const char *path,
                      const struct config_entry *e, char **why)
{
    const char *key = e->key, *value = e->value;
    double v;

    if (!strcmp(key, "select")) {
        struct rule sel = {NULL, false};

        if (rule_parse(&sel, value)) {
            *why = xasprintf("%s: bad select '%s': expected METRIC:min or "
                             "METRIC:max",
                             path, value);
            return -1;
        }
        free(file->select.metric);
        file->select = sel;
        *given |= GIVEN_SELECT;
    } else if (!strcmp(key, "baseline")) {
        /* "baseline:" or "baseline: ~" says: no baseline. */
        free(file->baseline);
        file->baseline = NULL;
        if (!*value) {
            *why = xasprintf("%s: bad baseline '': expected a run name", path);
            return -1;
        }
        if (strcmp(value, "null"))
            file->baseline = xstrdup(value);
        *given |= GIVEN_BASELINE;
    } else if (!strcmp(key, "min_improvement")) {
        if (parse_amount(path, key, value, &v, why))
            return -1;
        file->min_improvement = v;
        *given |= GIVEN_MIN_IMPROVEMENT;
    } else if (!strcmp(key, "slices")) {
        /* "slices:", "slices: {}": no slice at all. */
        if (strcmp(value, "null") && strcmp(value, "{}")) {
            *why = xasprintf("%s: bad slices '%s': expected a mapping of "
                             "slice columns to largest allowed drops",
                             path, value);
            return -1;
        }
        *given |= GIVEN_SLICES;
    } else if (!strncmp(key, "slices.", 7)) {
        /*
         * Everything after the first "slices." is the column, dots and
         * all: "slices: {loss.night: 0.1}" is the column "loss.night".
         */
        if (!key[7]) {
            *why = xasprintf("%s: bad key '%s' with value '%s': empty slice "
                             "column",
                             path, key, value);
            return -1;
        }
        if (parse_amount(path, key, value, &v, why))
            return -1;
        set_slice(file, key + 7, v);
        *given |= GIVEN_SLICES;
    } else if (!strcmp(key, "diagnose")) {
        if (strcmp(value, "null") && strcmp(value, "{}")) {
            *why = xasprintf("%s: bad diagnose '%s': expected a mapping of "
                             "threshold names to values",
                             path, value);
            return -1;
        }
    } else if (!strncmp(key, "diagnose.", 9)) {
        char *msg = NULL;

        if (diag_threshold_set(&file->thresholds, key + 9, value, &msg)) {
            *why = xasprintf("%s: %s", path, msg);
            free(msg);
            return -1;
        }
        *given |= GIVEN_THRESHOLDS;
    } else {
        *why = xasprintf("%s: unknown key '%s' with value '%s': expected "
                         "select, baseline, min_improvement, slices or "
                         "diagnose",
                         path, key, value);
        return -1;
    }
    return 0;
}

int rules_load(struct rules *r, const char *runs_dir, char **why)
{
    struct strbuf path = STRBUF_INIT;
    struct config cfg = CONFIG_INIT;
    struct rules file;
    unsigned given = 0;
    struct stat st;
    int ret = -1;

    *why = NULL;
    strbuf_addstr(&path, runs_dir);
    if (path.len && path.buf[path.len - 1] != '/')
        strbuf_addch(&path, '/');
    strbuf_addstr(&path, RULES_FILE);
    /*
     * Absent is normal: the rule then comes from the command line. Any
     * other stat() failure (EACCES, ELOOP) is left for the load to
     * report, with the path.
     */
    if (stat(path.buf, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)) {
        strbuf_release(&path);
        return 0;
    }
    rules_init(&file);
    file.thresholds = r->thresholds; /* the file changes what it names */
    if (config_load_file(&cfg, path.buf, why))
        goto out;
    for (size_t i = 0; i < cfg.n; i++)
        if (read_entry(&file, &given, path.buf, &cfg.e[i], why))
            goto out;

    /* All read: only now touch r, so that a bad file leaves it as it was. */
    if (given & GIVEN_SELECT) {
        free(r->select.metric);
        r->select = file.select;
        file.select.metric = NULL;
    }
    if (given & GIVEN_BASELINE) {
        free(r->baseline);
        r->baseline = file.baseline;
        file.baseline = NULL;
    }
    if (given & GIVEN_MIN_IMPROVEMENT)
        r->min_improvement = file.min_improvement;
    if (given & GIVEN_THRESHOLDS)
        r->thresholds = file.thresholds;
    if (given & GIVEN_SLICES) {
        for (size_t i = 0; i < r->nslices; i++)
            free(r->slices[i].column);
        free(r->slices);
        r->slices = file.slices;
        r->nslices = file.nslices;
        file.slices = NULL;
        file.nslices = 0;
    }
    for (size_t i = 0; i < r->nslices; i++)
        r->slices[i].maximize = slice_maximize(r->slices[i].column, &r->select);
    free(r->path);
    r->path = strbuf_detach(&path, NULL);
    ret = 0;
out:
    rules_release(&file);
    config_release(&cfg);
    strbuf_release(&path);
    return ret;
}

char *rules_describe(const struct rules *r, bool run_page)
{
    struct strbuf sb = STRBUF_INIT;
    const char *why = run_page && r->chosen_how ? r->chosen_how : r->chosen_why;

    if (r->select.metric)
        strbuf_addf(&sb, "%s:%s", r->select.metric,
                    r->select.maximize ? "max" : "min");
    else
        strbuf_addstr(&sb, "no selection rule");
    if (why)
        strbuf_addf(&sb, " (%s)", why);
    if (r->baseline)
        strbuf_addf(&sb, ", baseline %s", r->baseline);
    else
        strbuf_addstr(&sb, ", no baseline");
    strbuf_addstr(&sb, ", min improvement ");
    strbuf_addnum(&sb, r->min_improvement);
    for (size_t i = 0; i < r->nslices; i++) {
        strbuf_addf(&sb, ", %s may %s ", r->slices[i].column,
                    r->slices[i].maximize ? "drop" : "rise");
        strbuf_addnum(&sb, r->slices[i].max_drop);
    }
    return strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* The comparison                                                      */
/* ------------------------------------------------------------------ */

void comparison_init(struct comparison *c)
{
    memset(c, 0, sizeof(*c));
    c->baseline = SIZE_MAX;
    sweep_init(&c->sweep);
}

static void verdict_release(struct verdict *v)
{
    for (size_t i = 0; i < v->nchanged; i++)
        free(v->changed[i]);
    free(v->changed);
    free(v->group);
    for (size_t i = 0; i < v->nregress; i++) {
        free(v->regress[i]);
        free(v->regress_evidence[i]);
    }
    free(v->regress);
    free(v->regress_evidence);
    free(v->why);
    free(v->first_check);
    free(v->action);
    free(v->success);
}

void comparison_release(struct comparison *c)
{
    for (size_t i = 0; i < c->n; i++)
        verdict_release(&c->v[i]);
    free(c->v);
    for (size_t i = 0; i < c->ngroups; i++) {
        free(c->groups[i].name);
        free(c->groups[i].members);
    }
    free(c->groups);
    free(c->order);
    free(c->rule_text);
    free(c->reference);
    sweep_release(&c->sweep);
    comparison_init(c);
}

/* A run that has a best value to compare: read, with a finite best. */
static bool has_best(const struct run *r)
{
    return r->status == RUN_OK && r->an.best.found &&
           isfinite(r->an.best.value);
}

/*
 * A run left out of the comparison because it is judged by its own
 * held-out metric (with no rule given, see heldout.h): it has a best
 * checkpoint on that metric and a diagnosis, and nothing in it needs
 * investigating for being of another task.
 */
static bool own_metric(const struct run *r)
{
    return r->status == RUN_NOT_COMPARABLE && r->an.best.found &&
           r->an.rule.metric && r->an.diag.n;
}

/* Slice k of r at its best checkpoint, NaN when the run has none. */
static double slice_value(const struct run *r, size_t k)
{
    return r->an.slice_at_best && k < r->an.nslices ? r->an.slice_at_best[k]
                                                    : NAN;
}

/* a > b beyond rounding; mag is the size of the numbers behind a and b. */
static bool exceeds(double a, double b, double mag)
{
    return a - b > SLACK * mag;
}

static double mag3(double a, double b, double c)
{
    return fmax(fabs(a), fmax(fabs(b), fabs(c)));
}

/*
 * The main finding of a diagnosis, by name ("healthy" for none; marked
 * when it is borderline).
 */
static const char *main_finding(const struct diagnosis *d)
{
    return d->n ? diag_finding_name(&d->f[0]) : "healthy";
}

/* ---- Settings: a config as the diff and the seed groups read it ---- */

/*
 * A run's config sorted by key (bytewise), one entry per key (the last
 * one, as config_get() reads it) and seeds left out. known is false when
 * the run has no config at all: its settings are unknown, not empty, so
 * it is neither diffed nor grouped.
 */
struct settings {
    bool known;
    size_t n;
    const struct config_entry **e;
};

/* By key, then by position in the config: the later entry sorts last. */
static int cmp_entry(const void *a, const void *b)
{
    const struct config_entry *x = *(const struct config_entry *const *)a;
    const struct config_entry *y = *(const struct config_entry *const *)b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x < y ? -1 : x > y;
}

static void settings_init(struct settings *s, const struct config *cfg)
{
    size_t n = 0;

    s->known = cfg->path || cfg->n;
    s->e = xcalloc(cfg->n ? cfg->n : 1, sizeof(*s->e));
    for (size_t i = 0; i < cfg->n; i++)
        if (!config_is_seed_key(cfg->e[i].key))
            s->e[n++] = &cfg->e[i];
    qsort(s->e, n, sizeof(*s->e), cmp_entry);
    /* Keep the last of each run of equal keys. */
    s->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && !strcmp(s->e[i]->key, s->e[i + 1]->key))
            continue;
        s->e[s->n++] = s->e[i];
    }
}

/* Settings order: key, then value, entry by entry; shorter first. */
static int settings_cmp(const struct settings *a, const struct settings *b)
{
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        int c = strcmp(a->e[i]->key, b->e[i]->key);

        if (!c)
            c = strcmp(a->e[i]->value, b->e[i]->value);
        if (c)
            return c;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

/*
 * The keys whose value differs between a and b, or that only one of them
 * has, in bytewise order: a merge of the two sorted lists.
 */
static void settings_diff(const struct settings *a, const struct settings *b,
                          struct verdict *v)
{
    size_t i = 0, j = 0, alloc = 0;

    while (i < a->n || j < b->n) {
        const char *key;
        int c;

        if (i == a->n)
            c = 1;
        else if (j == b->n)
            c = -1;
        else
            c = strcmp(a->e[i]->key, b->e[j]->key);
        if (c < 0) {
            key = a->e[i++]->key;
        } else if (c > 0) {
            key = b->e[j++]->key;
        } else {
            key = a->e[i]->key;
            if (!strcmp(a->e[i++]->value, b->e[j++]->value))
                continue;
        }
        ALLOC_GROW(v->changed, v->nchanged + 1, alloc);
        v->changed[v->nchanged++] = xstrdup(key);
    }
}

/* The value of key in s, or NULL. */
static const char *settings_get(const struct settings *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->e[i]->key, key))
            return s->e[i]->value;
    return NULL;
}

/*
 * Whether key names the data a run was trained or judged on: a key whose
 * last component is data_version, dataset_version or split, or that ends
 * in data.version or dataset.version, at any nesting. Two runs that
 * differ there were not measured on the same examples, so their numbers
 * cannot be compared at all.
 */
static bool is_data_key(const char *key)
{
    static const char *const last[] = {"data_version", "dataset_version",
                                       "split"};
    static const char *const tail[] = {"data.version", "dataset.version"};
    const char *dot = strrchr(key, '.');
    const char *comp = dot ? dot + 1 : key;
    size_t len = strlen(key);

    for (size_t i = 0; i < ARRAY_SIZE(last); i++)
        if (!strcmp(comp, last[i]))
            return true;
    for (size_t i = 0; i < ARRAY_SIZE(tail); i++) {
        size_t tl = strlen(tail[i]);

        if (len >= tl && !strcmp(key + len - tl, tail[i]) &&
            (len == tl || key[len - tl - 1] == '.'))
            return true;
    }
    return false;
}

/* ---- Seed groups ---- */

struct member {
    const struct settings *s;
    size_t idx;
};

static int cmp_member(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = settings_cmp(x->s, y->s);

    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_group(const void *a, const void *b)
{
    const struct seed_group *x = a, *y = b;

    return x->members[0] < y->members[0] ? -1 : x->members[0] > y->members[0];
}

static bool is_sep(char c)
{
    return c == '/' || c == '-' || c == '_' || c == '.' || c == ' ';
}

/*
 * The group's name: the longest common prefix of its members' names,
 * cut back to where every name has a separator or ends ("sweep/lr0.1-s1"
 * and "sweep/lr0.1-s2" give "sweep/lr0.1", not "sweep/lr0.1-s"), without
 * trailing separators. When nothing is left ("s1", "s2"), the first
 * member's name.
 */
static char *group_name(const struct run_set *set, const struct seed_group *g)
{
    const char *first = set->runs[g->members[0]].name;
    size_t len = strlen(first);

    for (size_t k = 1; k < g->n; k++) {
        const char *name = set->runs[g->members[k]].name;
        size_t i = 0;

        while (i < len && name[i] == first[i])
            i++;
        len = i;
    }
    for (; len > 0; len--) {
        bool boundary = true;

        for (size_t k = 0; k < g->n && boundary; k++) {
            char c = set->runs[g->members[k]].name[len];

            boundary = !c || is_sep(c);
        }
        if (boundary)
            break;
    }
    while (len > 0 && is_sep(first[len - 1]))
        len--;
    return len ? xstrndup(first, len) : xstrdup(first);
}

/*
 * Runs whose settings are equal once seeds are left out, two or more of
 * them, in order of their first member. Only runs that were read, have a
 * best value and a config take part: a group's mean needs every member's
 * value, and runs with no config would all look alike. group_of[i] is
 * run i's group or SIZE_MAX.
 */
static void find_groups(const struct run_set *set,
                        const struct settings *settings, struct comparison *c,
                        size_t *group_of)
{
    struct member *m = xcalloc(set->n ? set->n : 1, sizeof(*m));
    size_t n = 0, alloc = 0;

    for (size_t i = 0; i < set->n; i++) {
        group_of[i] = SIZE_MAX;
        if (has_best(&set->runs[i]) && settings[i].known) {
            m[n].s = &settings[i];
            m[n++].idx = i;
        }
    }
    qsort(m, n, sizeof(*m), cmp_member);
    for (size_t i = 0, j; i < n; i = j) {
        struct seed_group *g;

        for (j = i + 1; j < n && !settings_cmp(m[i].s, m[j].s); j++)
            ;
        if (j - i < 2)
            continue;
        ALLOC_GROW(c->groups, c->ngroups + 1, alloc);
        g = &c->groups[c->ngroups++];
        memset(g, 0, sizeof(*g));
        g->n = j - i;
        g->members = xcalloc(g->n, sizeof(*g->members));
        for (size_t k = 0; k < g->n; k++)
            g->members[k] = m[i + k].idx;
    }
    free(m);
    if (c->ngroups > 1)
        qsort(c->groups, c->ngroups, sizeof(*c->groups), cmp_group);

    for (size_t gi = 0; gi < c->ngroups; gi++) {
        struct seed_group *g = &c->groups[gi];
        double sum = 0, ss = 0;
        char *base = group_name(set, g), *name = xstrdup(base);

        /* Two passes: the textbook one-pass formula loses digits. */
        for (size_t k = 0; k < g->n; k++) {
            group_of[g->members[k]] = gi;
            sum += set->runs[g->members[k]].an.best.value;
        }
        g->mean = sum / (double)g->n;
        for (size_t k = 0; k < g->n; k++) {
            double d = set->runs[g->members[k]].an.best.value - g->mean;

            ss += d * d;
        }
        g->spread = sqrt(ss / (double)(g->n - 1));

        /* Unique names: a later group with a taken name gets " (2)"... */
        for (size_t tries = 2;; tries++) {
            bool taken = false;

            for (size_t k = 0; k < gi && !taken; k++)
                taken = !strcmp(c->groups[k].name, name);
            if (!taken)
                break;
            free(name);
            name = xasprintf("%s (%zu)", base, tries);
        }
        free(base);
        g->name = name;
    }
}

/* ---- Ranking ---- */

struct rank {
    bool has;
    double key; /* the best value, negated under :max: lower ranks first */
    const char *name;
    size_t idx;
};

static int cmp_rank(const void *a, const void *b)
{
    const struct rank *x = a, *y = b;
    int c;

    if (x->has != y->has)
        return x->has ? -1 : 1;
    if (x->has && x->key != y->key)
        return x->key < y->key ? -1 : 1;
    c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void make_order(const struct run_set *set, const struct rules *rules,
                       struct comparison *c)
{
    struct rank *rk = xcalloc(set->n ? set->n : 1, sizeof(*rk));

    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];

        rk[i].has = has_best(r);
        rk[i].key = rk[i].has ? (rules->select.maximize ? -r->an.best.value
                                                        : r->an.best.value)
                              : 0;
        rk[i].name = r->name ? r->name : "";
        rk[i].idx = i;
    }
    qsort(rk, set->n, sizeof(*rk), cmp_rank);
    c->order = xcalloc(set->n ? set->n : 1, sizeof(*c->order));
    for (size_t i = 0; i < set->n; i++)
        c->order[i] = rk[i].idx;
    free(rk);
}

/* ---- Verdicts ---- */

/* What every verdict reads: the runs, the rule and the baseline's level. */
struct judge {
    const struct run_set *set;
    const struct rules *rules;
    const struct comparison *c;
    const struct settings *settings;
    const size_t *group_of;
    const char *metric;
    size_t b;         /* baseline index or SIZE_MAX */
    size_t bgroup;    /* the baseline's seed group or SIZE_MAX */
    double ref;       /* the baseline's level (see cmp_runs()) */
    double ref_noise; /* its seed spread, 0 when unknown */
    bool leaderboard; /* no baseline: b is the reference, the best
                         comparable run (see cmp_runs()) */
    const char *noun; /* "the baseline" or "the reference" */
};

static void set_why(struct verdict *v, enum decision d, struct strbuf *why)
{
    v->decision = d;
    free(v->why);
    v->why = strbuf_detach(why, NULL);
}

/* Append " (N seeds, spread S)" style facts of group g. */
static void add_group_facts(struct strbuf *sb, const struct seed_group *g)
{
    strbuf_addf(sb, " (%zu seeds, spread ", g->n);
    strbuf_addnum(sb, g->spread);
    strbuf_addch(sb, ')');
}

/*
 * Why a run cannot be compared with the baseline; false (and nothing
 * appended) when it can. Checked for the baseline itself too, minus what
 * needs a second run. v->changed is already filled: a changed data key
 * (one run has it, the other does not, or they differ) makes the pair
 * not comparable.
 */
static bool not_comparable(const struct judge *j, size_t i,
                           const struct verdict *v, struct strbuf *why)
{
    const struct run *r = &j->set->runs[i], *base = &j->set->runs[j->b];
    const struct settings *s = &j->settings[i], *bs = &j->settings[j->b];

    if (!has_best(r)) {
        strbuf_addstr(why, "not comparable: ");
        if (r->reason)
            strbuf_addstr(why, r->reason);
        else
            strbuf_addf(why, "no finite %s", j->metric);
        return true;
    }
    if (i != j->b && !has_best(base)) {
        strbuf_addf(why,
                    "not comparable: %s '%s' has no best %s "
                    "to compare with",
                    j->noun, base->name, j->metric);
        return true;
    }
    for (size_t k = 0; k < v->nchanged; k++) {
        const char *key = v->changed[k], *mine, *theirs;

        if (!is_data_key(key))
            continue;
        mine = settings_get(s, key);
        theirs = settings_get(bs, key);
        strbuf_addf(why,
                    "not comparable: %s is '%s' here but '%s' in %s, so "
                    "the two were not measured on the same data",
                    key, mine ? mine : "(unset)", theirs ? theirs : "(unset)",
                    j->noun);
        return true;
    }
    for (size_t k = 0; k < j->rules->nslices; k++) {
        double x = slice_value(r, k);

        if (!isfinite(x)) {
            strbuf_addf(why,
                        "not comparable: slice column '%s' is %s at the "
                        "best checkpoint",
                        j->rules->slices[k].column,
                        isnan(x) ? "missing" : "not finite");
            return true;
        }
        if (i != j->b && !isfinite(slice_value(base, k))) {
            strbuf_addf(why,
                        "not comparable: %s '%s' has no finite "
                        "value of slice column '%s' at its best checkpoint",
                        j->noun, base->name, j->rules->slices[k].column);
            return true;
        }
    }
    for (size_t k = 0; k < r->an.diag.n; k++) {
        if (r->an.diag.f[k].code == DIAG_NON_FINITE) {
            strbuf_addstr(why, "the diagnosis found non-finite values: "
                               "investigate before comparing");
            return true;
        }
    }
    if (r->an.diag.decision == DECISION_INVESTIGATE) {
        strbuf_addf(why,
                    "the diagnosis %s asks to investigate before "
                    "comparing",
                    main_finding(&r->an.diag));
        return true;
    }
    return false;
}

/*
 * Slices of run i beyond their allowed drop against the baseline, both
 * at their best checkpoints (the values are finite: not_comparable()
 * ran first). A :max slice regresses when baseline - run > max_drop, a
 * :min one when run - baseline > max_drop, strictly and beyond SLACK.
 */
static void find_regressions(const struct judge *j, size_t i, struct verdict *v)
{
    const struct run *r = &j->set->runs[i], *base = &j->set->runs[j->b];
    size_t alloc = 0;

    for (size_t k = 0; k < j->rules->nslices; k++) {
        const struct slice_rule *sr = &j->rules->slices[k];
        double x = slice_value(r, k), y = slice_value(base, k);
        double worse = sr->maximize ? y - x : x - y;
        char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE], d[FMT_NUM_SIZE], m[FMT_NUM_SIZE];

        if (!exceeds(worse, sr->max_drop, mag3(x, y, sr->max_drop)))
            continue;
        if (v->nregress + 1 > alloc) {
            alloc = alloc ? 2 * alloc : 4;
            v->regress = xreallocarray(v->regress, alloc, sizeof(char *));
            v->regress_evidence =
                xreallocarray(v->regress_evidence, alloc, sizeof(char *));
        }
        v->regress[v->nregress] = xstrdup(sr->column);
        v->regress_evidence[v->nregress] = xasprintf(
            "%s %s vs %s at the best checkpoints: a %s of %s > %s", sr->column,
            fmt_num(a, sizeof(a), x), fmt_num(b, sizeof(b), y),
            sr->maximize ? "drop" : "rise", fmt_num(d, sizeof(d), worse),
            fmt_num(m, sizeof(m), sr->max_drop));
        v->nregress++;
    }
}

/* The diagnosis' decision, for runs that are not a change of their own. */
static void by_diagnosis(const struct run *r, struct strbuf *why)
{
    if (r->an.diag.decision == DECISION_KEEP)
        return;
    strbuf_addf(why, ", but its diagnosis %s says %s",
                main_finding(&r->an.diag), decision_name(r->an.diag.decision));
    if (r->an.diag.action)
        strbuf_addf(why, ": %s", r->an.diag.action);
}

/*
 * "; the one setting that separates it from the reference is lr ('1e-3'
 * here, '3e-4' there)": what a tie on a leaderboard would test next.
 */
static void add_separating(const struct judge *j, size_t i,
                           const struct verdict *v, struct strbuf *why)
{
    const char *key, *mine, *theirs;

    if (!v->settings_compared) {
        strbuf_addstr(why, "; their settings cannot be compared (a config "
                           "is missing)");
        return;
    }
    if (v->nchanged == 0) {
        strbuf_addstr(why, "; only the seed separates them");
        return;
    }
    if (v->nchanged > 1) {
        strbuf_addf(why,
                    "; %zu settings separate them: change one at a time "
                    "from the reference to learn which matters",
                    v->nchanged);
        return;
    }
    key = v->changed[0];
    mine = settings_get(&j->settings[i], key);
    theirs = settings_get(&j->settings[j->b], key);
    strbuf_addf(why,
                "; the one setting that separates it from the reference is "
                "%s ('%s' here, '%s' there)",
                key, mine ? mine : "(unset)", theirs ? theirs : "(unset)");
}

/* "a, b, c, d, e, ...": the keys changed, at most WHY_MAX_KEYS of them. */
static void add_changed_keys(const struct verdict *v, struct strbuf *sb)
{
    for (size_t k = 0; k < v->nchanged && k < WHY_MAX_KEYS; k++)
        strbuf_addf(sb, "%s%s", k ? ", " : "", v->changed[k]);
    if (v->nchanged > WHY_MAX_KEYS)
        strbuf_addstr(sb, ", ...");
}

/* "3 settings changed (a, b, c), so the effect cannot be attributed ..." */
static void add_changed_list(const struct verdict *v, struct strbuf *why)
{
    strbuf_addf(why, "%zu settings changed (", v->nchanged);
    add_changed_keys(v, why);
    strbuf_addstr(why, "), so the effect cannot be attributed to any one "
                       "of them");
}

/*
 * Underfitting relative to the reference: a run worse than it under the
 * rule whose training loss never went below relative_fit times the
 * lowest the reference reached by the same x (its own last) fit its
 * training data less than the reference did in the same budget, whatever
 * its own curves look like alone. Both lows are logged points (the
 * reduced curves keep every bucket's minimum). The gap must also be at
 * least relative_fit_gap of the reference's first logged training loss:
 * two runs that both fit their data to nearly nothing (0.005 against
 * 0.0016) differ by a large ratio and by nothing that matters. A
 * leaderboard only groups
 * runs by folder and columns: there the two configs must also have the
 * same keys (one script's sweep), or training losses of different tasks
 * would be set side by side. Appends the sentence.
 */
static bool same_keys(const struct settings *a, const struct settings *b)
{
    if (!a->known || !b->known || a->n != b->n)
        return false;
    for (size_t k = 0; k < a->n; k++)
        if (strcmp(a->e[k]->key, b->e[k]->key))
            return false;
    return true;
}

static void add_relative_fit(const struct judge *j, size_t i,
                             struct strbuf *why)
{
    const struct run_analysis *a = &j->set->runs[i].an;
    const struct run_analysis *b = &j->set->runs[j->b].an;
    const struct diag_thresholds *t = &j->rules->thresholds;
    const char *xname =
        j->set->runs[i].read.xname ? j->set->runs[i].read.xname : "x";
    size_t ia = 0, ib = SIZE_MAX;
    double end, ratio;

    if (!a->ntrain || !b->ntrain || strcmp(a->train_name, b->train_name) ||
        (j->leaderboard && !same_keys(&j->settings[i], &j->settings[j->b])))
        return;
    end = a->train_x[a->ntrain - 1];
    for (size_t k = 1; k < a->ntrain; k++)
        if (a->train_y[k] < a->train_y[ia])
            ia = k;
    for (size_t k = 0; k < b->ntrain && b->train_x[k] <= end; k++)
        if (ib == SIZE_MAX || b->train_y[k] < b->train_y[ib])
            ib = k;
    if (ib == SIZE_MAX || !(b->train_y[ib] > 0) ||
        !(a->train_y[ia] >= t->relative_fit * b->train_y[ib]) ||
        !(a->train_y[ia] - b->train_y[ib] >=
          t->relative_fit_gap * fabs(b->train_y[0])))
        return;
    ratio = a->train_y[ia] / b->train_y[ib];
    strbuf_addf(why, "; underfitting relative to %s: its lowest %s, ", j->noun,
                a->train_name);
    strbuf_addnum(why, a->train_y[ia]);
    strbuf_addf(why, " at %s ", xname);
    strbuf_addnum(why, a->train_x[ia]);
    strbuf_addstr(why, ", is ");
    strbuf_addnum(why, round(ratio * 10) / 10);
    strbuf_addf(why, " times the lowest %s reached by %s ", j->noun, xname);
    strbuf_addnum(why, end);
    strbuf_addstr(why, ", ");
    strbuf_addnum(why, b->train_y[ib]);
    strbuf_addf(why, " at %s ", xname);
    strbuf_addnum(why, b->train_x[ib]);
}

/*
 * A run that changed something, compared with the baseline: the run's
 * best (or its seed group's mean) against the baseline's level.
 */
static void judge_change(const struct judge *j, size_t i, struct verdict *v,
                         struct strbuf *why)
{
    const struct run *r = &j->set->runs[i];
    const struct seed_group *g =
        j->group_of[i] != SIZE_MAX ? &j->c->groups[j->group_of[i]] : NULL;
    const struct seed_group *bg =
        j->bgroup != SIZE_MAX ? &j->c->groups[j->bgroup] : NULL;
    double value = g ? g->mean : r->an.best.value;
    double gain = j->rules->select.maximize ? value - j->ref : j->ref - value;
    double noise = fmax(g ? g->spread : 0, j->ref_noise);
    double mi = j->rules->min_improvement;
    double mag = mag3(value, j->ref, 0);
    struct strbuf what = STRBUF_INIT, ref = STRBUF_INIT;
    bool promising = false;
    enum decision d;

    /* "val_acc 0.87" or "group 'lr0.1' mean 0.87 (3 seeds, spread 0.01)" */
    if (g) {
        strbuf_addf(&what, "group '%s' mean %s ", g->name, j->metric);
        strbuf_addnum(&what, value);
        add_group_facts(&what, g);
    } else {
        strbuf_addf(&what, "%s ", j->metric);
        strbuf_addnum(&what, value);
    }
    if (bg) {
        strbuf_addf(&ref, "%s group '%s' mean ", j->noun, bg->name);
        strbuf_addnum(&ref, j->ref);
        add_group_facts(&ref, bg);
    } else {
        strbuf_addf(&ref, "%s's ", j->noun);
        strbuf_addnum(&ref, j->ref);
    }

    find_regressions(j, i, v);
    if (j->leaderboard && !v->nregress) {
        /*
         * A leaderboard has no change to keep: a run within the min
         * improvement or the seed noise of the reference ties with it,
         * and one clearly worse is not a setting to adopt.
         */
        double band = fmax(mi, noise);

        if (exceeds(-gain, band, mag3(value, j->ref, band))) {
            d = DECISION_ROLLBACK;
            v->outranked = true;
            strbuf_addf(why, "%s is worse than %s by ", what.buf, ref.buf);
            strbuf_addnum(why, -gain);
            strbuf_addstr(why, ", more than the min improvement ");
            strbuf_addnum(why, mi);
            if (noise > 0) {
                strbuf_addstr(why, " and the seed spread ");
                strbuf_addnum(why, noise);
            }
            strbuf_addstr(why, ": do not adopt its settings");
        } else {
            d = DECISION_TUNE;
            strbuf_addf(why, "%s ties with %s: they differ by ", what.buf,
                        ref.buf);
            strbuf_addnum(why, fabs(gain));
            strbuf_addstr(why, ", within the min improvement ");
            strbuf_addnum(why, mi);
            if (noise > 0) {
                strbuf_addstr(why, " or the seed spread ");
                strbuf_addnum(why, noise);
            }
            add_separating(j, i, v, why);
        }
    } else if (r->an.diag.decision == DECISION_ROLLBACK) {
        d = DECISION_ROLLBACK;
        strbuf_addf(why, "the diagnosis %s says rollback",
                    main_finding(&r->an.diag));
    } else if (v->nregress) {
        /* QD08: the slice vetoes the average, whatever the average did. */
        d = DECISION_ROLLBACK;
        strbuf_addstr(why, v->nregress > 1 ? "slices " : "slice ");
        for (size_t k = 0; k < v->nregress; k++)
            strbuf_addf(why, "%s%s", k ? ", " : "", v->regress[k]);
        strbuf_addstr(why, " regressed (");
        for (size_t k = 0; k < v->nregress; k++)
            strbuf_addf(why, "%s%s", k ? "; " : "", v->regress_evidence[k]);
        strbuf_addch(why, ')');
        if (exceeds(gain, 0, mag)) {
            strbuf_addf(why, ", even though %s beats %s by ", what.buf,
                        ref.buf);
            strbuf_addnum(why, gain);
        } else {
            strbuf_addf(why, ", and %s does not beat %s", what.buf, ref.buf);
        }
    } else if (exceeds(0, gain, mag)) {
        d = DECISION_ROLLBACK;
        strbuf_addf(why, "%s is worse than %s by ", what.buf, ref.buf);
        strbuf_addnum(why, -gain);
    } else if (!exceeds(gain, mi, mag3(value, j->ref, mi))) {
        d = DECISION_TUNE;
        strbuf_addf(why, "%s beats %s by only ", what.buf, ref.buf);
        strbuf_addnum(why, gain);
        strbuf_addstr(why, ", not more than the min improvement ");
        strbuf_addnum(why, mi);
    } else if (!exceeds(gain, noise, mag3(value, j->ref, noise))) {
        d = DECISION_TUNE;
        strbuf_addf(why, "%s beats %s by ", what.buf, ref.buf);
        strbuf_addnum(why, gain);
        strbuf_addstr(why, ", which is within seed noise (spread ");
        strbuf_addnum(why, noise);
        strbuf_addstr(why, "): run more seeds or make a larger change");
    } else if (r->an.diag.decision == DECISION_TUNE) {
        d = DECISION_TUNE;
        promising = true;
        strbuf_addf(why, "promising: %s beats %s by ", what.buf, ref.buf);
        strbuf_addnum(why, gain);
        strbuf_addf(why, ", but the diagnosis %s says what to change",
                    main_finding(&r->an.diag));
        if (r->an.diag.action)
            strbuf_addf(why, ": %s", r->an.diag.action);
    } else if (v->settings_compared && v->nchanged > 1) {
        /*
         * "If you change five things and the run improves, you still do
         * not know which change helped" (seed note 000): a gain made by
         * several changes at once is not one change to keep.
         */
        d = DECISION_TUNE;
        v->unattributed = true;
        strbuf_addf(why, "promising: %s beats %s by ", what.buf, ref.buf);
        strbuf_addnum(why, gain);
        strbuf_addstr(why, ", but ");
        add_changed_list(v, why);
        strbuf_addstr(why, ": re-run with one change at a time");
    } else {
        d = DECISION_KEEP;
        strbuf_addf(why, "%s beats %s by ", what.buf, ref.buf);
        strbuf_addnum(why, gain);
        strbuf_addstr(why, ", more than the min improvement ");
        strbuf_addnum(why, mi);
        if (noise > 0) {
            strbuf_addstr(why, " and the seed spread ");
            strbuf_addnum(why, noise);
        }
        if (j->rules->nslices)
            strbuf_addstr(why, ", with no slice beyond its allowed drop");
    }
    /* The diagnosis still has its say when the numbers decided. */
    if (d == DECISION_TUNE && !promising &&
        r->an.diag.decision == DECISION_TUNE)
        strbuf_addf(why, "; the diagnosis %s also asks for a change",
                    main_finding(&r->an.diag));
    if (gain < 0)
        add_relative_fit(j, i, why);
    v->decision = d;
    strbuf_release(&what);
    strbuf_release(&ref);
}

/* "; 3 settings changed (a, b, c), so ..." for a run that changed many. */
static void add_changed_note(const struct judge *j, size_t i,
                             const struct verdict *v, struct strbuf *why)
{
    const struct settings *s = &j->settings[i], *bs = &j->settings[j->b];

    if (!s->known || !bs->known) {
        strbuf_addf(why, "; settings not compared: %s has no config",
                    s->known ? "the baseline" : "this run");
        return;
    }
    if (v->nchanged < 2 || v->unattributed)
        return;
    strbuf_addstr(why, "; ");
    add_changed_list(v, why);
}

/*
 * "its best val_loss beats the baseline's 0.41 by more than the min
 * improvement 0.005 and the seed spread 0.01, with no slice beyond its
 * allowed drop": when a change is kept.
 */
static char *kept_if(const struct judge *j)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_addf(&sb, "the best %s of the next change beats %s's ", j->metric,
                j->noun);
    strbuf_addnum(&sb, j->ref);
    strbuf_addstr(&sb, " by more than the min improvement ");
    strbuf_addnum(&sb, j->rules->min_improvement);
    if (j->ref_noise > 0) {
        strbuf_addstr(&sb, " and the seed spread ");
        strbuf_addnum(&sb, j->ref_noise);
    }
    if (j->rules->nslices)
        strbuf_addstr(&sb, ", with no slice beyond its allowed drop");
    return strbuf_detach(&sb, NULL);
}

/*
 * The record where a leaderboard's verdict overrules the diagnosis: the
 * reference is kept and its diagnosis' change is the next one to try on
 * it; a clearly worse run's settings are not adopted; a tie is settled
 * by more seeds or a larger change.
 */
static void dispose_leaderboard(const struct judge *j, size_t i,
                                struct verdict *v)
{
    const struct diagnosis *d = &j->set->runs[i].an.diag;
    const char *ref = j->set->runs[j->b].name;

    switch (v->decision) {
    case DECISION_KEEP:
        v->first_check = xstrdup(d->first_check ? d->first_check : "");
        v->action = xasprintf("keep this run as the reference; the one "
                              "change to try on it next: %s",
                              d->action ? d->action : "none");
        v->success = xstrdup(d->success ? d->success : "");
        break;
    case DECISION_ROLLBACK:
        v->first_check = xasprintf("the settings that separate it from the "
                                   "reference '%s'",
                                   ref);
        v->action = xasprintf("do not adopt this run's settings: start the "
                              "next run from the reference '%s'",
                              ref);
        v->success = kept_if(j);
        break;
    case DECISION_TUNE:
        v->first_check = xasprintf("the setting that separates it from the "
                                   "reference '%s' (the verdict names it)",
                                   ref);
        v->action = xstrdup("repeat both runs with more seeds, or make a "
                            "larger change: the difference is within the "
                            "noise");
        v->success = kept_if(j);
        break;
    case DECISION_INVESTIGATE:
        break; /* as with a baseline: see dispose() */
    }
}

/* Did the run change a data key (see is_data_key())? */
static bool changed_data(const struct verdict *v)
{
    for (size_t k = 0; k < v->nchanged; k++)
        if (is_data_key(v->changed[k]))
            return true;
    return false;
}

/*
 * A kept run's first check (and, for a kept change, its action) says
 * what it was kept against, which only the comparison knows: a change
 * that beat the baseline, the baseline itself or a seed replicate of it,
 * the reference of a leaderboard, or a run with nothing to compare with.
 */
static void keep_record(const struct judge *j, size_t i, struct verdict *v)
{
    const struct run *r = &j->set->runs[i];
    char *check;

    if (own_metric(r))
        check = xasprintf("nothing to fix in the curves; it is judged by its "
                          "own metric, so judge the next run of its task "
                          "against this one's best %s",
                          r->an.rule.metric);
    else if (j->b == SIZE_MAX)
        check = xasprintf("nothing to fix in the curves; there is no "
                          "baseline and no comparable run of its folder, "
                          "so judge the next run against this one's best "
                          "%s under the same rule",
                          j->metric);
    else if (i == j->b && j->leaderboard)
        check = xasprintf("nothing to fix: it is the reference, the best "
                          "comparable run of its folder under the rule; "
                          "judge the next run against its best %s",
                          j->metric);
    else if (i == j->b)
        check = xstrdup("nothing to fix: it is the baseline every other "
                        "run is judged against");
    else if (j->bgroup != SIZE_MAX && j->group_of[i] == j->bgroup)
        check = xasprintf("nothing to fix: a seed replicate of %s, so "
                          "there is no change to judge",
                          j->noun);
    else {
        check = xstrdup("nothing to fix: this change beats the baseline "
                        "under the rule");
        free(v->action);
        v->action = xstrdup("keep this run's settings as the new baseline; "
                            "change one setting at a time from here");
    }
    free(v->first_check);
    v->first_check = check;
}

/*
 * The comparison disposes: the record takes the diagnosis' first check,
 * action and success rule when the verdict is the diagnosis' decision,
 * and rewrites all three to follow the verdict when it overrules it, so
 * that no output says "keep the best checkpoint" under a rollback.
 */
static void dispose(const struct judge *j, size_t i, struct verdict *v)
{
    const struct run *r = &j->set->runs[i];
    const struct diagnosis *d = &r->an.diag;
    const char *base = j->b != SIZE_MAX ? j->set->runs[j->b].name : NULL;

    if (r->status == RUN_SKIPPED)
        return;
    if (!d->n || v->decision == d->decision) {
        v->first_check = d->first_check ? xstrdup(d->first_check) : NULL;
        v->action = d->action ? xstrdup(d->action) : NULL;
        v->success = d->success ? xstrdup(d->success) : NULL;
        if (d->n && v->decision == DECISION_KEEP)
            keep_record(j, i, v);
        return;
    }
    v->overruled = true;
    if (j->leaderboard && v->decision != DECISION_INVESTIGATE) {
        dispose_leaderboard(j, i, v);
        return;
    }
    switch (v->decision) {
    case DECISION_ROLLBACK:
        if (v->nregress)
            v->first_check = xasprintf(
                "the slices that regressed against the baseline '%s' at the "
                "best checkpoints, and what this run changed",
                base);
        else if (v->settings_compared && v->nchanged)
            v->first_check = xasprintf(
                "the settings this run changed from the baseline '%s': "
                "the change made the best %s worse",
                base, j->metric);
        else
            v->first_check =
                xasprintf("what differs from the baseline '%s' (code, data, "
                          "settings): the run's best %s is worse",
                          base, j->metric);
        v->action = xstrdup("go back to the baseline's settings: this change "
                            "is not kept; try another single change");
        v->success = kept_if(j);
        break;
    case DECISION_INVESTIGATE: {
        static const char nc[] = "not comparable: ";
        const char *what = v->why ? v->why : "";

        if (!strncmp(what, nc, strlen(nc)))
            what += strlen(nc);
        v->first_check =
            xasprintf("what keeps it from being compared: %s", what);
        if (r->an.best.found && r->an.rule.metric &&
            (strcmp(r->an.rule.metric, j->metric) ||
             r->an.rule.maximize != j->rules->select.maximize)) {
            /* Judged by its own metric: it belongs to another task. */
            v->action = xasprintf(
                "compare it with the runs judged by its own metric, %s:%s "
                "(a report of them under --select), not with these",
                r->an.rule.metric, r->an.rule.maximize ? "max" : "min");
            v->success = xasprintf("it is compared under %s:%s with runs "
                                   "of its own task",
                                   r->an.rule.metric,
                                   r->an.rule.maximize ? "max" : "min");
            break;
        }
        v->action = xasprintf("make the run comparable first (%sa finite "
                              "best %s), then judge it again",
                              changed_data(v) ? "the same data as the "
                                                "others, "
                                              : "",
                              j->metric);
        v->success = xasprintf("the next run has a finite best %s and is "
                               "compared under the same rule",
                               j->metric);
        break;
    }
    case DECISION_TUNE:
        if (v->unattributed) {
            struct strbuf keys = STRBUF_INIT;

            add_changed_keys(v, &keys);
            v->first_check = xasprintf(
                "which of the %zu settings changed from the baseline '%s' "
                "(%s) made the gain",
                v->nchanged, base, keys.buf);
            v->action = xasprintf(
                "re-run from the baseline's settings with one of them "
                "changed at a time (%s), and keep the change that makes "
                "the gain",
                keys.buf);
            v->success = kept_if(j);
            strbuf_release(&keys);
            break;
        }
        v->first_check = xstrdup("the seed spread: whether the gain over the "
                                 "baseline is larger than the noise");
        v->action = xstrdup("repeat the run with more seeds, or make a larger "
                            "change: the gain is not yet beyond the noise");
        v->success = kept_if(j);
        break;
    case DECISION_KEEP:
        keep_record(j, i, v);
        free(v->success);
        v->success = kept_if(j);
        break;
    }
}

static void judge(const struct judge *j, size_t i, struct verdict *v)
{
    const struct run *r = &j->set->runs[i];
    struct strbuf why = STRBUF_INIT;

    if (r->status == RUN_SKIPPED) {
        strbuf_addf(&why, "skipped: %s", r->reason ? r->reason : "no reason");
        set_why(v, DECISION_INVESTIGATE, &why);
        return;
    }
    if (own_metric(r)) {
        /* Left out of the comparison only: its diagnosis decides. */
        strbuf_addf(&why, "%s; judged alone, the diagnosis %s decides",
                    r->reason ? r->reason : "judged by its own metric",
                    main_finding(&r->an.diag));
        set_why(v, r->an.diag.decision, &why);
        return;
    }
    if (j->group_of[i] != SIZE_MAX)
        v->group = xstrdup(j->c->groups[j->group_of[i]].name);
    if (j->b == SIZE_MAX) {
        /* The lead reports the missing baseline; the diagnosis decides. */
        if (!has_best(r)) {
            strbuf_addstr(&why, "not comparable: ");
            if (r->reason)
                strbuf_addstr(&why, r->reason);
            else
                strbuf_addf(&why, "no finite %s", j->metric);
            set_why(v, DECISION_INVESTIGATE, &why);
            return;
        }
        strbuf_addf(&why, "%s: the diagnosis %s decides",
                    j->leaderboard ? "no baseline, and no comparable run of "
                                     "its folder and columns to rank it "
                                     "against"
                                   : "no baseline to compare with",
                    main_finding(&r->an.diag));
        set_why(v, r->an.diag.decision, &why);
        return;
    }

    if (!j->leaderboard && has_best(r) && has_best(&j->set->runs[j->b]))
        v->delta = r->an.best.value - j->set->runs[j->b].an.best.value;
    v->settings_compared =
        i != j->b && j->settings[i].known && j->settings[j->b].known;
    if (v->settings_compared)
        settings_diff(&j->settings[i], &j->settings[j->b], v);

    if (not_comparable(j, i, v, &why)) {
        v->decision = DECISION_INVESTIGATE;
    } else if (i == j->b && j->leaderboard) {
        strbuf_addf(&why,
                    "the reference: the best comparable run under the rule "
                    "(no baseline was given), kept; every other run is "
                    "judged against its best %s",
                    j->metric);
        v->decision = DECISION_KEEP;
    } else if (i == j->b) {
        strbuf_addf(&why,
                    "the baseline: every other run is judged against its "
                    "best %s",
                    j->metric);
        v->decision = r->an.diag.decision;
        by_diagnosis(r, &why);
    } else if (j->bgroup != SIZE_MAX && j->group_of[i] == j->bgroup) {
        /*
         * Same settings as the baseline but the seed: a replicate, not a
         * change, so there is nothing to keep or roll back. It stands
         * with the baseline, and its diagnosis has the last word, as the
         * baseline's own has.
         */
        strbuf_addf(&why,
                    "a seed replicate of %s (group '%s'): only "
                    "the seed differs, so there is no change to judge",
                    j->noun, v->group);
        v->decision = r->an.diag.decision;
        by_diagnosis(r, &why);
    } else {
        judge_change(j, i, v, &why);
    }
    if (i != j->b && !j->leaderboard)
        add_changed_note(j, i, v, &why);
    set_why(v, v->decision, &why);
}

/*
 * Can run i be the reference of a leaderboard: a best value to compare,
 * finite slices there, and a diagnosis that does not ask to investigate
 * (a held-out score that may have leaked must not lead the board)?
 */
static bool can_be_reference(const struct run_set *set,
                             const struct rules *rules, size_t i)
{
    const struct run *r = &set->runs[i];

    if (!has_best(r) || r->an.diag.decision == DECISION_INVESTIGATE)
        return false;
    for (size_t k = 0; k < rules->nslices; k++)
        if (!isfinite(slice_value(r, k)))
            return false;
    for (size_t k = 0; k < r->an.diag.n; k++)
        if (r->an.diag.f[k].code == DIAG_NON_FINITE)
            return false;
    return true;
}

/* The folder part of a run's name ("sweep/lr-1" -> "sweep"; "a" -> ""). */
static size_t folder_len(const char *name)
{
    const char *slash = strrchr(name ? name : "", '/');

    return slash ? (size_t)(slash - name) : 0;
}

/*
 * Two runs of one leaderboard: in the same folder, and logging the same
 * columns (a sweep's runs do; logs of different projects do not).
 */
static bool same_board(const struct run *a, const struct run *b)
{
    size_t la = folder_len(a->name), lb = folder_len(b->name);

    if (la != lb || (la && strncmp(a->name, b->name, la)) ||
        a->read.ncolumns != b->read.ncolumns)
        return false;
    for (size_t i = 0; i < a->read.ncolumns; i++) {
        bool found = false;

        for (size_t k = 0; k < b->read.ncolumns && !found; k++)
            found = !strcmp(a->read.columns[i].name, b->read.columns[k].name);
        if (!found)
            return false;
    }
    return true;
}

/*
 * Without a baseline, the runs of a folder that log the same columns
 * are a leaderboard: its best comparable run (in c->order) is the
 * reference of every run on it. A run alone has no leaderboard
 * (SIZE_MAX: its diagnosis decides): runs of different folders, or
 * logging different columns, are not known to share a task.
 */
static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A run's board as text: its folder and its column names sorted, each
 * with its length before it. Two runs are on one board (same_board())
 * exactly when these are equal, as long as neither logs a name twice;
 * then this returns NULL.
 */
static char *board_key(const struct run *r)
{
    const struct run_read *rd = &r->read;
    const char **names =
        xcalloc(rd->ncolumns ? rd->ncolumns : 1, sizeof(*names));
    size_t len = folder_len(r->name);
    struct strbuf sb = STRBUF_INIT;

    strbuf_addf(&sb, "%zu:", len);
    strbuf_add(&sb, r->name ? r->name : "", len);
    for (size_t i = 0; i < rd->ncolumns; i++)
        names[i] = rd->columns[i].name;
    qsort(names, rd->ncolumns, sizeof(*names), cmp_str_ptr);
    for (size_t i = 0; i < rd->ncolumns; i++) {
        if (i && !strcmp(names[i - 1], names[i])) {
            free(names);
            strbuf_release(&sb);
            return NULL;
        }
        strbuf_addf(&sb, "%zu:%s", strlen(names[i]), names[i]);
    }
    free(names);
    return strbuf_detach(&sb, NULL);
}

struct board_entry {
    const char *key;
    size_t run;
};

static int cmp_board_entry(const void *a, const void *b)
{
    const struct board_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : (x->run > y->run) - (x->run < y->run);
}

/*
 * Number the boards: board[i] is the same for two runs exactly when
 * same_board() says they share one. NULL when a run logs a column name
 * twice (no key then says the same as same_board()).
 */
static size_t *board_ids(const struct run_set *set)
{
    struct board_entry *e = xcalloc(set->n ? set->n : 1, sizeof(*e));
    char **keys = xcalloc(set->n ? set->n : 1, sizeof(*keys));
    size_t *board = xcalloc(set->n ? set->n : 1, sizeof(*board)), id = 0;
    bool ok = true;

    for (size_t i = 0; i < set->n && ok; i++) {
        keys[i] = board_key(&set->runs[i]);
        ok = keys[i] != NULL;
        e[i].key = keys[i];
        e[i].run = i;
    }
    if (ok) {
        qsort(e, set->n, sizeof(*e), cmp_board_entry);
        for (size_t i = 0; i < set->n; i++) {
            if (i && strcmp(e[i - 1].key, e[i].key))
                id++;
            board[e[i].run] = id;
        }
    }
    for (size_t i = 0; i < set->n; i++)
        free(keys[i]);
    free(keys);
    free(e);
    if (!ok) {
        free(board);
        return NULL;
    }
    return board;
}

static void find_references(const struct run_set *set,
                            const struct rules *rules, struct comparison *c)
{
    size_t *board = board_ids(set), *peers, *best;

    c->reference = xcalloc(set->n ? set->n : 1, sizeof(*c->reference));
    if (!board) {
        /* Pair by pair, as same_board() says. */
        for (size_t i = 0; i < set->n; i++) {
            size_t n = 0;

            c->reference[i] = SIZE_MAX;
            for (size_t k = 0; k < set->n; k++)
                n += set->runs[k].status != RUN_SKIPPED &&
                     same_board(&set->runs[k], &set->runs[i]);
            if (n < 2)
                continue;
            for (size_t k = 0; k < set->n && c->reference[i] == SIZE_MAX; k++) {
                size_t o = c->order[k];

                if (same_board(&set->runs[o], &set->runs[i]) &&
                    can_be_reference(set, rules, o))
                    c->reference[i] = o;
            }
        }
        return;
    }
    /* Each board's peers, and its first run in c->order that can lead. */
    peers = xcalloc(set->n ? set->n : 1, sizeof(*peers));
    best = xcalloc(set->n ? set->n : 1, sizeof(*best));
    for (size_t i = 0; i < set->n; i++) {
        peers[board[i]] += set->runs[i].status != RUN_SKIPPED;
        best[i] = SIZE_MAX;
    }
    for (size_t k = 0; k < set->n; k++) {
        size_t o = c->order[k];

        if (best[board[o]] == SIZE_MAX && can_be_reference(set, rules, o))
            best[board[o]] = o;
    }
    for (size_t i = 0; i < set->n; i++)
        c->reference[i] = peers[board[i]] < 2 ? SIZE_MAX : best[board[i]];
    free(peers);
    free(best);
    free(board);
}

/* The one sentence that states the leaderboard rule (no baseline). */
static char *leaderboard_rule(const struct rules *rules)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_addstr(&sb, "No baseline was given, so the runs of each folder "
                       "that log the same columns form a leaderboard under "
                       "the rule: its best comparable run is the reference "
                       "and is kept unless "
                       "its own diagnosis says to investigate; runs within "
                       "the min improvement (");
    strbuf_addnum(&sb, rules->min_improvement);
    strbuf_addstr(&sb, ") or the seed spread of it tie with it (tune: the "
                       "setting that separates them is named); clearly "
                       "worse runs are rolled back (do not adopt their "
                       "settings); runs that cannot be compared are "
                       "investigated; a run with no such peer gets its "
                       "diagnosis' decision.");
    return strbuf_detach(&sb, NULL);
}

/*
 * The baseline's level is its seed group's mean when it has a group, and
 * that group's spread is the seed noise every run must beat: a lucky (or
 * unlucky) baseline seed should not decide for the others, just as a
 * lucky candidate seed should not. Without a group, the baseline's best
 * value, and no known noise.
 */
void cmp_runs(const struct run_set *set, const struct rules *rules,
              struct comparison *c)
{
    struct settings *settings = xcalloc(set->n ? set->n : 1, sizeof(*settings));
    size_t *group_of = xcalloc(set->n ? set->n : 1, sizeof(*group_of));
    struct judge j;

    comparison_release(c);
    for (size_t i = 0; i < set->n; i++)
        settings_init(&settings[i], &set->runs[i].read.config);
    find_groups(set, settings, c, group_of);
    sweep_find(&c->sweep, set);

    for (size_t i = 0; rules->baseline && i < set->n; i++)
        if (set->runs[i].name && !strcmp(set->runs[i].name, rules->baseline))
            c->baseline = i;

    memset(&j, 0, sizeof(j));
    j.set = set;
    j.rules = rules;
    j.c = c;
    j.settings = settings;
    j.group_of = group_of;
    j.metric = rules->select.metric ? rules->select.metric : "metric";
    j.noun = "the baseline";
    make_order(set, rules, c);
    if (c->baseline == SIZE_MAX) {
        find_references(set, rules, c);
        j.leaderboard = true;
        j.noun = "the reference";
        c->rule_text = leaderboard_rule(rules);
    }
    c->n = set->n;
    c->v = xcalloc(set->n ? set->n : 1, sizeof(*c->v));
    for (size_t i = 0; i < set->n; i++) {
        j.b = c->baseline != SIZE_MAX ? c->baseline
              : c->reference          ? c->reference[i]
                                      : SIZE_MAX;
        j.bgroup = j.b != SIZE_MAX ? group_of[j.b] : SIZE_MAX;
        j.ref = j.ref_noise = 0;
        if (j.bgroup != SIZE_MAX) {
            j.ref = c->groups[j.bgroup].mean;
            j.ref_noise = c->groups[j.bgroup].spread;
        } else if (j.b != SIZE_MAX) {
            j.ref = set->runs[j.b].an.best.value;
        }
        c->v[i].delta = NAN;
        judge(&j, i, &c->v[i]);
        dispose(&j, i, &c->v[i]);
    }

    for (size_t i = 0; i < set->n; i++)
        free(settings[i].e);
    free(settings);
    free(group_of);
}
