/*
 * main.c - the command line: options in, exit status out.
 *
 * Parses argv into struct options, reports every usage error before
 * exiting (as plotutils' graph does), and hands over to report_build().
 * The only caller of exit().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvload.h"
#include "diagnose.h"
#include "report.h"
#include "util.h"
#include "banned.h"

enum exit_code {
    EXIT_WRITTEN = 0,   /* the site was written (runs may be skipped) */
    EXIT_NO_REPORT = 1, /* no site could be written */
    EXIT_USAGE = 2,     /* the command line was wrong */
    EXIT_FAIL_ON = 3    /* written, but a verdict named by --fail-on */
};

/* More threads than this only cost memory. */
#define MAX_JOBS 256
/* The smallest metrics.csv read on two threads when -j allows (32 MiB). */
#define CSV_SPLIT_MIN (32u << 20)

/* -j's default: one run at a time per online CPU. */
static size_t default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (size_t)n;
}

static void usage(FILE *out)
{
    fputs(
        "Usage: reportgen [OPTION]... RUNS_DIR -o SITE_DIR\n"
        "  or:  reportgen [OPTION]... RUNS_DIR --single-file FILE.html\n"
        "Write a static web report of the training runs under RUNS_DIR:\n"
        "curves, the best checkpoint, a diagnosis and a decision per run,\n"
        "all judged under one fixed rule against one baseline.\n"
        "Runs are found in any folder under RUNS_DIR, in reportgen's own\n"
        "metrics.csv or in the files common training loggers write (Keras,\n"
        "Lightning, fastai, Ultralytics, Hugging Face, TensorBoard, DVCLive,\n"
        "MLflow, detectron2, W&B exports, CatBoost).\n"
        "\n"
        "  -o, --output=SITE_DIR   write the report to SITE_DIR (made if\n"
        "                          missing); an existing SITE_DIR must be\n"
        "                          empty or a report written before, and\n"
        "                          other files in it are kept\n"
        "      --single-file=FILE  also (or, without -o, only) write the\n"
        "                          whole report as one HTML file; FILE must\n"
        "                          be absent or a regular file\n"
        "      --site-url=URL      where the report will be published: the\n"
        "                          links of summary.md become absolute\n"
        "  -s, --select=METRIC:min|max\n"
        "                          the fixed rule for the best checkpoint\n"
        "                          (default: chosen from the runs'\n"
        "                          held-out metrics; see the man page)\n"
        "  -b, --baseline=RUN      the run every other run is judged against\n"
        "      --min-improvement=X the smallest gain that counts (default 0)\n"
        "      --slice=COLUMN=DROP a slice that may not drop more than DROP\n"
        "                          below the baseline; repeatable\n"
        "      --fail-on=VERDICTS  exit with status 3 when any run gets one\n"
        "                          of these comma-separated verdicts (keep,\n"
        "                          tune, rollback, investigate)\n"
        "  -t, --threshold=NAME=VALUE\n"
        "                          set a diagnosis threshold (see DIAGNOSES\n"
        "                          in the man page); repeatable\n"
        "  -m, --map=NAME=CANONICAL\n"
        "                          read the column a log calls NAME as\n"
        "                          CANONICAL (train_loss, val_loss, "
        "train_acc,\n"
        "                          val_acc, lr, grad_norm, ...); repeatable\n"
        "      --follow-links      also read files that symbolic links in\n"
        "                          RUNS_DIR point to outside it (by default\n"
        "                          such files are not read)\n"
        "  -j, --jobs=N            process N runs at once (default: the\n"
        "                          number of online CPUs); the report is\n"
        "                          the same for every N\n"
        "      --rebuild           redo every run; by default a run whose\n"
        "                          inputs are unchanged since SITE_DIR was\n"
        "                          written is taken from it\n"
        "  -q, --quiet             do not print problems with single runs\n"
        "      --progress          show how many runs are done on stderr\n"
        "                          even when it is not a terminal (on a\n"
        "                          terminal it is shown unless -q)\n"
        "      --help              display this help and exit\n"
        "      --version           output version information and exit\n"
        "\n"
        "Options override the rules file RUNS_DIR/reportgen.yaml.\n"
        "Exit status: 0 if the report was written (even with skipped runs),\n"
        "1 if no report could be written, 2 on a usage error, 3 if the\n"
        "report was written and --fail-on matched a verdict.\n"
        "\n"
        "Full documentation: man reportgen\n",
        out);
}

