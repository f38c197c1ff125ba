/*
 * html.c - the report's pages: run structs in, ctemplate dictionaries out.
 *
 * This is the step between the analysis (runs.c, diagnose.c) and the
 * writing (site.c). It reads a run_set and its runs through const
 * pointers, turns every fact a page shows into a dictionary value through
 * tmpl.h, and renders templates/index.tpl or templates/run.tpl into the
 * caller's strbuf. It does no file I/O and no escaping: the templates are
 * auto-escaped by ctemplate, so values go in exactly as the user wrote
 * them (a run may well be called "<script>").
 *
 * The variable and section names used here are the contract with the
 * templates; each template lists what it expects. Every number goes
 * through tmpl_set_num() (fmt_num(), "%.6g") or tmpl_set_int(), so equal
 * input gives byte-identical pages.
 */
#include "html.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "charts.h"
#include "diagnose.h"
#include "config.h"
#include "formats.h"
#include "replay.h"
#include "strbuf.h"
#include "sweep.h"
#include "tmpl.h"
#include "util.h"

#include "banned.h"

static void set_delta(struct tmpl_dict *d, double delta);
static void set_num_or_dash(struct tmpl_dict *d, const char *key, double v);

/*
 * s, or fallback when s is NULL or empty: a string field the run may lack
 * (an x axis name is only known once the metrics file was read), so that
 * the page says "unknown" instead of leaving a hole.
 */
