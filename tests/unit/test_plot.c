/*
 * test_plot.c - plot_svg() on small specs: the document is UTF-8 SVG with
 * no libplot version line, equal input gives equal bytes, untrusted labels
 * come out as the same text and never as markup, long series are reduced,
 * and no input (empty, NaN, huge, unsorted) makes it fail.
 *
 * Labels are checked after decoding: the text of every <text> and <title>
 * element, with character references resolved, is what a browser shows.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

#include "banned.h"

#define UE "\xc3\x9c"        /* U+00DC, its second byte is 0x9C */
#define UE_SMALL "\xc3\xbc"  /* U+00FC */
#define YAN "\xe9\xaa\x8c"   /* U+9A8C */
#define ZHENG "\xe8\xaf\x81" /* U+8BC1 */
#define CHECKING UE "berpr" UE_SMALL "fung"

static const double x5[] = {1, 2, 3, 4, 5};
static const double train5[] = {1.25, 0.8, 0.55, 0.4, 0.32};
static const double val5[] = {1.3, 0.9, 0.7, 0.66, 0.69};

/* Draw spec into a fresh string; the caller frees it. NULL on failure. */
static char *draw(const struct plot_spec *spec)
{
    struct strbuf sb = STRBUF_INIT;

    if (plot_svg(spec, &sb)) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

static void add_utf8(struct strbuf *sb, unsigned long cp)
{
    if (cp < 0x80) {
        strbuf_addch(sb, (int)cp);
    } else if (cp < 0x800) {
        strbuf_addch(sb, (int)(0xc0 | cp >> 6));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        strbuf_addch(sb, (int)(0xe0 | cp >> 12));
        strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
    } else {
        strbuf_addch(sb, (int)(0xf0 | cp >> 18));
        strbuf_addch(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
        strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
    }
}

/*
 * Resolve the XML references at s (len bytes) into sb. Returns false on a
 * reference a browser would not resolve: an unknown name, bad digits, a
 * missing ';', or a bare '&'.
 */
static bool add_decoded(struct strbuf *sb, const char *s, size_t len)
{
    static const char *const names[][2] = {
        {"&lt;", "<"},    {"&gt;", ">"},   {"&amp;", "&"},
        {"&quot;", "\""}, {"&apos;", "'"},
    };
    size_t i = 0, k;

    while (i < len) {
        if (s[i] != '&') {
            strbuf_addch(sb, s[i++]);
            continue;
        }
        for (k = 0; k < ARRAY_SIZE(names); k++) {
            size_t n = strlen(names[k][0]);

            if (i + n <= len && !memcmp(s + i, names[k][0], n)) {
                strbuf_addstr(sb, names[k][1]);
                i += n;
                break;
            }
        }
        if (k < ARRAY_SIZE(names))
            continue;
        if (i + 3 < len && s[i + 1] == '#') {
            bool hex = s[i + 2] == 'x';
            char *end;
            unsigned long cp = strtoul(s + i + 2 + hex, &end, hex ? 16 : 10);

            if (end == s + i + 2 + hex || *end != ';' || !cp || cp > 0x10ffff)
                return false;
            add_utf8(sb, cp);
            i = (size_t)(end - s) + 1;
            continue;
        }
        return false;
    }
    return true;
}

/*
 * The text a browser shows: the content of each <title> and <text>
 * element, decoded, one per line. Returns false when some text holds a
 * reference a browser would not resolve or markup (a '<' inside it).
 */
static bool shown_text(const char *svg, struct strbuf *out)
{
    const char *p = svg;

    strbuf_reset(out);
    while ((p = strstr(p, "<t")) != NULL) {
        const char *open, *close;

        if (strncmp(p, "<text ", 6) && strncmp(p, "<title>", 7)) {
            p++;
            continue;
        }
        open = strchr(p, '>');
        if (!open)
            return false;
        close = strchr(open + 1, '<');
        if (!close ||
            (strncmp(close, "</text>", 7) && strncmp(close, "</title>", 8)))
            return false;
        if (!add_decoded(out, open + 1, (size_t)(close - open - 1)))
            return false;
        strbuf_addch(out, '\n');
        p = close;
    }
    return true;
}

/* Is every '&' in the document the start of a reference? */
static bool refs_well_formed(const char *svg)
{
    struct strbuf sb = STRBUF_INIT;
    bool good = add_decoded(&sb, svg, strlen(svg));

    strbuf_release(&sb);
    return good;
}

/* Only printable ASCII, newlines and tabs. */
static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ||
            (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;

    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* Points in the <polyline> elements drawn with color. */
static size_t polyline_points(const char *svg, const char *color)
{
    const char *p = svg;
    size_t n = 0;

    while ((p = strstr(p, "<polyline ")) != NULL) {
        const char *end = strchr(p, '>'), *q, *pts = strstr(p, "points=\"");
        char stroke[32];

        snprintf(stroke, sizeof(stroke), "stroke=\"%s\"", color);
        q = strstr(p, stroke);
        if (end && pts && q && q < end && pts < end) {
            for (q = pts + 8; *q && *q != '"'; q++)
                if (*q == ',')
                    n++;
        }
        p++;
    }
    return n;
}

/*
 * The highest point of the <polyline> elements drawn with color, in
 * libplot's coordinates (y up, 0 to 500).
 */
static double polyline_top(const char *svg, const char *color)
{
    const char *p = svg;
    double top = -1;

    while ((p = strstr(p, "<polyline ")) != NULL) {
        const char *end = strchr(p, '>'), *q, *pts = strstr(p, "points=\"");
        char stroke[32];

        snprintf(stroke, sizeof(stroke), "stroke=\"%s\"", color);
        q = strstr(p, stroke);
        if (end && pts && q && q < end && pts < end) {
            for (q = pts + 8; *q && *q != '"'; q++)
                if (*q == ',')
                    top = fmax(top, strtod(q + 1, NULL));
        }
        p++;
    }
    return top;
}

/*
 * How often x goes back (by more than a unit) from one point to the
 * next along the <polyline> elements drawn with color.
 */
static size_t polyline_drops(const char *svg, const char *color)
{
    const char *p = svg;
    double last = -INFINITY;
    size_t drops = 0;

    while ((p = strstr(p, "<polyline ")) != NULL) {
        const char *end = strchr(p, '>'), *q, *pts = strstr(p, "points=\"");
        char stroke[32];

        snprintf(stroke, sizeof(stroke), "stroke=\"%s\"", color);
        q = strstr(p, stroke);
        if (end && pts && q && q < end && pts < end) {
            for (q = pts + 8; *q && *q != '"'; q++) {
                double x;

                if (q != pts + 8 && q[-1] != ' ')
                    continue;
                x = strtod(q, NULL);
                drops += x < last - 1;
                last = x;
            }
        }
        p++;
    }
    return drops;
}

static struct plot_spec basic_spec(struct plot_series *s)
{
    struct plot_spec spec = {
        "run-1: loss",        "epoch", "loss", s, 2, true, 4, 0.66,
        "best epoch 4: 0.66", false,   NULL,   0,
    };

    s[0] = (struct plot_series){"train_loss",
                                PLOT_TRAIN,
                                numview_of(x5),
                                numview_of(train5),
                                5,
                                NULL,
                                0,
                                NULL};
    s[1] = (struct plot_series){
        "val_loss", PLOT_VAL, numview_of(x5), numview_of(val5), 5, NULL,
        0,          NULL};
    return spec;
}

static void test_document(void)
{
    struct plot_series s[2];
    struct plot_spec spec = basic_spec(s);
    struct strbuf sb = STRBUF_INIT;
    char *a = draw(&spec), *b = draw(&spec);

    ok(a != NULL, "basic chart draws");
    if (!a)
        a = xstrdup("");
    if (!b)
        b = xstrdup("");
    ok(!strncmp(a, "<?xml ", 6), "starts with <?xml");
    ok(strstr(a, "encoding=\"UTF-8\"") != NULL, "declares UTF-8");
    ok(!strstr(a, "ISO-8859-1"), "no Latin-1 declaration left");
    ok(!strstr(a, "version 4.") && !strstr(a, "<desc>"),
       "no libplot version line");
    ok(!strcmp(a, b), "drawing twice gives equal bytes");
    ok(strstr(a, "width=\"100%\"") && strstr(a, "viewBox=\"0 0 800 500\"") &&
           !strstr(a, "preserveAspectRatio=\"none\""),
       "scales with the page at 16:10");
    ok(strstr(a, "</svg>") != NULL, "document is complete");
    ok(plain_ascii(a), "document is plain ASCII");
    ok(refs_well_formed(a), "every '&' starts a reference");
    ok(strstr(a, "class=\"s-train\" points=") &&
           strstr(a, "stroke=\"#0072b2\"") &&
           strstr(a, "class=\"s-val\" points=") &&
           strstr(a, "stroke=\"#d55e00\""),
       "train is blue, val vermillion, each with its class");
    ok(strstr(a, "stroke=\"#d55e00\" stroke-width=\"1.8\" "
                 "stroke-linecap=\"round\" stroke-linejoin=\"round\" "
                 "stroke-dasharray=\"9, 4.5\"") != NULL,
       "val is dashed: line style is a second cue");
    ok(strstr(a, "<style>") &&
           strstr(a, "@media (prefers-color-scheme:dark){.rg-chart{") &&
           strstr(a, ".s-train{stroke:var(--rg-train)}"),
       "the classes' colours come from the chart's style, dark mode too");
    ok(strstr(a, "<circle class=\"hit\"") &&
           strstr(a, "<title>val_loss at epoch 4: 0.66</title>"),
       "values on hover: a <title> on logged points");
    ok(!strstr(a, "66666") && !strstr(a, "77777") &&
           count(a, "<line class=\"s-grid\" x1=\"") >= 4 &&
           count(a, "<line class=\"s-frame\" x1=\"") >= 4 &&
           strstr(a, "\" stroke=\"#e5e5e5\" stroke-width=\"0.8\" />\n"),
       "grid lines and ticks in place of their placeholders, one a line");
    ok(shown_text(a, &sb) && strstr(sb.buf, "train_loss\n") &&
           strstr(sb.buf, "val_loss\n"),
       "legend names both series");
    ok(strstr(sb.buf, "\nloss\n") && strstr(sb.buf, "\nepoch\n"),
       "axis labels are shown");
    ok(strstr(sb.buf, "\n1.2\n") && strstr(sb.buf, "\n0.4\n"),
       "y tick labels are shown");
    ok(!strncmp(sb.buf, "run-1: loss\n", 12), "title is the <title>");

    /* The marker: dashed dark line, dark dot, its label. */
    ok(strstr(a, "#333333") && strstr(a, "stroke-dasharray=\"5"),
       "marker line is dashed");
    ok(strstr(a, "<circle class=\"s-bg f-marker\"") != NULL,
       "marker dot is drawn");
    ok(strstr(sb.buf, "best epoch 4: 0.66\n") != NULL, "marker label shown");

    free(a);
    free(b);
    spec.has_marker = false;
    a = draw(&spec);
    ok(a && !strstr(a, "#2ca02c"), "no marker when has_marker is false");
    free(a);

    /* plot_svg() appends. */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "KEEP");
    ok(!plot_svg(&spec, &sb) && !strncmp(sb.buf, "KEEP<?xml ", 10),
       "output is appended to the buffer");
    strbuf_release(&sb);
}

/* Draw one chart with label as title, y label, legend and marker label. */
static char *draw_label(const char *label)
{
    struct plot_series s[2];
    struct plot_spec spec = basic_spec(s);

    spec.title = label;
    spec.ylabel = label;
    spec.marker_label = label;
    s[0].label = label;
    return draw(&spec);
}

static void test_labels(void)
{
    struct strbuf sb = STRBUF_INIT;
    char *svg;
    bool shown;

    svg = draw_label("<script>alert(1)</script>");
    ok(svg && !strstr(svg, "<script") && !strstr(svg, "<SCRIPT"),
       "script label: no <script element");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "<script>alert(1)</script>\n") == 5,
       "script label: shown as text in all five places");
    free(svg);

    svg = draw_label(CHECKING);
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, CHECKING "\n") == 5,
       "Ueberpruefung: shown with its umlauts");
    ok(svg && refs_well_formed(svg) && plain_ascii(svg),
       "Ueberpruefung: well-formed ASCII references");
    free(svg);

    svg = draw_label(YAN ZHENG);
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, YAN ZHENG "\n") == 5, "CJK label: shown");
    free(svg);

    svg = draw_label("a&b");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "a&b\n") == 5, "a&b: shown as a&b");
    ok(!strstr(sb.buf, "&amp;") && !strstr(sb.buf, "&#"),
       "a&b: not escaped twice");
    free(svg);

    /* A label that spells a reference shows the spelling. */
    svg = draw_label("&#x3C;b&gt;");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "&#x3C;b&gt;\n") == 5,
       "reference-like label: shown literally");
    free(svg);

    /* plot.c draws placeholders "@N@" for labels: one in a label stays. */
    svg = draw_label("@0@ @1@");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "@0@ @1@\n") == 5,
       "placeholder-like label: shown literally");
    free(svg);

    /* libplot would read "\mu" as a Greek letter and "\sp" as superscript. */
    svg = draw_label("C:\\mu\\sp");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "C:\\mu\\sp\n") == 5 && !strstr(svg, "Symbol"),
       "backslashes: shown literally");
    free(svg);

    /* Invalid UTF-8 becomes U+FFFD, control characters go. */
    svg = draw_label("a\xff"
                     "b\xc3"
                     "c\x01"
                     "d\x7f"
                     "e\xc2\x85"
                     "f");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "a\xef\xbf\xbd"
                              "b\xef\xbf\xbd"
                              "cdef\n") == 5,
       "bad bytes: replaced, controls dropped");
    ok(svg && plain_ascii(svg), "bad bytes: document stays ASCII");
    free(svg);

    svg = draw_label("tab\there");
    shown = svg && shown_text(svg, &sb);
    ok(shown && count(sb.buf, "tab here\n") == 5, "tab becomes a space");
    free(svg);

    /* Very long labels are cut, with an ellipsis. */
    {
        char longl[301];

        memset(longl, 'w', 300);
        longl[300] = '\0';
        svg = draw_label(longl);
        shown = svg && shown_text(svg, &sb);
        ok(shown && !strstr(sb.buf, longl) &&
               count(sb.buf, "\xe2\x80\xa6\n") >= 4,
           "long label: cut with an ellipsis");
        free(svg);
    }

    svg = draw_label(NULL);
    ok(svg != NULL, "NULL labels: drawn");
    free(svg);
    svg = draw_label("");
    ok(svg != NULL, "empty labels: drawn");
    free(svg);
    strbuf_release(&sb);
}

