/*
 * plot.c - one SVG chart per plot_spec, drawn with GNU libplot.
 *
 * This is the only file that includes <plot.h>. html.c decides which
 * charts a page shows and fills a struct plot_spec; plot_svg() draws it
 * into memory and site.c writes the bytes. Nothing here touches disk.
 *
 * A chart is drawn in four stages, each a group of functions below:
 *
 *   1. Text. Every label is untrusted UTF-8, and libplot cannot carry
 *      it: its SVG writer treats label bytes as ISO-8859-1 (dropping
 *      0x80-0x9F), interprets backslash escapes ("\mu", "\sp") and cuts
 *      labels at 256 bytes, which can split a character reference. So
 *      user text never reaches libplot. Each label is escaped here into
 *      pure ASCII XML (every non-ASCII code point as "&#xHEX;", & < > " '
 *      as entities, control characters dropped, invalid UTF-8 as U+FFFD),
 *      libplot draws a placeholder "@N@" where it goes, and stage 4
 *      puts the escaped text in place of the placeholder, in one pass,
 *      so nothing inserted is ever read again as markup. libplot cannot
 *      measure a placeholder, so labels are drawn left-justified at a
 *      position computed here: the ASCII part measured with libplot's
 *      Helvetica metrics, the rest estimated (an em for CJK, 0.6 em for
 *      other scripts).
 *
 *   2. Layout. Margins follow from the text actually drawn (the widest
 *      y tick label, whether there is a title), then the axes are chosen
 *      with axis.c, as many ticks as their labels leave room for.
 *
 *   3. Data. Series are mapped to chart coordinates and, when a series
 *      has more points than the frame has pixel columns, reduced to the
 *      first and last points plus the minimum and maximum of each column:
 *      a chart never needs more points than pixels, and the envelope
 *      keeps every spike visible. The legend and the marker label go
 *      where they cross the fewest drawn segments, as matplotlib's
 *      loc="best" does.
 *
 *   4. Output. libplot writes to an open_memstream() FILE. Its header is
 *      rewritten: UTF-8 declared, the version <desc> removed (equal input
 *      must give equal bytes), and the unit-square viewBox that libplot
 *      stretches to the page replaced by a CHART_W x CHART_H one with
 *      width="100%", so the chart scales with the page and keeps 16:10.
 *      Then the labels replace their placeholders. The document is pure
 *      ASCII, so it reads the same whatever encoding a consumer assumes.
 *
 * Coordinates: libplot's user space is set to CHART_W x CHART_H with y
 * up; stage 4 maps it to an SVG viewBox of the same size with y down.
 */
#define _GNU_SOURCE /* memmem() */
#include "plot.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plot.h> /* libplot's, after <stdio.h> as it requires */

#include "axis.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

/*
 * The chart's size in SVG user units, about CSS pixels at 100%. A small
 * chart (plot_spec.scatter) is drawn about 395 px wide, three abreast in
 * a 1280 px window: 0.82 px per unit, so its text, in the same units, is
 * larger on screen than a big chart's.
 */
#define CHART_W 800
#define CHART_H 500
#define SMALL_W 480
#define SMALL_H 340

/*
 * Font sizes, in user units. A chart is drawn about 590 px wide in the
 * two-column grid of a 1280 px window, 0.74 px per unit, so 15.5 units
 * are 11.4 px there: no text is smaller, and all of it scales with the
 * chart.
 */
#define FS_TITLE 19.0
#define FS_AXIS 16.5
#define FS_TICK 15.5
#define FS_LEGEND 15.5
#define FS_MARKER 15.5
#define FS_MIN 15.5

/*
 * Space between the frame and the first and last ticks, so that points on
 * the range's ends, the marker dot on them and the crosses at the top are
 * not drawn over the frame (matplotlib's axes margins do the same).
 */
#define INSET_X 8.0
#define INSET_Y 10.0

/* Longest labels kept, in code points; longer ones end in "...". */
#define MAX_LABEL_CP 60
#define MAX_LEGEND_CP 40

/*
 * Colours. Each role has one colour here, used only by it, and a class
 * of the same name: postprocess() gives every element the classes of its
 * stroke and fill colours ("s-train", "f-bg"), and the chart's <style>
 * sets the colour of each class, in a light and a dark variant chosen by
 * prefers-color-scheme. The attributes stay as a fallback for viewers
 * without CSS. Series colours are Okabe and Ito's colour-blind-safe
 * palette (2008), and every series also differs from its neighbours in
 * its dash pattern, so no reader depends on colour alone.
 */
/* Whether ps has points to read (a series may come without). */
static bool has_points(const struct plot_series *ps)
{
    return !numview_null(ps->x) && !numview_null(ps->y);
}

struct role_color {
    const char *name;  /* class suffix */
    const char *light; /* as libplot writes it: lower-case hex or a name */
    const char *dark;
};

static const struct role_color role_colors[] = {
    {"bg", "white", "#0d1117"},       {"train", "#0072b2", "#56b4e9"},
    {"val", "#d55e00", "#f28c51"},    {"o0", "#009e73", "#2fc79a"},
    {"o1", "#cc79a7", "#e3a3c7"},     {"o2", "#e69f00", "#f2b84b"},
    {"o3", "#56b3e9", "#8fd0f5"},     {"o4", "#111111", "#f0f0f0"},
    {"marker", "#333333", "#c9d1d9"}, {"bad", "#b2182b", "#ff7b72"},
    {"grid", "#e5e5e5", "#2a313a"},   {"frame", "#b0b0b0", "#59636e"},
    {"tick", "#444444", "#b1bac4"},   {"text", "#222222", "#e6edf3"},
    {"note", "#888888", "#8b949e"},   {"ledge", "#cccccc", "#3d444d"},
};

#define COLOR_BG "white"
#define COLOR_TRAIN "#0072b2"
#define COLOR_VAL "#d55e00"
#define COLOR_MARKER "#333333"
#define COLOR_MARKER_TEXT "#222222"
#define COLOR_BAD "#b2182b"
#define COLOR_GRID "#e5e5e5"
#define COLOR_FRAME "#b0b0b0"
#define COLOR_TICK_TEXT "#444444"
#define COLOR_TEXT "#222222"
#define COLOR_NOTE "#888888"
#define COLOR_LEGEND_EDGE "#cccccc"

static const char *const other_colors[] = {
    "#009e73", "#cc79a7", "#e69f00", "#56b3e9", "#111111",
};

/*
 * Dash patterns, in user units. Training series are solid, held-out
 * ones dashed; the other series step through colours and dashes
 * together (5 colours, 4 dashes: 20 series before a pair repeats).
 */
struct dash {
    int n;
    double d[4];
};

static const struct dash dashes[] = {
    {0, {0}},
    {2, {9, 4.5}},
    {2, {2, 3.5}},
    {4, {9, 3.5, 2, 3.5}},
};

/* An axis-aligned rectangle in chart coordinates (y up). */
struct rect {
    double x0, y0, x1, y1;
};

/*
 * A label as drawn: xml is the text escaped as ASCII XML character data;
 * ascii holds its ASCII characters only, for libplot to measure (with '\'
 * as '/', which is as wide and no escape); the other code points add
 * other_em ems of estimated width.
 */
struct text {
    struct strbuf xml;
    struct strbuf ascii;
    double other_em;
};

/* One series as drawn: chart coordinates, after downsampling. */
struct trace {
    const struct plot_series *src;
    const char *color;
    const struct dash *dash;
    double *x, *y;
    size_t n;
    double absmax; /* the largest |x[i]| or |y[i]| (rect_cost()) */
};

/* A legend row: a swatch (line, or red cross when bad) and its text. */
struct legend_row {
    const struct trace *trace;
    bool bad;
    struct text text;
};

/* What one pass over a series finds (scan_series()). */
struct extent {
    size_t n;        /* points with finite x and y */
    double xlo, xhi; /* their range */
    double ylo, yhi;
    bool integral; /* every such x a whole number */
};

struct chart {
    const struct plot_spec *spec;
    struct extent *ext; /* one per series */
    size_t nseries;     /* spec->nseries, or 0 when there is no array */
    double w, h;        /* CHART_W x CHART_H, or SMALL_W x SMALL_H */
    plPlotter *pl;
    const char *font;  /* libplot's font name (set_font()) */
    struct rect frame; /* the box drawn around the data */
    struct rect area;  /* where the axes map: the frame, inset */
    struct axis ax, ay;
    bool ylog;    /* ay is in log10 units: the values span many decades */
    bool xlog;    /* the same for ax (scatter charts only) */
    bool xcats;   /* ax is categories: x is an index into spec->xcats */
    size_t ncols; /* pixel columns of the area */
    double colw;  /* their width in units; 0 is 1 */

    struct trace *traces;
    size_t ntraces;
    bool any_points;

    double *bad_x; /* crosses to draw, chart coordinates */
    size_t nbad, bad_alloc;

    bool marker;        /* has_marker with finite coordinates */
    double mx, my;      /* the marker dot, chart coordinates */
    struct rect mlabel; /* the marker label's box */
    double mlabel_fs;
    struct text mtext;

    struct legend_row *rows;
    size_t nrows, rows_alloc;
    size_t more; /* series left out of a full legend */
    struct text more_text;

    struct strbuf hits; /* the hover targets, SVG (hits_fill()) */

    char **labels; /* escaped text of placeholder "@N@" */
    size_t nlabels, labels_alloc;
    char **polys; /* the points of polyline placeholder N (see POLY_X) */
    size_t npolys, polys_alloc;
    struct strbuf *blocks; /* the segments of line placeholder N (LINES_X) */
    size_t nblocks, blocks_alloc;
    struct strbuf ticks; /* the tick labels' <text> elements (TICKS_X) */
};

/* ------------------------------------------------------------------ */
/* Stage 1: text                                                       */
/* ------------------------------------------------------------------ */

/*
 * Code points drawn about one em wide: CJK, Hangul, fullwidth forms
 * (after the East Asian Width "W" and "F" ranges, simplified).
 */
static bool is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
           (cp >= 0x20000 && cp <= 0x3fffd);
}

/* Combining marks take no width of their own. */
static bool is_combining(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
           (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
           cp == 0x200b || cp == 0x200c || cp == 0x200d;
}

/*
 * Estimated advance of a non-ASCII code point, in ems, erring wide: a
 * label estimated too wide is merely off centre, one estimated too narrow
 * can run out of the chart. Helvetica's accented Latin letters are 0.5 to
 * 0.75 em wide, Greek and Cyrillic about the same; symbols and the U+FFFD
 * box that fallback fonts draw are wider.
 */
static double em_width(uint32_t cp)
{
    if (is_combining(cp))
        return 0;
    if (is_wide(cp) || cp == 0xfffd)
        return 1;
    if (cp < 0x530)
        return 0.65;
    return 0.85;
}

/*
 * Map a code point to what is drawn: tabs and line breaks become spaces,
 * other control characters (C0, DEL, C1) are dropped (returned as 0), and
 * the XML non-characters U+FFFE and U+FFFF become U+FFFD.
 */
static uint32_t drawable(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return ' ';
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return 0;
    if (cp == 0xfffe || cp == 0xffff)
        return 0xfffd;
    return cp;
}

static void text_init(struct text *t)
{
    strbuf_init(&t->xml, 0);
    strbuf_init(&t->ascii, 0);
    t->other_em = 0;
}

static void text_release(struct text *t)
{
    strbuf_release(&t->xml);
    strbuf_release(&t->ascii);
}

static void text_addcp(struct text *t, uint32_t cp)
{
    switch (cp) {
    case '&':
        strbuf_addstr(&t->xml, "&amp;");
        break;
    case '<':
        strbuf_addstr(&t->xml, "&lt;");
        break;
    case '>':
        strbuf_addstr(&t->xml, "&gt;");
        break;
    case '"':
        strbuf_addstr(&t->xml, "&quot;");
        break;
    case '\'':
        strbuf_addstr(&t->xml, "&apos;");
        break;
    default:
        if (cp < 0x80)
            strbuf_addch(&t->xml, (int)cp);
        else
            strbuf_addf(&t->xml, "&#x%X;", (unsigned)cp);
    }
    if (cp < 0x80)
        strbuf_addch(&t->ascii, cp == '\\' ? '/' : (int)cp);
    else
        t->other_em += em_width(cp);
}

/*
 * Fill t from the UTF-8 string s (NULL is empty), keeping at most max_cp
 * code points: a longer label keeps max_cp - 1 and ends in U+2026.
 */
static void text_set(struct text *t, const char *s, size_t max_cp)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p), total = 0, kept = 0, used, i;
    uint32_t cp;

    strbuf_reset(&t->xml);
    strbuf_reset(&t->ascii);
    t->other_em = 0;

    for (i = 0; i < len; i += used)
        if (drawable(utf8_next(p + i, len - i, &used)))
            total++;
    for (i = 0; i < len; i += used) {
        cp = drawable(utf8_next(p + i, len - i, &used));
        if (!cp)
            continue;
        if (total > max_cp && kept + 1 >= max_cp) {
            text_addcp(t, 0x2026);
            break;
        }
        text_addcp(t, cp);
        kept++;
    }
}

static bool text_empty(const struct text *t)
{
    return !t->xml.len;
}

/* Every font change goes through here, so that c->font names it. */
static void set_font(struct chart *c, const char *name)
{
    c->font = name;
    pl_fontname_r(c->pl, name);
}

/*
 * For tests: everything libplot measures and writes of text is left to
 * it (plot_test_libplot_text()).
 */
static bool libplot_text;

void plot_test_libplot_text(bool on)
{
    libplot_text = on;
}

/*
 * libplot's width of s in c's font at size fs, which must be the
 * plotter's. For its PostScript fonts libplot sums the widths of the
 * characters in its font table (whole thousandths of an em) and returns
 * fs * sum / 1000.0 (plotutils 2.6, _pl_g_get_text_width()), but each
 * measure also looks the font up by name (strcasecmp over its tables),
 * some 5,000 instructions. So each thread reads the table once per font,
 * the width libplot gives each printable ASCII character at size 1000,
 * and sums it the same way; text with any other byte, or with the
 * backslash that starts libplot's escapes, is measured by libplot.
 */
#define NFONTS 3
static const char *const font_names[NFONTS] = {"Helvetica", "Helvetica-Bold",
                                               "Helvetica-Oblique"};

struct font_widths {
    bool read, ok;
    int w[128];
};

static _Thread_local struct font_widths font_widths[NFONTS];

