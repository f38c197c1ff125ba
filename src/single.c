/*
 * single.c - the whole report as one HTML file.
 *
 * The pages are rendered by html.c from the same structs as the site's,
 * in its one-file link mode (html.h): each page is a <section> whose id
 * the others link to, with its charts inline. This file puts them in
 * their frame, templates/single.tpl: the document's head with the
 * stylesheet inlined, the one <main> that holds the sections, and the
 * script that sorts the leaderboard.
 * Nothing is parsed back: user text is escaped once, by the templates, as
 * on the site's pages.
 */
#include "single.h"

#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "plot.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The note most decision records share (the signals that could not be
 * checked are often the same for every run of a sweep) and in *count how
 * many share it: said once in the index section instead of in each run's.
 * NULL when no two records share one.
 */
static const char *common_note(const struct run_set *set, size_t *count)
{
    const char **notes = xmalloc((set->n ? set->n : 1) * sizeof(*notes));
    const char *found = NULL;
    size_t n = 0, most = 1;

    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];

        if (r->status != RUN_SKIPPED && r->an.diag.n && r->an.diag.note &&
            *r->an.diag.note)
            notes[n++] = r->an.diag.note;
    }
    qsort(notes, n, sizeof(*notes), cmp_str);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && !strcmp(notes[i], notes[j]); j++)
            ;
        if (j - i > most) {
            most = j - i;
            found = notes[i];
        }
    }
    free(notes);
    *count = found ? most : 0;
    return found;
}

int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info, const char *overlay)
{
    struct report_info in_page = *info;
    struct strbuf out = STRBUF_INIT, sections = STRBUF_INIT;
    struct plot_shared frames = PLOT_SHARED_INIT;
    struct tmpl_dict *d;
    const char *css, *js;
    size_t css_len, js_len;
    int ret;

    in_page.links = HTML_LINKS_IN_PAGE;
    in_page.chart_svgs = NULL;
    in_page.common_note = common_note(set, &in_page.ncommon_note);
    ret = html_index(set, &in_page, &sections) ||
          html_compare(set, &in_page, overlay, &sections);
    in_page.overlay_svg = NULL;
    for (size_t i = 0; i < set->n && !ret; i++) {
        const struct run *r = &set->runs[i];
        struct strbuf *svgs;

        if (r->status == RUN_SKIPPED)
            continue;
        /* In section order: a chart's frame is held by the first. */
        svgs = charts_one_file_svgs(site, r, &frames);
        in_page.chart_svgs = svgs;
        ret = !svgs || html_run(r, &in_page, &sections);
        charts_free_svgs(r, svgs);
    }
    plot_shared_release(&frames);
    if (!ret) {
        struct strbuf style = STRBUF_INIT;

        css = tmpl_asset("style.css", &css_len);
        if (css)
            strbuf_add(&style, css, css_len);
        /* The compact charts' classes, once for all of them. */
        plot_style(&style);
        d = tmpl_dict_new("single");
        tmpl_set(d, "CSS", style.buf);
        strbuf_release(&style);
        tmpl_set(d, "SECTIONS", sections.buf);
        /* The script that sorts the leaderboard, once for the document. */
        js = tmpl_asset(SITE_SORT, &js_len);
        if (js) {
            struct strbuf script = STRBUF_INIT;

            strbuf_add(&script, js, js_len);
            tmpl_set(tmpl_add(d, "SCRIPT"), "JS", script.buf);
            strbuf_release(&script);
        }
        ret = tmpl_render_flush("single.tpl", d, &out);
        tmpl_dict_free(d);
    }
    if (!ret)
        ret = site_write_single(site, out.buf, out.len);
    strbuf_release(&sections);
    strbuf_release(&out);
    return ret ? -1 : 0;
}
