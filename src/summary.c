/*
 * summary.c - summary.json and summary.md, both from the run_set and the
 * comparison once every run has been judged.
 *
 * summary.md goes into code review, where run names and reasons (which
 * the user controls) could otherwise turn into links, images, emphasis or
 * raw HTML: md_escape() backslash-escapes every ASCII punctuation
 * character that Markdown gives a meaning to (CommonMark allows a
 * backslash before any of them) and spells out < > & as entities, so
 * the text shows exactly as written.
 */
#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
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
        if (e->kind == DIAG_NUM_RATIO || e->kind == DIAG_NUM_DIFF) {
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
        if (e->kind == DIAG_NUM_SMOOTHED) {
            json_key(w, "window");
            json_number(w, (double)e->window);
        }
        json_key(w, "value");
        json_number(w, e->value);
        json_end_object(w);
    }
    json_end_array(w);
}

static char *rule_text(const struct rules *rules)
{
    return xasprintf("%s:%s", rules->select.metric,
                     rules->select.maximize ? "max" : "min");
}

void summary_json(const struct run_set *set, const struct rules *rules,
                  const struct comparison *cmp, struct strbuf *out)
{
    struct json w;
    char *rule = rule_text(rules);

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
            char *page = xasprintf("runs/%s/index.html", r->slug);
            json_string(&w, page);
            free(page);
        }
        json_key(&w, "best");
        if (r->best.found) {
            json_begin_object(&w);
            json_key(&w, "epoch");
            json_number(&w, r->best.x);
            json_key(&w, "x");
            json_string(&w, r->xname);
            json_key(&w, "metric");
            json_string(&w,
                        r->rule.metric ? r->rule.metric : rules->select.metric);
            json_key(&w, "maximize");
            json_bool(&w, r->rule.metric ? r->rule.maximize
                                         : rules->select.maximize);
            json_key(&w, "chosen_by");
            json_string(&w, r->rule_why);
            json_key(&w, "value");
            json_number(&w, r->best.value);
            json_key(&w, "last_epoch");
            json_number(&w, r->best.last_x);
            json_key(&w, "last_value");
            json_number(&w, r->best.last_value);
            json_end_object(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "diagnoses");
        json_begin_array(&w);
        for (size_t k = 0; k < r->diag.n; k++)
            json_string(&w, diag_code_name(r->diag.f[k].code));
        json_end_array(&w);
        json_key(&w, "evidence");
        json_begin_array(&w);
        for (size_t k = 0; k < r->diag.n; k++)
            json_string(&w, r->diag.f[k].evidence);
        json_end_array(&w);
        json_key(&w, "evidence_numbers");
        json_begin_array(&w);
        for (size_t k = 0; k < r->diag.n; k++)
            evidence_numbers(&w, &r->diag.f[k]);
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
        json_string(&w, r->diag.note);
        json_key(&w, "delta");
        json_number(&w, v->delta);
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
}

void md_escape(struct strbuf *out, const char *s)
{
    struct strbuf text = STRBUF_INIT;

    /* Bad UTF-8 and control characters become U+FFFD, as on pages. */
    strbuf_add_text(&text, s);
    for (const unsigned char *p = (const unsigned char *)text.buf; *p; p++) {
        if (*p == '<')
            strbuf_addstr(out, "&lt;");
        else if (*p == '>')
            strbuf_addstr(out, "&gt;");
        else if (*p == '&')
            strbuf_addstr(out, "&amp;");
        else if (*p == '\n' || *p == '\r')
            strbuf_addch(out, ' ');
        else if (*p < 0x80 && strchr("\\`*_{}[]()#+-.!|~\"'=:", *p))
            strbuf_addf(out, "\\%c", *p);
        else
            strbuf_addch(out, *p);
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

void summary_md(const struct run_set *set, const struct rules *rules,
                const struct comparison *cmp, struct strbuf *out)
{
    char *desc = rules_describe(rules);
    size_t regressions = 0, attention = 0;

    strbuf_addstr(out, "## reportgen: ");
    strbuf_addf(out, "%zu runs\n\n", set->n);
    strbuf_addstr(out, "**Rule:** ");
    md_escape(out, desc);
    strbuf_addstr(out, "\n\n");
    free(desc);
    if (cmp->rule_text) {
        md_escape(out, cmp->rule_text);
        strbuf_addstr(out, "\n\n");
    }

    strbuf_addf(out,
                "| # | Run | Best %s | Δ vs baseline | Verdict | "
                "Why |\n",
                rules->select.maximize ? "(max)" : "(min)");
    strbuf_addstr(out, "|---:|---|---:|---:|---|---|\n");
    for (size_t k = 0; k < set->n; k++) {
        size_t i = cmp->order[k];
        const struct run *r = &set->runs[i];
        const struct verdict *v = &cmp->v[i];

        strbuf_addf(out, "| %zu | ", k + 1);
        if (r->status == RUN_SKIPPED) {
            md_escape(out, r->name);
        } else {
            strbuf_addch(out, '[');
            md_escape(out, r->name);
            strbuf_addf(out, "](runs/%s/index.html)", r->slug);
        }
        if (i == cmp->baseline)
            strbuf_addstr(out, " (baseline)");
        strbuf_addstr(out, " | ");
        md_num(out, r->best.found ? r->best.value : NAN);
        strbuf_addstr(out, " | ");
        if (i != cmp->baseline && !isnan(v->delta) && v->delta > 0)
            strbuf_addch(out, '+');
        md_num(out, i == cmp->baseline ? NAN : v->delta);
        strbuf_addf(out, " | **%s** | ", decision_name(v->decision));
        md_escape(out, v->why ? v->why : "");
        strbuf_addstr(out, " |\n");
        regressions += v->nregress;
        attention += v->decision == DECISION_ROLLBACK ||
                     v->decision == DECISION_INVESTIGATE;
    }

    if (regressions) {
        strbuf_addstr(out, "\n### Slice regressions\n\n");
        for (size_t i = 0; i < set->n; i++) {
            for (size_t k = 0; k < cmp->v[i].nregress; k++) {
                strbuf_addstr(out, "- ");
                md_escape(out, set->runs[i].name);
                strbuf_addstr(out, ": ");
                md_escape(out, cmp->v[i].regress_evidence[k]);
                strbuf_addch(out, '\n');
            }
        }
    }
    strbuf_addstr(out, "\n### Next steps\n\n");
    for (size_t k = 0; k < set->n; k++) {
        const struct verdict *v = &cmp->v[cmp->order[k]];

        if (!v->action)
            continue;
        strbuf_addf(out, "- **%s** ", decision_name(v->decision));
        md_escape(out, set->runs[cmp->order[k]].name);
        strbuf_addstr(out, ": ");
        md_escape(out, v->action);
        strbuf_addstr(out, ". Success: ");
        md_escape(out, v->success ? v->success : "");
        strbuf_addch(out, '\n');
    }
    if (attention) {
        strbuf_addstr(out, "\n### Needs attention\n\n");
        for (size_t i = 0; i < set->n; i++) {
            const struct verdict *v = &cmp->v[i];

            if (v->decision != DECISION_ROLLBACK &&
                v->decision != DECISION_INVESTIGATE)
                continue;
            strbuf_addf(out, "- **%s** ", decision_name(v->decision));
            md_escape(out, set->runs[i].name);
            strbuf_addstr(out, ": ");
            md_escape(out, v->why ? v->why : "");
            strbuf_addch(out, '\n');
        }
    }
    strbuf_addstr(out, "\nFull report: [index.html](index.html), "
                       "comparison: [compare.html](compare.html)\n");
}