static const struct font_widths *widths_of(const struct chart *c, double fs)
{
    struct font_widths *fw;
    size_t f = 0;

    while (f < NFONTS && c->font && strcmp(c->font, font_names[f]))
        f++;
    if (libplot_text || !c->font || f == NFONTS)
        return NULL;
    fw = &font_widths[f];
    if (!fw->read) {
        char one[2] = {0, 0};

        fw->read = fw->ok = true;
        pl_ffontsize_r(c->pl, 1000);
        for (int ch = ' '; ch < 127; ch++) {
            double w;

            if (ch == '\\')
                continue;
            one[0] = (char)ch;
            w = pl_flabelwidth_r(c->pl, one);
            if (w >= 0 && w <= 10000 && w == floor(w))
                fw->w[ch] = (int)w;
            else
                fw->ok = false;
        }
        pl_ffontsize_r(c->pl, fs);
    }
    return fw->ok ? fw : NULL;
}

static double label_width(const struct chart *c, const char *s, double fs)
{
    const struct font_widths *fw = widths_of(c, fs);
    const unsigned char *p = (const unsigned char *)s;
    int sum = 0;

    for (; fw && *p >= ' ' && *p < 127 && *p != '\\'; p++)
        sum += fw->w[*p];
    if (fw && !*p)
        return fs * (double)sum / 1000.0;
    return pl_flabelwidth_r(c->pl, s);
}

/*
 * The width of t at font size fs. The ASCII part is measured by libplot
 * from the Helvetica metrics, which browsers match with Arial, Liberation
 * Sans or Nimbus Sans; the rest is estimated.
 */
static double text_width(struct chart *c, const struct text *t, double fs)
{
    pl_ffontsize_r(c->pl, fs);
    return label_width(c, t->ascii.buf, fs) + t->other_em * fs;
}

/*
 * Choose a font size no larger than fs for t to fit in avail: shrink
 * down to FS_MIN, then drop code points until it fits.
 */
static double text_fit(struct chart *c, struct text *t, const char *s,
                       size_t max_cp, double fs, double avail)
{
    double w = text_width(c, t, fs);

    if (w <= avail || w <= 0)
        return fs;
    fs = fmax(FS_MIN, fs * avail / w);
    while ((w = text_width(c, t, fs)) > avail && max_cp > 4) {
        size_t want = (size_t)((double)max_cp * avail / w);

        max_cp = want < max_cp ? want : max_cp - 1;
        if (max_cp < 4)
            max_cp = 4;
        text_set(t, s, max_cp);
    }
    return fs;
}

/*
 * Draw t with its left end at x (rotated 90 degrees when up), vertical
 * justification vj as libplot's ('b', 'x', 'c', 't'), which depends only
 * on the font, never on the text. libplot draws the placeholder "@N@";
 * postprocess() puts the text in.
 */
static void text_draw(struct chart *c, const struct text *t, double x, double y,
                      double fs, char vj, bool up)
{
    char ph[32];

    if (text_empty(t))
        return;
    ALLOC_GROW(c->labels, c->nlabels + 1, c->labels_alloc);
    c->labels[c->nlabels] = xstrdup(t->xml.buf);
    snprintf(ph, sizeof(ph), "@%zu@", c->nlabels++);
    pl_ffontsize_r(c->pl, fs);
    /* The angle is 0 but here; each change makes libplot look up the font. */
    if (up)
        pl_ftextangle_r(c->pl, 90);
    pl_fmove_r(c->pl, x, y);
    pl_alabel_r(c->pl, 'l', vj, ph);
    if (up)
        pl_ftextangle_r(c->pl, 0);
}

/* As text_draw(), centred on x (or on y when up). */
static void text_draw_centred(struct chart *c, const struct text *t, double x,
                              double y, double fs, char vj, bool up)
{
    double w = text_width(c, t, fs);

    if (up)
        text_draw(c, t, x, y - w / 2, fs, vj, true);
    else
        text_draw(c, t, x - w / 2, y, fs, vj, false);
}

/* Escape s for XML character data as labels are, for the <title>. */
static void xml_add_text(struct strbuf *out, const char *s, size_t max_cp)
{
    struct text t;

    text_init(&t);
    text_set(&t, s, max_cp);
    strbuf_add(out, t.xml.buf, t.xml.len);
    text_release(&t);
}

/* ------------------------------------------------------------------ */
/* Stage 2: layout                                                     */
/* ------------------------------------------------------------------ */

/* Grow [*lo, *hi] to cover v when v is finite. */
static void cover(double *lo, double *hi, double v)
{
    if (!isfinite(v))
        return;
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

/* The data ranges: all finite x (points and bad rows), finite y, marker. */
/*
 * The extent of each series over its points whose x and y are finite, in
 * one pass over each (a series may be a column of millions of values).
 */
static void scan_series(struct chart *c)
{
    double xbuf[NUMVIEW_BLOCK], ybuf[NUMVIEW_BLOCK];

    c->ext = xcalloc(c->nseries ? c->nseries : 1, sizeof(*c->ext));
    for (size_t s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &c->spec->series[s];
        struct extent *e = &c->ext[s];

        e->xlo = e->ylo = INFINITY;
        e->xhi = e->yhi = -INFINITY;
        e->integral = true;
        for (size_t b = 0; has_points(ps) && b < ps->n; b += NUMVIEW_BLOCK) {
            size_t bn = ps->n - b < NUMVIEW_BLOCK ? ps->n - b : NUMVIEW_BLOCK;
            const double *xs = numview_block(ps->x, b, bn, xbuf);
            const double *ys = numview_block(ps->y, b, bn, ybuf);

            for (size_t j = 0; j < bn; j++) {
                if (!isfinite(xs[j]) || !isfinite(ys[j]))
                    continue;
                e->n++;
                cover(&e->xlo, &e->xhi, xs[j]);
                cover(&e->ylo, &e->yhi, ys[j]);
                if (xs[j] != floor(xs[j]))
                    e->integral = false;
            }
        }
    }
}

static void data_range(const struct chart *c, double *xlo, double *xhi,
                       double *ylo, double *yhi)
{
    const struct plot_spec *spec = c->spec;
    size_t s, i;

    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    for (s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &spec->series[s];
        const struct extent *e = &c->ext[s];

        if (e->n) {
            cover(xlo, xhi, e->xlo);
            cover(xlo, xhi, e->xhi);
            cover(ylo, yhi, e->ylo);
            cover(ylo, yhi, e->yhi);
        }
        for (i = 0; ps->bad_x && i < ps->nbad; i++)
            cover(xlo, xhi, ps->bad_x[i]);
    }
    if (spec->has_marker && isfinite(spec->marker_x) &&
        isfinite(spec->marker_y)) {
        cover(xlo, xhi, spec->marker_x);
        cover(ylo, yhi, spec->marker_y);
    }
    /* Nothing finite: axis_nice() turns NaN bounds into 0..1. */
    if (*xlo > *xhi)
        *xlo = *xhi = NAN;
    if (*ylo > *yhi)
        *ylo = *yhi = NAN;
}

/* Are all x values of the chart whole numbers? */
static bool integral_x(const struct chart *c)
{
    for (size_t s = 0; s < c->nseries; s++)
        if (!c->ext[s].integral)
            return false;
    return true;
}

/*
 * The label of tick value v of axis a: on a log y axis v is a power of
 * ten's exponent and the label is the value itself ("0.001", "1e+06").
 */
static char *tick_label(const struct chart *c, const struct axis *a, double v,
                        char *buf, size_t size)
{
    if ((a == &c->ay && c->ylog) || (a == &c->ax && c->xlog))
        return fmt_num(buf, size, pow(10, v));
    return axis_label(a, v, buf, size);
}

/* The widest tick label of a, at FS_TICK. */
static double widest_label(const struct chart *c, const struct axis *a)
{
    char buf[FMT_NUM_SIZE];
    double w = 0;
    size_t i;

    pl_ffontsize_r(c->pl, FS_TICK);
    for (i = 0; i < a->nticks; i++)
        w = fmax(w, label_width(
                        c, tick_label(c, a, axis_tick(a, i), buf, sizeof(buf)),
                        FS_TICK));
    return w;
}

/*
 * Should the y axis (or with x, the x axis) be logarithmic? When every
 * value is positive and the largest is more than LOG_SPAN times the
 * smallest: a loss that falls from 2000 to 4 is otherwise a flat line
 * after its first epochs, best checkpoint included, and learning rates
 * of 1e-5 to 1e-2 would all but one sit at zero. The axis label then
 * says "(log scale)". Only a scatter chart's x axis can be: epochs and
 * steps are read in their own units. Its values are a setting's, which a
 * sweep mostly spaces by factors (1e-4, 3e-4, 1e-3, ...): a decade of
 * them (LOG_SPAN_X) already crowds to the left of a linear axis.
 */
#define LOG_SPAN 100.0
#define LOG_SPAN_X 10.0

static bool want_log(const struct chart *c, bool x)
{
    double lo = INFINITY, hi = -INFINITY;

    for (size_t s = 0; s < c->nseries; s++) {
        const struct extent *e = &c->ext[s];

        if (!e->n)
            continue;
        if ((x ? e->xlo : e->ylo) <= 0)
            return false;
        cover(&lo, &hi, x ? e->xlo : e->ylo);
        cover(&lo, &hi, x ? e->xhi : e->yhi);
    }
    return lo <= hi && (x ? hi >= lo * LOG_SPAN_X : hi > lo * LOG_SPAN);
}

/*
 * A log y axis over [ylo, yhi] (both positive): ticks at whole powers of
 * ten, every step-th one when there are more than max_ticks decades.
 */
static void log_axis(double ylo, double yhi, size_t max_ticks, struct axis *a)
{
    double lo = floor(log10(ylo)), hi = ceil(log10(yhi));
    double step = fmax(1, ceil((hi - lo) / (double)(max_ticks - 1)));

    if (hi <= lo)
        hi = lo + 1;
    a->lo = lo;
    a->step = step;
    a->hi = lo + step * ceil((hi - lo) / step);
    a->nticks = (size_t)((a->hi - a->lo) / step) + 1;
}

/*
 * Place the frame and choose both axes. The y axis gets a tick every 46
 * units or so; its widest label sets the left margin. The x axis then gets
 * as many ticks as leave a label's width of air between labels.
 */
static void layout(struct chart *c, const struct text *title,
                   const struct text *xlabel, const struct text *ylabel)
{
    double xlo, xhi, ylo, yhi, top, bottom, left, right, w, last;
    char buf[FMT_NUM_SIZE];
    size_t max_ticks;

    data_range(c, &xlo, &xhi, &ylo, &yhi);

    top = c->h - (text_empty(title) ? 18 : 50);
    bottom = text_empty(xlabel) ? 40 : 66;
    if (c->ylog)
        log_axis(ylo, yhi, (size_t)((top - bottom - 2 * INSET_Y) / 46) + 1,
                 &c->ay);
    else
        axis_nice(ylo, yhi, (size_t)((top - bottom - 2 * INSET_Y) / 46) + 1,
                  &c->ay);

    left = 14 + (text_empty(ylabel) ? 0 : FS_AXIS * 1.2 + 8) +
           widest_label(c, &c->ay) + 11;
    right = c->w - 20;
    for (max_ticks = 11; max_ticks > 3 && !c->xcats; max_ticks--) {
        if (c->xlog)
            log_axis(xlo, xhi, max_ticks, &c->ax);
        else
            axis_nice(xlo, xhi, max_ticks, &c->ax);
        w = widest_label(c, &c->ax);
        if ((right - left - 2 * INSET_X) / (double)(c->ax.nticks - 1) >=
            2 * w + 8)
            break;
    }
    if (c->xcats) {
        /* Categories at 0 .. ncats - 1, half a slot of air at each end. */
        c->ax.lo = -0.5;
        c->ax.hi = (double)c->spec->ncats - 0.5;
        c->ax.step = 1;
        c->ax.nticks = 0;
    }
    /*
     * Epochs and steps are counted in whole numbers: a run of a few
     * epochs gets a tick per epoch, never "1.5".
     */
    if (c->ax.step < 1 && !c->xlog && !c->xcats && integral_x(c) &&
        isfinite(xlo) && isfinite(xhi)) {
        c->ax.lo = floor(xlo);
        c->ax.hi = fmax(ceil(xhi), c->ax.lo + 1);
        c->ax.step = 1;
        c->ax.nticks = (size_t)(c->ax.hi - c->ax.lo) + 1;
    }
    /* Keep the last x label inside the chart. */
    pl_ffontsize_r(c->pl, FS_TICK);
    last =
        c->xcats
            ? 0
            : label_width(c, tick_label(c, &c->ax, c->ax.hi, buf, sizeof(buf)),
                          FS_TICK);
    if (c->w - (right - INSET_X) < last / 2 + 6)
        right = c->w - (last / 2 + 6) + INSET_X;

    c->frame.x0 = left;
    c->frame.x1 = right;
    c->frame.y0 = bottom;
    c->frame.y1 = top;
    c->area.x0 = left + INSET_X;
    c->area.x1 = right - INSET_X;
    c->area.y0 = bottom + INSET_Y;
    c->area.y1 = top - INSET_Y;
    c->ncols = (size_t)(c->area.x1 - c->area.x0);
    if (c->ncols < 1)
        c->ncols = 1;
}

/*
 * Data to chart coordinates. A value outside the axis (only possible for
 * huge values, which axis.c clamps) is pinned just outside the area, in
 * the frame's inset, and so is NaN: libplot never sees a wild number.
 */
static double map(double v, const struct axis *a, double c0, double c1)
{
    double t = (v - a->lo) / (a->hi - a->lo);

    if (!(t >= -0.01))
        t = -0.01;
    if (t > 1.01)
        t = 1.01;
    return c0 + t * (c1 - c0);
}

static double map_x(const struct chart *c, double x)
{
    if (c->xlog)
        x = x > 0 ? log10(x) : -INFINITY;
    return map(x, &c->ax, c->area.x0, c->area.x1);
}

static double map_y(const struct chart *c, double y)
{
    if (c->ylog)
        y = y > 0 ? log10(y) : -INFINITY;
    return map(y, &c->ay, c->area.y0, c->area.y1);
}

/*
 * Tick values to chart coordinates. A tick is in axis units: on a log
 * axis it is already a power of ten's exponent, so it is mapped as it
 * is, never through map_x() or map_y(), which take data values.
 */
static double tick_x(const struct chart *c, size_t i)
{
    return map(axis_tick(&c->ax, i), &c->ax, c->area.x0, c->area.x1);
}

static double tick_y(const struct chart *c, size_t i)
{
    return map(axis_tick(&c->ay, i), &c->ay, c->area.y0, c->area.y1);
}

/* ------------------------------------------------------------------ */
/* Stage 3: data                                                       */
/* ------------------------------------------------------------------ */

/*
 * The pixel column of chart x coordinate px: columns are one unit wide,
 * or colw units when that is set (the compact chart's MINI_COL).
 */
static size_t column(const struct chart *c, double px)
{
    double t = floor((px - c->area.x0) / (c->colw > 0 ? c->colw : 1));

    if (!(t >= 0))
        return 0;
    if (t >= (double)c->ncols)
        return c->ncols - 1;
    return (size_t)t;
}

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * Fill tr from its series: finite points only (a series may hold missing
 * values; a NaN would make libplot draw garbage), mapped to the chart. When
 * there are more than the frame has columns, keep the first and the last
 * point and, in each column, the points with the lowest and highest y, in
 * their original order: at most 2 * ncols + 2 points, and the line drawn
 * spans the same extremes in every column as the full one would. One pass
 * over the series finds them all; only the kept indices are then sorted.
 */
static void trace_fill(struct chart *c, struct trace *tr)
{
    const struct plot_series *ps = tr->src;
    size_t i, m = 0, first = SIZE_MAX, last = 0, col, nkept = 0;
    size_t *lo_i, *hi_i, *kept;
    double *lo_v, *hi_v, xbuf[NUMVIEW_BLOCK], ybuf[NUMVIEW_BLOCK];

    tr->n = 0;
    tr->absmax = 0;
    if (!has_points(ps))
        return;
    lo_i = xmalloc(c->ncols * sizeof(*lo_i));
    hi_i = xmalloc(c->ncols * sizeof(*hi_i));
    lo_v = xmalloc(c->ncols * sizeof(*lo_v));
    hi_v = xmalloc(c->ncols * sizeof(*hi_v));
    for (col = 0; col < c->ncols; col++)
        lo_i[col] = hi_i[col] = SIZE_MAX;
    for (size_t b = 0; b < ps->n; b += NUMVIEW_BLOCK) {
        size_t bn = ps->n - b < NUMVIEW_BLOCK ? ps->n - b : NUMVIEW_BLOCK;
        const double *xs = numview_block(ps->x, b, bn, xbuf);
        const double *ys = numview_block(ps->y, b, bn, ybuf);

        for (size_t j = 0; j < bn; j++) {
            double y = ys[j];

            if (!isfinite(xs[j]) || !isfinite(y))
                continue;
            i = b + j;
            if (first == SIZE_MAX)
                first = i;
            last = i;
            m++;
            col = column(c, map_x(c, xs[j]));
            if (lo_i[col] == SIZE_MAX || y < lo_v[col]) {
                lo_i[col] = i;
                lo_v[col] = y;
            }
            if (hi_i[col] == SIZE_MAX || y > hi_v[col]) {
                hi_i[col] = i;
                hi_v[col] = y;
            }
        }
    }
    free(lo_v);
    free(hi_v);
    if (!m) {
        free(lo_i);
        free(hi_i);
        return;
    }

    if (m > c->ncols) {
        bool sorted = true;

        /* In column order: already in index order when x only grows. */
        kept = xmalloc((2 * c->ncols + 2) * sizeof(*kept));
        kept[nkept++] = first;
        for (col = 0; col < c->ncols; col++) {
            size_t a = lo_i[col], b = hi_i[col];

            if (a == SIZE_MAX)
                continue;
            kept[nkept++] = a < b ? a : b;
            kept[nkept++] = a < b ? b : a;
        }
        kept[nkept++] = last;
        for (i = 1; i < nkept && sorted; i++)
            sorted = kept[i - 1] <= kept[i];
        if (!sorted)
            qsort(kept, nkept, sizeof(*kept), cmp_index);
        for (i = 1, m = 1; i < nkept; i++)
            if (kept[i] != kept[m - 1])
                kept[m++] = kept[i];
        tr->x = xmalloc(m * sizeof(*tr->x));
        tr->y = xmalloc(m * sizeof(*tr->y));
        for (i = 0; i < m; i++) {
            tr->x[i] = map_x(c, numview_at(ps->x, kept[i]));
            tr->y[i] = map_y(c, numview_at(ps->y, kept[i]));
        }
        tr->n = m;
        free(kept);
    } else {
        tr->x = xmalloc(m * sizeof(*tr->x));
        tr->y = xmalloc(m * sizeof(*tr->y));
        for (i = first; i <= last; i++) {
            if (!isfinite(numview_at(ps->x, i)) ||
                !isfinite(numview_at(ps->y, i)))
                continue;
            tr->x[tr->n] = map_x(c, numview_at(ps->x, i));
            tr->y[tr->n] = map_y(c, numview_at(ps->y, i));
            tr->n++;
        }
    }
    free(lo_i);
    free(hi_i);
    for (i = 0; i < tr->n; i++)
        tr->absmax = fmax(tr->absmax, fmax(fabs(tr->x[i]), fabs(tr->y[i])));
}

/*
 * Colours and dashes: train blue and solid, held-out vermillion and
 * dashed, others through the palette and the dashes together. A style
 * used again gets the next dash pattern, so two train series on one
 * chart stay distinguishable.
 */
static void trace_style(struct trace *tr, size_t *seen)
{
    enum plot_style st = tr->src->style;
    size_t k, slot = st == PLOT_TRAIN ? 0 : st == PLOT_VAL ? 1 : 2;

    k = seen[slot]++;
    if (slot == 0) {
        tr->color = COLOR_TRAIN;
    } else if (slot == 1) {
        tr->color = COLOR_VAL;
        k++;
    } else {
        tr->color = other_colors[k % ARRAY_SIZE(other_colors)];
    }
    tr->dash = &dashes[k % ARRAY_SIZE(dashes)];
}

/*
 * The bad rows of every series, as chart x coordinates, at most one per
 * pixel column, and none over another: a run with a thousand NaN steps in
 * a row shows a row of crosses, not a thousand overdrawn ones.
 */
static void bad_fill(struct chart *c)
{
    const struct plot_spec *spec = c->spec;
    bool *used = xcalloc(c->ncols, sizeof(*used));
    size_t s, i, k, col;

    for (s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &spec->series[s];

        for (i = 0; ps->bad_x && i < ps->nbad; i++) {
            double px;

            if (!isfinite(ps->bad_x[i]))
                continue;
            px = map_x(c, ps->bad_x[i]);
            col = column(c, px);
            if (used[col])
                continue;
            /*
             * A cross is 6 units wide: keep the next one 6 columns away,
             * or the two would merge into a blot.
             */
            for (k = col > 5 ? col - 5 : 0; k <= col + 5 && k < c->ncols; k++)
                used[k] = true;
            ALLOC_GROW(c->bad_x, c->nbad + 1, c->bad_alloc);
            c->bad_x[c->nbad++] = px;
        }
    }
    free(used);
}

/*
 * Does the segment (x0,y0)-(x1,y1) meet r? Liang-Barsky clipping, after
 * a cheaper test that most segments of a curve fail: both ends beyond
 * one side of r by more than m, a billionth of the coordinates' size.
 * Rounding in the clipping is a few units of 1e-16 of that size, so for
 * such a segment it answers no as well: the test changes no answer.
 */
static bool segment_hits(const struct rect *r, double x0, double y0, double x1,
                         double y1)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double m = 1e-9 * (fabs(x0) + fabs(x1) + fabs(y0) + fabs(y1) + fabs(r->x0) +
                       fabs(r->x1) + fabs(r->y0) + fabs(r->y1));
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x0 - r->x0, r->x1 - x0, y0 - r->y0, r->y1 - y0};
    int k;

    if ((x0 < r->x0 - m && x1 < r->x0 - m) ||
        (x0 > r->x1 + m && x1 > r->x1 + m) ||
        (y0 < r->y0 - m && y1 < r->y0 - m) ||
        (y0 > r->y1 + m && y1 > r->y1 + m))
        return false;

    for (k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0)
                return false;
        } else {
            double t = q[k] / p[k];

            if (p[k] < 0) {
                if (t > t1)
                    return false;
                if (t > t0)
                    t0 = t;
            } else {
                if (t < t0)
                    return false;
                if (t < t1)
                    t1 = t;
            }
        }
    }
    return true;
}

