/*
 * html.h - the report's pages, filled from the run structs into ctemplate
 * dictionaries (tmpl.h) and rendered from templates/. No file I/O here:
 * each function appends one page to a strbuf and site.c writes it.
 *
 * Site layout (runs.h, run_page_path()): index.html at the root links to
 * runs/<slug>/index.html; a run page shows the charts named in
 * run->drawn.charts, which sit beside it.
 *
 * The same renderers make the one-file report (single.c): as cmark's
 * renderers take options, each page is rendered in a link mode
 * (report_info.links). In the site's mode a page is a whole document
 * whose links are the site's relative paths; in the one-file mode it is
 * one <section> of a document (no <head>, no <main> of its own, its title
 * an <h2> but for the index's, which is the document's <h1>), its links
 * go to the ids of the other sections (#index, #compare, #run-<slug>) and
 * its charts can only be inline.
 */
#ifndef REPORTGEN_HTML_H
#define REPORTGEN_HTML_H

#include "changes.h"
#include "compare.h"
#include "runs.h"
#include "strbuf.h"

struct sweep_chart;

/* How a page links to the others (see above). */
enum html_links {
    HTML_LINKS_SITE = 0, /* a page of the site, linking to its files */
    HTML_LINKS_IN_PAGE   /* a section of the one-file report */
};

/* Facts about the whole report, shown at the top of every page. */
struct report_info {
    const struct rule *rule;      /* the fixed selection rule */
    const struct rules *rules;    /* all of the rule: baseline, slices */
    const struct comparison *cmp; /* the verdicts, one per run of the set */
    const struct run_set *set;    /* the runs the verdicts are about */
    const char *version;          /* PACKAGE_VERSION */
    /*
     * The SVG documents of the charts of the run page being rendered, one
     * per r->drawn.charts entry (or NULL): they are put in the page itself,
     * so that the page's dark mode reaches them and their points show
     * values on hover. Without them a chart is an <img> of its file on a
     * page of the site, and an error in the one-file report.
     */
    const struct strbuf *chart_svgs;
    const struct strbuf *overlay_svg; /* the same for compare.html */
    enum html_links links;            /* HTML_LINKS_SITE unless set */
    const struct changes *changes;    /* since the last report written to
                                         the site (changes.h), or NULL */
    /*
     * compare.html's charts of the rule's metric against each setting
     * that varies (charts.h), or none.
     */
    const struct sweep_chart *sweep_charts;
    size_t nsweep_charts;
    /*
     * The one-file report only: the note of the decision records of
     * ncommon_note runs (two or more), said once in the index section
     * and pointed to from those runs' records; NULL when none is shared.
     */
    const char *common_note;
    size_t ncommon_note;
};

/*
 * The index page: the rule, a table of every analysed run (name linking
 * to its page, best epoch, best value, main diagnosis, decision), the runs
 * that are not comparable under the rule and the skipped runs with their
 * reasons. Returns 0, or -1 after error().
 */
int html_index(const struct run_set *set, const struct report_info *info,
               struct strbuf *out);

/*
 * The page of one run that was read (status RUN_OK or RUN_NOT_COMPARABLE):
 * the best checkpoint, the decision record (symptom, evidence per finding,
 * first check, one next change, success rule, decision), the charts and
 * the config. Returns 0, or -1 after error().
 */
int html_run(const struct run *r, const struct report_info *info,
             struct strbuf *out);

/*
 * The comparison page: the rule, the leaderboard under it (baseline
 * marked, deltas to the baseline, verdicts), the runs-by-slices table at
 * the best checkpoints with regressions highlighted, the config diff
 * table, the seed groups, and the overlay chart (file name relative to
 * the site root, or NULL when none was drawn). Returns 0, or -1 after
 * error().
 */
int html_compare(const struct run_set *set, const struct report_info *info,
                 const char *overlay, struct strbuf *out);

#endif