static void test_big(void)
{
    const size_t n = 1000000;
    double *x = xmalloc(n * sizeof(*x)), *y = xmalloc(n * sizeof(*y));
    double *bad = xmalloc(n / 10 * sizeof(*bad));
    struct plot_series s[1] = {
        {"train_loss", PLOT_TRAIN, numview_of(x), numview_of(y), n, bad, n / 10,
         NULL},
    };
    struct plot_spec spec = {"big", "step", "loss", s,     1,    true,
                             5e5,   1,      "b",    false, NULL, 0};
    struct strbuf sb = STRBUF_INIT;
    size_t i, pts;
    char *svg;

    for (i = 0; i < n; i++) {
        x[i] = (double)i;
        /* A decaying curve with noise and one spike to keep. */
        y[i] = 2 * exp(-(double)i / 2e5) + 0.1 * (double)(i * 7919 % 101) / 101;
        if (i == 777777)
            y[i] = 50;
    }
    for (i = 0; i < n / 10; i++)
        bad[i] = (double)i * 10 + 5;
    svg = draw(&spec);
    ok(svg != NULL, "1e6 points: drawn");
    if (!svg)
        svg = xstrdup("");
    ok(strlen(svg) < 400 * 1024, "1e6 points: SVG below 400 KB");
    pts = polyline_points(svg, "#0072b2");
    ok(pts > 100 && pts < 2000, "1e6 points: one or two per pixel column");
    if (pts <= 100 || pts >= 2000)
        printf("#   %zu points drawn\n", pts);
    ok(polyline_top(svg, "#0072b2") > 400, "the envelope keeps the spike");
    ok(shown_text(svg, &sb) && strstr(sb.buf, "\n100\n") &&
           strstr(sb.buf, "\nloss (log scale)\n"),
       "the spike sets the y range, on a log axis (0.013 to 50)");
    ok(count(svg, "<circle class=\"hit\"") <= 240,
       "1e6 points: a bounded number of hover targets");
    ok(count(svg, "stroke=\"#d62728\"") < 1000,
       "1e5 bad rows: at most one cross per pixel column");
    ok(shown_text(svg, &sb) && strstr(sb.buf, "train_loss: non-finite\n"),
       "bad rows: legend entry");
    free(svg);

    /* x starts again halfway (a restart): the envelope is kept all the same. */
    for (i = 0; i < n; i++) {
        x[i] = (double)(i % (n / 2));
        y[i] = 1 + 0.1 * (double)(i * 7919 % 101) / 101;
        if (i == 900001)
            y[i] = 50;
    }
    s[0].nbad = 0;
    svg = draw(&spec);
    if (!svg)
        svg = xstrdup("");
    pts = polyline_points(svg, "#0072b2");
    ok(pts > 100 && pts < 4000, "x going back: at most four per pixel column");
    ok(polyline_top(svg, "#0072b2") > 400, "x going back: the spike kept");
    is_int((long)polyline_drops(svg, "#0072b2"), 1,
           "x going back: the points in the log's order");
    free(svg);
    free(x);
    free(y);
    free(bad);
    strbuf_release(&sb);
}