static bool rects_meet(const struct rect *a, const struct rect *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/*
 * How much would a box at r hide? One for each drawn segment or lone
 * point it meets, plus the marker and the crosses, which matter more.
 */
static size_t rect_cost(const struct chart *c, const struct rect *r)
{
    size_t cost = 0, t, i;

    for (t = 0; t < c->ntraces; t++) {
        const struct trace *tr = &c->traces[t];
        /*
         * segment_hits()'s margin for the segment farthest from 0, summed
         * in the same order from terms at least as large, so at least its
         * margin for any segment: a segment this test puts outside, it
         * puts outside too, without its 8 fabs() and the clipping.
         */
        double a = tr->absmax;
        double mm = 1e-9 * (a + a + a + a + fabs(r->x0) + fabs(r->x1) +
                            fabs(r->y0) + fabs(r->y1));
        double left = r->x0 - mm, right = r->x1 + mm;
        double bottom = r->y0 - mm, top = r->y1 + mm;

        if (tr->n == 1 &&
            segment_hits(r, tr->x[0], tr->y[0], tr->x[0], tr->y[0]))
            cost++;
        for (i = 1; i < tr->n; i++) {
            double x0 = tr->x[i - 1], x1 = tr->x[i];
            double y0 = tr->y[i - 1], y1 = tr->y[i];

            if ((x0 < left && x1 < left) || (x0 > right && x1 > right) ||
                (y0 < bottom && y1 < bottom) || (y0 > top && y1 > top))
                continue;
            if (segment_hits(r, x0, y0, x1, y1))
                cost++;
        }
    }
    if (c->marker) {
        if (segment_hits(r, c->mx - 6, c->my, c->mx + 6, c->my))
            cost += 50;
        if (segment_hits(r, c->mx, c->frame.y0, c->mx, c->frame.y1))
            cost += 5;
    }
    for (i = 0; i < c->nbad; i++)
        if (segment_hits(r, c->bad_x[i], c->frame.y1 - 9, c->bad_x[i],
                         c->frame.y1))
            cost += 5;
    return cost;
}

/*
 * Put the marker label beside the dot, inside the frame, on the side
 * where it hides the least: right-above first, as people read it.
 */
static void marker_place(struct chart *c)
{
    const double gap = 7, pad = 3;
    double w, h, best_cost = INFINITY;
    struct rect best = {0, 0, 0, 0};
    size_t k;

    if (!c->marker || text_empty(&c->mtext))
        return;
    c->mlabel_fs =
        text_fit(c, &c->mtext, c->spec->marker_label, MAX_LABEL_CP, FS_MARKER,
                 c->frame.x1 - c->frame.x0 - 2 * (gap + pad));
    w = text_width(c, &c->mtext, c->mlabel_fs) + 2 * pad;
    h = c->mlabel_fs * 1.25 + 2 * pad;
    for (k = 0; k < 4; k++) {
        struct rect r;
        double cost;

        r.x0 = k % 2 == 0 ? c->mx + gap : c->mx - gap - w;
        r.y0 = k < 2 ? c->my + gap : c->my - gap - h;
        /* Slide into the frame; a box that had to slide costs more. */
        cost = 0;
        if (r.x0 + w > c->frame.x1 - 2) {
            r.x0 = c->frame.x1 - 2 - w;
            cost += 1000;
        }
        if (r.x0 < c->frame.x0 + 2) {
            r.x0 = c->frame.x0 + 2;
            cost += 1000;
        }
        if (r.y0 + h > c->frame.y1 - 2) {
            r.y0 = c->frame.y1 - 2 - h;
            cost += 1000;
        }
        if (r.y0 < c->frame.y0 + 2) {
            r.y0 = c->frame.y0 + 2;
            cost += 1000;
        }
        r.x1 = r.x0 + w;
        r.y1 = r.y0 + h;
        cost += (double)rect_cost(c, &r);
        if (cost < best_cost) {
            best_cost = cost;
            best = r;
        }
    }
    c->mlabel = best;
}

static void legend_add(struct chart *c, const struct trace *tr, bool bad)
{
    static const char suffix[] = ": non-finite";
    struct legend_row *row;
    size_t i;

    ALLOC_GROW(c->rows, c->nrows + 1, c->rows_alloc);
    row = &c->rows[c->nrows++];
    row->trace = tr;
    row->bad = bad;
    text_init(&row->text);
    if (!bad) {
        text_set(&row->text, tr->src->label, MAX_LEGEND_CP);
        return;
    }
    /* Truncate the label, never the explanation. */
    text_set(&row->text, tr->src->label, MAX_LEGEND_CP - (sizeof(suffix) - 1));
    for (i = 0; suffix[i]; i++)
        text_addcp(&row->text, (unsigned char)suffix[i]);
}

/* Legend geometry, shared by placement and drawing. */
#define LEG_PAD 8.0
#define LEG_SWATCH 22.0
#define LEG_GAP 7.0
#define LEG_ROW (FS_LEGEND * 1.45)

/*
 * Rows, box size and corner of the legend: one row per drawn series and
 * one red row per series with non-finite values; as many as fit in the
 * frame, then "and N more". The corner is the one hiding the fewest
 * segments, top-right on ties.
 */
static void legend_place(struct chart *c, struct rect *box)
{
    double w = 0, h, fw = c->frame.x1 - c->frame.x0;
    double fh = c->frame.y1 - c->frame.y0, best_cost = INFINITY;
    size_t t, k, fit;

    for (t = 0; t < c->ntraces; t++)
        if (c->traces[t].n)
            legend_add(c, &c->traces[t], false);
    for (t = 0; t < c->ntraces; t++)
        if (c->traces[t].src->nbad && c->traces[t].src->bad_x)
            legend_add(c, &c->traces[t], true);
    if (!c->nrows)
        return;

    fit = (size_t)((fh - 2 * LEG_PAD - 8) / LEG_ROW);
    if (fit < 1)
        fit = 1;
    if (c->nrows > fit) {
        size_t i;

        c->more = c->nrows - (fit - 1);
        for (i = fit - 1; i < c->nrows; i++)
            text_release(&c->rows[i].text);
        c->nrows = fit - 1;
        text_init(&c->more_text);
        strbuf_addf(&c->more_text.xml, "and %zu more", c->more);
        strbuf_addstr(&c->more_text.ascii, c->more_text.xml.buf);
    }

    for (t = 0; t < c->nrows; t++)
        w = fmax(w, text_width(c, &c->rows[t].text, FS_LEGEND));
    if (c->more)
        w = fmax(w, text_width(c, &c->more_text, FS_LEGEND) - LEG_SWATCH -
                        LEG_GAP);
    w += 2 * LEG_PAD + LEG_SWATCH + LEG_GAP;
    w = fmin(w, fw - 8);
    h = 2 * LEG_PAD - (LEG_ROW - FS_LEGEND) +
        LEG_ROW * (double)(c->nrows + (c->more ? 1 : 0));

    for (k = 0; k < 4; k++) {
        struct rect r;
        double cost;

        /* top-right, top-left, bottom-right, bottom-left */
        r.x0 = k % 2 == 0 ? c->frame.x1 - 8 - w : c->frame.x0 + 8;
        r.y0 = k < 2 ? c->frame.y1 - 8 - h : c->frame.y0 + 8;
        r.x1 = r.x0 + w;
        r.y1 = r.y0 + h;
        cost = (double)rect_cost(c, &r);
        if (c->marker && !text_empty(&c->mtext) && rects_meet(&r, &c->mlabel))
            cost += 100;
        if (cost < best_cost) {
            best_cost = cost;
            *box = r;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */
/* ------------------------------------------------------------------ */

static void pen(plPlotter *pl, const char *color, double width)
{
    pl_pencolorname_r(pl, color);
    pl_flinewidth_r(pl, width);
}

static void set_dash(plPlotter *pl, const struct dash *d)
{
    if (d->n)
        pl_flinedash_r(pl, d->n, d->d, 0);
    else
        pl_linemod_r(pl, "solid");
}

static void draw_cross(plPlotter *pl, double x, double y, double r)
{
    pl_fline_r(pl, x - r, y - r, x + r, y + r);
    pl_fline_r(pl, x - r, y + r, x + r, y - r);
    pl_endpath_r(pl);
}

static void draw_dot(plPlotter *pl, double x, double y, double r,
                     const char *fill)
{
    pl_filltype_r(pl, 1);
    pl_fillcolorname_r(pl, fill);
    pl_fcircle_r(pl, x, y, r);
    pl_filltype_r(pl, 0);
}

/*
 * The tick labels, as libplot's SVG plotter writes alabel() of each in
 * Helvetica at FS_TICK (plotutils 2.6: g_alabel.c, s_text.c, s_output.c),
 * without its cost (its font looked up by name four times and a dozen
 * sprintf() a label, a fifth of a chart's time): all of them go into
 * one placeholder segment at (TICKS_X, 0) that stage 4 replaces by
 * c->ticks, each label's fill the placeholder's stroke (both are the
 * pen colour). Justification moves the point by the label's width
 * (label_width(), libplot's own) and the font's ascent and descent (931
 * and 225 per 1000 for Helvetica); the transform is libplot's product of
 * the text's matrix, the user-to-NDC map fspace() set and that map's
 * inverse, written as write_svg_transform() does. Each product and sum
 * below is libplot's, in its order, less its terms that are exactly zero
 * for unrotated text: test_plot checks the bytes against libplot's own
 * alabel() on random charts.
 */
#define TICKS_X (-55555)
#define TICKS_MARK " x1=\"-55555\" y1=\"0\" x2=\"-55554\" y2=\"0\""
#define HELVETICA_ASCENT 931
#define HELVETICA_DESCENT 225

static void tick_text(struct chart *c, double x, double y, char hj, char vj,
                      const char *s)
{
    const double fs = FS_TICK, k = fs / 20.0;
    double w, ascent, descent, cross, b0, b3, invdet, inv0, inv3, dx, dy;
    double tx, ty, sx, sy;
    char num[FMT_G5_SIZE];

    /*
     * Written for Helvetica and text libplot writes as it is (axis_label()
     * gives digits, '.', '-', '+' and 'e'); anything else is libplot's.
     */
    if (libplot_text || !c->font || strcmp(c->font, "Helvetica") ||
        strpbrk(s, "&<>\"'")) {
        pl_fmove_r(c->pl, x, y);
        pl_alabel_r(c->pl, hj, vj, s);
        return;
    }
    w = label_width(c, s, fs);
    ascent = fs * (double)HELVETICA_ASCENT / 1000.0;
    descent = fs * (double)HELVETICA_DESCENT / 1000.0;
    cross = c->w * c->h - 0.0 * 0.0;
    b0 = c->h / cross;
    b3 = c->w / cross;
    invdet = 1.0 / (b0 * b3);
    inv0 = invdet * b3;
    inv3 = invdet * b0;
    dx = (hj == 'c' ? -0.5 : hj == 'r' ? -1.0 : 0.0) * w;
    dy = vj == 't'   ? -ascent
         : vj == 'c' ? 0.5 * (descent - ascent)
         : vj == 'b' ? descent
                     : 0.0;
    tx = ((x + dx) * b0) * inv0;
    ty = ((y + dy) * b3) * inv3;
    sx = (k * b0) * inv0;
    sy = -((k * b3) * inv3);
    strbuf_addstr(&c->ticks, "<text transform=\"");
    if (tx != 0.0 || ty != 0.0) {
        strbuf_addstr(&c->ticks, "translate(");
        strbuf_add(&c->ticks, num, fmt_g5(num, tx));
        if (ty != 0.0) {
            strbuf_addch(&c->ticks, ',');
            strbuf_add(&c->ticks, num, fmt_g5(num, ty));
        }
        strbuf_addstr(&c->ticks, ") ");
    }
    if (sx != 1.0 || sy != 1.0) {
        if (sy == sx) {
            strbuf_addstr(&c->ticks, "scale(");
            strbuf_add(&c->ticks, num, fmt_g5(num, sx));
        } else if (sy == -sx && sx != 1.0) {
            strbuf_addstr(&c->ticks, "scale(1,-1) scale(");
            strbuf_add(&c->ticks, num, fmt_g5(num, sx));
        } else if (sy == -sx) {
            strbuf_addstr(&c->ticks, "scale(1,-1");
        } else {
            strbuf_addstr(&c->ticks, "scale(");
            strbuf_add(&c->ticks, num, fmt_g5(num, sx));
            strbuf_addch(&c->ticks, ',');
            strbuf_add(&c->ticks, num, fmt_g5(num, sy));
        }
        strbuf_addstr(&c->ticks, ") ");
    }
    strbuf_addstr(&c->ticks,
                  "\" font-family=\"Helvetica,sans-serif\" "
                  "font-size=\"20px\" stroke=\"none\" fill=\"\x01\" >");
    strbuf_addstr(&c->ticks, s);
    strbuf_addstr(&c->ticks, "</text>\n");
}

/* Grid lines, behind everything, at every tick inside the frame. */
/*
 * Separate line segments (grid lines, tick marks) with the current pen,
 * as libplot draws them, one <line> each, but without its sprintf() per
 * coordinate: the block is drawn as one placeholder segment from
 * (LINES_X, N) to (LINES_X + 1, N) for the Nth block, and stage 4 writes
 * each segment in its place, its coordinates by fmt_g5() (libplot's
 * "%.5g") and its other attributes copied from the placeholder's element,
 * so the bytes are libplot's. No coordinate of a chart is ever at
 * LINES_X.
 */
#define LINES_X (-66666)
#define LINES_MARK " x1=\"-66666\" y1=\""

struct segments {
    struct strbuf sb; /* ' x1="..." y1="..." x2="..." y2="..."' per line */
    size_t n;
};

static void segment_add(struct segments *sg, double x1, double y1, double x2,
                        double y2)
{
    const double v[4] = {x1, y1, x2, y2};
    static const char *const names[4] = {" x1=\"", " y1=\"", " x2=\"",
                                         " y2=\""};
    char buf[FMT_G5_SIZE];

    for (size_t i = 0; i < 4; i++) {
        strbuf_addstr(&sg->sb, names[i]);
        strbuf_add(&sg->sb, buf, fmt_g5(buf, v[i]));
        strbuf_addch(&sg->sb, '"');
    }
    strbuf_addch(&sg->sb, '\n');
    sg->n++;
}

/* Draw the segments of sg (and release it); nothing when there are none. */
static void draw_segments(struct chart *c, struct segments *sg)
{
    double k = (double)c->nblocks;

    if (!sg->n) {
        strbuf_release(&sg->sb);
        return;
    }
    ALLOC_GROW(c->blocks, c->nblocks + 1, c->blocks_alloc);
    c->blocks[c->nblocks++] = sg->sb;
    pl_fline_r(c->pl, LINES_X, k, LINES_X + 1, k);
    pl_endpath_r(c->pl);
}

static void draw_grid(struct chart *c)
{
    const struct rect *f = &c->frame;
    struct segments sg = {STRBUF_INIT, 0};
    size_t i;

    pen(c->pl, COLOR_GRID, 0.8);
    for (i = 0; i < c->ax.nticks; i++) {
        double x = tick_x(c, i);

        if (x > f->x0 + 0.5 && x < f->x1 - 0.5)
            segment_add(&sg, x, f->y0, x, f->y1);
    }
    for (i = 0; i < c->ay.nticks; i++) {
        double y = tick_y(c, i);

        if (y > f->y0 + 0.5 && y < f->y1 - 0.5)
            segment_add(&sg, f->x0, y, f->x1, y);
    }
    draw_segments(c, &sg);
}

/* The frame, tick marks and the numbers of both axes. */
static void draw_axes(struct chart *c)
{
    const struct rect *f = &c->frame;
    char buf[FMT_NUM_SIZE];
    size_t i;

    pen(c->pl, COLOR_FRAME, 1);
    pl_fbox_r(c->pl, f->x0, f->y0, f->x1, f->y1);
    pl_endpath_r(c->pl);
    {
        struct segments sg = {STRBUF_INIT, 0};

        for (i = 0; i < c->ax.nticks; i++) {
            double x = tick_x(c, i);

            segment_add(&sg, x, f->y0, x, f->y0 - 5);
        }
        for (i = 0; i < c->ay.nticks; i++) {
            double y = tick_y(c, i);

            segment_add(&sg, f->x0, y, f->x0 - 5, y);
        }
        draw_segments(c, &sg);
    }

    /*
     * Tick labels come from axis_label(): ASCII digits, '.', '-', '+'
     * and 'e' only, so libplot's own justification measures them right.
     */
    pl_pencolorname_r(c->pl, COLOR_TICK_TEXT);
    pl_ffontsize_r(c->pl, FS_TICK);
    for (i = 0; i < c->ax.nticks; i++) {
        double v = axis_tick(&c->ax, i);

        tick_text(c, tick_x(c, i), f->y0 - 8, 'c', 't',
                  tick_label(c, &c->ax, v, buf, sizeof(buf)));
    }
    for (i = 0; i < c->ay.nticks; i++) {
        double v = axis_tick(&c->ay, i);

        tick_text(c, f->x0 - 8, tick_y(c, i), 'r', 'c',
                  tick_label(c, &c->ay, v, buf, sizeof(buf)));
    }
    if (c->ticks.len) {
        pl_fline_r(c->pl, TICKS_X, 0, TICKS_X + 1, 0);
        pl_endpath_r(c->pl);
    }
}

/*
 * The categories of a categorical x axis: a tick and the category's
 * name under each, centred, shrunk and then cut to fit its slot. When
 * the slots are too narrow for a name of a few letters, every k-th
 * category is labelled (all keep their tick), the first one included.
 */
#define CAT_MIN_SLOT 44.0

static void draw_cats(struct chart *c)
{
    const struct rect *f = &c->frame;
    double slot = (c->area.x1 - c->area.x0) / (double)c->spec->ncats;
    size_t every = 1;
    struct text t;

    while (slot * (double)every < CAT_MIN_SLOT && every < c->spec->ncats)
        every++;
    pen(c->pl, COLOR_FRAME, 1);
    for (size_t k = 0; k < c->spec->ncats; k++) {
        double x = map_x(c, (double)k);

        pl_fline_r(c->pl, x, f->y0, x, f->y0 - 5);
    }
    pl_endpath_r(c->pl);
    pl_pencolorname_r(c->pl, COLOR_TICK_TEXT);
    text_init(&t);
    for (size_t k = 0; k < c->spec->ncats; k += every) {
        const char *name = c->spec->xcats[k];
        double fs;

        text_set(&t, name, MAX_LEGEND_CP);
        fs = text_fit(c, &t, name, MAX_LEGEND_CP, FS_TICK,
                      slot * (double)every - 6);
        text_draw_centred(c, &t, map_x(c, (double)k), f->y0 - 8, fs, 't',
                          false);
    }
    text_release(&t);
}

/*
 * libplot prints every coordinate of a path with sprintf("%.5g"), most of
 * the time of a chart. A trace of three points or more is drawn as a
 * placeholder path instead, (POLY_X, N) (POLY_X + 1, N) (POLY_X + 2, N)
 * for the Nth such trace, with the trace's pen and dash, and stage 4
 * puts the points, written here by fmt_g5() (the same bytes, 20 times
 * faster), in place of the placeholder's. Data coordinates lie in the
 * chart, so no real point is ever at POLY_X.
 */
#define POLY_X (-77777)
#define POLY_MARK "-77777,"

static void draw_points(struct chart *c, const struct trace *tr)
{
    struct strbuf pts = STRBUF_INIT;
    double k = (double)c->npolys;
    char buf[FMT_G5_SIZE];

    strbuf_grow(&pts, tr->n * 16);
    for (size_t i = 0; i < tr->n; i++) {
        strbuf_add(&pts, buf, fmt_g5(buf, tr->x[i]));
        strbuf_addch(&pts, ',');
        strbuf_add(&pts, buf, fmt_g5(buf, tr->y[i]));
        strbuf_addch(&pts, ' ');
    }
    ALLOC_GROW(c->polys, c->npolys + 1, c->polys_alloc);
    c->polys[c->npolys++] = strbuf_detach(&pts, NULL);
    pl_fmove_r(c->pl, POLY_X, k);
    pl_fcont_r(c->pl, POLY_X + 1, k);
    pl_fcont_r(c->pl, POLY_X + 2, k);
}

static void draw_traces(struct chart *c)
{
    size_t t, i, drawn = 0;

    for (t = 0; t < c->ntraces; t++)
        if (c->traces[t].n)
            drawn++;
    pl_joinmod_r(c->pl, "round");
    pl_capmod_r(c->pl, "round");
    for (t = 0; t < c->ntraces; t++) {
        const struct trace *tr = &c->traces[t];

        if (!tr->n)
            continue;
        pen(c->pl, tr->color, 1.8);
        if (c->spec->scatter) {
            pen(c->pl, tr->color, 1);
            for (i = 0; i < tr->n; i++)
                draw_dot(c->pl, tr->x[i], tr->y[i], 4, tr->color);
            continue;
        }
        if (tr->n > 1) {
            set_dash(c->pl, tr->dash);
            if (tr->n >= 3) {
                draw_points(c, tr);
            } else {
                pl_fmove_r(c->pl, tr->x[0], tr->y[0]);
                pl_fcont_r(c->pl, tr->x[1], tr->y[1]);
            }
            pl_endpath_r(c->pl);
            pl_linemod_r(c->pl, "solid");
        }
        /*
         * A lone point is a dot. A short series (one row per epoch) also
         * shows its points, which a reader wants to count, unless so many
         * series share the chart that dots would only clutter it.
         */
        if (tr->n == 1 || (tr->n <= 30 && drawn <= 4)) {
            pen(c->pl, tr->color, 1);
            for (i = 0; i < tr->n; i++)
                draw_dot(c->pl, tr->x[i], tr->y[i], tr->n == 1 ? 3.5 : 2.2,
                         tr->color);
        }
    }
    pl_joinmod_r(c->pl, "miter");
    pl_capmod_r(c->pl, "butt");
}

/* The best checkpoint: a dashed vertical line, a dot, its label. */
static void draw_marker(struct chart *c)
{
    static const double dash[2] = {5, 4};
    const double pad = 3;

    if (!c->marker)
        return;
    pen(c->pl, COLOR_MARKER, 1.2);
    pl_flinedash_r(c->pl, 2, dash, 0);
    pl_fline_r(c->pl, c->mx, c->frame.y0, c->mx, c->frame.y1);
    pl_endpath_r(c->pl);
    pl_linemod_r(c->pl, "solid");
    pen(c->pl, COLOR_BG, 1.5);
    draw_dot(c->pl, c->mx, c->my, 5, COLOR_MARKER);

    if (text_empty(&c->mtext))
        return;
    pen(c->pl, COLOR_MARKER, 0.8);
    pl_filltype_r(c->pl, 1);
    pl_fillcolorname_r(c->pl, COLOR_BG);
    pl_fbox_r(c->pl, c->mlabel.x0, c->mlabel.y0, c->mlabel.x1, c->mlabel.y1);
    pl_filltype_r(c->pl, 0);
    pl_pencolorname_r(c->pl, COLOR_MARKER_TEXT);
    text_draw(c, &c->mtext, c->mlabel.x0 + pad,
              (c->mlabel.y0 + c->mlabel.y1) / 2, c->mlabel_fs, 'c', false);
}

/* Non-finite rows: small red crosses just under the top of the frame. */
static void draw_bad(struct chart *c)
{
    size_t i;

    if (!c->nbad)
        return;
    pen(c->pl, COLOR_BAD, 1.4);
    for (i = 0; i < c->nbad; i++)
        draw_cross(c->pl, c->bad_x[i], c->frame.y1 - INSET_Y / 2, 3);
}

static void draw_legend(struct chart *c, const struct rect *box)
{
    double y, x = box->x0 + LEG_PAD;
    size_t i;

    if (!c->nrows && !c->more)
        return;
    pen(c->pl, COLOR_LEGEND_EDGE, 0.8);
    pl_filltype_r(c->pl, 1);
    pl_fillcolorname_r(c->pl, COLOR_BG);
    pl_fbox_r(c->pl, box->x0, box->y0, box->x1, box->y1);
    pl_filltype_r(c->pl, 0);

    y = box->y1 - LEG_PAD - FS_LEGEND / 2;
    for (i = 0; i < c->nrows; i++, y -= LEG_ROW) {
        const struct legend_row *row = &c->rows[i];

        if (row->bad) {
            pen(c->pl, COLOR_BAD, 1.4);
            draw_cross(c->pl, x + LEG_SWATCH / 2, y, 3);
            pl_pencolorname_r(c->pl, COLOR_BAD);
        } else {
            pen(c->pl, row->trace->color, 2.2);
            set_dash(c->pl, row->trace->dash);
            pl_fline_r(c->pl, x, y, x + LEG_SWATCH, y);
            pl_endpath_r(c->pl);
            pl_linemod_r(c->pl, "solid");
            pl_pencolorname_r(c->pl, COLOR_TEXT);
        }
        text_draw(c, &row->text, x + LEG_SWATCH + LEG_GAP, y, FS_LEGEND, 'c',
                  false);
    }
    if (c->more) {
        pl_pencolorname_r(c->pl, COLOR_NOTE);
        text_draw(c, &c->more_text, x, y, FS_LEGEND, 'c', false);
    }
}

/* ------------------------------------------------------------------ */
/* Stage 4: libplot output to the final SVG                            */
/* ------------------------------------------------------------------ */

/*
 * Set attribute name of the tag in line to value, or remove it when value
 * is NULL. Returns -1 when the tag has no such attribute.
 */
static int set_attr(struct strbuf *line, const char *name, const char *value)
{
    struct strbuf key = STRBUF_INIT, res = STRBUF_INIT;
    const char *start, *end;

    strbuf_addf(&key, " %s=\"", name);
    start = strstr(line->buf, key.buf);
    if (!start) {
        strbuf_release(&key);
        return -1;
    }
    end = strchr(start + key.len, '"');
    if (!end) {
        strbuf_release(&key);
        return -1;
    }
    strbuf_add(&res, line->buf, (size_t)(start - line->buf));
    if (value)
        strbuf_addf(&res, "%s%s\"", key.buf, value);
    strbuf_addstr(&res, end + 1);
    strbuf_reset(line);
    strbuf_add(line, res.buf, res.len);
    strbuf_release(&key);
    strbuf_release(&res);
    return 0;
}

/*
 * The length of the points of polyline placeholder *n at s (len bytes),
 * "-77777,N -77776,N -77775,N ", or 0 if s does not start with one.
 */
static size_t poly_placeholder(const char *s, size_t len, size_t *n)
{
    char want[96];
    size_t k = 0, i = strlen(POLY_MARK);
    int w;

    if (len < i || memcmp(s, POLY_MARK, i))
        return 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && k < 100000)
        k = k * 10 + (size_t)(s[i++] - '0');
    w = snprintf(want, sizeof(want), "%d,%zu %d,%zu %d,%zu ", POLY_X, k,
                 POLY_X + 1, k, POLY_X + 2, k);
    if (w <= 0 || (size_t)w > len || memcmp(s, want, (size_t)w))
        return 0;
    *n = k;
    return (size_t)w;
}

/*
 * Append the drawing s (len bytes) to out with the tick labels' placeholder
 * element replaced by c->ticks, "\x01" in it by the placeholder's stroke.
 * Before add_classes(), which gives each label its class as it gives
 * libplot's own text.
 */
static int add_ticks(struct strbuf *out, const char *s, size_t len,
                     const struct chart *c)
{
    const char *at = memmem(s, len, TICKS_MARK, strlen(TICKS_MARK));
    const char *end = s + len, *line, *eol, *color, *cend, *tick, *x;
    const char *tend = c->ticks.buf + c->ticks.len;

    if (!c->ticks.len) {
        strbuf_add(out, s, len);
        return at ? error("plot: libplot drew a stray line") : 0;
    }
    if (!at ||
        memmem(at + 1, (size_t)(end - at - 1), TICKS_MARK, strlen(TICKS_MARK)))
        return error("plot: libplot lost the tick labels");
    for (line = at; line > s && line[-1] != '\n'; line--)
        ;
    eol = memchr(at, '\n', (size_t)(end - at));
    color = eol ? memmem(at, (size_t)(eol - at), " stroke=\"", 9) : NULL;
    cend = color ? memchr(color + 9, '"', (size_t)(eol - color - 9)) : NULL;
    if (!cend)
        return error("plot: libplot lost the tick labels");
    color += 9;
    strbuf_add(out, s, (size_t)(line - s));
    for (tick = c->ticks.buf; (x = memchr(tick, '\x01', (size_t)(tend - tick)));
         tick = x + 1) {
        strbuf_add(out, tick, (size_t)(x - tick));
        strbuf_add(out, color, (size_t)(cend - color));
    }
    strbuf_add(out, tick, (size_t)(tend - tick));
    strbuf_add(out, eol + 1, (size_t)(end - eol - 1));
    return 0;
}

/*
 * Append the drawing s (len bytes) to out with each line placeholder
 * element replaced by its block's segments: its start (tag and class),
 * the segment's coordinates and its end (the pen's attributes), one
 * element a segment. Each block must be placed exactly once.
 */
static int add_segments(struct strbuf *out, const char *s, size_t len,
                        const struct chart *c)
{
    const size_t mlen = strlen(LINES_MARK);
    bool *placed = xcalloc(c->nblocks + 1, sizeof(*placed));
    const char *p = s, *end = s + len, *at;
    size_t nplaced = 0;
    int ret = 0;

    while (!ret && (at = memmem(p, (size_t)(end - p), LINES_MARK, mlen))) {
        const char *line = at, *q = at + mlen, *eol;
        char want[64];
        size_t k = 0, wlen;
        const struct strbuf *b;

        while (line > p && line[-1] != '\n')
            line--;
        while (q < end && *q >= '0' && *q <= '9' && k < 100000)
            k = k * 10 + (size_t)(*q++ - '0');
        wlen = (size_t)snprintf(want, sizeof(want), "\" x2=\"%d\" y2=\"%zu\"",
                                LINES_X + 1, k);
        eol = memchr(q, '\n', (size_t)(end - q));
        if (k >= c->nblocks || placed[k] || !eol || (size_t)(end - q) < wlen ||
            memcmp(q, want, wlen)) {
            ret = -1;
            break;
        }
        q += wlen;
        eol++;
        strbuf_add(out, p, (size_t)(at - p));
        b = &c->blocks[k];
        for (const char *seg = b->buf; seg < b->buf + b->len;) {
            const char *nl = memchr(seg, '\n', (size_t)(b->buf + b->len - seg));

            if (seg != b->buf)
                strbuf_add(out, line, (size_t)(at - line));
            strbuf_add(out, seg, (size_t)(nl - seg));
            strbuf_add(out, q, (size_t)(eol - q));
            seg = nl + 1;
        }
        placed[k] = true;
        nplaced++;
        p = eol;
    }
    strbuf_add(out, p, (size_t)(end - p));
    free(placed);
    if (ret || nplaced != c->nblocks)
        return error("plot: libplot lost a line of the chart");
    return 0;
}

/*
 * Append the drawing s (len bytes) to out with each placeholder "@N@"
 * replaced by label N, and the points of each polyline placeholder by
 * those of its trace. Each must be placed exactly once: a placeholder
 * lost or duplicated would mean libplot changed its output. Inserted
 * text is never scanned again, so a label cannot inject markup or fake
 * another placeholder.
 */
static int add_labels(struct strbuf *out, const char *s, size_t len,
                      const struct chart *c)
{
    bool *used = xcalloc(c->nlabels + 1, sizeof(*used));
    bool *drawn = xcalloc(c->npolys + 1, sizeof(*drawn));
    size_t i = 0, from = 0, placed = 0, ndrawn = 0;
    int ret = 0;

    while (i < len) {
        size_t j = i + 1, n = 0, plen;

        if (s[i] == '-' && (plen = poly_placeholder(s + i, len - i, &n))) {
            if (n >= c->npolys || drawn[n]) {
                ret = -1;
                break;
            }
            strbuf_add(out, s + from, i - from);
            strbuf_addstr(out, c->polys[n]);
            drawn[n] = true;
            ndrawn++;
            i = from = i + plen;
            continue;
        }
        if (s[i] != '@') {
            i++;
            continue;
        }
        while (j < len && s[j] >= '0' && s[j] <= '9' && n <= c->nlabels)
            n = n * 10 + (size_t)(s[j++] - '0');
        if (j == i + 1 || j >= len || s[j] != '@' || n >= c->nlabels ||
            used[n]) {
            ret = -1;
            break;
        }
        strbuf_add(out, s + from, i - from);
        strbuf_addstr(out, c->labels[n]);
        used[n] = true;
        placed++;
        i = from = j + 1;
    }
    strbuf_add(out, s + from, len - from);
    free(used);
    free(drawn);
    if (ret || placed != c->nlabels || ndrawn != c->npolys)
        return error("plot: libplot lost a label of the chart");
    return 0;
}

/* Insert text at byte at of line (an attribute after the tag name). */
static void prefix_attr(struct strbuf *line, size_t at, const char *text)
{
    char *rest = xstrdup(line->buf + at);

    strbuf_setlen(line, at);
    strbuf_addstr(line, text);
    strbuf_addstr(line, rest);
    free(rest);
}

/* The class suffix of colour value v (len bytes), or NULL. */
static const char *color_class(const char *v, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(role_colors); i++)
        if (strlen(role_colors[i].light) == len &&
            !memcmp(role_colors[i].light, v, len))
            return role_colors[i].name;
    return NULL;
}

/* Append " PREFIX-NAME" for the colour of attribute attr in line, if any. */
static void add_color_class(struct strbuf *cls, const char *line, size_t len,
                            const char *attr, char prefix)
{
    size_t alen = strlen(attr);
    const char *at = len > alen ? memmem(line, len - 1, attr, alen) : NULL;

    if (at) {
        size_t i = (size_t)(at - line);
        const char *v = at + alen;
        const char *q = memchr(v, '"', len - i - alen);
        const char *name = q ? color_class(v, (size_t)(q - v)) : NULL;

        if (name) {
            strbuf_addch(cls, ' ');
            strbuf_addch(cls, prefix);
            strbuf_addch(cls, '-');
            strbuf_addstr(cls, name);
        }
    }
}

/*
 * Append the drawing s (len bytes) to out with a class attribute on each
 * element that has a stroke or fill colour of role_colors: libplot
 * writes one element per line, "<NAME attr=... />".
 */
static void add_classes(struct strbuf *out, const char *s, size_t len)
{
    struct strbuf cls = STRBUF_INIT;
    const char *p = s, *end = s + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        const char *sp = memchr(p, ' ', n);

        strbuf_reset(&cls);
        if (n > 1 && p[0] == '<' && p[1] != '/' && sp) {
            add_color_class(&cls, p, n, " stroke=\"", 's');
            add_color_class(&cls, p, n, " fill=\"", 'f');
        }
        if (cls.len) {
            strbuf_add(out, p, (size_t)(sp - p));
            strbuf_addstr(out, " class=\"");
            strbuf_addstr(out, cls.buf + 1);
            strbuf_addch(out, '"');
            strbuf_add(out, sp, n - (size_t)(sp - p));
        } else {
            strbuf_add(out, p, n);
        }
        p += n;
    }
    strbuf_release(&cls);
}

/*
 * Remove attribute attr (" stroke=\"") from the element line p (n bytes)
 * as it goes to out, when its value is a colour of role_colors: the
 * element's class sets that colour.
 */
static size_t drop_color(const char *p, size_t n, const char *attr)
{
    size_t alen = strlen(attr);
    const char *at = n > alen ? memmem(p, n - 1, attr, alen) : NULL;

    if (at) {
        size_t i = (size_t)(at - p);
        const char *v = at + alen;
        const char *q = memchr(v, '"', n - i - alen);

        if (q && color_class(v, (size_t)(q - v)))
            return i; /* the attribute starts here */
    }
    return SIZE_MAX;
}

void plot_svg_inline(const char *svg, struct strbuf *out)
{
    static const char *const attrs[] = {" stroke=\"", " fill=\""};
    const char *p = svg, *end = svg + strlen(svg);

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        const char *line = p, *sp = memchr(p, ' ', n);

        p += n;
        /* add_classes() put the class first, after the element's name. */
        if (n < 2 || line[0] != '<' || line[1] == '/' || !sp ||
            (size_t)(line + n - sp) < 8 || memcmp(sp, " class=\"", 8)) {
            strbuf_add(out, line, n);
            continue;
        }
        for (size_t a = 0; a < ARRAY_SIZE(attrs); a++) {
            size_t at = drop_color(line, n, attrs[a]);
            const char *q;

            if (at == SIZE_MAX)
                continue;
            /* Copy up to the attribute, then go on after its value. */
            q = memchr(line + at + strlen(attrs[a]), '"',
                       n - at - strlen(attrs[a]));
            strbuf_add(out, line, at);
            n -= (size_t)(q + 1 - line);
            line = q + 1;
        }
        strbuf_add(out, line, n);
    }
}

