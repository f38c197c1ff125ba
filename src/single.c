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

#include "charts.h"
#include "plot.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info, const char *overlay)
{
    struct report_info in_page = *info;
    struct strbuf out = STRBUF_INIT, sections = STRBUF_INIT;
    struct tmpl_dict *d;
    const char *css, *js;
    size_t css_len, js_len;
    int ret;

    in_page.links = HTML_LINKS_IN_PAGE;
    in_page.chart_svgs = NULL;
    ret = html_index(set, &in_page, &sections) ||
          html_compare(set, &in_page, overlay, &sections);
    in_page.overlay_svg = NULL;
    for (size_t i = 0; i < set->n && !ret; i++) {
        const struct run *r = &set->runs[i];
        struct strbuf *svgs;

        if (r->status == RUN_SKIPPED)
            continue;
        svgs = charts_one_file_svgs(site, r);
        in_page.chart_svgs = svgs;
        ret = !svgs || html_run(r, &in_page, &sections);
        charts_free_svgs(r, svgs);
    }
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
        ret = tmpl_render("single.tpl", d, &out);
        tmpl_dict_free(d);
    }
    if (!ret)
        ret = site_write_single(site, out.buf, out.len);
    strbuf_release(&sections);
    strbuf_release(&out);
    return ret ? -1 : 0;
}
