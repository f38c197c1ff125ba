/*
 * summary.c - summary.json and summary.md, both from the run_set and the
 * comparison once every run has been judged.
 *
 * summary.md goes into code review, where run names and reasons (which
 * the user controls) could otherwise turn into links, images, emphasis,
 * table cells or raw HTML: md_escape() backslash-escapes the characters
 * that do so in GitHub-flavoured Markdown (\ ` * [ ] | ~, and _ unless
 * inside a word, where GFM leaves it alone) and spells out < > & as
 * entities, and nothing else, so the text reads as written.
 */
#include "summary.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "changes.h"
#include "json.h"
#include "replay.h"
#include "util.h"
#include "banned.h"

static const char *status_name(enum run_status s)
{
    switch (s) {
    case RUN_OK:
        return "ok";
    case RUN_SKIPPED:
        return "skipped";
    case RUN_NOT_COMPARABLE:
        return "not_comparable";
    }
    return "unknown";
}

/*
 * The numbers one finding's evidence quotes, as data (struct diag_num):
 * what each is, where in the log, and its value, so that a script can
 * find every one in the series.
 */
static void evidence_numbers(struct json *w, const struct finding *f)
{
    json_begin_array(w);
    for (size_t i = 0; i < f->nnums; i++) {
        const struct diag_num *e = &f->nums[i];

        json_begin_object(w);
        json_key(w, "kind");
        json_string(w, diag_num_kind_name(e->kind));
        if (diag_num_has_parts(e->kind)) {
            json_key(w, "of");
            json_begin_array(w);
            json_number(w, (double)e->a);
            json_number(w, (double)e->b);
            json_end_array(w);
        } else {
            json_key(w, "metric");
            json_string(w, e->metric);
        }
        if (!isnan(e->x)) {
            json_key(w, "x");
            json_number(w, e->x);
        }
        if (!isnan(e->x0)) {
            json_key(w, "from");
            json_number(w, e->x0);
            json_key(w, "to");
            json_number(w, e->x1);
        }
        if (e->window) {
            json_key(w, "window");
            json_number(w, (double)e->window);
        }
        json_key(w, "value");
        json_number(w, e->value);
        json_end_object(w);
    }
    json_end_array(w);
}

/* One patience of a run's replay (replay.h): its numbers and its words. */
static void replay_stop_json(struct json *w, const struct run *r,
                             const struct replay_stop *s)
{
    const struct replay *rp = &r->an.replay;
    char *text = replay_sentence(rp, s, r->an.rule.metric, r->read.xname);

    json_begin_object(w);
    json_key(w, "patience");
    json_number(w, (double)s->patience);
    json_key(w, "stopped");
    json_bool(w, s->stopped);
    json_key(w, "stop_epoch");
    json_number(w, s->stop_x);
    json_key(w, "kept_epoch");
    json_number(w, s->kept_x);
    json_key(w, "kept_value");
    json_number(w, s->kept_value);
    json_key(w, "loss");
    json_number(w, replay_loss(rp, s));
    json_key(w, "evaluations_after");
    json_number(w, (double)s->after);
    json_key(w, "longest_wait");
    json_number(w, (double)s->longest);
    json_key(w, "text");
    json_string(w, text);
    json_end_object(w);
    free(text);
}

/*
 * A run's early-stopping replay: what each patience would have done, on
 * the metric and x of "best", evaluations counted as replay.h says.
 */
static void replay_json(struct json *w, const struct run *r)
{
    const struct replay *rp = &r->an.replay;

    if (!rp->done || !r->an.rule.metric) {
        json_null(w);
        return;
    }
    json_begin_object(w);
    json_key(w, "metric");
    json_string(w, r->an.rule.metric);
    json_key(w, "evaluations");
    json_number(w, (double)rp->evals);
    json_key(w, "improves");
    json_string(w, "strictly better than the best so far");
    json_key(w, "patience");
    json_begin_array(w);
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++)
        replay_stop_json(w, r, &rp->stop[p]);
    json_end_array(w);
    json_end_object(w);
}