/*
 * The chart's <style>: the colour of each role in light and dark mode,
 * and the look of the hover targets. The same for every chart, so a page
 * that inlines several charts gets the same rules several times and
 * nothing else.
 */
static void style_rules(struct strbuf *out)
{
    size_t i;

    /* Concatenated, not printf()ed: every chart of a sweep writes it. */
    strbuf_addstr(out, ".rg-chart{color-scheme:light dark");
    for (i = 0; i < ARRAY_SIZE(role_colors); i++) {
        strbuf_addstr(out, ";--rg-");
        strbuf_addstr(out, role_colors[i].name);
        strbuf_addch(out, ':');
        strbuf_addstr(out, role_colors[i].light);
    }
    strbuf_addstr(out, "}\n@media (prefers-color-scheme:dark){.rg-chart{");
    for (i = 0; i < ARRAY_SIZE(role_colors); i++) {
        strbuf_addstr(out, i ? ";--rg-" : "--rg-");
        strbuf_addstr(out, role_colors[i].name);
        strbuf_addch(out, ':');
        strbuf_addstr(out, role_colors[i].dark);
    }
    strbuf_addstr(out, "}}\n");
    for (i = 0; i < ARRAY_SIZE(role_colors); i++) {
        const char *n = role_colors[i].name;

        strbuf_addstr(out, ".s-");
        strbuf_addstr(out, n);
        strbuf_addstr(out, "{stroke:var(--rg-");
        strbuf_addstr(out, n);
        strbuf_addstr(out, ")}.f-");
        strbuf_addstr(out, n);
        strbuf_addstr(out, "{fill:var(--rg-");
        strbuf_addstr(out, n);
        strbuf_addstr(out, ")}\n");
    }
    strbuf_addstr(out, ".hit{fill:transparent;stroke:none;pointer-events:all}"
                       ".hit:hover{fill:var(--rg-text);fill-opacity:.35}\n");
}