static void test_degenerate(void)
{
    static const double nan_y[] = {1, NAN, 3, INFINITY, 2};
    static const double huge[] = {1e300, -1e300, 1e308, -1e308, 1};
    static const double tiny[] = {1e-300, 2e-300, 1e-310, 0, 5e-324};
    static const double same[] = {0.5, 0.5, 0.5, 0.5, 0.5};
    static const double back[] = {5, 3, 4, 1, 2};
    static const double one_x[] = {3}, one_y[] = {0.25};
    static const double bad_x[] = {2.5, NAN, INFINITY};
    struct plot_series s[6];
    struct plot_spec spec = {"t", "x", "y",  s,     0,    false,
                             0,   0,   NULL, false, NULL, 0};
    struct strbuf sb = STRBUF_INIT;
    char *svg;

    svg = draw(&spec);
    ok(svg != NULL, "no series: drawn");
    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "no finite values\n"),
       "no series: says so");
    free(svg);

    spec.series = NULL;
    spec.nseries = 3; /* no array: nothing to read */
    spec.has_marker = true;
    spec.marker_x = NAN;
    spec.marker_y = 1;
    svg = draw(&spec);
    ok(svg && !strstr(svg, "#2ca02c"), "NULL series, NaN marker: no marker");
    free(svg);

    s[0] = (struct plot_series){
        "empty", PLOT_TRAIN, numview_of(x5), numview_of(train5), 0, NULL,
        0,       NULL};
    s[1] = (struct plot_series){
        "with-NaN", PLOT_VAL, numview_of(x5), numview_of(nan_y), 5, NULL,
        0,          NULL};
    s[2] = (struct plot_series){
        "huge", PLOT_OTHER, numview_of(x5), numview_of(huge), 5, NULL, 0, NULL};
    s[3] = (struct plot_series){
        "tiny", PLOT_OTHER, numview_of(tiny), numview_of(tiny), 5, NULL,
        0,      NULL};
    s[4] = (struct plot_series){
        "back", PLOT_OTHER, numview_of(back), numview_of(same), 5, bad_x,
        3,      NULL};
    s[5] = (struct plot_series){
        "one", PLOT_OTHER, numview_of(one_x), numview_of(one_y), 1, NULL,
        0,     NULL};
    spec.series = s;
    spec.nseries = 6;
    spec.marker_x = 1e308;
    spec.marker_y = -1e308;
    spec.marker_label = "m";
    svg = draw(&spec);
    ok(svg != NULL, "NaN, huge, tiny, unsorted, single: drawn");
    ok(svg && refs_well_formed(svg) && plain_ascii(svg) &&
           !strstr(svg, "nan") && !strstr(svg, "inf"),
       "no NaN or inf reaches the SVG");
    free(svg);

    s[0] = (struct plot_series){
        "empty", PLOT_TRAIN, numview_of(NULL), numview_of(NULL), 0, bad_x,
        1,       NULL};
    spec.nseries = 1;
    spec.has_marker = false;
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "no finite values\n") &&
           strstr(sb.buf, "empty: non-finite\n"),
       "only bad rows: note and red legend entry");
    free(svg);

    spec.series = s + 5;
    svg = draw(&spec);
    ok(svg && count(svg, "<circle class=\"s-") == 1, "single point: a dot");
    free(svg);

    s[0] = (struct plot_series){
        "same", PLOT_TRAIN, numview_of(same), numview_of(same), 5, NULL,
        0,      NULL};
    spec.series = s;
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "\n0.44\n") &&
           strstr(sb.buf, "\n0.50\n") && strstr(sb.buf, "\n0.56\n"),
       "all values equal: axis around them");
    free(svg);
    strbuf_release(&sb);
}