/* The replay summed over the report's runs, and its sentence. */
static void replay_total_json(struct json *w, const struct run_set *set,
                              const struct rules *rules)
{
    struct replay_total t;
    char *text;

    replay_total(set, &rules->select, &t);
    text = replay_total_sentence(&t, set, &rules->select);
    json_begin_object(w);
    json_key(w, "definition");
    json_string(w, replay_definition());
    json_key(w, "runs");
    json_number(w, (double)t.runs);
    json_key(w, "evaluations");
    json_number(w, (double)t.evals);
    json_key(w, "patience");
    json_begin_array(w);
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++) {
        const struct replay_sum *sum = &t.p[p];

        json_begin_object(w);
        json_key(w, "patience");
        json_number(w, (double)sum->patience);
        json_key(w, "evaluations_saved");
        json_number(w, (double)sum->after);
        json_key(w, "runs_stopped");
        json_number(w, (double)sum->stopped);
        json_key(w, "runs_at_a_loss");
        json_number(w, (double)sum->worse);
        json_key(w, "runs_with_no_checkpoint");
        json_number(w, (double)sum->none);
        json_key(w, "largest_loss");
        json_number(w, sum->worst_loss);
        json_key(w, "largest_loss_run");
        json_string(w,
                    sum->worst != SIZE_MAX ? set->runs[sum->worst].name : NULL);
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "text");
    json_string(w, text);
    json_end_object(w);
    free(text);
}

static const char *change_kind_name(enum change_kind k)
{
    switch (k) {
    case CHANGE_RULE:
        return "rule";
    case CHANGE_BASELINE:
        return "baseline";
    case CHANGE_KEPT:
        return "kept";
    case CHANGE_ADDED:
        return "added";
    case CHANGE_GONE:
        return "gone";
    case CHANGE_VERDICT:
        return "verdict";
    case CHANGE_BEST:
        return "best";
    }
    return "unknown";
}

/* What changed since the last report (changes.h), or null. */
static void changes_json(struct json *w, const struct changes *ch,
                         const struct rules *rules)
{
    char *text = ch ? changes_sentence(ch) : NULL;

    if (!text) {
        json_null(w);
        return;
    }
    json_begin_object(w);
    json_key(w, "text");
    json_string(w, text);
    json_key(w, "changes");
    json_begin_array(w);
    for (size_t i = 0; i < ch->n; i++) {
        const struct change *c = &ch->c[i];
        char *line = change_line(c, rules->select.metric);

        json_begin_object(w);
        json_key(w, "kind");
        json_string(w, change_kind_name(c->kind));
        json_key(w, "run");
        json_string(w, c->run);
        if (c->kind == CHANGE_BEST) {
            json_key(w, "from_epoch");
            json_number(w, c->from_x);
            json_key(w, "from_value");
            json_number(w, c->from_value);
            json_key(w, "to_epoch");
            json_number(w, c->to_x);
            json_key(w, "to_value");
            json_number(w, c->to_value);
        } else {
            json_key(w, "from");
            json_string(w, c->from);
            json_key(w, "to");
            json_string(w, c->to);
        }
        json_key(w, "text");
        json_string(w, line);
        json_end_object(w);
        free(line);
    }
    json_end_array(w);
    json_end_object(w);
    free(text);
}

/*
 * A borderline finding: its code, the threshold its closest test was
 * passed by and the share it was passed by.
 */
static void borderline(struct json *w, const struct finding *f)
{
    if (!f->borderline)
        return;
    json_begin_object(w);
    json_key(w, "diagnosis");
    json_string(w, diag_code_name(f->code));
    json_key(w, "threshold");
    json_string(w, f->margin_of);
    json_key(w, "margin");
    json_number(w, f->margin);
    json_end_object(w);
}

static char *rule_text(const struct rules *rules)
{
    return xasprintf("%s:%s", rules->select.metric,
                     rules->select.maximize ? "max" : "min");
}

void summary_json(const struct run_set *set, const struct rules *rules,
                  const struct comparison *cmp, const struct changes *ch,
                  struct strbuf *out)
{
    struct json w;
    char *rule = rule_text(rules);
    struct board b;

    board_build(&b, set, cmp, &rules->select);