static void add_style(struct strbuf *out)
{
    strbuf_addstr(out, "<style>\n");
    style_rules(out);
    strbuf_addstr(out, "</style>\n");
}

void plot_style(struct strbuf *out)
{
    style_rules(out);
    /*
     * Set on the <svg> and inherited, not matched by ".rg-mini path": a
     * chart's frame shown by <use> (plot_svg_mini()) is a copy in a
     * shadow tree, where no selector sees the <svg> above it.
     */
    strbuf_addstr(out, ".rg-mini{fill:none;stroke-width:1.6;"
                       "stroke-linecap:round;stroke-linejoin:round;"
                       "font:14px Helvetica,Arial,sans-serif}\n"
                       ".rg-mini .mk{stroke-width:1.2;stroke-dasharray:4 3}"
                       ".rg-mini circle{stroke-width:1.5}"
                       ".rg-mini .hit:hover{fill-opacity:.12}\n");
}

/*
 * Rewrite libplot's SVG (raw, len bytes) into out. libplot 4.4 writes a
 * fixed header, one element per line:
 *
 *   <?xml version="1.0" encoding="ISO-8859-1" standalone="no"?>
 *   <!DOCTYPE svg ...>
 *   <svg ... width="16cm" height="10cm" viewBox="0 0 1 1"
 *        preserveAspectRatio="none" ...>
 *   <title>SVG drawing</title>
 *   <desc>This was produced by version 4.4 of GNU libplot...</desc>
 *   <rect id="background" x="0" y="0" width="1" height="1" .../>
 *   <g id="content" transform="translate(0,1) scale(...)" ...>
 *
 * then the drawing. Each header line is checked, so a libplot that writes
 * something else fails loudly instead of producing a broken chart.
 */