static void test_environment(void)
{
    struct plot_series s[2];
    struct plot_spec spec = basic_spec(s);
    char *a = draw(&spec), *b;

    /* libplot reads unset parameters from the environment. */
    setenv("BG_COLOR", "black", 1);
    setenv("PAGESIZE", "a0", 1);
    setenv("EMULATE_COLOR", "yes", 1);
    setenv("MAX_LINE_LENGTH", "2", 1);
    b = draw(&spec);
    ok(a && b && !strcmp(a, b), "environment does not change the chart");
    unsetenv("BG_COLOR");
    unsetenv("PAGESIZE");
    unsetenv("EMULATE_COLOR");
    unsetenv("MAX_LINE_LENGTH");
    free(a);
    free(b);
}

static void test_many_series(void)
{
    struct plot_series s[40];
    struct plot_spec spec = {"many", "epoch", "loss", s,     40,   false,
                             0,      0,       NULL,   false, NULL, 0};
    struct strbuf sb = STRBUF_INIT;
    char *svg;
    size_t i;

    for (i = 0; i < 40; i++)
        s[i] = (struct plot_series){
            "run", PLOT_OTHER, numview_of(x5), numview_of(train5), 5, NULL,
            0,     NULL};
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "more\n"),
       "40 series: legend says how many more");
    ok(svg && strstr(svg, "#009e73") && strstr(svg, "#111111") &&
           strstr(svg, "class=\"s-o4\""),
       "other series cycle through the palette");
    free(svg);
    strbuf_release(&sb);
}

/* Four whole epochs get a tick per epoch, never a "1.5". */
static void test_integer_ticks(void)
{
    static const double x[] = {1, 2, 3, 4}, y[] = {0.9, 0.6, 0.65, 0.8};
    static const double fx[] = {0.5, 1.5, 2.5}, fy[] = {1, 2, 3};
    struct plot_series s = {
        "val_loss", PLOT_VAL, numview_of(x), numview_of(y), 4, NULL, 0, NULL};
    struct plot_spec spec = {"loss", "epoch", "loss", &s,    1,    false,
                             0,      0,       NULL,   false, NULL, 0};
    char *a = draw(&spec), *b;

    ok(a && strstr(a, ">1</text>") && strstr(a, ">4</text>") &&
           !strstr(a, ">1.5</text>") && !strstr(a, ">2.5</text>"),
       "whole epochs get whole ticks");
    s.x = numview_of(fx);
    s.y = numview_of(fy);
    s.n = 3;
    b = draw(&spec);
    ok(b && strstr(b, ".5</text>"), "fractional x keeps fractional ticks");
    free(a);
    free(b);
}

