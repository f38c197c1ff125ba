/*
 * plot.h - charts as SVG, drawn with GNU libplot.
 *
 * plot.c is the only file that includes <plot.h>. A chart is described by
 * a struct plot_spec of borrowed pointers and drawn into a strbuf; nothing
 * is written to disk here (site.c does that).
 */
#ifndef REPORTGEN_PLOT_H
#define REPORTGEN_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "numvec.h"
#include "strbuf.h"

enum plot_style {
    PLOT_TRAIN = 0, /* training series: solid blue */
    PLOT_VAL,       /* held-out series: solid orange */
    PLOT_OTHER      /* any other series: a further colour per index */
};

struct plot_series {
    const char *label; /* legend entry, UTF-8, untrusted (a column name) */
    enum plot_style style;
    struct numview x; /* n points, x non-decreasing; points where x or y */
    struct numview y; /* is not finite (a missing value) are skipped */
    size_t n;
    const double *bad_x; /* x of rows whose value was nan/inf: marked */
    size_t nbad;
    const char *const *names; /* with plot_spec.scatter: each point's name
                                 (a run's), for its hover text; or NULL */
};

struct plot_spec {
    const char *title;  /* UTF-8, untrusted */
    const char *xlabel; /* "epoch" or "step" */
    const char *ylabel; /* UTF-8, untrusted */
    const struct plot_series *series;
    size_t nseries;
    bool has_marker; /* draw the best checkpoint */
    double marker_x;
    double marker_y;
    const char *marker_label; /* e.g. "best epoch 3: 0.48" */
    /*
     * A small scatter chart (a third of a wide page): each point a dot,
     * no line and no legend, its hover text its name and both values.
     * Its x axis is logarithmic, and says so, when the x values span a
     * decade or more (a y axis: more than two decades). With xcats, x is
     * instead the
     * index of a category (0 to ncats - 1, UTF-8, untrusted), drawn
     * evenly spaced and labelled with its name.
     */
    bool scatter;
    const char *const *xcats;
    size_t ncats;
};

/*
 * Draw spec as a standalone SVG document (UTF-8, no timestamp, no libplot
 * version line, so equal input gives equal bytes) and append it to out.
 * Series longer than the chart is wide are reduced to a min/max envelope
 * per pixel column, so a million-step log draws as fast as a short one.
 * Returns 0, or -1 after error() if libplot fails.
 */
int plot_svg(const struct plot_spec *spec, struct strbuf *out);

/*
 * For tests only: with on, text is measured by libplot's flabelwidth()
 * and tick labels drawn by its alabel(), rather than libplot's sums and
 * bytes reproduced (see plot.c), so that the two can be compared. Not
 * thread-safe; reportgen never calls it.
 */
void plot_test_libplot_text(bool on);

/*
 * The frames of the compact charts of one page (plot_svg_mini()): each
 * one drawn so far, the first chart that has it holding it with an id.
 */
struct plot_shared {
    struct strbuf *frames;
    size_t n, alloc;
};
#define PLOT_SHARED_INIT                                                       \
    {                                                                          \
        NULL, 0, 0                                                             \
    }
void plot_shared_release(struct plot_shared *sh);

/*
 * Draw spec as a compact chart, for a page that holds many (the one-file
 * report): an inline <svg> element, not a document, a few KB however long
 * the series, with the same axes, log scale rule, line styles and best
 * checkpoint as plot_svg(), non-finite rows crossed at the top as there,
 * and values on hover in up to 10 bands across the frame, each titled
 * with a logged point of every series (the first series' points set the
 * bands; the best checkpoint has one). It has no <style> of its own: the
 * page must hold plot_style() once.
 * With shared, its frame (grid, ticks, axis label and legend) is drawn
 * once per page: the first chart with that frame holds it as <g
 * id="rg-frame-N">, later ones show it with <use>. The charts must then
 * be put in the page in the order they were drawn. Returns 0.
 */
int plot_svg_mini(const struct plot_spec *spec, struct plot_shared *shared,
                  struct strbuf *out);

/*
 * Append svg, a chart of plot_svg(), to out for a page that holds
 * plot_style(): without the stroke and fill colours its classes set (the
 * file keeps them for viewers without CSS).
 */
void plot_svg_inline(const char *svg, struct strbuf *out);

/*
 * Append the CSS rules of the charts' classes (colours in light and dark
 * mode, the hover targets, the compact chart's look), for a page that
 * holds compact charts.
 */
void plot_style(struct strbuf *out);

#endif