static int postprocess(const char *raw, size_t len, const struct chart *c,
                       struct strbuf *out)
{
    struct strbuf line = STRBUF_INIT;
    const char *p = raw, *end = raw + len, *nl;
    bool seen_xml = false, seen_svg = false, seen_bg = false, seen_g = false;
    char box[64], w[24], h[24], flip[64];
    int ret = 0;

    snprintf(w, sizeof(w), "%g", c->w);
    snprintf(h, sizeof(h), "%g", c->h);
    snprintf(box, sizeof(box), "0 0 %s %s", w, h);
    snprintf(flip, sizeof(flip), "translate(0,%s) scale(1,-1)", h);

    while (p < end && !seen_g) {
        nl = memchr(p, '\n', (size_t)(end - p));
        nl = nl ? nl + 1 : end;
        strbuf_reset(&line);
        strbuf_add(&line, p, (size_t)(nl - p));
        p = nl;

        if (!strncmp(line.buf, "<?xml ", 6)) {
            ret |= set_attr(&line, "encoding", "UTF-8");
            seen_xml = true;
        } else if (!strncmp(line.buf, "<svg ", 5)) {
            prefix_attr(&line, 5, "class=\"rg-chart\" ");
            ret |= set_attr(&line, "id", NULL);
            ret |= set_attr(&line, "width", "100%");
            ret |= set_attr(&line, "height", NULL);
            ret |= set_attr(&line, "viewBox", box);
            ret |= set_attr(&line, "preserveAspectRatio", NULL);
            seen_svg = true;
        } else if (!strncmp(line.buf, "<title>", 7)) {
            strbuf_reset(&line);
            strbuf_addstr(&line, "<title>");
            xml_add_text(&line,
                         c->spec->title && *c->spec->title ? c->spec->title
                                                           : "chart",
                         MAX_LABEL_CP);
            strbuf_addstr(&line, "</title>\n");
            add_style(&line);
        } else if (!strncmp(line.buf, "<desc>", 6)) {
            continue; /* "produced by version 4.4 of GNU libplot" */
        } else if (!strncmp(line.buf, "<rect id=\"background\"", 21)) {
            ret |= set_attr(&line, "id", NULL);
            ret |= set_attr(&line, "width", w);
            ret |= set_attr(&line, "height", h);
            prefix_attr(&line, 6, "class=\"f-bg\" ");
            seen_bg = true;
        } else if (!strncmp(line.buf, "<g id=\"content\"", 15)) {
            ret |= set_attr(&line, "id", NULL);
            ret |= set_attr(&line, "transform", flip);
            seen_g = true;
        }
        strbuf_add(out, line.buf, line.len);
    }
    strbuf_release(&line);
    if (ret || !seen_xml || !seen_svg || !seen_bg || !seen_g)
        return error("plot: unexpected SVG header from libplot");
    {
        struct strbuf body = STRBUF_INIT, body2 = STRBUF_INIT;
        const char *close_g;

        ret = add_ticks(&body, p, (size_t)(end - p), c);
        if (!ret)
            add_classes(&body2, body.buf, body.len);
        strbuf_reset(&body);
        if (!ret)
            ret = add_segments(&body, body2.buf, body2.len, c);
        strbuf_reset(&body2);
        if (!ret)
            ret = add_labels(&body2, body.buf, body.len, c);
        /* The hover targets go last in the drawing's <g>, on top. */
        close_g = NULL;
        for (const char *q = body2.buf; (q = strstr(q, "</g>")); q++)
            close_g = q;
        if (!ret && close_g && c->hits.len) {
            strbuf_add(out, body2.buf, (size_t)(close_g - body2.buf));
            strbuf_add(out, c->hits.buf, c->hits.len);
            strbuf_addstr(out, close_g);
        } else if (!ret) {
            strbuf_add(out, body2.buf, body2.len);
        }
        strbuf_release(&body);
        strbuf_release(&body2);
    }
    return ret;
}

/* ------------------------------------------------------------------ */
/* The chart                                                           */
/* ------------------------------------------------------------------ */

static void chart_release(struct chart *c)
{
    size_t i;

    for (i = 0; i < c->ntraces; i++) {
        free(c->traces[i].x);
        free(c->traces[i].y);
    }
    free(c->traces);
    free(c->ext);
    free(c->bad_x);
    for (i = 0; i < c->nrows; i++)
        text_release(&c->rows[i].text);
    free(c->rows);
    if (c->more)
        text_release(&c->more_text);
    text_release(&c->mtext);
    for (i = 0; i < c->nlabels; i++)
        free(c->labels[i]);
    free(c->labels);
    for (i = 0; i < c->npolys; i++)
        free(c->polys[i]);
    free(c->polys);
    for (i = 0; i < c->nblocks; i++)
        strbuf_release(&c->blocks[i]);
    free(c->blocks);
    strbuf_release(&c->hits);
    strbuf_release(&c->ticks);
}

/*
 * Values on hover, with no script: a transparent circle with a <title>
 * ("val_loss at epoch 12: 0.3275") on up to HIT_MAX points of a chart,
 * spread evenly over each series. They are points of the series as
 * logged, never a smoothed or reduced value, so what a reader sees on
 * hover is in the log. postprocess() puts them on top of the drawing.
 */
#define HIT_MAX 240
#define HIT_PER_SERIES 80

/*
 * Start a hover target at the point (x, y): its circle, open for its
 * title. The position goes through fmt_f1(), the "%.1f" of printf.
 */
static void hit_open(struct chart *c, double x, double y)
{
    char num[FMT_F1_SIZE];

    strbuf_addstr(&c->hits, "<circle class=\"hit\" cx=\"");
    strbuf_add(&c->hits, num, fmt_f1(num, map_x(c, x)));
    strbuf_addstr(&c->hits, "\" cy=\"");
    strbuf_add(&c->hits, num, fmt_f1(num, map_y(c, y)));
    strbuf_addstr(&c->hits, "\" r=\"6\"><title>");
}

/*
 * A scatter chart's hover targets: one per point, up to HIT_MAX, each
 * titled with the point's name and both its values ("sweep/lr-3: lr
 * 0.001, val_loss 0.3275"; a category by its name).
 */
static void scatter_hits_fill(struct chart *c)
{
    const struct plot_spec *spec = c->spec;
    char xs[FMT_NUM_SIZE], ys[FMT_NUM_SIZE];
    size_t done = 0;

    for (size_t s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &spec->series[s];

        for (size_t i = 0; has_points(ps) && i < ps->n && done < HIT_MAX; i++) {
            if (!isfinite(numview_at(ps->x, i)) ||
                !isfinite(numview_at(ps->y, i)))
                continue;
            if (!c->hits.len)
                strbuf_addstr(&c->hits, "<g class=\"hits\">\n");
            hit_open(c, numview_at(ps->x, i), numview_at(ps->y, i));
            if (ps->names && ps->names[i]) {
                xml_add_text(&c->hits, ps->names[i], MAX_LABEL_CP);
                strbuf_addstr(&c->hits, ": ");
            }
            xml_add_text(&c->hits, spec->xlabel ? spec->xlabel : "x",
                         MAX_LABEL_CP);
            strbuf_addch(&c->hits, ' ');
            if (c->xcats && numview_at(ps->x, i) >= 0 &&
                numview_at(ps->x, i) < (double)spec->ncats)
                xml_add_text(&c->hits,
                             spec->xcats[(size_t)numview_at(ps->x, i)],
                             MAX_LABEL_CP);
            else
                strbuf_addstr(&c->hits,
                              fmt_num(xs, sizeof(xs), numview_at(ps->x, i)));
            strbuf_addstr(&c->hits, ", ");
            xml_add_text(&c->hits, spec->ylabel ? spec->ylabel : "y",
                         MAX_LABEL_CP);
            strbuf_addf(&c->hits, " %s</title></circle>\n",
                        fmt_num(ys, sizeof(ys), numview_at(ps->y, i)));
            done++;
        }
    }
    if (c->hits.len)
        strbuf_addstr(&c->hits, "</g>\n");
}

static void hits_fill(struct chart *c)
{
    const struct plot_spec *spec = c->spec;
    size_t per = c->nseries ? HIT_MAX / c->nseries : 0;
    char xs[FMT_NUM_SIZE], ys[FMT_NUM_SIZE];

    if (spec->scatter) {
        scatter_hits_fill(c);
        return;
    }
    if (per > HIT_PER_SERIES)
        per = HIT_PER_SERIES;
    for (size_t s = 0; s < c->nseries && per; s++) {
        const struct plot_series *ps = &spec->series[s];
        size_t m = c->ext[s].n, k, j = 0, next = 0, want;
        struct numreader rx, ry;
        struct strbuf pre = STRBUF_INIT; /* "val_loss at epoch ", escaped */

        if (!m)
            continue;
        k = m < per ? m : per;
        if (!c->hits.len)
            strbuf_addstr(&c->hits, "<g class=\"hits\">\n");
        xml_add_text(&pre, ps->label, MAX_LEGEND_CP);
        strbuf_addstr(&pre, " at ");
        xml_add_text(&pre, spec->xlabel ? spec->xlabel : "x", MAX_LABEL_CP);
        strbuf_addch(&pre, ' ');
        /* Take the finite points numbered round(q * (m - 1) / (k - 1)). */
        want = 0;
        numreader_init(&rx, ps->x, ps->n);
        numreader_init(&ry, ps->y, ps->n);
        for (size_t i = 0; i < ps->n && next < k; i++) {
            double x, y;

            /* Every point finite: point j is the one at j. */
            if (m == ps->n && j < want)
                i = j = want;
            x = numreader_at(&rx, i);
            y = numreader_at(&ry, i);
            if (!isfinite(x) || !isfinite(y))
                continue;
            if (k == 1 || j == want) {
                hit_open(c, x, y);
                strbuf_add(&c->hits, pre.buf, pre.len);
                strbuf_addstr(&c->hits, fmt_num(xs, sizeof(xs), x));
                strbuf_addstr(&c->hits, ": ");
                strbuf_addstr(&c->hits, fmt_num(ys, sizeof(ys), y));
                strbuf_addstr(&c->hits, "</title></circle>\n");
                next++;
                if (k > 1)
                    want = (next * (m - 1) + (k - 1) / 2) / (k - 1);
            }
            j++;
        }
        strbuf_release(&pre);
    }
    if (c->hits.len)
        strbuf_addstr(&c->hits, "</g>\n");
}