/*
 * The chart's points are written by fmt_g5(), which must give the bytes
 * of printf's "%.5g", as libplot wrote them: random values of every kind
 * (chart coordinates, exact ties such as 100.125, values that round up to
 * the next power of ten, negatives, tiny and huge ones, any bit pattern).
 */
static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double random_value(void)
{
    uint64_t bits;
    double v;

    switch (next() % 6) {
    case 0: /* coordinates, many of them exact binary fractions */
        return (double)(next() % 100000000) / (double)(1ULL << (next() % 30));
    case 1:
        return ldexp((double)(next() >> 11), -(int)(next() % 80));
    case 2:
        return (double)(next() % 2000000) / 1000.0 * (next() & 1 ? 1 : -1);
    case 3:
        return (double)(next() % 100000) / pow(10, (double)(next() % 10));
    case 4: /* around powers of ten */
        return pow(10, (double)((int)(next() % 10) - 5)) *
               (1 + ((double)(next() % 2000) - 1000) * 1e-9);
    default:
        bits = next();
        memcpy(&v, &bits, sizeof(v));
        return v;
    }
}

static void test_fmt_g5(void)
{
    char got[FMT_G5_SIZE], want[64];
    double v = 0;
    long bad = 0;
    size_t len = 0;

    for (long i = 0; i < 1000000; i++) {
        v = random_value();
        len = fmt_g5(got, v);
        snprintf(want, sizeof(want), "%.5g", v);
        if (strcmp(got, want) || len != strlen(want))
            if (!bad++)
                printf("# %.17g: got '%s', want '%s'\n", v, got, want);
    }
    is_int(bad, 0, "fmt_g5() writes what printf's %.5g does");
}

/*
 * The same for fmt_num() (printf's "%.6g" but for nan, inf and 0) and
 * fmt_f1() ("%.1f", the hover targets' positions), on the same values.
 */
static void test_fmt_num_f1(void)
{
    char got[FMT_NUM_SIZE], want[400];
    long bad_num = 0, bad_f1 = 0;
    size_t len;

    for (long i = 0; i < 1000000; i++) {
        double v = random_value();

        fmt_num(got, sizeof(got), v);
        if (isfinite(v) && v != 0)
            snprintf(want, sizeof(want), "%.6g", v);
        else
            snprintf(want, sizeof(want), "%s",
                     isnan(v) ? "nan"
                     : v == 0 ? "0"
                     : v > 0  ? "inf"
                              : "-inf");
        if (strcmp(got, want) && !bad_num++)
            printf("# %.17g: fmt_num '%s', want '%s'\n", v, got, want);
        if (!isfinite(v))
            continue;
        if (fabs(v) >= 1e15)
            v = ldexp(v, -ilogb(v) + (int)(next() % 50));
        len = fmt_f1(got, v);
        snprintf(want, sizeof(want), "%.1f", v);
        if ((strcmp(got, want) || len != strlen(want)) && !bad_f1++)
            printf("# %.17g: fmt_f1 '%s', want '%s'\n", v, got, want);
    }
    is_int(bad_num, 0, "fmt_num() writes what printf's %.6g does");
    is_int(bad_f1, 0, "fmt_f1() writes what printf's %.1f does");
}

/*
 * The y axis turns logarithmic when the values span more than two
 * decades, and says so; at less it stays linear.
 */
static void test_log_axis(void)
{
    static const double x[] = {1, 2, 3, 4, 5, 6};
    static const double wide[] = {2070, 400, 60, 12, 5, 3.9};
    static const double narrow[] = {50, 20, 8, 3, 1.5, 1.0};
    struct plot_series s = {
        "train_loss", PLOT_TRAIN, numview_of(x), numview_of(wide), 6,
        NULL,         0,          NULL};
    struct plot_spec spec = {"loss", "epoch", "loss", &s,    1,    false,
                             0,      0,       NULL,   false, NULL, 0};
    struct strbuf sb = STRBUF_INIT;
    char *svg = draw(&spec);

    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "\nloss (log scale)\n") &&
           strstr(sb.buf, "\n1\n10\n100\n1000\n10000\n"),
       "2070 to 3.9: log axis, ticks at powers of ten, said on the axis");
    ok(svg && strstr(svg, "<title>train_loss at epoch 6: 3.9</title>"),
       "the hover value is the logged value, not its logarithm");
    free(svg);
    s.y = numview_of(narrow);
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && !strstr(sb.buf, "log scale") &&
           strstr(sb.buf, "\nloss\n"),
       "50 to 1: linear axis");
    free(svg);
    strbuf_release(&sb);
}

/*
 * The y of the <text> element that reads exactly text (in the chart's
 * y-up coordinates, as libplot writes it), or NaN.
 */
static double text_y(const char *svg, const char *text)
{
    char want[64];
    const char *hit, *line, *t;
    double x, y;

    snprintf(want, sizeof(want), ">%s</text>", text);
    hit = strstr(svg, want);
    if (!hit)
        return NAN;
    for (line = hit; line > svg && line[-1] != '\n'; line--)
        ;
    t = strstr(line, "translate(");
    if (!t || t > hit || sscanf(t, "translate(%lf,%lf)", &x, &y) != 2)
        return NAN;
    return y;
}

/*
 * A log axis's ticks sit at their values: each power of ten a step
 * above the last, spread over the frame (not all at its bottom edge).
 */