static const char *or_default(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/*
 * The facts every page shows at the top: the selection rule, spelled for
 * a reader ("lowest val_loss") and as written on the command line
 * ("val_loss:min"), and the program version.
 */
static const char *raw_rule_fallback(const struct rule *rule)
{
    return rule->maximize ? "highest value wins" : "lowest value wins";
}

/*
 * The verdict of run r: the comparison's, when there is one (it already
 * folds the diagnosis in), else the diagnosis' own decision.
 */
static const struct verdict *verdict_of(const struct report_info *info,
                                        const struct run *r)
{
    if (!info->cmp || !info->set || !info->cmp->v || r < info->set->runs ||
        r >= info->set->runs + info->set->n)
        return NULL;
    return &info->cmp->v[r - info->set->runs];
}

/*
 * The decision record of a run: the comparison's verdict, which holds the
 * first check, the next change and the success rule the diagnosis
 * proposed or, where the verdict overrules it, the ones that follow the
 * verdict (see struct verdict). Without a comparison (a page rendered on
 * its own), the diagnosis' own record. The strings are borrowed.
 */
static struct verdict record(const struct report_info *info,
                             const struct run *r)
{
    const struct verdict *v = verdict_of(info, r);
    struct verdict own;

    if (v)
        return *v;
    memset(&own, 0, sizeof(own));
    own.decision = r->an.diag.decision;
    own.first_check = r->an.diag.first_check;
    own.action = r->an.diag.action;
    own.success = r->an.diag.success;
    return own;
}

/*
 * The ids of the sections of the one-file report: the index, the
 * comparison, and each run's ("run-<slug>": the slug is unique and holds
 * only letters, digits, "-", "_", "." and "~", see slugify()).
 */
#define ANCHOR_INDEX "index"
#define ANCHOR_COMPARE "compare"
#define ANCHOR_RUN "run-"
#define ANCHOR_COMMON_NOTE "common-note"

/*
 * The link to run `to`'s page from a page at the site's root, or from
 * another run's page when from_run; in the one-file mode, to its section.
 * The caller frees it.
 */
static char *run_href(const struct report_info *info, const struct run *to,
                      bool from_run)
{
    assert(to->slug);
    if (info->links == HTML_LINKS_IN_PAGE)
        return xasprintf("#" ANCHOR_RUN "%s", to->slug);
    return from_run ? run_link_from_run(to) : run_page_path(to);
}

/*
 * Render template name: a page of the site as the template is written, a
 * section of the one-file report without its indentation (tmpl.h), which
 * would otherwise be repeated in every run's section.
 */
static int render(const struct report_info *info, const char *name,
                  const struct tmpl_dict *d, struct strbuf *out)
{
    if (info->links == HTML_LINKS_IN_PAGE)
        return tmpl_render_flush(name, d, out);
    return tmpl_render(name, d, out);
}

/*
 * What frames a page, by the link mode (html.h): in the site's mode,
 * section PAGE (the document: head, breadcrumb, <main>, footer) and
 * STYLE_HREF and SORT_HREF; in the one-file mode, section ONE_FILE with
 * SECTION_ID, the id the other sections link to. In both, INDEX_HREF and
 * COMPARE_HREF, from a page at the site's root or, when in_run_dir, from a
 * run's page.
 */
static void set_frame(struct tmpl_dict *d, const struct report_info *info,
                      const char *id, bool in_run_dir)
{
    const char *up = in_run_dir ? RUN_PAGE_TO_ROOT : "";
    char *href;

    if (info->links == HTML_LINKS_IN_PAGE) {
        tmpl_set(tmpl_add(d, "ONE_FILE"), "SECTION_ID", id);
        tmpl_set(d, "INDEX_HREF", "#" ANCHOR_INDEX);
        tmpl_set(d, "COMPARE_HREF", "#" ANCHOR_COMPARE);
        return;
    }
    tmpl_show(d, "PAGE");
    href = xasprintf("%s%s", up, SITE_INDEX);
    tmpl_set(d, "INDEX_HREF", href);
    free(href);
    href = xasprintf("%s%s", up, SITE_COMPARE);
    tmpl_set(d, "COMPARE_HREF", href);
    free(href);
    href = xasprintf("%s%s", up, SITE_STYLE);
    tmpl_set(d, "STYLE_HREF", href);
    free(href);
    href = xasprintf("%s%s", up, SITE_SORT);
    tmpl_set(d, "SORT_HREF", href);
    free(href);
}

static void set_rule(struct tmpl_dict *d, const struct rule *rule)
{
    struct strbuf raw = STRBUF_INIT;

    tmpl_set(d, "RULE_METRIC", rule->metric);
    tmpl_set(d, "RULE_DIRECTION", rule->maximize ? "highest" : "lowest");
    strbuf_addf(&raw, "%s:%s", rule->metric, rule->maximize ? "max" : "min");
    tmpl_set(d, "RULE_RAW", raw.buf);
    strbuf_release(&raw);
}

static void set_report(struct tmpl_dict *d, const struct report_info *info,
                       bool run_page)
{
    const struct rule *rule = info->rule;

    assert(rule && rule->metric);
    set_rule(d, rule);
    if (info->version && *info->version)
        tmpl_set(tmpl_add(d, "VERSION"), "VERSION_TEXT", info->version);
    if (info->rules) {
        char *desc = rules_describe(info->rules, run_page);

        tmpl_set(d, "RULE_DESC", desc);
        free(desc);
    } else {
        tmpl_set(d, "RULE_DESC", raw_rule_fallback(rule));
    }
}

/*
 * The best checkpoint of r into d: BEST_X, BEST_VALUE, LAST_X, LAST_VALUE
 * and, in section AFTER_BEST, how far past the best the run went (AFTER),
 * or section LAST_IS_BEST when it ended on its best row. The distance is
 * in x units (epochs or steps), not rows, because that is what the reader
 * sees on the charts.
 */
static void set_best(struct tmpl_dict *d, const struct best *best)
{
    double after = best->last_x - best->x;

    tmpl_set_num(d, "BEST_X", best->x);
    tmpl_set_num(d, "BEST_VALUE", best->value);
    tmpl_set_num(d, "LAST_X", best->last_x);
    tmpl_set_num(d, "LAST_VALUE", best->last_value);
    /* What a sorted column orders by: a non-finite last value goes last. */
    if (isfinite(best->last_value))
        tmpl_set_num(d, "LAST_SORT", best->last_value);
    else
        tmpl_set(d, "LAST_SORT", "");
    if (after > 0)
        tmpl_set_num(tmpl_add(d, "AFTER_BEST"), "AFTER", after);
    else
        tmpl_show(d, "LAST_IS_BEST");
}

/*
 * Section `section` of d holding text, folded when it is long: a table
 * cell shows its first words (SHORT, in the summary of a <details>) and
 * the rest (REST) only when opened, so a long reason never widens a
 * table or makes a row a screen high. Short text goes in PLAIN's TEXT.
 * The cut is at a space, near FOLD_AT bytes and never inside a UTF-8
 * sequence; SHORT and REST together are the text, unchanged.
 */
#define FOLD_AT 100
#define FOLD_MAX 140

static void set_long_text(struct tmpl_dict *d, const char *section,
                          const char *text)
{
    struct tmpl_dict *s = tmpl_add(d, section), *fold;
    size_t len = strlen(text), cut = 0;
    char *short_text;

    if (len > FOLD_MAX)
        for (size_t i = FOLD_AT; i > 0 && !cut; i--)
            if (text[i] == ' ')
                cut = i;
    if (!cut) {
        tmpl_set(tmpl_add(s, "PLAIN"), "TEXT", text);
        return;
    }
    fold = tmpl_add(s, "FOLD");
    short_text = xstrndup(text, cut);
    tmpl_set(fold, "SHORT", short_text);
    tmpl_set(fold, "REST", text + cut);
    free(short_text);
}

/* A section holding one TEXT value, shown only when there is a text. */
static void set_text_section(struct tmpl_dict *d, const char *section,
                             const char *text)
{
    if (text && *text)
        tmpl_set(tmpl_add(d, section), "TEXT", text);
}

/*
 * RUN_NAME and RUN_HREF, the link from the index to the run's page. The
 * slug, not the name, makes the path: a name may hold "/", spaces or
 * anything else, while the slug is the page folder's name (runs.h).
 */
static void set_run_link(struct tmpl_dict *d, const struct report_info *info,
                         const struct run *r)
{
    char *href = run_href(info, r, false);

    tmpl_set(d, "RUN_HREF", href);
    free(href);
    tmpl_set(d, "RUN_NAME", r->name);
}

static void set_decision(struct tmpl_dict *d, const struct report_info *info,
                         const struct run *r)
{
    const struct verdict *v = verdict_of(info, r);

    tmpl_set(d, "DECISION_NAME",
             decision_name(v ? v->decision : r->an.diag.decision));
    if (v && v->why && *v->why)
        tmpl_set(tmpl_add(d, "VERDICT"), "VERDICT_WHY", v->why);
}

/*
 * One row of the "Analysed runs" table. A run with no finding has no
 * decision either: diag.decision is then only its zero value, "keep",
 * and showing it would claim a verdict nobody reached.
 */
static struct tmpl_dict *add_ok_row(struct tmpl_dict *table,
                                    const struct run *r,
                                    const struct report_info *info)
{
    const struct verdict *v = verdict_of(info, r);

    struct tmpl_dict *row = tmpl_add(table, "OK_RUN");

    set_run_link(row, info, r);
    tmpl_set(row, "XNAME", or_default(r->read.xname, "x"));
    /* With no baseline the index has no column of differences to it. */
    if (info->cmp && info->cmp->baseline != SIZE_MAX)
        tmpl_show(row, "BASELINE_COL");
    /* The order sort.js sorts by: a verdict's reading rank (board.h). */
    tmpl_set_int(row, "DECISION_RANK",
                 (long)(v ? v->decision : r->an.diag.decision));
    if (info->cmp && info->cmp->baseline != SIZE_MAX &&
        &info->set->runs[info->cmp->baseline] == r) {
        tmpl_show(row, "IS_BASELINE");
        tmpl_set(row, "DELTA_SORT", "0");
    } else if (v && !isnan(v->delta)) {
        set_delta(tmpl_add(row, "DELTA"), v->delta);
        tmpl_set_num(row, "DELTA_SORT", v->delta);
    } else {
        tmpl_set(row, "DELTA_SORT", "");
    }

    if (r->an.best.found)
        set_best(tmpl_add(row, "HAS_BEST"), &r->an.best);
    else
        tmpl_show(row, "NO_BEST");

    if (r->an.diag.n) {
        struct tmpl_dict *main_finding = tmpl_add(row, "MAIN_FINDING");

        tmpl_set(main_finding, "CODE", diag_code_name(r->an.diag.f[0].code));
        if (r->an.diag.f[0].borderline)
            tmpl_show(main_finding, "BORDERLINE");
        if (r->an.diag.n > 1)
            tmpl_set_int(tmpl_add(main_finding, "MORE_FINDINGS"), "N_MORE",
                         (long)(r->an.diag.n - 1));
        set_decision(tmpl_add(row, "DECISION"), info, r);
        set_long_text(row, "ACTION", or_default(record(info, r).action, ""));
    } else {
        tmpl_show(row, "NO_FINDING");
    }
    return row;
}

/* DELTA_TEXT: a signed difference to the baseline ("+0.012", "-0.3"). */
static void set_delta(struct tmpl_dict *d, double delta)
{
    char num[FMT_NUM_SIZE];
    char *text = xasprintf("%s%s", delta > 0 ? "+" : "",
                           fmt_num(num, sizeof(num), delta));

    tmpl_set(d, "DELTA_TEXT", text);
    free(text);
}

/*
 * The leaderboard of the report: the verdicts in reading order and the
 * headline (board.h). Without a comparison (a page rendered alone), the
 * order is the set's and there is no headline: *b is left empty.
 */
static bool get_board(struct board *b, const struct run_set *set,
                      const struct report_info *info)
{
    memset(b, 0, sizeof(*b));
    if (!info->cmp || !info->cmp->v || info->set != set)
        return false;
    board_build(b, set, info->cmp, info->rule);
    return true;
}

/* HEADLINE, and KEPT with a link to the kept run's page. */
static void set_headline(struct tmpl_dict *d, const struct board *b,
                         const struct report_info *info)
{
    char *text = board_headline(b, info->set, info->cmp, info->rule);
    struct tmpl_dict *h = tmpl_add(d, "HEADLINE");

    tmpl_set(h, "HEADLINE_TEXT", text);
    free(text);
    if (b->kept != SIZE_MAX) {
        char *href = run_href(info, &info->set->runs[b->kept], false);

        tmpl_set(tmpl_add(h, "KEPT"), "KEPT_HREF", href);
        free(href);
    }
}

/*
 * EARLY_STOP_TOTAL: early stopping replayed over the report's runs
 * (replay.h), the sentence summary.md and summary.json also carry.
 */
static void set_replay_total(struct tmpl_dict *d, const struct run_set *set,
                             const struct report_info *info)
{
    struct replay_total t;
    char *text;

    struct tmpl_dict *e;

    replay_total(set, info->rule, &t);
    if (!(text = replay_total_sentence(&t, set, info->rule)))
        return;
    e = tmpl_add(d, "EARLY_STOP_TOTAL");
    tmpl_set(e, "TEXT", text);
    /* The one-file report says how it is replayed once, not per run. */
    if (info->links == HTML_LINKS_IN_PAGE)
        tmpl_set(tmpl_add(e, "REPLAY_DEF"), "DEFINITION", replay_definition());
    free(text);
}

/* The most changes since the last report the index lists one by one. */
#define HTML_CHANGES_MAX 50

/*
 * CHANGES: what changed since the last report written to the site
 * (changes.h): its sentence alone (NO_LIST) when nothing did, else LIST:
 * the sentence over one CHANGE per change, folded, at most
 * HTML_CHANGES_MAX, and MORE_CHANGES counting the rest.
 */
static void set_changes(struct tmpl_dict *d, const struct report_info *info)
{
    const struct changes *ch = info->changes;
    struct tmpl_dict *c, *list;
    char *text;

    if (!ch || !(text = changes_sentence(ch)))
        return;
    c = tmpl_add(d, "CHANGES");
    if (!ch->n) {
        tmpl_set(tmpl_add(c, "NO_LIST"), "TEXT", text);
        free(text);
        return;
    }
    list = tmpl_add(c, "LIST");
    tmpl_set(list, "TEXT", text);
    free(text);
    for (size_t i = 0; i < ch->n && i < HTML_CHANGES_MAX; i++) {
        char *line = change_line(&ch->c[i], info->rule->metric);

        tmpl_set(tmpl_add(list, "CHANGE"), "LINE", line);
        free(line);
    }
    if (ch->n > HTML_CHANGES_MAX)
        tmpl_set_int(tmpl_add(list, "MORE_CHANGES"), "N_MORE",
                     (long)(ch->n - HTML_CHANGES_MAX));
}

/*
 * EARLY_STOP: what early stopping would have done to r, one STOP per
 * patience (replay.h), under how it is replayed.
 */
static void set_replay(struct tmpl_dict *d, const struct run *r,
                       const struct report_info *info)
{
    const struct replay *rp = &r->an.replay;
    struct tmpl_dict *e;

    if (!rp->done || !r->an.rule.metric)
        return;
    e = tmpl_add(d, "EARLY_STOP");
    tmpl_set(e, "METRIC", r->an.rule.metric);
    if (info->links != HTML_LINKS_IN_PAGE)
        tmpl_set(tmpl_add(e, "REPLAY_DEF"), "DEFINITION", replay_definition());
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++) {
        char *text =
            replay_sentence(rp, &rp->stop[p], r->an.rule.metric, r->read.xname);

        tmpl_set(tmpl_add(e, "STOP"), "TEXT", text);
        free(text);
    }
}