    json_init(&w, out);
    json_begin_object(&w);
    json_key(&w, "generator");
    json_string(&w, PACKAGE_STRING);
    json_key(&w, "rule");
    json_string(&w, rule);
    json_key(&w, "rules");
    json_begin_object(&w);
    json_key(&w, "select");
    json_string(&w, rule);
    json_key(&w, "baseline");
    json_string(&w, rules->baseline);
    json_key(&w, "min_improvement");
    json_number(&w, rules->min_improvement);
    json_key(&w, "slices");
    json_begin_object(&w);
    for (size_t i = 0; i < rules->nslices; i++) {
        json_key(&w, rules->slices[i].column);
        json_number(&w, rules->slices[i].max_drop);
    }
    json_end_object(&w);
    json_key(&w, "file");
    json_string(&w, rules->path);
    json_key(&w, "chosen");
    json_string(&w, rules->chosen_why);
    json_end_object(&w);
    json_key(&w, "baseline");
    json_string(&w, cmp->baseline == SIZE_MAX ? NULL
                                              : set->runs[cmp->baseline].name);
    json_key(&w, "verdict_rule");
    json_string(&w, cmp->rule_text);
    json_key(&w, "kept");
    json_string(&w, b.kept != SIZE_MAX ? set->runs[b.kept].name : NULL);
    json_key(&w, "since_last_report");
    changes_json(&w, ch, rules);
    json_key(&w, "early_stopping");
    replay_total_json(&w, set, rules);
    json_key(&w, "varying_settings");
    json_begin_array(&w);
    for (size_t k = 0; k < cmp->sweep.nkeys; k++) {
        const struct sweep_key *key = &cmp->sweep.keys[k];

        json_begin_object(&w);
        json_key(&w, "key");
        json_string(&w, key->key);
        json_key(&w, "numeric");
        json_bool(&w, key->numeric);
        json_key(&w, "runs_setting_it");
        json_number(&w, (double)key->nset);
        json_key(&w, "distinct_values");
        json_number(&w, (double)key->ndistinct);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "varying_settings_not_shown");
    json_begin_array(&w);
    for (size_t k = 0; k < cmp->sweep.nmore; k++)
        json_string(&w, cmp->sweep.more[k]);
    json_end_array(&w);
    json_key(&w, "runs");
    json_begin_array(&w);
    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];
        const struct verdict *v = &cmp->v[i];

        json_begin_object(&w);
        json_key(&w, "name");
        json_string(&w, r->name);
        json_key(&w, "status");
        json_string(&w, status_name(r->status));
        json_key(&w, "format");
        json_string(&w, r->format ? r->format->id : NULL);
        json_key(&w, "reason");
        json_string(&w, r->reason);
        json_key(&w, "page");
        if (r->status == RUN_SKIPPED) {
            json_null(&w);
        } else {
            char *page = run_page_path(r);

            json_string(&w, page);
            free(page);
        }
        json_key(&w, "best");
        if (r->an.best.found) {
            json_begin_object(&w);
            json_key(&w, "epoch");
            json_number(&w, r->an.best.x);
            json_key(&w, "x");
            json_string(&w, r->read.xname);
            json_key(&w, "metric");
            json_string(&w, r->an.rule.metric ? r->an.rule.metric
                                              : rules->select.metric);
            json_key(&w, "maximize");
            json_bool(&w, r->an.rule.metric ? r->an.rule.maximize
                                            : rules->select.maximize);
            json_key(&w, "chosen_by");
            json_string(&w, r->an.rule_why);
            json_key(&w, "value");
            json_number(&w, r->an.best.value);
            json_key(&w, "last_epoch");
            json_number(&w, r->an.best.last_x);
            json_key(&w, "last_value");
            json_number(&w, r->an.best.last_value);
            json_end_object(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "early_stopping");
        replay_json(&w, r);
        json_key(&w, "diagnoses");
        json_begin_array(&w);
        for (size_t k = 0; k < r->an.diag.n; k++)
            json_string(&w, diag_code_name(r->an.diag.f[k].code));
        json_end_array(&w);
        json_key(&w, "evidence");
        json_begin_array(&w);
        for (size_t k = 0; k < r->an.diag.n; k++)
            json_string(&w, r->an.diag.f[k].evidence);
        json_end_array(&w);
        json_key(&w, "evidence_numbers");
        json_begin_array(&w);
        for (size_t k = 0; k < r->an.diag.n; k++)
            evidence_numbers(&w, &r->an.diag.f[k]);
        json_end_array(&w);
        json_key(&w, "borderline");
        json_begin_array(&w);
        for (size_t k = 0; k < r->an.diag.n; k++)
            borderline(&w, &r->an.diag.f[k]);
        json_end_array(&w);
        json_key(&w, "reference");
        json_string(&w, cmp->reference && cmp->reference[i] != SIZE_MAX
                            ? set->runs[cmp->reference[i]].name
                            : NULL);
        json_key(&w, "decision");
        json_string(&w, decision_name(v->decision));
        json_key(&w, "verdict_reason");
        json_string(&w, v->why);
        json_key(&w, "first_check");
        json_string(&w, v->first_check);
        json_key(&w, "action");
        json_string(&w, v->action);
        json_key(&w, "success_rule");
        json_string(&w, v->success);
        json_key(&w, "note");
        json_string(&w, r->an.diag.note);
        json_key(&w, "delta");
        json_number(&w, v->delta);
        json_key(&w, "settings");
        json_begin_object(&w);
        for (size_t k = 0; k < cmp->sweep.nkeys; k++) {
            const struct sweep_key *key = &cmp->sweep.keys[k];

            if (i < cmp->sweep.nruns && key->value[i]) {
                json_key(&w, key->key);
                json_string(&w, key->value[i]);
            }
        }
        json_end_object(&w);
        json_key(&w, "changed_keys");
        json_begin_array(&w);
        for (size_t k = 0; k < v->nchanged; k++)
            json_string(&w, v->changed[k]);
        json_end_array(&w);
        json_key(&w, "group");
        json_string(&w, v->group);
        json_key(&w, "slice_regressions");
        json_begin_array(&w);
        for (size_t k = 0; k < v->nregress; k++)
            json_string(&w, v->regress[k]);
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    free(rule);
    board_release(&b);
}