static void test_log_ticks(void)
{
    static const double x[] = {1, 2, 3, 4, 5, 6};
    static const double wide[] = {2070, 400, 60, 12, 5, 3.9};
    struct plot_series s = {
        "train_loss", PLOT_TRAIN, numview_of(x), numview_of(wide), 6,
        NULL,         0,          NULL};
    struct plot_spec spec = {"loss", "epoch", "loss", &s,    1,    false,
                             0,      0,       NULL,   false, NULL, 0};
    char *svg = draw(&spec);
    double y10 = svg ? text_y(svg, "10") : NAN;
    double y100 = svg ? text_y(svg, "100") : NAN;
    double y1e3 = svg ? text_y(svg, "1000") : NAN;
    double y1e4 = svg ? text_y(svg, "10000") : NAN;

    ok(y10 < y100 && y100 < y1e3 && y1e3 < y1e4 && y1e4 - y10 > 200 &&
           fabs((y100 - y10) - (y1e3 - y100)) < 1,
       "log axis: ticks evenly spaced by decade over the frame");
    printf("# the labels 10, 100, 1000, 10000 at y %g, %g, %g, %g\n", y10, y100,
           y1e3, y1e4);
    free(svg);
}

/*
 * A scatter of runs against a setting: dots and no line, a log x axis
 * for a learning rate over three decades, a linear one for a narrow
 * range, evenly spaced categories for text, and on hover each run's
 * name and both values; user text escaped.
 */
static void test_scatter(void)
{
    static const double lr[] = {1e-5, 1e-4, 1e-3, 1e-2};
    static const double best[] = {0.9, 0.5, 0.3, 0.7};
    static const double idx[] = {0, 1, 1, 0};
    static const char *const names[] = {"run-a", "<run-b>", "run-c", "run-d"};
    static const char *const cats[] = {"adam", "<b>sgd</b>"};
    struct plot_series s = {
        "val_loss", PLOT_TRAIN, numview_of(lr), numview_of(best), 4,
        NULL,       0,          names};
    struct plot_spec spec = {"best val_loss by lr",
                             "lr",
                             "best val_loss",
                             &s,
                             1,
                             false,
                             0,
                             0,
                             NULL,
                             true,
                             NULL,
                             0};
    struct strbuf sb = STRBUF_INIT;
    char *svg = draw(&spec);

    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "\nlr (log scale)\n") &&
           strstr(sb.buf, "\n1e-05\n0.0001\n0.001\n0.01\n"),
       "scatter: lr over three decades on a log x axis, ticks at its powers");
    ok(svg &&
           strstr(svg, "<title>run-c: lr 0.001, best val_loss 0.3</title>") &&
           strstr(svg, "<title>&lt;run-b&gt;: lr 0.0001, "),
       "scatter: each point's name and values on hover, escaped");
    ok(svg && !strstr(svg, "points=") && count(svg, "<circle") >= 8,
       "scatter: dots, no line");
    ok(svg && strstr(svg, "viewBox=\"0 0 480 340\""), "scatter: a small chart");
    free(svg);

    s.x = numview_of(best);
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && !strstr(sb.buf, "log scale"),
       "scatter: 0.3 to 0.9 on a linear x axis");
    free(svg);

    {
        static const double decade[] = {1e-3, 3e-3, 1e-2, 3e-3};
        static const double batch[] = {32, 64, 128, 256};

        s.x = numview_of(decade);
        svg = draw(&spec);
        ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "lr (log scale)"),
           "scatter: a setting over one decade on a log x axis");
        free(svg);
        s.x = numview_of(batch);
        svg = draw(&spec);
        ok(svg && shown_text(svg, &sb) && !strstr(sb.buf, "log scale"),
           "scatter: 32 to 256 (under a decade) on a linear x axis");
        free(svg);
    }

    s.x = numview_of(idx);
    spec.xcats = cats;
    spec.ncats = 2;
    spec.xlabel = "optimizer";
    svg = draw(&spec);
    ok(svg && shown_text(svg, &sb) && strstr(sb.buf, "\nadam\n<b>sgd</b>\n") &&
           !strstr(svg, "<b>") && strstr(svg, "&lt;b&gt;sgd"),
       "scatter: categories labelled with their names, escaped");
    ok(svg && strstr(svg, "<title>run-c: optimizer &lt;b&gt;sgd&lt;/b&gt;, "
                          "best val_loss 0.3</title>"),
       "scatter: a category's name on hover");
    free(svg);
    strbuf_release(&sb);
}

/*
 * The compact chart: an inline <svg> with no <style>, pure ASCII, labels
 * escaped, the held-out series dashed, a long series reduced to a few
 * hundred points, at most 9 hover bands (8 spread + the best), each
 * titled with logged values, and a log axis said below the frame.
 */