/*
 * The settings that vary across the runs (sweep.h), for a leaderboard of
 * set: NULL when the page is rendered without the comparison of set, or
 * when no setting varies.
 */
static const struct sweep *sweep_of(const struct run_set *set,
                                    const struct report_info *info)
{
    if (!info->cmp || info->set != set || !info->cmp->sweep.nkeys ||
        info->cmp->sweep.nruns != set->n)
        return NULL;
    return &info->cmp->sweep;
}

/*
 * Sections `section` of d holding key in pieces (PIECE), each ending
 * after a ".", "_", "-" or "/", where the template lets a line break: a
 * long dotted key ("optimizer.weight_decay") then wraps at its dots
 * instead of widening its column or breaking mid-word.
 */
static void set_key_pieces(struct tmpl_dict *d, const char *section,
                           const char *key)
{
    struct tmpl_dict *sec = tmpl_add(d, section);
    size_t from = 0, n = strlen(key);

    for (size_t i = 0; i + 1 < n; i++) {
        char *piece;

        if (!strchr("._-/", key[i]))
            continue;
        piece = xstrndup(key + from, i + 1 - from);
        tmpl_set(tmpl_add(sec, "PIECE"), "TEXT", piece);
        free(piece);
        from = i + 1;
    }
    tmpl_set(tmpl_add(sec, "PIECE"), "TEXT", key + from);
}

/* One HP_HEAD per varying setting shown, in table (a leaderboard). */
static void set_settings_head(struct tmpl_dict *table, const struct sweep *sw)
{
    for (size_t k = 0; sw && k < sw->nkeys; k++)
        set_key_pieces(table, "HP_HEAD", sw->keys[k].key);
}

/*
 * How much of a setting's value a table cell shows; a longer one is cut
 * there, with the whole value in the cell's title.
 */
#define SETTING_CELL_MAX 24

/* A setting's value: WHOLE's TEXT, or CUT's SHORT and FULL when long. */
static void set_setting_value(struct tmpl_dict *d, const char *val)
{
    size_t cut = utf8_cut(val, SETTING_CELL_MAX);

    if (val[cut]) {
        struct tmpl_dict *c = tmpl_add(d, "CUT");
        char *short_text = xstrndup(val, cut);

        tmpl_set(c, "FULL", val);
        tmpl_set(c, "SHORT", short_text);
        free(short_text);
    } else {
        tmpl_set(tmpl_add(d, "WHOLE"), "TEXT", val);
    }
}