/* Parse "NAME=VALUE" into two new strings; -1 when it has another form. */
static int split_pair(const char *arg, char **name, char **value)
{
    const char *eq = strrchr(arg, '=');

    if (!eq || eq == arg || !eq[1])
        return -1;
    *name = xstrndup(arg, (size_t)(eq - arg));
    *value = xstrdup(eq + 1);
    return 0;
}

static int parse_fail_on(const char *arg, unsigned *mask)
{
    static const char *const names[] = {"keep", "tune", "rollback",
                                        "investigate"};
    char *copy = xstrdup(arg), *p = copy;
    int ret = 0;

    while (p) {
        char *comma = strchr(p, ',');
        size_t i;

        if (comma)
            *comma = '\0';
        for (i = 0; i < ARRAY_SIZE(names); i++)
            if (!strcmp(p, names[i]))
                break;
        if (i == ARRAY_SIZE(names))
            ret = -1;
        else
            *mask |= 1u << i;
        p = comma ? comma + 1 : NULL;
    }
    free(copy);
    return ret;
}

int main(int argc, char **argv)
{
    enum {
        OPT_HELP = 256,
        OPT_VERSION,
        OPT_SINGLE,
        OPT_MIN_IMPROVEMENT,
        OPT_SLICE,
        OPT_FAIL_ON,
        OPT_FOLLOW_LINKS,
        OPT_REBUILD,
        OPT_SITE_URL,
        OPT_PROGRESS
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"single-file", required_argument, NULL, OPT_SINGLE},
        {"site-url", required_argument, NULL, OPT_SITE_URL},
        {"select", required_argument, NULL, 's'},
        {"baseline", required_argument, NULL, 'b'},
        {"min-improvement", required_argument, NULL, OPT_MIN_IMPROVEMENT},
        {"slice", required_argument, NULL, OPT_SLICE},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"threshold", required_argument, NULL, 't'},
        {"map", required_argument, NULL, 'm'},
        {"follow-links", no_argument, NULL, OPT_FOLLOW_LINKS},
        {"rebuild", no_argument, NULL, OPT_REBUILD},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct options opt;
    int c, bad = 0, ret;

    memset(&opt, 0, sizeof(opt));
    diag_thresholds_init(&opt.thresholds);
    opt.jobs = default_jobs();
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:s:b:t:m:j:q", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'o':
            if (!*optarg)
                bad = error("bad --output '': expected a folder name");
            opt.out_dir = optarg;
            break;
        case OPT_SINGLE:
            if (!*optarg)
                bad = error("bad --single-file '': expected a file name");
            opt.single_file = optarg;
            break;
        case OPT_SITE_URL:
            opt.site_url = optarg;
            break;
        case 's': {
            struct rule select;

            if (rule_parse(&select, optarg)) {
                bad = error("bad --select '%s': expected METRIC:min or "
                            "METRIC:max",
                            optarg);
                break;
            }
            free(opt.select.metric);
            opt.select = select;
            break;
        }
        case 'b':
            /* As in reportgen.yaml: an empty name names no run. */
            if (!*optarg)
                bad = error("bad --baseline '': expected a run name");
            opt.baseline = optarg;
            break;
        case OPT_MIN_IMPROVEMENT:
            if (parse_number(optarg, &opt.min_improvement) ||
                !(opt.min_improvement >= 0) || opt.min_improvement > 1e300) {
                bad = error("bad --min-improvement '%s': expected a number "
                            ">= 0",
                            optarg);
                break;
            }
            opt.has_min_improvement = true;
            break;
        case OPT_SLICE: {
            char *col, *drop;
            double v;

            if (split_pair(optarg, &col, &drop)) {
                bad = error("bad --slice '%s': expected COLUMN=DROP", optarg);
                break;
            }
            if (parse_number(drop, &v) || !(v >= 0) || v > 1e300) {
                bad = error("bad --slice '%s': the drop must be a number "
                            ">= 0",
                            optarg);
                free(col);
                free(drop);
                break;
            }
            free(drop);
            opt.slices =
                xreallocarray(opt.slices, opt.nslices + 1, sizeof(*opt.slices));
            opt.slices[opt.nslices].column = col;
            opt.slices[opt.nslices].max_drop = v;
            opt.nslices++;
            break;
        }
        case OPT_FAIL_ON:
            if (parse_fail_on(optarg, &opt.fail_on))
                bad = error("bad --fail-on '%s': expected verdicts among "
                            "keep, tune, rollback, investigate",
                            optarg);
            break;
        case 't': {
            char *name, *value, *msg = NULL;

            if (split_pair(optarg, &name, &value)) {
                bad =
                    error("bad --threshold '%s': expected NAME=VALUE", optarg);
                break;
            }
            if (diag_threshold_set(&opt.thresholds, name, value, &msg)) {
                bad = error("bad --threshold '%s': %s", optarg, msg);
                free(msg);
            } else {
                size_t row = 0;

                while (strcmp(diag_threshold_name(row), name))
                    row++;
                opt.threshold_given[row] = true;
            }
            free(name);
            free(value);
            break;
        }
        case 'm': {
            char *from, *to;

            if (split_pair(optarg, &from, &to)) {
                bad = error("bad --map '%s': expected NAME=CANONICAL", optarg);
                break;
            }
            opt.maps =
                xreallocarray(opt.maps, opt.nmaps + 1, sizeof(*opt.maps));
            opt.maps[opt.nmaps].from = from;
            opt.maps[opt.nmaps].to = to;
            opt.nmaps++;
            break;
        }
        case OPT_REBUILD:
            opt.rebuild = true;
            break;
        case OPT_FOLLOW_LINKS:
            opt.follow_links = true;
            break;
        case 'j': {
            char *end;
            unsigned long n;

            errno = 0;
            n = strtoul(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || errno || n < 1 ||
                n > MAX_JOBS) {
                bad = error("bad --jobs '%s': expected a number from 1 to %d",
                            optarg, MAX_JOBS);
                break;
            }
            opt.jobs = n;
            break;
        }
        case 'q':
            opt.quiet = true;
            break;
        case OPT_PROGRESS:
            opt.progress = true;
            break;
        case OPT_HELP:
            usage(stdout);
            ret = EXIT_WRITTEN;
            goto out;
        case OPT_VERSION:
            printf("reportgen %s\n", PACKAGE_VERSION);
            ret = EXIT_WRITTEN;
            goto out;
        case ':':
            bad = error("option '%s' needs an argument", argv[optind - 1]);
            break;
        default:
            if (optopt)
                bad = error("unknown option '-%c'", optopt);
            else
                bad = error("unknown option '%s'", argv[optind - 1]);
            break;
        }
    }
    if (optind < argc)
        opt.runs_dir = argv[optind++];
    else
        bad = error("missing RUNS_DIR");
    if (optind < argc)
        bad = error("unexpected argument '%s'", argv[optind]);
    if (!opt.out_dir && !opt.single_file)
        bad = error("missing -o SITE_DIR");
    if (bad) {
        fputs("Try 'reportgen --help' for more information.\n", stderr);
        ret = EXIT_USAGE;
        goto out;
    }
    util_quiet = opt.quiet;
    /* With threads to spare, a long metrics.csv is read by two. */
    csvload_parallel(opt.jobs > 1 ? CSV_SPLIT_MIN : 0);
    /* A terminal shows progress; a log gets it only when asked for. */
    progress_enable(opt.progress || (!opt.quiet && isatty(STDERR_FILENO)));
    switch (report_build(&opt)) {
    case REPORT_WRITTEN:
        ret = EXIT_WRITTEN;
        break;
    case REPORT_FAIL_ON:
        ret = EXIT_FAIL_ON;
        break;
    default:
        ret = EXIT_NO_REPORT;
        break;
    }
out:
    for (size_t i = 0; i < opt.nmaps; i++) {
        free(opt.maps[i].from);
        free(opt.maps[i].to);
    }
    free(opt.maps);
    free(opt.select.metric);
    for (size_t i = 0; i < opt.nslices; i++)
        free(opt.slices[i].column);
    free(opt.slices);
    return ret;
}