/* A byte that counts as part of a word for GFM's intraword "_". */
static bool word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

void md_escape(struct strbuf *out, const char *s)
{
    struct strbuf text = STRBUF_INIT;
    const unsigned char *p;

    /* Bad UTF-8 and control characters become U+FFFD, as on pages. */
    strbuf_add_text(&text, s);
    p = (const unsigned char *)text.buf;
    for (size_t i = 0; p[i]; i++) {
        unsigned char c = p[i];

        if (c == '<')
            strbuf_addstr(out, "&lt;");
        else if (c == '>')
            strbuf_addstr(out, "&gt;");
        else if (c == '&')
            strbuf_addstr(out, "&amp;");
        else if (c == '\n' || c == '\r')
            strbuf_addch(out, ' ');
        else if (strchr("\\`*[]|~", c))
            strbuf_addf(out, "\\%c", c);
        else if (c == '_' && !(i && word_byte(p[i - 1]) && word_byte(p[i + 1])))
            strbuf_addstr(out, "\\_");
        else
            strbuf_addch(out, c);
    }
    strbuf_release(&text);
}

static void md_num(struct strbuf *out, double v)
{
    if (isnan(v))
        strbuf_addstr(out, "–");
    else
        strbuf_addnum(out, v);
}

/*
 * summary.md is pasted into a review comment, which holds at most 65,536
 * characters: the whole file stays under MD_MAX bytes (a character is at
 * least a byte) whatever the number of runs. Each part gets a share and
 * what does not fit is counted ("and 812 more") with a pointer to the
 * full report, never cut mid-line.
 */
#define MD_MAX 60000
#define MD_TABLE_MAX 28000
#define MD_STEPS_MAX 18000
#define MD_REGRESS_MAX 3000
#define MD_CHANGES_MAX 4000
#define MD_TOP 10
#define MD_CELL_MAX 160
#define MD_SETTING_MAX 24 /* a setting's value, or a key not shown */
#define MD_MORE_NAMED 10  /* keys named among those not shown */