/*
 * One HP_CELL per varying setting shown, for run i: the value as the
 * run's config wrote it (empty when the run does not set it), CELL_CLASS
 * "num" when the setting is a number, and SORT_VALUE, what the script
 * that sorts a table by a column compares (the number, else the text).
 */
static void set_settings_cells(struct tmpl_dict *row, const struct sweep *sw,
                               size_t i)
{
    for (size_t k = 0; sw && k < sw->nkeys; k++) {
        const struct sweep_key *key = &sw->keys[k];
        struct tmpl_dict *cell = tmpl_add(row, "HP_CELL");
        const char *val = key->value[i];

        tmpl_set(cell, "KEY", key->key);
        tmpl_set(cell, "CELL_CLASS", key->numeric ? "num" : "");
        if (!val) {
            tmpl_set(cell, "SORT_VALUE", "");
            continue;
        }
        if (key->numeric)
            tmpl_set_num(cell, "SORT_VALUE", key->num[i]);
        else
            tmpl_set(cell, "SORT_VALUE", val);
        set_setting_value(cell, val);
    }
}

/*
 * The varying settings of run i under its name on the index (HP_LIST,
 * with an HP_ITEM of KEY and the value per setting the run sets): the
 * index's table has no room left for a column per setting at 1280 px;
 * the comparison page's leaderboard has one, and sorts by it.
 */
static void set_settings_list(struct tmpl_dict *row, const struct sweep *sw,
                              size_t i)
{
    struct tmpl_dict *list;

    if (!sw)
        return;
    list = tmpl_add(row, "HP_LIST");
    for (size_t k = 0; k < sw->nkeys; k++) {
        struct tmpl_dict *item;

        if (!sw->keys[k].value[i])
            continue;
        item = tmpl_add(list, "HP_ITEM");
        tmpl_set(item, "KEY", sw->keys[k].key);
        set_setting_value(item, sw->keys[k].value[i]);
    }
}

/* The most names of settings not shown that a page lists. */
#define SETTINGS_MORE_NAMED 10

/* HP_MORE: how many more settings vary than the columns show, and which. */
static void set_settings_more(struct tmpl_dict *d, const struct sweep *sw)
{
    struct strbuf names = STRBUF_INIT;
    struct tmpl_dict *sec;

    if (!sw || !sw->nmore)
        return;
    for (size_t k = 0; k < sw->nmore && k < SETTINGS_MORE_NAMED; k++)
        strbuf_addf(&names, "%s%s", k ? ", " : "", sw->more[k]);
    if (sw->nmore > SETTINGS_MORE_NAMED)
        strbuf_addf(&names, " and %zu others", sw->nmore - SETTINGS_MORE_NAMED);
    sec = tmpl_add(d, "HP_MORE");
    tmpl_set_int(sec, "N_MORE", (long)sw->nmore);
    tmpl_set(sec, "VERB", sw->nmore == 1 ? "setting varies" : "settings vary");
    tmpl_set(sec, "MORE_KEYS", names.buf);
    strbuf_release(&names);
}

int html_index(const struct run_set *set, const struct report_info *info,
               struct strbuf *out)
{
    struct tmpl_dict *d = tmpl_dict_new("index");
    struct tmpl_dict *ok_table = NULL, *nc_table = NULL, *skipped = NULL;
    size_t n_ok = 0, n_nc = 0, n_skipped = 0;
    struct board board;
    bool have_board = get_board(&board, set, info);
    const struct sweep *sweep = sweep_of(set, info);
    int ret;

    set_report(d, info, false);
    set_frame(d, info, ANCHOR_INDEX, false);
    if (info->cmp)
        set_text_section(d, "VERDICT_RULE", info->cmp->rule_text);
    if (info->links == HTML_LINKS_IN_PAGE && info->common_note) {
        struct tmpl_dict *n = tmpl_add(d, "COMMON_NOTE");

        tmpl_set(n, "NOTE_ID", ANCHOR_COMMON_NOTE);
        tmpl_set_int(n, "N", (long)info->ncommon_note);
        tmpl_set(n, "TEXT", info->common_note);
    }
    if (have_board)
        set_headline(d, &board, info);
    if (have_board)
        set_changes(d, info);
    if (have_board)
        set_replay_total(d, set, info);

    /*
     * One pass in leaderboard order (board.h: keep first, best first
     * under the rule), or in set order when there is no comparison. A
     * table's section is added on its first run: an empty table is left
     * out of the page.
     */
    for (size_t k = 0; k < set->n; k++) {
        size_t i = have_board ? board.order[k] : k;
        const struct run *r = &set->runs[i];
        struct tmpl_dict *row;

        switch (r->status) {
        case RUN_OK:
            if (!ok_table) {
                ok_table = tmpl_add(d, "OK_TABLE");
                if (info->cmp && info->cmp->baseline != SIZE_MAX)
                    tmpl_show(ok_table, "BASELINE_COL");
            }
            row = add_ok_row(ok_table, r, info);
            set_settings_list(row, sweep, i);
            if (have_board && i == board.kept)
                tmpl_show(row, "IS_KEPT");
            n_ok++;
            break;
        case RUN_NOT_COMPARABLE:
            if (!nc_table)
                nc_table = tmpl_add(d, "NC_TABLE");
            row = tmpl_add(nc_table, "NC_RUN");
            set_run_link(row, info, r);
            set_long_text(row, "REASON", or_default(r->reason, "unknown"));
            set_decision(tmpl_add(row, "DECISION"), info, r);
            set_long_text(row, "ACTION",
                          or_default(record(info, r).action, ""));
            n_nc++;
            break;
        case RUN_SKIPPED:
            /* No link: a skipped run has no page. */
            if (!skipped)
                skipped = tmpl_add(d, "SKIPPED_TABLE");
            row = tmpl_add(skipped, "SKIPPED_RUN");
            tmpl_set(row, "RUN_NAME", r->name);
            set_long_text(row, "REASON", or_default(r->reason, "unknown"));
            n_skipped++;
            break;
        }
    }
    if (!n_ok)
        tmpl_show(d, "NO_OK_RUNS");
    else
        set_settings_more(ok_table, sweep);

    tmpl_set_int(d, "N_RUNS", (long)set->n);
    tmpl_set(d, "RUNS_NOUN", set->n == 1 ? "run" : "runs");
    tmpl_set_int(d, "N_OK", (long)n_ok);
    tmpl_set_int(d, "N_NOT_COMPARABLE", (long)n_nc);
    tmpl_set_int(d, "N_SKIPPED", (long)n_skipped);