/* Stages 1 to 3 and the drawing, on an open plotter. */
static void chart_draw(struct chart *c)
{
    const struct plot_spec *spec = c->spec;
    struct text title, xlabel, ylabel, note;
    double fs_title, fs_x, fs_y;
    char *ylab, *xlab;
    struct rect legend = {0, 0, 0, 0};
    size_t seen[3] = {0, 0, 0}, s;

    pl_fspace_r(c->pl, 0, 0, c->w, c->h);
    pl_erase_r(c->pl);
    set_font(c, "Helvetica");
    pl_filltype_r(c->pl, 0);

    text_init(&title);
    text_init(&xlabel);
    text_init(&ylabel);
    text_init(&note);
    text_init(&c->mtext);
    text_set(&title, spec->title, MAX_LABEL_CP);
    c->xcats = spec->scatter && spec->xcats && spec->ncats;
    scan_series(c);
    c->xlog = spec->scatter && !c->xcats && want_log(c, true);
    xlab = c->xlog ? xasprintf("%s (log scale)",
                               spec->xlabel ? spec->xlabel : "value")
                   : xstrdup(spec->xlabel ? spec->xlabel : "");
    text_set(&xlabel, xlab, MAX_LABEL_CP);
    c->ylog = want_log(c, false);
    ylab = c->ylog ? xasprintf("%s (log scale)",
                               spec->ylabel ? spec->ylabel : "value")
                   : xstrdup(spec->ylabel ? spec->ylabel : "");
    text_set(&ylabel, ylab, MAX_LABEL_CP);
    layout(c, &title, &xlabel, &ylabel);

    c->traces = xcalloc(c->nseries, sizeof(*c->traces));
    c->ntraces = c->nseries;
    for (s = 0; s < c->nseries; s++) {
        c->traces[s].src = &spec->series[s];
        trace_style(&c->traces[s], seen);
        trace_fill(c, &c->traces[s]);
        if (c->traces[s].n)
            c->any_points = true;
    }
    bad_fill(c);
    c->marker = spec->has_marker && isfinite(spec->marker_x) &&
                isfinite(spec->marker_y);
    if (c->marker) {
        c->mx = map_x(c, spec->marker_x);
        c->my = map_y(c, spec->marker_y);
        text_set(&c->mtext, spec->marker_label, MAX_LABEL_CP);
    }
    marker_place(c);
    if (!spec->scatter)
        legend_place(c, &legend);

    draw_grid(c);
    draw_traces(c);
    draw_marker(c);
    draw_bad(c);
    draw_axes(c);
    if (c->xcats)
        draw_cats(c);
    draw_legend(c, &legend);

    if (!c->any_points) {
        strbuf_addstr(&note.xml, "no finite values");
        strbuf_addstr(&note.ascii, note.xml.buf);
        pl_pencolorname_r(c->pl, COLOR_NOTE);
        set_font(c, "Helvetica-Oblique");
        text_draw_centred(c, &note, (c->frame.x0 + c->frame.x1) / 2,
                          (c->frame.y0 + c->frame.y1) / 2, FS_AXIS, 'c', false);
        set_font(c, "Helvetica");
    }

    /* Axis labels and the title, each centred on the frame. */
    pl_pencolorname_r(c->pl, COLOR_TEXT);
    fs_x = text_fit(c, &xlabel, xlab, MAX_LABEL_CP, FS_AXIS, c->w - 20);
    text_draw_centred(c, &xlabel, (c->frame.x0 + c->frame.x1) / 2, 10, fs_x,
                      'b', false);
    fs_y = text_fit(c, &ylabel, ylab, MAX_LABEL_CP, FS_AXIS,
                    c->frame.y1 - c->frame.y0);
    text_draw_centred(c, &ylabel, 14, (c->frame.y0 + c->frame.y1) / 2, fs_y,
                      't', true);
    set_font(c, "Helvetica-Bold");
    fs_title =
        text_fit(c, &title, spec->title, MAX_LABEL_CP, FS_TITLE, c->w - 20);
    text_draw_centred(c, &title,
                      fmin(fmax((c->frame.x0 + c->frame.x1) / 2,
                                10 + text_width(c, &title, fs_title) / 2),
                           c->w - 10 - text_width(c, &title, fs_title) / 2),
                      c->h - 14, fs_title, 't', false);

    hits_fill(c);
    text_release(&title);
    text_release(&xlabel);
    text_release(&ylabel);
    text_release(&note);
    free(ylab);
    free(xlab);
}

/*
 * libplot reads each parameter that is not set here from the environment
 * variable of the same name (PAGESIZE, BG_COLOR, EMULATE_COLOR, ...), so
 * a user's shell could change the charts. Set every string parameter the
 * SVG driver might read, to libplot's defaults where we have no opinion.
 */
static const char *const plot_params[][2] = {
    {"PAGESIZE", "a4,xsize=16cm,ysize=10cm"},
    {"BG_COLOR", COLOR_BG},
    {"EMULATE_COLOR", "no"},
    /* One <polyline> per series rather than pieces of 500 points. */
    {"MAX_LINE_LENGTH", "5000"},
    {"ROTATION", "no"},
    {"BITMAPSIZE", "570x570"},
    {"INTERLACE", "no"},
    {"TRANSPARENT_COLOR", "none"},
    {"META_PORTABLE", "no"},
};

int plot_svg(const struct plot_spec *spec, struct strbuf *out)
{
    struct chart c;
    plPlotterParams *params;
    char *raw = NULL;
    size_t rawlen = 0;
    FILE *fp;
    size_t i;
    int ret = 0;

    memset(&c, 0, sizeof(c));
    strbuf_init(&c.hits, 0);
    strbuf_init(&c.ticks, 0);
    c.spec = spec;
    c.nseries = spec->series ? spec->nseries : 0;
    c.w = spec->scatter ? SMALL_W : CHART_W;
    c.h = spec->scatter ? SMALL_H : CHART_H;

    fp = open_memstream(&raw, &rawlen);
    if (!fp)
        return error_errno("plot: cannot open memory stream");
    params = pl_newplparams();
    for (i = 0; i < ARRAY_SIZE(plot_params); i++)
        pl_setplparam(params, plot_params[i][0], (void *)plot_params[i][1]);
    /* libplot's warnings would name nothing the user can act on. */
    c.pl = pl_newpl_r("svg", NULL, fp, NULL, params);
    if (!c.pl) {
        ret = error("plot: cannot create libplot SVG plotter");
    } else if (pl_openpl_r(c.pl) < 0) {
        ret = error("plot: cannot open libplot plotter");
    } else {
        chart_draw(&c);
        if (pl_closepl_r(c.pl) < 0)
            ret = error("plot: libplot failed to finish the chart");
    }
    if (c.pl)
        pl_deletepl_r(c.pl);
    pl_deleteplparams(params);
    if (fclose(fp) && !ret)
        ret = error_errno("plot: cannot write chart to memory");
    if (!ret) {
        size_t keep = out->len;

        ret = postprocess(raw, rawlen, &c, out);
        if (ret && out->alloc)
            strbuf_setlen(out, keep); /* no half chart on failure */
    }
    free(raw);
    chart_release(&c);
    return ret;
}

/* ------------------------------------------------------------------ */
/* The compact chart                                                   */
/* ------------------------------------------------------------------ */

/*
 * plot_svg_mini() writes its SVG directly, without libplot: a few
 * elements with short attributes, whose look (colours, dashes, fonts)
 * comes from the classes of plot_style(), which the page holds once. It
 * keeps the layout rules of the full chart (axis.c ticks, the log axis of
 * want_log(), the min/max envelope of trace_fill(), on columns of
 * MINI_COL units) and marks the best checkpoint the same way. For values
 * on hover, it has up to MINI_HITS bands across the frame instead of a
 * target per point, each titled with one logged point of every series.
 */
#define MINI_W 480
#define MINI_H 250
#define MINI_FS 14.0
#define MINI_COL 3.0
#define MINI_HITS 8

/* A coordinate, to a tenth of a unit, with no trailing ".0". */
static void mini_num(struct strbuf *out, double v)
{
    long t = lround(v * 10);

    if (t < 0) {
        strbuf_addch(out, '-');
        t = -t;
    }
    strbuf_addf(out, "%ld", t / 10);
    if (t % 10)
        strbuf_addf(out, ".%ld", t % 10);
}

/*
 * "Mx yVto" (or H): a vertical (or horizontal) line of a path; with a
 * lower-case dir, "to" is relative.
 */
static void mini_move(struct strbuf *out, double x, double y, char dir,
                      double to)
{
    strbuf_addch(out, 'M');
    mini_num(out, x);
    strbuf_addch(out, ' ');
    mini_num(out, y);
    strbuf_addch(out, dir);
    mini_num(out, to);
}

/* A cross of radius 3 centred on (x, y): "Mx-3 y-3l6 6m0-6l-6 6". */
static void mini_cross(struct strbuf *out, double x, double y)
{
    strbuf_addch(out, 'M');
    mini_num(out, x - 3);
    strbuf_addch(out, ' ');
    mini_num(out, y - 3);
    strbuf_addstr(out, "l6 6m0-6l-6 6");
}

/* The estimated width of ASCII label s at size fs (Helvetica-like). */
static double mini_width(const char *s, double fs)
{
    return 0.56 * fs * (double)strlen(s);
}

/* The index of ps's finite point nearest to x, or SIZE_MAX. */
static size_t nearest(const struct plot_series *ps, double x)
{
    size_t best = SIZE_MAX;

    for (size_t i = 0; has_points(ps) && i < ps->n; i++) {
        if (!isfinite(numview_at(ps->x, i)) || !isfinite(numview_at(ps->y, i)))
            continue;
        if (best == SIZE_MAX ||
            fabs(numview_at(ps->x, i) - x) < fabs(numview_at(ps->x, best) - x))
            best = i;
    }
    return best;
}

/*
 * The hover text of the logged point i of series 0 ("epoch 12: val_loss
 * 0.3275"), then of each other series' logged point nearest to it, on a
 * line each ("train_loss 0.29", with its own x when that differs).
 */
static void mini_hit_title(struct strbuf *out, const struct chart *c, size_t i)
{
    const struct plot_spec *spec = c->spec;
    const char *xl = spec->xlabel ? spec->xlabel : "x";
    double x = numview_at(spec->series[0].x, i);
    char xs[FMT_NUM_SIZE], ys[FMT_NUM_SIZE];

    for (size_t s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &spec->series[s];
        size_t j = s ? nearest(ps, x) : i;

        if (j == SIZE_MAX)
            continue;
        if (!s) {
            xml_add_text(out, xl, MAX_LABEL_CP);
            strbuf_addf(out, " %s: ", fmt_num(xs, sizeof(xs), x));
        } else {
            strbuf_addch(out, '\n');
        }
        xml_add_text(out, ps->label, MAX_LEGEND_CP);
        if (s && numview_at(ps->x, j) != x) {
            strbuf_addstr(out, " at ");
            xml_add_text(out, xl, MAX_LABEL_CP);
            strbuf_addf(out, " %s",
                        fmt_num(xs, sizeof(xs), numview_at(ps->x, j)));
            strbuf_addch(out, ':');
        }
        strbuf_addf(out, " %s", fmt_num(ys, sizeof(ys), numview_at(ps->y, j)));
    }
}

/*
 * The hover bands: up to MINI_HITS logged points of series 0, evenly
 * spread, the best checkpoint's among them; each band runs from halfway
 * to the previous one to halfway to the next, the frame's full height.
 */
static void mini_hits(struct strbuf *out, const struct chart *c)
{
    const struct plot_series *ps = &c->spec->series[0];
    size_t *idx, m = 0, k = 0, picked = 0;
    double prev_edge = round(c->frame.x0);

    for (size_t i = 0; has_points(ps) && i < ps->n; i++)
        m += isfinite(numview_at(ps->x, i)) && isfinite(numview_at(ps->y, i));
    if (!m)
        return;
    idx = xmalloc((MINI_HITS + 1) * sizeof(*idx));
    for (size_t i = 0, j = 0; i < ps->n; i++) {
        size_t want;

        if (!isfinite(numview_at(ps->x, i)) || !isfinite(numview_at(ps->y, i)))
            continue;
        want = m <= MINI_HITS
                   ? j
                   : (picked * (m - 1) + (MINI_HITS - 1) / 2) / (MINI_HITS - 1);
        if (j == want)
            picked++;
        if ((j == want ||
             (c->marker && numview_at(ps->x, i) == c->spec->marker_x &&
              numview_at(ps->y, i) == c->spec->marker_y)) &&
            k < MINI_HITS + 1)
            idx[k++] = i;
        j++;
    }
    strbuf_addstr(out, "<g class=\"hits\">\n");
    for (size_t h = 0; h < k; h++) {
        double x = map_x(c, numview_at(ps->x, idx[h]));
        /* Edges in whole units: a band needs no finer place. */
        double edge =
            round(h + 1 < k ? (x + map_x(c, numview_at(ps->x, idx[h + 1]))) / 2
                            : c->frame.x1);

        if (edge <= prev_edge)
            continue;
        /* A band: "M x y h w v h h -w z", the frame's full height. */
        strbuf_addstr(out, "<path class=\"hit\" d=\"");
        mini_move(out, prev_edge, c->frame.y1, 'h', edge - prev_edge);
        strbuf_addch(out, 'v');
        mini_num(out, c->frame.y0 - c->frame.y1);
        strbuf_addch(out, 'h');
        mini_num(out, prev_edge - edge);
        strbuf_addstr(out, "z\"><title>");
        mini_hit_title(out, c, idx[h]);
        strbuf_addstr(out, "</title></path>\n");
        prev_edge = edge;
    }
    strbuf_addstr(out, "</g>\n");
    free(idx);
}