/* A link to rel in the report: relative, or under site_url. */
static void md_link(struct strbuf *out, const char *site_url, const char *rel)
{
    if (site_url && *site_url) {
        size_t n = strlen(site_url);

        strbuf_addstr(out, site_url);
        if (site_url[n - 1] != '/')
            strbuf_addch(out, '/');
    }
    strbuf_addstr(out, rel);
}

/* s escaped, cut to about max bytes at a character boundary, "…" added. */
static void md_cell(struct strbuf *out, const char *s, size_t max)
{
    size_t n = utf8_cut(s, max);
    char *cut;

    if (!s[n]) {
        md_escape(out, s);
        return;
    }
    cut = xstrndup(s, n);
    md_escape(out, cut);
    strbuf_addstr(out, "…");
    free(cut);
}

static void md_run_name(struct strbuf *out, const struct run *r,
                        const char *site_url)
{
    char *rel;

    if (r->status == RUN_SKIPPED) {
        md_escape(out, r->name);
        return;
    }
    rel = run_page_path(r);
    strbuf_addch(out, '[');
    md_escape(out, r->name);
    strbuf_addstr(out, "](");
    md_link(out, site_url, rel);
    strbuf_addch(out, ')');
    free(rel);
}

/*
 * What changed since the last report: its sentence, and one line per
 * change as long as they fit in MD_CHANGES_MAX bytes, the rest counted.
 */
static void md_changes(struct strbuf *out, const struct changes *ch,
                       const struct rules *rules)
{
    char *text = ch ? changes_sentence(ch) : NULL;
    struct strbuf list = STRBUF_INIT, line = STRBUF_INIT;
    size_t left = 0;

    if (!text)
        return;
    md_escape(out, text);
    strbuf_addstr(out, "\n\n");
    free(text);
    for (size_t i = 0; i < ch->n; i++) {
        char *l = change_line(&ch->c[i], rules->select.metric);

        strbuf_reset(&line);
        strbuf_addstr(&line, "- ");
        md_escape(&line, l);
        strbuf_addch(&line, '\n');
        free(l);
        if (left || list.len + line.len > MD_CHANGES_MAX)
            left++;
        else
            strbuf_add(&list, line.buf, line.len);
    }
    if (list.len) {
        strbuf_add(out, list.buf, list.len);
        if (left)
            strbuf_addf(out, "- and %zu more: see summary.json\n", left);
        strbuf_addch(out, '\n');
    }
    strbuf_release(&list);
    strbuf_release(&line);
}