    ret = render(info, "index.tpl", d, out);
    tmpl_dict_free(d);
    if (have_board)
        board_release(&board);
    return ret;
}

/*
 * The decision record: the decision, the visible symptom, every finding
 * in rank order (the main one first, as diag_run() stores them), what to
 * check first, the one change to try and how to tell that it worked.
 */
static void set_diagnosis(struct tmpl_dict *d, const struct report_info *info,
                          const struct run *r)
{
    const struct diagnosis *diag = &r->an.diag;
    struct tmpl_dict *rec;

    if (!diag->n) {
        tmpl_show(d, "NO_DIAGNOSIS");
        return;
    }
    rec = tmpl_add(d, "DIAGNOSIS");
    set_decision(rec, info, r);
    set_text_section(rec, "SYMPTOM", diag->symptom);
    for (size_t i = 0; i < diag->n; i++) {
        struct tmpl_dict *f = tmpl_add(rec, "FINDING");

        tmpl_set(f, "CODE", diag_code_name(diag->f[i].code));
        tmpl_set(f, "EVIDENCE", or_default(diag->f[i].evidence, ""));
        if (diag->f[i].borderline) {
            struct tmpl_dict *b = tmpl_add(f, "BORDERLINE");

            tmpl_set(b, "THRESHOLD", diag->f[i].margin_of);
            tmpl_set_num(b, "PCT", round(diag->f[i].margin * 1000) / 10);
        }
        if (!i)
            tmpl_show(f, "MAIN");
    }
    set_text_section(rec, "FIRST_CHECK", record(info, r).first_check);
    set_text_section(rec, "ACTION", record(info, r).action);
    set_text_section(rec, "SUCCESS", record(info, r).success);
    /* In the one-file report, a note most runs share is said once. */
    if (info->links == HTML_LINKS_IN_PAGE && info->common_note && diag->note &&
        !strcmp(diag->note, info->common_note))
        tmpl_set(tmpl_add(rec, "COMMON_NOTE"), "NOTE_HREF",
                 "#" ANCHOR_COMMON_NOTE);
    else
        set_text_section(rec, "DIAG_NOTE", diag->note);
}

/* The columns past the chart limit, summarised in one table. */
static void set_folded(struct tmpl_dict *d, const struct run_drawn *drawn)
{
    struct tmpl_dict *sec;

    if (!drawn->nfolded)
        return;
    sec = tmpl_add(d, "FOLDED");
    tmpl_set_int(sec, "N_FOLDED", (long)drawn->nfolded);
    tmpl_set_int(sec, "MAX_CHARTS", CHARTS_MAX_PER_RUN);
    for (size_t i = 0; i < drawn->nfolded; i++) {
        const struct folded_column *f = &drawn->folded[i];
        struct tmpl_dict *row = tmpl_add(sec, "FOLDED_COLUMN");

        tmpl_set(row, "NAME", f->name);
        tmpl_set_int(row, "N", (long)f->n);
        set_num_or_dash(row, "MIN", f->min);
        set_num_or_dash(row, "MAX", f->max);
        if (f->n)
            tmpl_set_num(row, "LAST", f->last);
        else
            tmpl_set(row, "LAST", "\xe2\x80\x93");
    }
}

/*
 * An SVG document as it goes into a page: from its <svg> element on (the
 * XML declaration and doctype are for standalone files only). Without it,
 * a page of the site shows the file as an <img>; a section of the one-file
 * report has no file beside it to show, and fails.
 */
static int set_inline_svg(struct tmpl_dict *d, const struct report_info *info,
                          const struct strbuf *svg, const char *file)
{
    const char *start = svg ? strstr(svg->buf, "<svg") : NULL;

    if (start && info->links == HTML_LINKS_IN_PAGE) {
        /* The one-file report holds plot_style() in its head. */
        struct strbuf inl = STRBUF_INIT;

        plot_svg_inline(start, &inl);
        tmpl_set(tmpl_add(d, "SVG"), "SVG_TEXT", inl.buf);
        strbuf_release(&inl);
    } else if (start) {
        tmpl_set(tmpl_add(d, "SVG"), "SVG_TEXT", start);
    } else if (info->links == HTML_LINKS_IN_PAGE) {
        return error("%s: no SVG to put in the one-file report", file);
    } else {
        tmpl_show(d, "IMG");
    }
    return 0;
}

/* "2 more charts (accuracy, lr) are ...": the charts left out. */
static void set_more_charts(struct tmpl_dict *d, const struct run_drawn *drawn,
                            size_t kept)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = drawn->ncharts - 1;

    strbuf_addf(&sb, "%zu more chart%s (", n, n == 1 ? "" : "s");
    for (size_t i = 0, k = 0; i < drawn->ncharts; i++)
        if (i != kept)
            strbuf_addf(&sb, "%s%s", k++ ? ", " : "", drawn->charts[i].title);
    strbuf_addf(&sb,
                ") %s drawn on the run's own page of the site, not in "
                "this one-file report",
                n == 1 ? "is" : "are");
    tmpl_set(tmpl_add(d, "MORE_CHARTS"), "TEXT", sb.buf);
    strbuf_release(&sb);
}

static int set_charts(struct tmpl_dict *d, const struct run *r,
                      const struct report_info *info)
{
    struct strbuf alt = STRBUF_INIT;
    bool one_file = info->links == HTML_LINKS_IN_PAGE;
    size_t kept = charts_main(&r->drawn), nminor = 0;
    struct tmpl_dict *minor = NULL;
    int ret = 0;

    set_folded(d, &r->drawn);
    if (!r->drawn.ncharts) {
        tmpl_show(d, "NO_CHARTS");
        return 0;
    }
    if (one_file && r->drawn.ncharts > 1)
        set_more_charts(d, &r->drawn, kept);
    for (size_t i = 0; i < r->drawn.ncharts; i++) {
        const struct chart_ref *c = &r->drawn.charts[i];
        struct tmpl_dict *chart;

        if (one_file && i != kept)
            continue;
        /* Counters, clocks and constants go in a folded section. */
        if (c->minor && !one_file) {
            if (!minor)
                minor = tmpl_add(d, "MINOR_CHARTS");
            chart = tmpl_add(minor, "MINOR_CHART");
            nminor++;
        } else {
            chart = tmpl_add(d, "CHART");
        }

        /* The file sits beside the page: a bare file name is the URL. */
        tmpl_set(chart, "FILE", c->file);
        tmpl_set(chart, "TITLE", c->title);
        strbuf_reset(&alt);
        strbuf_addf(&alt, "%s chart of run %s", c->title, r->name);
        tmpl_set(chart, "ALT", alt.buf);
        if (set_inline_svg(chart, info,
                           info->chart_svgs ? &info->chart_svgs[i] : NULL,
                           c->file))
            ret = -1;
    }
    if (minor)
        tmpl_set_int(minor, "N_MINOR", (long)nminor);
    strbuf_release(&alt);
    return ret;
}

