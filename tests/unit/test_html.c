/*
 * test_html.c - the pages html.c renders through tmpl.cc and the embedded
 * templates: escaping of hostile names, UTF-8, links by slug, the rule,
 * the three run tables, the run page, determinism and the error paths.
 *
 * The run_set is built by hand from static storage, so the test needs
 * neither runs.c nor a metrics file, and frees nothing but the pages.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"
#include "strbuf.h"
#include "tmpl.h"
#include "tap.h"

static char xss_name[] = "<script>alert(1)</script>";
static char xss_slug[] = "script-alert-1-script";
static char xss_ev0[] = "val_loss rose 12% from its best at epoch 9 while "
                        "train_loss kept falling";
static char xss_ev1[] = "val_acc still rose 0.4% over the last 3 epochs";
static char xss_symptom[] = "validation loss turns up after epoch 9";
static char xss_check[] = "compare train and val curves after epoch 9";
static char xss_action[] = "stop at the best epoch and add \"dropout\" & "
                           "weight decay";
static char xss_success[] = "val_loss at least 1% below 0.123457";
static char xss_cfg_path[] = "runs/xss/config.yaml";
static char xss_key0[] = "optimizer.lr";
static char xss_val0[] = "0.001";
static char xss_key1[] = "note";
static char xss_val1[] = "\"><img src=x onerror=alert(1)>";
static char chart_file_loss[] = "loss.svg";
static char chart_title_loss[] = "Loss \"train\" <b>";
static char chart_file_evil[] = "javascript:alert(1)";
static char chart_title_evil[] = "Evil";
static char xname_epoch[] = "epoch";
static char xss_metrics[] = "runs/xss/metrics.csv";

static char utf_name[] = "Überprüfung/验证";
static char utf_slug[] = "uberprufung-yan-zheng";
static char utf_ev0[] = "val_loss fell in every one of the last 5 epochs";
static char utf_action[] = "keep this checkpoint";
static char utf_metrics[] = "runs/Überprüfung/metrics.csv";

static char nc_name[] = "no-val";
static char nc_slug[] = "no-val";
static char nc_reason[] =
    "runs/no-val/metrics.csv:1: no column 'val_loss', which the rule "
    "val_loss:min needs; the columns are train_loss, lr, epoch_time and "
    "grad_norm, all of them logged per step";
static char nc_metrics[] = "runs/no-val/metrics.csv";
static char nc_config_error[] =
    "runs/no-val/config.yaml:3: did not find expected key <here>";

static char sk_name[] = "broken";
static char sk_slug[] = "broken";
static char sk_reason[] =
    "runs/broken/metrics.csv:3: bad number 'x' in column 'val_loss'";

static char rule_metric[] = "val_loss";

static struct finding xss_findings[] = {
    {.code = DIAG_OVERFITTING, .evidence = xss_ev0},
    {.code = DIAG_STILL_IMPROVING, .evidence = xss_ev1},
};
static struct finding utf_findings[] = {
    {.code = DIAG_HEALTHY, .evidence = utf_ev0},
};
static struct config_entry xss_cfg[] = {
    {xss_key0, xss_val0},
    {xss_key1, xss_val1},
};
static struct chart_ref xss_charts[] = {
    {chart_file_loss, chart_title_loss, true, false},
    {chart_file_evil, chart_title_evil, false, false},
};

static struct run runs[4];
static struct rule rule = {rule_metric, false};
static const struct report_info info = {
    .rule = &rule, .version = "0.1.0", .links = HTML_LINKS_SITE};

static void build_set(struct run_set *set)
{
    struct run *r;

    memset(runs, 0, sizeof(runs));

    r = &runs[0];
    r->name = xss_name;
    r->slug = xss_slug;
    r->metrics_path = xss_metrics;
    r->status = RUN_OK;
    r->read.config.path = xss_cfg_path;
    r->read.config.n = r->read.config.alloc = 2;
    r->read.config.e = xss_cfg;
    r->read.nrows = 13;
    r->read.xname = xname_epoch;
    r->an.best.found = true;
    r->an.best.x = 9;
    r->an.best.value = 0.123456789;
    r->an.best.last_x = 12;
    r->an.best.last_value = 0.1382;
    r->an.diag.n = r->an.diag.alloc = 2;
    r->an.diag.f = xss_findings;
    r->an.diag.decision = DECISION_ROLLBACK;
    r->an.diag.symptom = xss_symptom;
    r->an.diag.first_check = xss_check;
    r->an.diag.action = xss_action;
    r->an.diag.success = xss_success;
    r->drawn.ncharts = r->drawn.charts_alloc = 2;
    r->drawn.charts = xss_charts;

    r = &runs[1];
    r->name = utf_name;
    r->slug = utf_slug;
    r->metrics_path = utf_metrics;
    r->status = RUN_OK;
    r->read.nrows = 5;
    r->read.xname = xname_epoch;
    r->an.best.found = true;
    r->an.best.x = 5;
    r->an.best.value = 0.25;
    r->an.best.last_x = 5;
    r->an.best.last_value = 0.25;
    r->an.diag.n = r->an.diag.alloc = 1;
    r->an.diag.f = utf_findings;
    r->an.diag.decision = DECISION_KEEP;
    r->an.diag.action = utf_action;

    r = &runs[2];
    r->name = nc_name;
    r->slug = nc_slug;
    r->metrics_path = nc_metrics;
    r->status = RUN_NOT_COMPARABLE;
    r->reason = nc_reason;
    r->read.config_error = nc_config_error;
    r->read.nrows = 4;
    r->read.xname = xname_epoch;

    r = &runs[3];
    r->name = sk_name;
    r->slug = sk_slug;
    r->status = RUN_SKIPPED;
    r->reason = sk_reason;

    set->root = NULL;
    set->n = set->alloc = 4;
    set->runs = runs;
}

static bool has(const struct strbuf *sb, const char *needle)
{
    return strstr(sb->buf, needle) != NULL;
}

/* Offset of needle in sb, or -1: for checking the order of two texts. */
static long pos(const struct strbuf *sb, const char *needle)
{
    const char *p = strstr(sb->buf, needle);

    return p ? (long)(p - sb->buf) : -1;
}