static void test_mini(void)
{
    enum { N = 100000 };
    double *x = xmalloc(N * sizeof(*x)), *y = xmalloc(N * sizeof(*y));
    double *t = xmalloc(N * sizeof(*t));
    struct plot_series s[2] = {
        {"<b>val</b>", PLOT_VAL, numview_of(x), numview_of(y), N, NULL, 0,
         NULL},
        {"train_loss", PLOT_TRAIN, numview_of(x), numview_of(t), N, NULL, 0,
         NULL},
    };
    struct plot_spec spec = {
        "val & train",         "step", "<b>val</b>", s, 2, true, 0, 0,
        "best step 41: 7 <x>", false,  NULL,         0};
    struct strbuf sb = STRBUF_INIT;
    char *svg;
    const char *hits;

    for (size_t i = 0; i < N; i++) {
        x[i] = (double)i;
        y[i] = 2000.0 / (1.0 + (double)i) + 1; /* 2001 down to 1.02 */
        t[i] = y[i] * 0.9;
    }
    spec.marker_x = x[41];
    spec.marker_y = y[41];
    if (plot_svg_mini(&spec, NULL, &sb))
        sb.len = 0;
    svg = sb.buf;
    ok(!strncmp(svg, "<svg class=\"rg-chart rg-mini\"", 29) &&
           !strstr(svg, "<style") && !strstr(svg, "<?xml"),
       "mini: an inline <svg>, its style left to the page");
    ok(plain_ascii(svg) && refs_well_formed(svg) && !strstr(svg, "<b>") &&
           !strstr(svg, "<x>") && strstr(svg, ">&lt;b&gt;val&lt;/b&gt;<") &&
           strstr(svg, "<title>val &amp; train</title>"),
       "mini: ASCII, every label escaped");
    ok(strstr(svg, "class=\"s-val\" stroke-dasharray=") &&
           strstr(svg, "<path class=\"s-train\" d=\"M"),
       "mini: held-out dashed, training solid, by class");
    ok(count(svg, " ") < 2000 && sb.len < 8000,
       "mini: 100,000 points reduced to a few hundred");
    hits = strstr(svg, "<g class=\"hits\">");
    ok(hits && count(hits, "<path class=\"hit\"") >= 8 &&
           count(hits, "<path class=\"hit\"") <= 9 &&
           strstr(hits, "<title>step 41: &lt;b&gt;val&lt;/b&gt; 48.619\n"
                        "train_loss 43.7571</title>") &&
           strstr(hits, "<title>step 0: "),
       "mini: up to 9 hover bands, the best's among them, logged values");
    ok(strstr(svg, ">step &#xB7; &lt;b&gt;val&lt;/b&gt; on a log scale<") &&
           strstr(svg, ">1000</text>"),
       "mini: a log y axis over three decades, said below the frame");
    strbuf_reset(&sb);
    for (size_t i = 0; i < N; i++)
        y[i] = 1 + (double)(i % 7) * 0.01;
    s[1].n = 0;
    spec.has_marker = false;
    plot_svg_mini(&spec, NULL, &sb);
    ok(!strstr(sb.buf, "log scale") && !strstr(sb.buf, "train_loss") &&
           !strstr(sb.buf, "s-marker"),
       "mini: linear, one series, no marker");
    strbuf_reset(&sb);
    s[0].n = 0;
    plot_svg_mini(&spec, NULL, &sb);
    ok(strstr(sb.buf, "</svg>") && !strstr(sb.buf, "hits"),
       "mini: no point, still a chart");
    strbuf_release(&sb);
    free(x);
    free(y);
    free(t);
}

/*
 * The largest step along x between two points of the first line of
 * class cls (a path of relative lines, "Mx yl...": not a legend swatch).
 */
static long widest_step(const char *svg, const char *cls)
{
    char key[64];
    const char *p = svg;
    long widest = 0;

    snprintf(key, sizeof(key), "<path class=\"%s\"", cls);
    for (;;) {
        const char *l;

        if (!(p = strstr(p, key)) || !(p = strstr(p, " d=\"M")))
            return -1;
        l = strpbrk(p + 4, "l\"");
        if (l && *l == 'l') {
            p = l;
            break;
        }
    }
    for (p++; *p && *p != '"';) {
        char *end;
        long dx = strtol(p, &end, 10);

        if (end == p)
            return -1;
        strtol(end, &end, 10); /* dy */
        if (labs(dx) > widest)
            widest = labs(dx);
        p = end;
        while (*p == ' ')
            p++;
    }
    return widest;
}

/*
 * The compact chart reduces a long series per column of its frame, all
 * the way across (a series with more points than columns was once folded
 * into the last column past a third of the frame), and marks non-finite
 * rows with red crosses at the top of the frame, as the full chart does,
 * with a legend entry naming the series.
 */
static void test_mini_long_and_bad(void)
{
    enum { N = 2000 };
    double *x = xmalloc(N * sizeof(*x)), *y = xmalloc(N * sizeof(*y));
    double bad[3] = {500, 501, 1500};
    struct plot_series s[1] = {
        {"val_loss", PLOT_VAL, numview_of(x), numview_of(y), N, NULL, 0, NULL},
    };
    struct plot_spec spec = {"val_loss", "step", "val_loss", s,     1,    false,
                             0,          0,      NULL,       false, NULL, 0};
    struct strbuf sb = STRBUF_INIT;
    const char *crosses;

    for (size_t i = 0; i < N; i++) {
        x[i] = (double)i;
        y[i] = 1 + (double)(i % 13) * 0.01;
    }
    plot_svg_mini(&spec, NULL, &sb);
    ok(widest_step(sb.buf, "s-val") >= 0 && widest_step(sb.buf, "s-val") <= 6,
       "mini: a long series is drawn column by column across the frame");
    ok(!strstr(sb.buf, "s-bad") && !strstr(sb.buf, "non-finite"),
       "mini: no cross when every value is finite");
    strbuf_reset(&sb);
    s[0].bad_x = bad;
    s[0].nbad = 3;
    plot_svg_mini(&spec, NULL, &sb);
    /* After the legend's cross (a part of the frame) and the line. */
    crosses = strstr(sb.buf, ": non-finite</text>");
    crosses = crosses ? strstr(crosses, "<path class=\"s-bad\"") : NULL;
    ok(strstr(sb.buf, "<text class=\"f-bad\" x=\"") &&
           strstr(sb.buf, ">val_loss: non-finite</text>"),
       "mini: the crosses in the legend, named by their series");
    ok(crosses && count(crosses, "l6 6m0-6l-6 6") == 2 &&
           strstr(crosses, " 33l6 6"),
       "mini: a cross per non-finite row a few columns apart, at the top");
    strbuf_release(&sb);
    free(x);
    free(y);
}

/*
 * Compact charts of one page share their frame: the first holds it with
 * an id, the next with the same axes and legend show it with <use>, one
 * with other axes holds its own.
 */