/*
 * The config table, or why there is none. A config that failed to parse
 * is told apart from a missing one: the reader wants to know that the
 * settings exist but could not be shown, and where the parser stopped.
 */
static void set_config(struct tmpl_dict *d, const struct run *r, bool one_file)
{
    const struct config *cfg = &r->read.config;
    struct tmpl_dict *sec, *table;

    if (r->read.config_error) {
        tmpl_set(tmpl_add(d, "CONFIG_ERROR"), "ERROR", r->read.config_error);
        return;
    }
    if (!cfg->path) {
        tmpl_show(d, "NO_CONFIG");
        return;
    }
    sec = tmpl_add(d, "CONFIG");
    tmpl_set(sec, "CONFIG_PATH", cfg->path);
    if (!cfg->n) {
        tmpl_show(sec, "CONFIG_EMPTY");
        return;
    }
    /*
     * File order, as config.c flattened it: the way the user wrote it. A
     * section of the one-file report has it on one line, not a table with
     * its header once per run.
     */
    table = tmpl_add(sec, one_file ? "CONFIG_LINE" : "CONFIG_TABLE");
    for (size_t i = 0; i < cfg->n; i++) {
        struct tmpl_dict *e = tmpl_add(table, "ENTRY");

        tmpl_set(e, "KEY", cfg->e[i].key);
        tmpl_set(e, "VALUE", cfg->e[i].value);
    }
}

/*
 * The run against the baseline: its delta, the config keys it changed
 * (with a warning when more than one changed: the effect cannot be
 * attributed), its seed group, and its slice regressions.
 */
static void set_comparison(struct tmpl_dict *d, const struct report_info *info,
                           const struct run *r)
{
    const struct verdict *v = verdict_of(info, r);
    const struct comparison *cmp = info->cmp;
    struct tmpl_dict *c;

    if (!v || !cmp || cmp->baseline == SIZE_MAX)
        return;
    c = tmpl_add(d, "VS_BASELINE");
    tmpl_set(c, "BASELINE_NAME", info->set->runs[cmp->baseline].name);
    {
        char *href = run_href(info, &info->set->runs[cmp->baseline], true);

        tmpl_set(c, "BASELINE_HREF", href);
        free(href);
    }
    if (&info->set->runs[cmp->baseline] == r) {
        tmpl_show(c, "THIS_IS_BASELINE");
        return;
    }
    if (!isnan(v->delta))
        set_delta(tmpl_add(c, "DELTA"), v->delta);
    if (!v->settings_compared) {
        /* "No setting but the seed" would claim a comparison not made. */
        tmpl_set(tmpl_add(c, "NOT_COMPARED"), "WHOSE",
                 r->read.config.path ? "the baseline" : "this run");
    } else if (v->nchanged) {
        struct tmpl_dict *ch = tmpl_add(c, "CHANGED");

        for (size_t i = 0; i < v->nchanged; i++)
            tmpl_set(tmpl_add(ch, "KEY"), "KEY_NAME", v->changed[i]);
        if (v->nchanged > 1)
            tmpl_set_int(tmpl_add(ch, "MANY"), "N_CHANGED", (long)v->nchanged);
    } else {
        tmpl_show(c, "NO_CHANGE");
    }
    if (v->group)
        tmpl_set(tmpl_add(c, "GROUP"), "GROUP_NAME", v->group);
    for (size_t i = 0; i < v->nregress; i++)
        tmpl_set(tmpl_add(c, "REGRESSION"), "TEXT", v->regress_evidence[i]);
}

/*
 * Where the series came from: the format, how x is counted, what the
 * reader noted, and each column's name in the log where reportgen reads
 * it under another (so a reader can find it in their own files).
 */
static void set_source(struct tmpl_dict *d, const struct run *r,
                       const struct report_info *info)
{
    bool renamed = false;

    tmpl_set(d, "FORMAT",
             r->read.format_label ? r->read.format_label
             : r->format          ? r->format->label
                                  : "unknown");
    if (r->read.xbase == 0 || r->read.xbase == 1) {
        struct tmpl_dict *b = tmpl_add(d, "XBASE");

        tmpl_set_int(b, "BASE", r->read.xbase);
    }
    for (size_t i = 0; i < r->read.nnotes; i++)
        tmpl_set(tmpl_add(d, "NOTE"), "TEXT", r->read.notes[i]);
    for (size_t i = 0; i < r->read.ncolumns; i++)
        renamed |= r->read.columns[i].orig != NULL;
    /*
     * A section of the one-file report lists the columns in one line
     * when the log names every one as reportgen does: a table of "same"
     * would say nothing more, once per run.
     */
    if (r->read.ncolumns && !renamed && info->links == HTML_LINKS_IN_PAGE) {
        struct strbuf list = STRBUF_INIT;

        for (size_t i = 0; i < r->read.ncolumns; i++)
            strbuf_addf(&list, "%s%s", i ? ", " : "", r->read.columns[i].name);
        tmpl_set(tmpl_add(d, "COLUMN_LIST"), "LIST", list.buf);
        strbuf_release(&list);
    } else if (r->read.ncolumns) {
        struct tmpl_dict *t = tmpl_add(d, "COLUMNS");

        for (size_t i = 0; i < r->read.ncolumns; i++) {
            struct tmpl_dict *c = tmpl_add(t, "COLUMN");

            tmpl_set(c, "NAME", r->read.columns[i].name);
            if (r->read.columns[i].orig)
                tmpl_set(tmpl_add(c, "ORIG"), "ORIG_NAME",
                         r->read.columns[i].orig);
            else
                tmpl_show(c, "SAME");
        }
    }
}

int html_run(const struct run *r, const struct report_info *info,
             struct strbuf *out)
{
    struct tmpl_dict *d;
    int ret;

    if (r->status == RUN_SKIPPED)
        return error("run '%s' was skipped and has no page", r->name);