static bool same(const struct strbuf *a, const struct strbuf *b)
{
    return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/* What every page must have to be an HTML5 document in UTF-8. */
static void check_document(const struct strbuf *page, const char *what)
{
    struct strbuf name = STRBUF_INIT;

    strbuf_addf(&name, "%s starts with the HTML5 doctype", what);
    ok(!strncmp(page->buf, "<!DOCTYPE html>\n", 16), name.buf);
    strbuf_reset(&name);
    strbuf_addf(&name, "%s declares UTF-8 and English", what);
    ok(has(page, "<meta charset=\"utf-8\">") && has(page, "<html lang=\"en\">"),
       name.buf);
    strbuf_reset(&name);
    strbuf_addf(&name, "%s holds no template marker", what);
    ok(!has(page, "{{") && !has(page, "}}"), name.buf);
    strbuf_release(&name);
}

/*
 * Run html_index() with stderr sent to a temporary file and append what
 * was written there to msgs. The first render parses every template, and
 * ctemplate reports a modifier that does not fit its context only on
 * stderr ("ERROR: Token: X has missing in-template modifiers"), fixing
 * it silently otherwise: a wrong template would still pass every other
 * check.
 */
static int index_capturing_stderr(const struct run_set *set,
                                  struct strbuf *page, struct strbuf *msgs)
{
    FILE *tmp = tmpfile();
    int saved, ret;
    char buf[256];
    size_t n;

    if (!tmp)
        return -2;
    fflush(stderr);
    saved = dup(2);
    dup2(fileno(tmp), 2);
    ret = html_index(set, &info, page);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
        strbuf_add(msgs, buf, n);
    fclose(tmp);
    return ret;
}

static void test_index(const struct run_set *set)
{
    struct strbuf page = STRBUF_INIT, again = STRBUF_INIT;
    struct strbuf msgs = STRBUF_INIT;

    is_int(index_capturing_stderr(set, &page, &msgs), 0, "html_index succeeds");
    is_str(msgs.buf, "", "the templates parse without a complaint");
    strbuf_release(&msgs);
    check_document(&page, "index");
    ok(!has(&page, "<script>alert"), "index: no raw <script> from a name");
    ok(has(&page, "&lt;script&gt;alert(1)&lt;/script&gt;"),
       "index: the hostile name is shown escaped");
    ok(has(&page, utf_name), "index: the UTF-8 name appears verbatim");
    ok(has(&page, "<a href=\"runs/script-alert-1-script/index.html\">"),
       "index: an analysed run links to runs/<slug>/index.html");
    ok(has(&page, "<a href=\"runs/uberprufung-yan-zheng/index.html\">"),
       "index: the UTF-8 run links by its slug");
    ok(has(&page, "<a href=\"runs/no-val/index.html\">"),
       "index: a not comparable run links to its page");
    ok(!has(&page, "href=\"runs/broken/"), "index: a skipped run has no link");
    ok(has(&page, "Best checkpoint: lowest <code>val_loss</code>"),
       "index: the rule is spelled out");
    ok(has(&page, "<code>val_loss:min</code>"), "index: the raw rule");
    ok(has(&page, "4 runs</strong>") && has(&page, "2 analysed") &&
           has(&page, "1 not comparable") && has(&page, "1 skipped"),
       "index: the counts");
    ok(has(&page, "bad number &#39;x&#39; in column &#39;val_loss&#39;"),
       "index: the skipped reason, escaped");
    ok(has(&page, "no column &#39;val_loss&#39;"),
       "index: the not comparable reason");
    ok(has(&page, "<details><summary>runs/no-val/metrics.csv:1: no column "
                  "&#39;val_loss&#39;, which the rule val_loss:min needs; the "
                  "columns are</summary><span class=\"rest\"> train_loss, "
                  "lr, epoch_time and grad_norm, all of them logged per "
                  "step</span></details>"),
       "index: a long reason is folded at a space, nothing lost");
    ok(has(&page, "data-label=\"Reason\">runs/broken/metrics.csv:3: bad"),
       "index: a short reason is not folded");
    ok(has(&page, "data-label=\"Best val_loss\">0.123457</td>"),
       "index: the best value printed as %.6g");
    ok(has(&page, "at epoch 12, 3 after the best"),
       "index: how far after the best the run ended");
    ok(has(&page, "ended on its best"), "index: a run that ended on its best");
    ok(has(&page, "badge diag diag-overfitting\">overfitting</span>") &&
           has(&page, ">+1</span>"),
       "index: the main diagnosis badge and the count of the others");
    ok(has(&page, "decision-rollback\">rollback<") &&
           has(&page, "decision-keep\">keep<"),
       "index: the decision badges");
    ok(has(&page, "add &quot;dropout&quot; &amp; weight decay"),
       "index: the next action, escaped");
    ok(pos(&page, "<h2>Analysed runs") < pos(&page, "<h2>Not comparable") &&
           pos(&page, "<h2>Not comparable") < pos(&page, "<h2>Skipped"),
       "index: the sections in order");
    ok(has(&page, "reportgen 0.1.0"), "index: the version");

    is_int(html_index(set, &info, &again), 0, "html_index again");
    ok(same(&page, &again), "index: equal input gives identical bytes");

    strbuf_release(&page);
    strbuf_release(&again);
}

static void test_empty_index(void)
{
    struct run_set empty;
    struct strbuf page = STRBUF_INIT;

    memset(&empty, 0, sizeof(empty));
    is_int(html_index(&empty, &info, &page), 0, "html_index of no run");
    ok(has(&page, "0 runs</strong>") && has(&page, "No run could be"),
       "empty index: zero counts and a note instead of a table");
    ok(!has(&page, "<table") && !has(&page, "<h2>Skipped") &&
           !has(&page, "<h2>Not comparable"),
       "empty index: empty sections are left out");
    strbuf_release(&page);
}

static void test_run_pages(const struct run_set *set)
{
    struct strbuf page = STRBUF_INIT, again = STRBUF_INIT;

    is_int(html_run(&set->runs[0], &info, &page), 0, "html_run succeeds");
    check_document(&page, "run page");
    {
        struct report_info with_svg = info;
        struct strbuf svgs[2] = {STRBUF_INIT, STRBUF_INIT}, inl = STRBUF_INIT;

        strbuf_addstr(&svgs[0], "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n"
                                "<svg class=\"rg-chart\"><title>loss</title>"
                                "</svg>\n");
        with_svg.chart_svgs = svgs;
        is_int(html_run(&set->runs[0], &with_svg, &inl), 0,
               "html_run with the charts' SVG succeeds");
        ok(has(&inl, "<figure class=\"chart\">\n    <svg class=\"rg-chart\">"
                     "<title>loss</title></svg>") &&
               !has(&inl, "<?xml") && !has(&inl, "<!DOCTYPE svg"),
           "run: a chart's SVG is in the page, without its XML prologue");
        ok(!has(&inl, "src=\"loss.svg\"") && has(&inl, "<img src="),
           "run: a chart with no SVG given stays an <img>");
        strbuf_release(&svgs[0]);
        strbuf_release(&svgs[1]);
        strbuf_release(&inl);
    }
    ok(!has(&page, "<script>alert"), "run: no raw <script> from a name");
    ok(has(&page, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
       "run: the hostile name is the escaped title");
    ok(has(&page, "<a href=\"../../index.html\">"),
       "run: the breadcrumb leads back to the index");
    ok(has(&page, "href=\"../../style.css\""), "run: the stylesheet path");
    ok(has(&page, "Best checkpoint: lowest <code>val_loss</code>") &&
           has(&page, "<code>val_loss:min</code>"),
       "run: the rule");
    ok(has(&page, "<dd>9</dd>") && has(&page, "<dd>0.123457</dd>") &&
           has(&page, "<dd>12</dd>") && has(&page, "<dd>0.1382</dd>"),
       "run: best and last epoch and value");
    ok(has(&page, "The last epoch is 3 after the best."),
       "run: how far after the best the run ended");
    ok(has(&page, "decision-rollback\">rollback</span>"),
       "run: the decision badge");
    ok(pos(&page, "diag-overfitting") >= 0 &&
           pos(&page, "diag-overfitting") < pos(&page, "diag-still_improving"),
       "run: findings in order, main first");
    ok(has(&page, xss_ev0) && has(&page, xss_ev1) && has(&page, xss_symptom) &&
           has(&page, xss_check) && has(&page, xss_success),
       "run: symptom, evidence, first check and success rule");
    ok(has(&page, "<img src=\"loss.svg\""), "run: a chart by file name");
    ok(has(&page, "alt=\"Loss &quot;train&quot; &lt;b&gt; chart of run "
                  "&lt;script&gt;"),
       "run: quotes in an attribute value are escaped");
    ok(!has(&page, "javascript:") && has(&page, "<img src=\"#\""),
       "run: a javascript: URL is replaced by #");
    ok(has(&page, "title=\"Loss &quot;train&quot; &lt;b&gt;\""),
       "run: the chart title as the image title");
    ok(has(&page, "<code>runs/xss/config.yaml</code>") &&
           has(&page, "<code>optimizer.lr</code>") &&
           has(&page, "<code>0.001</code>"),
       "run: the config file and its entries");
    ok(!has(&page, "<img src=x") &&
           has(&page, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
       "run: a hostile config value is escaped");
    ok(has(&page, "<dt>Points logged</dt>\n    <dd>13 distinct values of "
                  "epoch") &&
           has(&page, "<dt>x axis</dt>\n    <dd>epoch") &&
           has(&page, "<code>runs/xss/metrics.csv</code>"),
       "run: points logged and the metrics file");

    is_int(html_run(&set->runs[0], &info, &again), 0, "html_run again");
    ok(same(&page, &again), "run: equal input gives identical bytes");

    strbuf_reset(&page);
    is_int(html_run(&set->runs[1], &info, &page), 0, "html_run of UTF-8 run");
    ok(has(&page, utf_name) && has(&page, utf_metrics),
       "run: the UTF-8 name and path appear verbatim");
    ok(has(&page, "The best is the last epoch."),
       "run: a run that ended on its best");
    ok(has(&page, "No config file found.") &&
           has(&page, "No charts were drawn"),
       "run: no config and no charts");

    strbuf_reset(&page);
    is_int(html_run(&set->runs[2], &info, &page), 0,
           "html_run of a not comparable run");
    ok(has(&page, "no finite <code>val_loss</code> value: not comparable"),
       "run: no best checkpoint");
    ok(has(&page, "no column &#39;val_loss&#39;") &&
           has(&page, "No diagnosis was made"),
       "run: the reason and no invented decision");
    ok(has(&page, "config.yaml:3: did not find expected key &lt;here&gt;") &&
           !has(&page, "No config file found."),
       "run: a config that could not be read is told apart from none");

    strbuf_reset(&page);
    is_int(html_run(&set->runs[3], &info, &page), -1,
           "html_run of a skipped run fails");
    is_int((long)page.len, 0, "a failed html_run appends nothing");

    strbuf_release(&page);
    strbuf_release(&again);
}

static void test_tmpl(void)
{
    struct tmpl_dict *d = tmpl_dict_new("t");
    struct strbuf out = STRBUF_INIT;
    const char *css;
    size_t len = 1;

    is_int(tmpl_render("nonexistent.tpl", d, &out), -1,
           "an unknown template name fails");
    is_int(tmpl_render("style.css", d, &out), -1, "an asset is not a template");
    is_int((long)out.len, 0, "a failed render appends nothing");
    tmpl_dict_free(d);
    tmpl_dict_free(NULL);

    css = tmpl_asset("style.css", &len);
    ok(css && len > 0 && strlen(css) == len,
       "style.css is compiled in, NUL-terminated");
    ok(css && !strstr(css, "url(") && !strstr(css, "@import"),
       "style.css loads nothing from outside");
    ok(!tmpl_asset("index.tpl", &len) && len == 0,
       "a template is not an asset");
    ok(!tmpl_asset("missing.css", &len), "an unknown asset is NULL");
    strbuf_release(&out);
}

static bool starts(const struct strbuf *sb, const char *prefix)
{
    return !strncmp(sb->buf, prefix, strlen(prefix));
}

/* Is every href in sb a link within the page ("#...")? */
static bool links_in_page(const struct strbuf *sb)
{
    for (const char *p = sb->buf; (p = strstr(p, "href=\"")); p++)
        if (p[6] != '#')
            return false;
    return true;
}

/*
 * The pages as sections of the one-file report: no document of their
 * own, one <h1> (the index's), links to sections' ids, charts only
 * inline.
 */
static void test_one_file(const struct run_set *set)
{
    struct report_info in_page = info;
    struct strbuf page = STRBUF_INIT;
    struct strbuf svgs[2] = {STRBUF_INIT, STRBUF_INIT};

    in_page.links = HTML_LINKS_IN_PAGE;
    is_int(html_index(set, &in_page, &page), 0, "one file: index renders");
    ok(starts(&page, "<section class=\"folded\" id=\"index\">\n") &&
           !has(&page, "<html") && !has(&page, "<head>") &&
           !has(&page, "<main") && !has(&page, "<footer"),
       "one file: the index is one section, not a document");
    ok(has(&page, "<h1>reportgen report</h1>"),
       "one file: the index's title is the document's <h1>");
    ok(has(&page, "<a href=\"#run-script-alert-1-script\">") &&
           has(&page, "<a href=\"#compare\">") &&
           !has(&page, "href=\"#run-broken"),
       "one file: the index links to the sections, not a skipped run");
    ok(links_in_page(&page), "one file: no link out of the index section");

    strbuf_reset(&page);
    is_int(html_run(&set->runs[1], &in_page, &page), 0,
           "one file: a run without charts renders");
    ok(starts(&page,
              "<section class=\"folded\" id=\"run-uberprufung-yan-zheng\">") &&
           !has(&page, "<h1") && !has(&page, "<main") &&
           has(&page, "<h2 class=\"page-title\">\xc3\x9c"),
       "one file: a run is a section titled by an <h2>");
    ok(has(&page, "<p class=\"back\"><a href=\"#index\">Back to all runs</a>"
                  "</p>\n</section>\n") &&
           links_in_page(&page),
       "one file: a run section links back to the index, and nowhere out");

    strbuf_reset(&page);
    is_int(html_run(&set->runs[0], &in_page, &page), -1,
           "one file: a chart with no SVG to inline fails");
    is_int((long)page.len, 0, "one file: ... and appends nothing");
    strbuf_addstr(&svgs[0], "<svg class=\"rg-chart\"></svg>\n");
    strbuf_addstr(&svgs[1], "<svg class=\"rg-chart\"></svg>\n");
    in_page.chart_svgs = svgs;
    is_int(html_run(&set->runs[0], &in_page, &page), 0,
           "one file: a run with its charts' SVG renders");
    ok(!has(&page, "<img") && !has(&page, " src=\"") && links_in_page(&page) &&
           !has(&page, "<script>alert"),
       "one file: charts inline, no link out, the hostile name escaped");
    strbuf_release(&svgs[0]);
    strbuf_release(&svgs[1]);
    strbuf_release(&page);
}

/* The site layout, said once in runs.c. */
static void test_layout(const struct run_set *set)
{
    char *page = run_page_path(&set->runs[0]);
    char *file = run_file_path(&set->runs[0], "loss.svg");
    char *link = run_link_from_run(&set->runs[0]);

    is_str(page, "runs/script-alert-1-script/index.html",
           "layout: a run's page is runs/<slug>/index.html");
    is_str(file, "runs/script-alert-1-script/loss.svg",
           "layout: its charts sit beside it");
    is_str(link, "../script-alert-1-script/index.html",
           "layout: one run page links to another through ../<slug>/");
    free(page);
    free(file);
    free(link);
}

int main(void)
{
    struct run_set set;

    plan(90);
    build_set(&set);
    test_index(&set);
    test_empty_index();
    test_run_pages(&set);
    test_tmpl();
    test_layout(&set);
    test_one_file(&set);
    return done();
}