static void test_mini_shared(void)
{
    double x[3] = {1, 2, 3}, y[3] = {1, 0.5, 0.4}, y2[3] = {10, 5, 4};
    struct plot_series s[1] = {
        {"val_loss", PLOT_VAL, numview_of(x), numview_of(y), 3, NULL, 0, NULL}};
    struct plot_spec spec = {"a", "epoch", "val_loss", s,     1,    false,
                             0,   0,       NULL,       false, NULL, 0};
    struct plot_shared sh = PLOT_SHARED_INIT;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;

    plot_svg_mini(&spec, &sh, &a);
    spec.title = "b";
    y[2] = 0.45;
    plot_svg_mini(&spec, &sh, &b);
    s[0].y = numview_of(y2);
    plot_svg_mini(&spec, &sh, &c);
    ok(strstr(a.buf, "<g id=\"rg-frame-1\">\n<path class=\"s-grid\"") &&
           !strstr(a.buf, "<use") &&
           strstr(b.buf, "<use href=\"#rg-frame-1\"/>\n") &&
           !strstr(b.buf, "s-grid") && !strstr(b.buf, ">val_loss</text>") &&
           strstr(c.buf, "<g id=\"rg-frame-2\">") && sh.n == 2,
       "mini: a frame drawn once a page, then shown by <use>");
    plot_shared_release(&sh);
    strbuf_release(&a);
    strbuf_release(&b);
    strbuf_release(&c);
}

/*
 * A chart inlined in a page that holds plot_style() loses the colours its
 * classes set, and keeps every other attribute.
 */
static void test_svg_inline(void)
{
    struct strbuf sb = STRBUF_INIT;

    plot_svg_inline(
        "<svg>\n"
        "<circle class=\"s-train f-train\" r=\"4\" "
        "stroke=\"#0072b2\" stroke-width=\"1\" fill=\"#0072b2\" />\n"
        "<rect class=\"f-bg\" stroke=\"none\" fill=\"white\"/>\n"
        "<line stroke=\"#0072b2\" />\n"
        "<text class=\"hit\" fill=\"#123456\">a</text>\n",
        &sb);
    is_str(sb.buf,
           "<svg>\n"
           "<circle class=\"s-train f-train\" r=\"4\" stroke-width=\"1\" />\n"
           "<rect class=\"f-bg\" stroke=\"none\"/>\n"
           "<line stroke=\"#0072b2\" />\n"
           "<text class=\"hit\" fill=\"#123456\">a</text>\n",
           "inline: colours set by a class left out, nothing else");
    strbuf_release(&sb);
}

/*
 * Text is measured as libplot measures it and tick labels written as its
 * SVG plotter would write them (plot.c, label_width(), tick_text()):
 * random charts, wide and small, linear and logarithmic, integer and
 * fractional ticks, values from 1e-9 to 1e9 and negative, titles, labels,
 * legends and marker labels of any printable ASCII, some with no finite
 * value, each drawn both ways, must come out byte for byte the same.
 */
static void test_tick_bytes(void)
{
    enum { N = 240 };
    static double xs[N], ys[N], ys2[N];
    long bad = 0, charts = 0;

    for (int round = 0; round < 300; round++) {
        size_t n = 2 + (size_t)(next() % (N - 2));
        double scale = pow(10, (double)((int)(next() % 19) - 9));
        double span = pow(10, (double)(next() % 6)) / 10;
        double x0 = (double)(next() % 1000) * (next() % 2 ? 1 : 0.001);
        bool neg = next() % 5 == 0, scatter = next() % 4 == 0;
        struct plot_series s[2];
        struct plot_spec spec = {"t", "step", "y",  s,       2,    false,
                                 0,   0,      NULL, scatter, NULL, 0};
        char text[4][64], *a, *b;

        /* Titles, labels and legends of any printable ASCII, '\\' too. */
        for (size_t t = 0; t < 4; t++) {
            size_t len = 1 + (size_t)(next() % 60);

            for (size_t i = 0; i < len; i++)
                text[t][i] = (char)(' ' + next() % 95);
            text[t][len] = '\0';
        }
        spec.title = text[0];
        spec.ylabel = text[1];
        spec.marker_label = text[2];
        spec.has_marker = next() % 2;

        for (size_t i = 0; i < n; i++) {
            double u = (double)(next() % 100000) / 100000;

            xs[i] = scatter ? pow(10, -5 + 4 * u) : x0 + (double)i;
            ys[i] = scale * (1 + span * u) * (neg ? -1 : 1);
            ys2[i] = scale * (1 + span * (1 - u)) * (neg ? -1 : 1);
        }
        if (scatter) /* sorted x for a series */
            for (size_t i = 1; i < n; i++)
                xs[i] = fmax(xs[i], xs[i - 1]);
        s[0] = (struct plot_series){
            text[3], PLOT_TRAIN, numview_of(xs), numview_of(ys), n, NULL,
            0,       NULL};
        s[1] = (struct plot_series){
            "b", PLOT_VAL, numview_of(xs), numview_of(ys2), n, NULL, 0, NULL};
        spec.nseries = scatter ? 1 : 2;
        spec.marker_x = xs[n / 2];
        spec.marker_y = ys[n / 2];
        if (next() % 10 == 0) /* "no finite values", in oblique */
            for (size_t i = 0; i < n; i++)
                ys[i] = ys2[i] = NAN;
        plot_test_libplot_text(true);
        a = draw(&spec);
        plot_test_libplot_text(false);
        b = draw(&spec);
        charts++;
        if (!a || !b || strcmp(a, b)) {
            if (!bad++)
                printf("# round %d differs (n %zu, scale %g, scatter %d)\n",
                       round, n, scale, scatter);
        }
        free(a);
        free(b);
    }
    ok(bad == 0 && charts == 300,
       "text: libplot's widths and tick labels, in 300 random charts");
}

int main(void)
{
    plan(95);
    test_tick_bytes();
    test_mini_shared();
    test_svg_inline();
    test_mini();
    test_mini_long_and_bad();
    test_fmt_g5();
    test_fmt_num_f1();
    test_log_axis();
    test_log_ticks();
    test_scatter();
    test_integer_ticks();
    test_document();
    test_labels();
    test_big();
    test_degenerate();
    test_environment();
    test_many_series();
    return done();
}