    d = tmpl_dict_new("run");
    set_report(d, info, true);
    {
        char *id = xasprintf(ANCHOR_RUN "%s", r->slug);

        set_frame(d, info, id, true);
        free(id);
    }
    /*
     * The run's own rule, when it was judged by another metric. The
     * one-file report says the report's rule once, at the top, and a
     * run's only when it is another.
     */
    if (r->an.rule.metric)
        set_rule(d, &r->an.rule);
    if (info->links != HTML_LINKS_IN_PAGE ||
        (r->an.rule.metric && (strcmp(r->an.rule.metric, info->rule->metric) ||
                               r->an.rule.maximize != info->rule->maximize)))
        tmpl_show(d, "RUN_RULE");
    tmpl_set(d, "RUN_NAME", r->name);
    tmpl_set(d, "XNAME", or_default(r->read.xname, "x"));
    if (r->status == RUN_NOT_COMPARABLE)
        tmpl_set(tmpl_add(d, "NOT_COMPARABLE"), "REASON",
                 or_default(r->reason, "unknown"));

    if (r->an.best.found)
        set_best(tmpl_add(d, "BEST"), &r->an.best);
    else
        tmpl_show(d, "NO_BEST");
    set_diagnosis(d, info, r);
    set_replay(d, r, info);
    set_comparison(d, info, r);
    ret = set_charts(d, r, info);
    set_config(d, r, info->links == HTML_LINKS_IN_PAGE);

    tmpl_set_int(d, "NROWS", (long)r->read.nrows);
    tmpl_set(d, "METRICS_PATH", or_default(r->metrics_path, "unknown"));
    set_source(d, r, info);

    if (!ret)
        ret = render(info, "run.tpl", d, out);
    tmpl_dict_free(d);
    return ret;
}

/* A number cell that may be missing (NaN shows as a dash). */
static void set_num_or_dash(struct tmpl_dict *d, const char *key, double v)
{
    if (isnan(v))
        tmpl_set(d, key, "\xe2\x80\x93");
    else
        tmpl_set_num(d, key, v);
}

/*
 * SWEEP: a chart per varying setting of the rule's metric at each run's
 * best checkpoint (SWEEP_CHART: FILE, ALT, the SVG inline or an IMG, and
 * CAPTION, which counts the runs drawn and those left out, and why).
 */
static int set_sweep_charts(struct tmpl_dict *d, const struct report_info *info)
{
    struct strbuf text = STRBUF_INIT;
    struct tmpl_dict *sec;
    int ret = 0;

    if (!info->nsweep_charts)
        return 0;
    sec = tmpl_add(d, "SWEEP");
    /* Folded on a narrow screen (style.css): "The 3 charts, by lr, ...". */
    tmpl_set_int(sec, "N_CHARTS", (long)info->nsweep_charts);
    if (info->nsweep_charts > 1)
        tmpl_show(sec, "PLURAL");
    for (size_t k = 0; k < info->nsweep_charts; k++)
        strbuf_addf(&text, "%s%s", k ? ", " : "", info->sweep_charts[k].key);
    tmpl_set(sec, "KEYS", text.buf);
    for (size_t k = 0; k < info->nsweep_charts; k++) {
        const struct sweep_chart *ch = &info->sweep_charts[k];
        struct tmpl_dict *c = tmpl_add(sec, "SWEEP_CHART");

        tmpl_set(c, "FILE", ch->file);
        strbuf_reset(&text);
        strbuf_addf(&text, "Best %s of each run against %s", info->rule->metric,
                    ch->key);
        tmpl_set(c, "ALT", text.buf);
        strbuf_reset(&text);
        strbuf_addf(&text, "%zu run%s, each at its best checkpoint", ch->nshown,
                    ch->nshown == 1 ? "" : "s");
        if (ch->nno_best || ch->nunset) {
            strbuf_addstr(&text, "; left out: ");
            if (ch->nno_best)
                strbuf_addf(&text, "%zu with no best %s", ch->nno_best,
                            info->rule->metric);
            if (ch->nno_best && ch->nunset)
                strbuf_addstr(&text, ", ");
            if (ch->nunset)
                strbuf_addf(&text, "%zu that do%s not set %s", ch->nunset,
                            ch->nunset == 1 ? "es" : "", ch->key);
        }
        strbuf_addch(&text, '.');
        tmpl_set(c, "CAPTION", text.buf);
        if (set_inline_svg(c, info, &ch->svg, ch->file))
            ret = -1;
    }
    strbuf_release(&text);
    return ret;
}

