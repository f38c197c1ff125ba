/*
 * test_changes.c - what changed since the last report: a previous
 * summary.json read back (and refused when it is not one), and the
 * changes found against a hand-made report, in their fixed order, with
 * numbers compared as summary.json writes them.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "changes.h"
#include "compare.h"
#include "runs.h"
#include "util.h"
#include "tap.h"

static const char prev_json[] =
    "{\"rule\": \"val_loss:min\", \"baseline\": \"base\", \"kept\": \"a\",\n"
    " \"runs\": [\n"
    "  {\"name\": \"old\", \"decision\": \"tune\", \"best\": null},\n"
    "  {\"name\": \"base\", \"decision\": \"keep\",\n"
    "   \"best\": {\"epoch\": 8, \"value\": 0.525}},\n"
    "  {\"name\": \"a\", \"decision\": \"keep\",\n"
    "   \"best\": {\"epoch\": 8, \"value\": 0.333333}}]}\n";

static void test_parse(void)
{
    struct prev_report p;
    char *why = NULL;

    prev_report_init(&p);
    ok(!prev_report_parse(&p, prev_json, strlen(prev_json), "s.json", &why),
       "parse: a summary.json is read");
    ok(p.n == 3 && !strcmp(p.runs[0].name, "a") &&
           !strcmp(p.runs[2].name, "old") && !p.runs[2].has_best &&
           p.runs[0].has_best && p.runs[0].best_x == 8,
       "parse: runs sorted by name, with their best checkpoints");
    ok(p.has_kept && !strcmp(p.kept, "a") && !strcmp(p.baseline, "base"),
       "parse: the kept run and the baseline");
    prev_report_release(&p);
    ok(prev_report_parse(&p, "[1]", 3, "s.json", &why) && why &&
           !strcmp(why, "s.json:1: not a summary.json reportgen wrote"),
       "parse: an array is refused, naming file and line");
    free(why);
    why = NULL;
    prev_report_release(&p);
    ok(prev_report_parse(&p, "{\"rule\": \"x:min\"}", 17, "s.json", &why) &&
           why && strstr(why, "no \"runs\" array"),
       "parse: no runs is refused");
    free(why);
    prev_report_release(&p);
}

/* The report now: base and a as before (a's value to 7 digits), b new. */
static void test_find(void)
{
    struct run runs[3];
    struct run_set set = {(char *)"runs", 3, 3, runs};
    struct verdict v[3];
    size_t order[3] = {1, 0, 2};
    struct comparison cmp;
    struct rules rules;
    struct board b;
    struct prev_report p;
    struct changes ch;
    char *why = NULL, *s;

    memset(runs, 0, sizeof(runs));
    memset(v, 0, sizeof(v));
    memset(&cmp, 0, sizeof(cmp));
    rules_init(&rules);
    rules.select.metric = xstrdup("val_loss");
    runs[0].name = (char *)"a";
    runs[1].name = (char *)"b";
    runs[2].name = (char *)"base";
    runs[2].read.xname = (char *)"epoch";
    runs[0].an.best =
        (struct best){true, 7, 8, 1.0 / 3, 14, 0.4}; /* 0.333333 written */
    runs[1].an.best = (struct best){true, 3, 4, 0.2, 14, 0.3};
    runs[2].an.best = (struct best){true, 7, 8, 0.52, 14, 0.6};
    v[0].decision = DECISION_TUNE;
    v[1].decision = DECISION_KEEP;
    v[2].decision = DECISION_KEEP;
    cmp.n = 3;
    cmp.v = v;
    cmp.order = order;
    cmp.baseline = 2;
    board_build(&b, &set, &cmp, &rules.select);
    prev_report_init(&p);
    prev_report_parse(&p, prev_json, strlen(prev_json), "s.json", &why);

    changes_find(&ch, NULL, &set, &rules, &cmp, &b);
    s = changes_sentence(&ch);
    ok(!ch.compared && !s, "find: no previous report, nothing said");
    changes_release(&ch);

    changes_find(&ch, &p, &set, &rules, &cmp, &b);
    s = changes_sentence(&ch);
    is_str(s,
           "Since the last report: the run to keep is b (was a), 1 run "
           "added, 1 run gone, 1 verdict changed, 1 best checkpoint moved.",
           "find: the sentence");
    free(s);
    ok(ch.n == 5 && ch.c[0].kind == CHANGE_KEPT &&
           ch.c[1].kind == CHANGE_ADDED && !strcmp(ch.c[1].run, "b") &&
           ch.c[2].kind == CHANGE_GONE && !strcmp(ch.c[2].run, "old") &&
           ch.c[3].kind == CHANGE_VERDICT && !strcmp(ch.c[3].run, "a") &&
           ch.c[4].kind == CHANGE_BEST && !strcmp(ch.c[4].run, "base"),
       "find: in kind order; a's best, equal to six digits, did not move");
    s = change_line(&ch.c[4], "val_loss");
    is_str(s, "base: best val_loss 0.525 at epoch 8, now 0.52 at epoch 8",
           "find: a moved best checkpoint's line");
    free(s);
    s = change_line(&ch.c[3], "val_loss");
    is_str(s, "a: keep, now tune", "find: a verdict's line");
    free(s);
    changes_release(&ch);

    free(rules.select.metric);
    rules.select.metric = xstrdup("val_acc");
    rules.select.maximize = true;
    changes_find(&ch, &p, &set, &rules, &cmp, &b);
    ok(ch.count[CHANGE_RULE] == 1 && !ch.count[CHANGE_BEST],
       "find: under another rule, no best checkpoint is compared");
    changes_release(&ch);

    board_release(&b);
    prev_report_release(&p);
    rules_release(&rules);
}

int main(void)
{
    plan(11);
    test_parse();
    test_find();
    return done();
}