/*
 * <text x= y=>TEXT</text>, TEXT already escaped; cls and anchor may be
 * NULL (a group around the element sets them).
 */
static void mini_text(struct strbuf *out, const char *cls, double x, double y,
                      const char *anchor, const char *xml)
{
    strbuf_addstr(out, "<text");
    if (cls)
        strbuf_addf(out, " class=\"%s\"", cls);
    strbuf_addstr(out, " x=\"");
    mini_num(out, x);
    strbuf_addstr(out, "\" y=\"");
    mini_num(out, y);
    strbuf_addch(out, '"');
    if (anchor)
        strbuf_addf(out, " text-anchor=\"%s\"", anchor);
    strbuf_addf(out, ">%s</text>\n", xml);
}

/* The frame, the grid and the tick labels of both axes. */
static void mini_axes(struct strbuf *out, const struct chart *c)
{
    char buf[FMT_NUM_SIZE];
    size_t i;

    strbuf_addstr(out, "<path class=\"s-grid\" stroke-width=\".8\" d=\"");
    for (i = 0; i < c->ax.nticks; i++)
        mini_move(out, tick_x(c, i), c->frame.y0, 'V', c->frame.y1);
    for (i = 0; i < c->ay.nticks; i++)
        mini_move(out, c->frame.x0, tick_y(c, i), 'H', c->frame.x1);
    strbuf_addstr(out, "\"/>\n<rect class=\"s-frame\" x=\"");
    mini_num(out, c->frame.x0);
    strbuf_addstr(out, "\" y=\"");
    mini_num(out, c->frame.y1);
    strbuf_addstr(out, "\" width=\"");
    mini_num(out, c->frame.x1 - c->frame.x0);
    strbuf_addstr(out, "\" height=\"");
    mini_num(out, c->frame.y0 - c->frame.y1);
    strbuf_addstr(out, "\"/>\n");
    /* The tick labels, in a group per axis that sets their look. */
    strbuf_addstr(out, "<g class=\"f-tick\" text-anchor=\"middle\">\n");
    for (i = 0; i < c->ax.nticks; i++)
        mini_text(
            out, NULL, tick_x(c, i), c->frame.y0 + MINI_FS + 3,
            i ? NULL : "start",
            tick_label(c, &c->ax, axis_tick(&c->ax, i), buf, sizeof(buf)));
    strbuf_addstr(out, "</g>\n<g class=\"f-tick\" text-anchor=\"end\">\n");
    for (i = 0; i < c->ay.nticks; i++)
        mini_text(
            out, NULL, c->frame.x0 - 4, tick_y(c, i) + MINI_FS / 3, NULL,
            tick_label(c, &c->ay, axis_tick(&c->ay, i), buf, sizeof(buf)));
    strbuf_addstr(out, "</g>\n");
}

/*
 * Each series' line into out, and its legend entry above the frame into
 * legend (a part of the chart's frame).
 */
static void mini_traces(struct strbuf *out, struct strbuf *legend,
                        struct chart *c)
{
    size_t seen[3] = {0, 0, 0};
    double lx = c->frame.x0, names_w = 0;
    struct strbuf label = STRBUF_INIT;

    c->traces = xcalloc(c->nseries, sizeof(*c->traces));
    c->ntraces = c->nseries;
    for (size_t s = 0; s < c->nseries; s++) {
        struct trace *tr = &c->traces[s];
        const char *cls;
        char dash[64] = "";
        long px, py;
        bool moved = false;

        tr->src = &c->spec->series[s];
        trace_style(tr, seen);
        trace_fill(c, tr);
        if (!tr->n)
            continue;
        cls = color_class(tr->color, strlen(tr->color));
        if (tr->dash->n)
            snprintf(dash, sizeof(dash), " stroke-dasharray=\"%g %g\"",
                     tr->dash->d[0] * 0.7, tr->dash->d[1] * 0.7);
        /*
         * A path of whole units, each point relative to the one before
         * (rounded positions, so no error adds up): about 5 bytes a
         * point. A lone point is a zero-length line, a dot by its caps.
         */
        strbuf_addf(out, "<path class=\"s-%s\"%s d=\"M%ld %ldl", cls, dash,
                    lround(tr->x[0]), lround(tr->y[0]));
        px = lround(tr->x[0]);
        py = lround(tr->y[0]);
        for (size_t i = 1; i < tr->n; i++) {
            long dx = lround(tr->x[i]) - px, dy = lround(tr->y[i]) - py;

            if (!dx && !dy)
                continue; /* the same whole unit: nothing to draw */
            strbuf_addf(out, moved && dx >= 0 ? " %ld" : "%ld", dx);
            strbuf_addf(out, dy >= 0 ? " %ld" : "%ld", dy);
            px += dx;
            py += dy;
            moved = true;
        }
        if (!moved)
            strbuf_addstr(out, "0 0");
        strbuf_addstr(out, "\"/>\n");

        /* The legend entry: a swatch and the series' name. */
        strbuf_reset(&label);
        xml_add_text(&label, tr->src->label, MAX_LEGEND_CP);
        strbuf_addf(legend, "<path class=\"s-%s\"%s d=\"M", cls, dash);
        mini_num(legend, lx);
        strbuf_addch(legend, ' ');
        mini_num(legend, MINI_FS);
        strbuf_addstr(legend, "h18\"/>\n");
        mini_text(legend, "f-text", lx + 22, MINI_FS + MINI_FS / 3, NULL,
                  label.buf);
        lx +=
            22 + mini_width(tr->src->label ? tr->src->label : "", MINI_FS) + 14;
    }
    /*
     * The crosses' legend entry, after the lines': the full chart's red
     * rows ("val_loss: non-finite") on one line, or only "non-finite"
     * when the names do not fit.
     */
    strbuf_reset(&label);
    for (size_t s = 0; s < c->nseries; s++) {
        const struct plot_series *ps = &c->spec->series[s];

        if (!ps->nbad || !ps->bad_x)
            continue;
        if (label.len)
            strbuf_addstr(&label, ", ");
        names_w += mini_width(ps->label ? ps->label : "", MINI_FS) +
                   (label.len ? mini_width(", ", MINI_FS) : 0);
        xml_add_text(&label, ps->label, MAX_LEGEND_CP);
    }
    if (label.len) {
        strbuf_addstr(&label, ": non-finite");
        names_w += mini_width(": non-finite", MINI_FS);
        if (lx + 22 + names_w > MINI_W) {
            strbuf_reset(&label);
            strbuf_addstr(&label, "non-finite");
        }
        strbuf_addstr(legend,
                      "<path class=\"s-bad\" stroke-width=\"1.4\" d=\"");
        mini_cross(legend, lx + 9, MINI_FS);
        strbuf_addstr(legend, "\"/>\n");
        mini_text(legend, "f-bad", lx + 22, MINI_FS + MINI_FS / 3, NULL,
                  label.buf);
    }
    strbuf_release(&label);
}

/*
 * The rows whose value is nan or inf: small red crosses just inside the
 * top of the frame, at most one every few pixel columns (bad_fill()).
 */
static void mini_bad(struct strbuf *out, struct chart *c)
{
    bad_fill(c);
    if (!c->nbad)
        return;
    strbuf_addstr(out, "<path class=\"s-bad\" stroke-width=\"1.4\" d=\"");
    for (size_t i = 0; i < c->nbad; i++)
        mini_cross(out, c->bad_x[i], c->frame.y1 + 4);
    strbuf_addstr(out, "\"/>\n");
}

/* The best checkpoint: a dashed line, a dot and its label. */
static void mini_marker(struct strbuf *out, const struct chart *c)
{
    struct strbuf label = STRBUF_INIT;
    double w, x;

    if (!c->marker)
        return;
    strbuf_addstr(out, "<path class=\"s-marker mk\" d=\"");
    mini_move(out, c->mx, c->frame.y0, 'V', c->frame.y1);
    strbuf_addstr(out, "\"/>\n<circle class=\"f-marker s-bg\" cx=\"");
    mini_num(out, c->mx);
    strbuf_addstr(out, "\" cy=\"");
    mini_num(out, c->my);
    strbuf_addstr(out, "\" r=\"4\"/>\n");
    if (!c->spec->marker_label)
        return;
    xml_add_text(&label, c->spec->marker_label, MAX_LABEL_CP);
    /* Beside the line, on the side with room, at the top of the frame. */
    w = mini_width(c->spec->marker_label, MINI_FS);
    x = c->mx + 6 + w <= c->frame.x1 ? c->mx + 6 : c->mx - 6;
    /* Below the crosses of non-finite rows, when there are any. */
    mini_text(out, "f-text", x, c->frame.y1 + MINI_FS + 2 + (c->nbad ? 8 : 0),
              x > c->mx ? NULL : "end", label.buf);
    strbuf_release(&label);
}

void plot_shared_release(struct plot_shared *sh)
{
    for (size_t i = 0; i < sh->n; i++)
        strbuf_release(&sh->frames[i]);
    free(sh->frames);
    memset(sh, 0, sizeof(*sh));
}

/*
 * The chart's frame into out: itself, or, when shared already holds the
 * same, a <use> of the first chart's; the first holds it with an id.
 */
static void mini_frame(struct strbuf *out, struct plot_shared *shared,
                       const struct strbuf *frame)
{
    size_t i;

    if (!shared) {
        strbuf_add(out, frame->buf, frame->len);
        return;
    }
    for (i = 0; i < shared->n; i++)
        if (shared->frames[i].len == frame->len &&
            !memcmp(shared->frames[i].buf, frame->buf, frame->len))
            break;
    if (i < shared->n) {
        strbuf_addf(out, "<use href=\"#rg-frame-%zu\"/>\n", i + 1);
        return;
    }
    ALLOC_GROW(shared->frames, shared->n + 1, shared->alloc);
    strbuf_init(&shared->frames[shared->n], frame->len);
    strbuf_add(&shared->frames[shared->n++], frame->buf, frame->len);
    strbuf_addf(out, "<g id=\"rg-frame-%zu\">\n", shared->n);
    strbuf_add(out, frame->buf, frame->len);
    strbuf_addstr(out, "</g>\n");
}

int plot_svg_mini(const struct plot_spec *spec, struct plot_shared *shared,
                  struct strbuf *out)
{
    struct chart c;
    struct strbuf xl = STRBUF_INIT, frame = STRBUF_INIT, lines = STRBUF_INIT;
    double xlo, xhi, ylo, yhi, left, w = 0;
    char buf[FMT_NUM_SIZE];
    size_t i, max_ticks;

    memset(&c, 0, sizeof(c));
    strbuf_init(&c.hits, 0);
    strbuf_init(&c.ticks, 0);
    c.spec = spec;
    c.nseries = spec->series ? spec->nseries : 0;
    c.w = MINI_W;
    c.h = MINI_H;

    /* Layout: the legend above the frame, the x label below it. */
    scan_series(&c);
    c.ylog = want_log(&c, false);
    data_range(&c, &xlo, &xhi, &ylo, &yhi);
    if (c.ylog)
        log_axis(ylo, yhi, 6, &c.ay);
    else
        axis_nice(ylo, yhi, 6, &c.ay);
    for (i = 0; i < c.ay.nticks; i++)
        w = fmax(w, mini_width(tick_label(&c, &c.ay, axis_tick(&c.ay, i), buf,
                                          sizeof(buf)),
                               MINI_FS));
    left = 8 + w + 6;
    for (max_ticks = 8; max_ticks > 3; max_ticks--) {
        double tw = 0;

        axis_nice(xlo, xhi, max_ticks, &c.ax);
        for (i = 0; i < c.ax.nticks; i++)
            tw = fmax(tw, mini_width(tick_label(&c, &c.ax, axis_tick(&c.ax, i),
                                                buf, sizeof(buf)),
                                     MINI_FS));
        if ((MINI_W - 20 - left) / (double)(c.ax.nticks - 1) >= tw + 12)
            break;
    }
    if (c.ax.step < 1 && integral_x(&c) && isfinite(xlo) && isfinite(xhi)) {
        c.ax.lo = floor(xlo);
        c.ax.hi = fmax(ceil(xhi), c.ax.lo + 1);
        c.ax.step = 1;
        c.ax.nticks = (size_t)(c.ax.hi - c.ax.lo) + 1;
    }
    /* SVG coordinates, y down: y0 is the frame's bottom edge. */
    c.frame.x0 = left;
    c.frame.x1 = MINI_W - 20;
    c.frame.y1 = 2 * MINI_FS + 4;
    c.frame.y0 = MINI_H - 2 * MINI_FS - 12;
    c.area.x0 = c.frame.x0 + 6;
    c.area.x1 = c.frame.x1 - 6;
    c.area.y0 = c.frame.y0 - 6;
    c.area.y1 = c.frame.y1 + 6;
    c.colw = MINI_COL;
    c.ncols = (size_t)((c.area.x1 - c.area.x0) / MINI_COL);
    /* trace_fill() reduces per column of the area: columns of MINI_COL. */
    c.area.x1 = c.area.x0 + (double)c.ncols * MINI_COL;
    c.marker = spec->has_marker && isfinite(spec->marker_x) &&
               isfinite(spec->marker_y);

    strbuf_addf(out,
                "<svg class=\"rg-chart rg-mini\" width=\"100%%\" "
                "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" "
                "role=\"img\">\n<title>",
                MINI_W, MINI_H);
    xml_add_text(out, spec->title && *spec->title ? spec->title : "chart",
                 MAX_LABEL_CP);
    strbuf_addstr(out, "</title>\n");
    mini_axes(&frame, &c);
    /* The scale (and a log axis) is said below the frame, by x's label. */
    xml_add_text(&xl, spec->xlabel ? spec->xlabel : "", MAX_LABEL_CP);
    if (c.ylog) {
        strbuf_addstr(&xl, " &#xB7; ");
        xml_add_text(&xl, spec->ylabel ? spec->ylabel : "value", MAX_LABEL_CP);
        strbuf_addstr(&xl, " on a log scale");
    }
    mini_text(&frame, "f-text", (c.frame.x0 + c.frame.x1) / 2, MINI_H - 6,
              "middle", xl.buf);
    strbuf_release(&xl);
    if (c.marker) {
        c.mx = map_x(&c, spec->marker_x);
        c.my = map_y(&c, spec->marker_y);
    }
    mini_traces(&lines, &frame, &c);
    mini_frame(out, shared, &frame);
    strbuf_add(out, lines.buf, lines.len);
    strbuf_release(&frame);
    strbuf_release(&lines);
    mini_bad(out, &c);
    mini_marker(out, &c);
    if (c.nseries)
        mini_hits(out, &c);
    strbuf_addstr(out, "</svg>\n");
    chart_release(&c);
    return 0;
}