int html_compare(const struct run_set *set, const struct report_info *info,
                 const char *overlay, struct strbuf *out)
{
    const struct comparison *cmp = info->cmp;
    const struct rules *rules = info->rules;
    struct tmpl_dict *d = tmpl_dict_new("compare");
    struct board lb;
    bool have_board = get_board(&lb, set, info);
    /*
     * The one-file report lists the runs once, in the index section's
     * table, in the same order: its comparison section shows its own
     * leaderboard only for the slices' columns, which that table lacks.
     * (The rows are still filled, into a dictionary not rendered: they
     * also collect the keys of the config diff.)
     */
    bool board_above =
        info->links == HTML_LINKS_IN_PAGE && have_board && !rules->nslices;
    struct tmpl_dict *spare = board_above ? tmpl_dict_new("board") : NULL;
    struct tmpl_dict *board = spare ? spare : tmpl_add(d, "BOARD");
    const struct sweep *sweep = sweep_of(set, info);
    char **keys = NULL;
    size_t nkeys = 0, keys_alloc = 0;
    int ret = 0;

    set_report(d, info, false);
    set_frame(d, info, ANCHOR_COMPARE, false);
    if (board_above)
        tmpl_show(d, "BOARD_ABOVE");
    if (have_board)
        set_headline(d, &lb, info);
    if (have_board)
        set_replay_total(d, set, info);
    if (cmp->baseline != SIZE_MAX)
        tmpl_set(tmpl_add(d, "HAS_BASELINE"), "BASELINE_NAME",
                 set->runs[cmp->baseline].name);
    else
        tmpl_set(tmpl_add(d, "NO_BASELINE"), "VERDICT_RULE",
                 or_default(cmp->rule_text, ""));
    ret = set_sweep_charts(d, info);
    if (overlay) {
        struct tmpl_dict *o = tmpl_add(d, "OVERLAY");

        tmpl_set(o, "OVERLAY_FILE", overlay);
        tmpl_set(o, "OVERLAY_ALT",
                 cmp->baseline != SIZE_MAX
                     ? "Held-out curves of the baseline and the leading runs"
                     : "Held-out curves of the leading runs");
        if (set_inline_svg(o, info, info->overlay_svg, overlay))
            ret = -1;
    }

    if (cmp->baseline != SIZE_MAX)
        tmpl_show(board, "BASELINE_COL");
    set_settings_head(board, sweep);
    set_settings_more(board, sweep);
    for (size_t k = 0; k < rules->nslices; k++) {
        struct tmpl_dict *h = tmpl_add(board, "SLICE_HEAD");

        tmpl_set(h, "SLICE", rules->slices[k].column);
        tmpl_set_num(h, "MAX_DROP", rules->slices[k].max_drop);
    }

    /*
     * The leaderboard in reading order (keep first, then best first
     * under the rule), with the slices at the best checkpoint.
     */
    for (size_t k = 0; k < set->n; k++) {
        size_t i = have_board ? lb.order[k] : cmp->order[k];
        const struct run *r = &set->runs[i];
        const struct verdict *v = &cmp->v[i];
        struct tmpl_dict *row = tmpl_add(board, "ROW");

        tmpl_set_int(row, "RANK", (long)(k + 1));
        if (have_board && i == lb.kept)
            tmpl_show(row, "IS_KEPT");
        tmpl_set(row, "RUN_NAME", r->name);
        if (r->status != RUN_SKIPPED) {
            char *href = run_href(info, r, false);

            tmpl_set(tmpl_add(row, "LINK"), "RUN_HREF", href);
            free(href);
        } else {
            tmpl_show(row, "NO_LINK");
        }
        if (i == cmp->baseline)
            tmpl_show(row, "IS_BASELINE");
        set_num_or_dash(row, "BEST_VALUE",
                        r->an.best.found ? r->an.best.value : NAN);
        /*
         * A run judged by its own metric shows its best on that metric,
         * named, and sorts with the runs that have none under the rule.
         */
        if (r->an.best.found && r->status == RUN_OK)
            tmpl_set_num(row, "BEST_SORT", r->an.best.value);
        else
            tmpl_set(row, "BEST_SORT", "");
        /* The reading order of board.h: keep, tune, rollback, investigate. */
        tmpl_set_int(row, "DECISION_RANK", (long)v->decision);
        if (r->an.best.found) {
            struct tmpl_dict *at = tmpl_add(row, "AT");

            tmpl_set_num(at, "BEST_X", r->an.best.x);
            if (r->status != RUN_OK && r->an.rule.metric)
                tmpl_set(tmpl_add(at, "OWN_METRIC"), "METRIC",
                         r->an.rule.metric);
        }
        tmpl_set(row, "XNAME", or_default(r->read.xname, "x"));
        /* No empty "vs baseline" column without a baseline. */
        if (cmp->baseline != SIZE_MAX)
            tmpl_show(row, "BASELINE_COL");
        if (i != cmp->baseline && !isnan(v->delta))
            set_delta(tmpl_add(row, "DELTA"), v->delta);
        tmpl_set(row, "DECISION_NAME", decision_name(v->decision));
        set_long_text(row, "WHY", or_default(v->why, ""));
        /*
         * The one-file report has the next action once in its index
         * table, beside each run's name, and in the run's section.
         */
        if (v->action && info->links != HTML_LINKS_IN_PAGE)
            tmpl_set(tmpl_add(row, "NEXT"), "ACTION", v->action);
        for (size_t s_i = 0; s_i < rules->nslices; s_i++) {
            struct tmpl_dict *cell = tmpl_add(row, "SLICE_CELL");
            double val = s_i < r->an.nslices ? r->an.slice_at_best[s_i] : NAN;
            bool regressed = false;

            for (size_t q = 0; q < v->nregress; q++)
                if (!strcmp(v->regress[q], rules->slices[s_i].column))
                    regressed = true;
            set_num_or_dash(cell, "VALUE", val);
            tmpl_set(cell, "SLICE", rules->slices[s_i].column);
            tmpl_set(cell, "CELL_CLASS", regressed ? "regressed" : "");
        }
        set_settings_cells(row, sweep, i);
        for (size_t q = 0; q < v->nchanged; q++) {
            bool seen = false;

            for (size_t j = 0; j < nkeys; j++)
                if (!strcmp(keys[j], v->changed[q]))
                    seen = true;
            if (!seen) {
                ALLOC_GROW(keys, nkeys + 1, keys_alloc);
                keys[nkeys++] = v->changed[q];
            }
        }
    }

    /*
     * The config diff: each run that changed a setting, with what it
     * changed and the baseline's value, in leaderboard order. A list per
     * run rather than a column per key: a sweep over many settings would
     * make a table many screens wide.
     */
    if (nkeys && cmp->baseline != SIZE_MAX) {
        const struct run *base = &set->runs[cmp->baseline];
        struct tmpl_dict *diff = tmpl_add(d, "DIFF");

        for (size_t k = 0; k < set->n; k++) {
            size_t i = cmp->order[k];
            const struct run *r = &set->runs[i];
            const struct verdict *v = &cmp->v[i];
            struct tmpl_dict *row;

            if (r->status == RUN_SKIPPED || i == cmp->baseline || !v->nchanged)
                continue;
            row = tmpl_add(diff, "DIFF_ROW");
            tmpl_set(row, "RUN_NAME", r->name);
            if (v->nchanged > 1)
                tmpl_set_int(tmpl_add(row, "MANY"), "N_CHANGED",
                             (long)v->nchanged);
            for (size_t q = 0; q < v->nchanged; q++) {
                struct tmpl_dict *cell = tmpl_add(row, "DIFF_CELL");
                const char *val = config_get(&r->read.config, v->changed[q]);
                const char *was = config_get(&base->read.config, v->changed[q]);

                tmpl_set(cell, "KEY", v->changed[q]);
                tmpl_set(cell, "VALUE", val ? val : "(unset)");
                tmpl_set(tmpl_add(cell, "WAS"), "BASE_VALUE",
                         was ? was : "(unset)");
            }
        }
    }
    free(keys);

    for (size_t g = 0; g < cmp->ngroups; g++) {
        const struct seed_group *grp = &cmp->groups[g];
        struct tmpl_dict *row = tmpl_add(d, "GROUP");

        tmpl_set(row, "GROUP_NAME", grp->name);
        tmpl_set_int(row, "N", (long)grp->n);
        tmpl_set_num(row, "MEAN", grp->mean);
        tmpl_set_num(row, "SPREAD", grp->spread);
        for (size_t q = 0; q < grp->n; q++)
            tmpl_set(tmpl_add(row, "MEMBER"), "MEMBER_NAME",
                     set->runs[grp->members[q]].name);
    }

    if (!ret)
        ret = render(info, "compare.tpl", d, out);
    tmpl_dict_free(d);
    tmpl_dict_free(spare);
    if (have_board)
        board_release(&lb);
    return ret;
}