void summary_md(const struct run_set *set, const struct rules *rules,
                const struct comparison *cmp, const struct changes *ch,
                const char *site_url, struct strbuf *out)
{
    char *desc = rules_describe(rules, false);
    char *headline;
    const struct sweep *sw = &cmp->sweep;
    bool has_baseline = cmp->baseline != SIZE_MAX;
    struct board b;
    struct strbuf table = STRBUF_INIT, steps = STRBUF_INIT, line = STRBUF_INIT;
    struct strbuf regress = STRBUF_INIT, rest = STRBUF_INIT;
    struct strbuf footer = STRBUF_INIT;
    size_t in_table = 0, n_rest = 0, rest_listed = 0, steps_left = 0;
    size_t regress_left = 0, start = out->len;
    bool *shown = xcalloc(set->n ? set->n : 1, sizeof(*shown));

    strbuf_addstr(&footer, "\nFull report: [index.html](");
    md_link(&footer, site_url, SITE_INDEX);
    strbuf_addstr(&footer, "), comparison: [compare.html](");
    md_link(&footer, site_url, SITE_COMPARE);
    strbuf_addstr(&footer, ")\n");
    board_build(&b, set, cmp, &rules->select);
    headline = board_headline(&b, set, cmp, &rules->select);
    strbuf_addf(out, "## reportgen: %zu run%s\n\n**", set->n,
                set->n == 1 ? "" : "s");
    md_escape(out, headline);
    strbuf_addstr(out, "**\n\n");
    md_changes(out, ch, rules);
    strbuf_addstr(out, "**Rule:** ");
    md_escape(out, desc);
    strbuf_addstr(out, "\n\n");
    free(desc);
    free(headline);
    if (cmp->rule_text) {
        md_escape(out, cmp->rule_text);
        strbuf_addstr(out, "\n\n");
    }
    {
        struct replay_total t;
        char *text;

        replay_total(set, &rules->select, &t);
        if ((text = replay_total_sentence(&t, set, &rules->select))) {
            md_escape(out, text);
            strbuf_addstr(out, "\n\n");
            free(text);
        }
    }

    /*
     * The table: the first MD_TOP runs in reading order (board.h) and
     * every other run that needs action (not keep, not outranked), as long as
     * they fit. The column
     * of differences to the baseline only when there is one: with none
     * it would be a column of dashes.
     */
    strbuf_addf(&table, "| # | Run | Verdict | Best `%s` | At |%s",
                rules->select.metric, has_baseline ? " Δ vs baseline |" : "");
    for (size_t q = 0; q < sw->nkeys; q++) {
        strbuf_addch(&table, ' ');
        md_escape(&table, sw->keys[q].key);
        strbuf_addstr(&table, " |");
    }
    strbuf_addstr(&table, has_baseline ? " Why |\n|---:|---|---|---:|---:|---:|"
                                       : " Why |\n|---:|---|---|---:|---:|");
    for (size_t q = 0; q < sw->nkeys; q++)
        strbuf_addstr(&table, sw->keys[q].numeric ? "---:|" : "---|");
    strbuf_addstr(&table, "---|\n");
    for (size_t k = 0; k < set->n; k++) {
        size_t i = b.order[k];
        const struct run *r = &set->runs[i];
        const struct verdict *v = &cmp->v[i];
        char x[FMT_NUM_SIZE];

        if (k >= MD_TOP && (v->decision == DECISION_KEEP || v->outranked))
            continue;
        strbuf_reset(&line);
        strbuf_addf(&line, "| %zu | ", k + 1);
        md_run_name(&line, r, site_url);
        if (i == cmp->baseline)
            strbuf_addstr(&line, " (baseline)");
        if (i == b.kept)
            strbuf_addstr(&line, " (kept)");
        strbuf_addf(&line, " | **%s** | ", decision_name(v->decision));
        md_num(&line, r->an.best.found ? r->an.best.value : NAN);
        /* A run judged by its own metric: that metric, named. */
        if (r->an.best.found && r->status != RUN_OK && r->an.rule.metric) {
            strbuf_addstr(&line, " (");
            md_escape(&line, r->an.rule.metric);
            strbuf_addch(&line, ')');
        }
        strbuf_addstr(&line, " | ");
        if (r->an.best.found)
            strbuf_addf(&line, "%s %s", r->read.xname ? r->read.xname : "x",
                        fmt_num(x, sizeof(x), r->an.best.x));
        strbuf_addstr(&line, " | ");
        if (has_baseline) {
            if (i != cmp->baseline && !isnan(v->delta) && v->delta > 0)
                strbuf_addch(&line, '+');
            md_num(&line, i == cmp->baseline ? NAN : v->delta);
            strbuf_addstr(&line, " | ");
        }
        for (size_t q = 0; q < sw->nkeys; q++) {
            const char *val = i < sw->nruns ? sw->keys[q].value[i] : NULL;

            if (val)
                md_cell(&line, val, MD_SETTING_MAX);
            strbuf_addstr(&line, " | ");
        }
        md_cell(&line, v->why ? v->why : "", MD_CELL_MAX);
        strbuf_addstr(&line, " |\n");
        if (table.len + line.len > MD_TABLE_MAX)
            break;
        strbuf_add(&table, line.buf, line.len);
        shown[i] = true;
        in_table++;
    }
    strbuf_add(out, table.buf, table.len);
    if (sw->nmore) {
        strbuf_addf(out,
                    "\n%zu more setting%s across the runs than the "
                    "table shows: ",
                    sw->nmore, sw->nmore == 1 ? " varies" : "s vary");
        for (size_t q = 0; q < sw->nmore && q < MD_MORE_NAMED; q++) {
            if (q)
                strbuf_addstr(out, ", ");
            md_cell(out, sw->more[q], MD_SETTING_MAX);
        }
        if (sw->nmore > MD_MORE_NAMED)
            strbuf_addf(out, " and %zu others", sw->nmore - MD_MORE_NAMED);
        strbuf_addstr(out, ".\n");
    }

    /* Slice regressions of the runs in the table. */
    for (size_t k = 0; k < set->n; k++) {
        size_t i = b.order[k];

        for (size_t q = 0; shown[i] && q < cmp->v[i].nregress; q++) {
            strbuf_reset(&line);
            strbuf_addstr(&line, "- ");
            md_escape(&line, set->runs[i].name);
            strbuf_addstr(&line, ": ");
            md_escape(&line, cmp->v[i].regress_evidence[q]);
            strbuf_addch(&line, '\n');
            if (regress.len + line.len > MD_REGRESS_MAX)
                regress_left++;
            else
                strbuf_add(&regress, line.buf, line.len);
        }
    }
    if (regress.len) {
        strbuf_addstr(out, "\n### Slice regressions\n\n");
        strbuf_add(out, regress.buf, regress.len);
        if (regress_left)
            strbuf_addf(out, "- and %zu more\n", regress_left);
    }

    /*
     * The next step of each run in the table that has one; an outranked
     * run's ("do not adopt this run's settings") is no step to take, and
     * listing it would only bury the steps there are.
     */
    for (size_t k = 0; k < set->n; k++) {
        size_t i = b.order[k];
        const struct verdict *v = &cmp->v[i];

        if (!shown[i] || !v->action || v->outranked)
            continue;
        strbuf_reset(&line);
        strbuf_addf(&line, "- **%s** ", decision_name(v->decision));
        md_escape(&line, set->runs[i].name);
        strbuf_addstr(&line, ": ");
        md_escape(&line, v->action);
        strbuf_addstr(&line, ". Success: ");
        md_escape(&line, v->success ? v->success : "");
        strbuf_addch(&line, '\n');
        if (steps.len + line.len > MD_STEPS_MAX)
            steps_left++;
        else
            strbuf_add(&steps, line.buf, line.len);
    }
    if (steps.len) {
        strbuf_addstr(out, "\n### Next steps\n\n");
        strbuf_add(out, steps.buf, steps.len);
        if (steps_left)
            strbuf_addf(out, "- and %zu more on the run pages\n", steps_left);
    }

    /* Every other run, folded: name, verdict and best value. */
    for (size_t k = 0; k < set->n; k++) {
        size_t i = b.order[k];
        const struct run *r = &set->runs[i];

        if (shown[i])
            continue;
        n_rest++;
        strbuf_reset(&line);
        strbuf_addstr(&line, "- ");
        md_run_name(&line, r, site_url);
        strbuf_addf(&line, ": %s, best ", decision_name(cmp->v[i].decision));
        md_num(&line, r->an.best.found ? r->an.best.value : NAN);
        strbuf_addch(&line, '\n');
        /* Room is kept for the <details> lines and the footer. */
        if (out->len - start + rest.len + line.len + footer.len + 200 > MD_MAX)
            continue;
        strbuf_add(&rest, line.buf, line.len);
        rest_listed++;
    }
    if (n_rest) {
        strbuf_addf(out, "\n<details><summary>%zu more run%s</summary>\n\n",
                    n_rest, n_rest == 1 ? "" : "s");
        strbuf_add(out, rest.buf, rest.len);
        if (rest_listed < n_rest)
            strbuf_addf(out, "- and %zu more: see the full report\n",
                        n_rest - rest_listed);
        strbuf_addstr(out, "\n</details>\n");
    }

    strbuf_add(out, footer.buf, footer.len);

    free(shown);
    strbuf_release(&footer);
    board_release(&b);
    strbuf_release(&table);
    strbuf_release(&steps);
    strbuf_release(&line);
    strbuf_release(&regress);
    strbuf_release(&rest);
}
