#!/bin/sh
# The one-file report (--single-file) is one document that links only
# within itself: one <html>, one <main>, one <h1>; every link goes to an id
# the file holds (#index, #compare, #run-<slug>), none to a page or file
# of the site (runs/..., *.html) and nothing is loaded from outside; and
# every page of the site is a section of it. Checked on sample_runs/, on
# the untrusted golden case and on hostile names with a baseline (whose
# link is on every run page) and a skipped run (which has no page).
. "$srcdir/tests/lib.sh"

plan 52

# count FILE TEXT: how many times FILE holds TEXT (a fixed string).
count() { grep -oF -- "$2" "$1" | wc -l | tr -d ' '; }

# check NAME ARGS...: render ARGS as a site and a single file and check.
check() {
    name=$1
    shift
    out="$TMP/site-$name"
    one="$out.html"
    (cd "$srcdir" && $RG -q "$@" -o "$out" --single-file "$one") \
        >"$TMP/out" 2>"$TMP/err" && rc=0 || rc=$?
    t_is "$name: exit 0" "$rc" 0
    t_is "$name: one <html>, <head>, <body>, <main>, <h1>" \
        "$(count "$one" '<html') $(count "$one" '<head>') \
$(count "$one" '<body') $(count "$one" '<main') $(count "$one" '<h1')" \
        "1 1 1 1 1"

    grep -o 'href="[^"]*"' "$one" | sed 's/^href="//; s/"$//' \
        | sort -u >"$TMP/hrefs"
    t_is "$name: every link is within the file" \
        "$(grep -v '^#' "$TMP/hrefs" | head -3)" ""
    t_is "$name: no link to a page or file of the site" \
        "$(grep -e 'runs/' -e '\.html' -e '\.svg' "$TMP/hrefs" | head -3)" ""
    t_is "$name: nothing loaded from outside" \
        "$(grep -o -e ' src="[^"]*"' -e '<link [^>]*>' "$one" | head -3)" ""

    # Each link's target: exactly one element with that id.
    missing=
    while read -r h; do
        n=$(count "$one" " id=\"${h#\#}\"")
        [ "$n" = 1 ] || missing="$missing $h($n)"
    done <"$TMP/hrefs"
    t_is "$name: every link has its one target" "$missing" ""

    # Every page of the site is a section: the index, the comparison and
    # one per run that has a page (summary.json's "page").
    sed -n 's|.*"page": "runs/\([^/]*\)/index.html".*|run-\1|p' \
        "$out/summary.json" | sort >"$TMP/want"
    printf 'compare\nindex\n' >>"$TMP/want"
    sort -o "$TMP/want" "$TMP/want"
    sed -n 's|^<section class="folded" id="\([^"]*\)">$|\1|p' "$one" \
        | sort >"$TMP/got"
    t_cmp "$name: one section per page of the site, no other" \
        "$TMP/want" "$TMP/got"
    t_is "$name: each run and the comparison link back to the index" \
        "$(count "$one" '<p class="back"><a href="#index">')" \
        "$(($(wc -l <"$TMP/want") - 1))"

    # One chart a run, the rule's metric's: the rest stay on the site's
    # run pages, and the section says which.
    awk '/^<section class="folded" id="run-/ { sec = $0; n[sec] = 0 }
        /<svg class="rg-chart[ "]/ && sec != "" { n[sec]++ }
        /^<section class="folded" id="(index|compare)"/ { sec = "" }
        END { for (s in n) if (n[s] > 1) print s }' "$one" >"$TMP/many"
    t_is "$name: at most one chart in a run's section" \
        "$(head -3 "$TMP/many")" ""
}

check sample sample_runs
t_grep "sample: the charts left out of a run's section are named" \
    '[0-9] more charts\{0,1\} ([^)]*) \(is\|are\) drawn on the run' \
    "$TMP/site-sample.html"
check untrusted tests/golden/untrusted/runs

# A run's section holds a compact chart of its rule's metric (and of its
# training loss beside a held-out loss), drawn from the curve kept for the
# comparison: no <style> of its own (the document holds the classes once),
# values on hover in bands, each a logged value, and the rule's repeated
# words said once for the whole document.
one="$TMP/site-sample.html"
awk '/^<section class="folded" id="run-healthy"/,/<\/svg>/' "$one" >"$TMP/s-finite"
t_is "sample: every comparable run's chart is a compact one" \
    "$(count "$one" '<svg class="rg-chart rg-mini"')" \
    "$(grep -c '"status": "ok"' "$TMP/site-sample/summary.json")"
t_is "sample: the compact charts' classes once, in the head" \
    "$(count "$one" '.rg-mini{fill:none;')" 1
awk '/<svg class="rg-chart rg-mini"/,/<\/svg>/' "$one" >"$TMP/minis"
t_nogrep "sample: no compact chart has a <style>" '<style' "$TMP/minis"
t_grep "sample: hover bands titled with a logged value" \
    '<path class="hit" [^>]*><title>epoch 1: val_loss 1.5159$' "$TMP/minis"
t_grep "sample: the training loss beside it, on the band's next line" \
    '^train_loss 1.5182</title></path>$' "$TMP/minis"
t_is "sample: the rule's description once, not in each run's section" \
    "$(count "$one" '<p class="rule-desc">')" 2
t_is "sample: how early stopping is replayed, once" \
    "$(count "$one" 'as Keras and Lightning do it')" 1

# Non-finite rows are crossed at the top of the compact chart, as on the
# site's chart, and the legend says so; a report written again into the
# same site (its runs taken from the cache) gives the same file.
awk '/^<section class="folded" id="run-lr-too-high"/,/<\/svg>/' "$one" \
    >"$TMP/nan-run"
t_grep "sample: a run's non-finite rows crossed in its compact chart" \
    '^<path class="s-bad" [^>]*d="M[0-9.]* 33l6 6m0-6l-6 6M' "$TMP/nan-run"
t_grep "sample: ... and the legend says which" \
    '<text class="f-bad" [^>]*>[^<]*non-finite</text>' "$TMP/nan-run"
t_nogrep "sample: no cross in a run whose values are finite" 's-bad' \
    "$TMP/s-finite"
cp -R "$TMP/site-sample" "$TMP/ref"
cp -R "$TMP/site-sample" "$TMP/inc"
(cd "$srcdir" &&
    $RG -q --rebuild sample_runs -o "$TMP/ref" --single-file "$TMP/ref.html" &&
    $RG -q sample_runs -o "$TMP/inc" --single-file "$TMP/inc.html") \
    >"$TMP/out" 2>&1 || :
t_cmp "sample: written again from the cache, the same as with --rebuild" \
    "$TMP/ref.html" "$TMP/inc.html"

# Size: a run adds a few KB, its chart included (it was about 30 KB when
# the section inlined the site's chart, 10.5 KB before the indentation,
# the frames of the charts, the config's table, the note most runs share
# and the leaderboard's second copy were said once). Measured on the
# first N runs of a sweep of 10 lr x 5 weight_decay x 4 optimizers, 60
# epochs, configs with a seed, a name and a constant batch_size: the 100
# runs more of 200 than of 100.
sweep() {
    awk -v r="$1" -v N="$2" 'BEGIN {
        split("1e-5 3e-5 1e-4 3e-4 1e-3 3e-3 1e-2 3e-2 1e-1 3e-1", lrs, " ")
        split("0 1e-4 1e-3 1e-2 1e-1", wds, " ")
        split("adam sgd adamw lion", opts, " ")
        srand(7)
        n = 0
        for (a = 1; a <= 10; a++) for (b = 1; b <= 5; b++)
        for (c = 1; c <= 4; c++) {
            d = sprintf("%s/run%03d", r, n)
            if (n < N)
                system("mkdir -p " d)
            f = n < N ? d "/metrics.csv" : "/dev/null"
            print "epoch,train_loss,val_loss,val_acc,lr" > f
            q = 1 - (log(lrs[a]) / log(10) + 3) ^ 2 / 12
            if (q < 0.05)
                q = 0.05
            for (e = 1; e <= 60; e++) {
                t = 0.2 + 2 * exp(-e * q / 8) + 0.02 * rand()
                v = t + 0.1 + 0.001 * e * (b == 1) + 0.02 * rand()
                printf "%d,%.5f,%.5f,%.4f,%s\n", e, t, v, 1 - v / 3,
                    lrs[a] >> f
            }
            close(f)
            f = n < N ? d "/config.yaml" : "/dev/null"
            printf "lr: %s\nweight_decay: %s\noptimizer: %s\n", lrs[a],
                wds[b], opts[c] > f
            printf "seed: %d\nrun_name: sweep-%03d\nbatch_size: 64\n", n,
                n > f
            close(f)
            n++
        }
    }'
}
sweep "$TMP/s100" 100
sweep "$TMP/s200" 200
rg -q "$TMP/s100" --single-file "$TMP/s100.html"
rg -q "$TMP/s200" --single-file "$TMP/s200.html"
per=$((($(wc -c <"$TMP/s200.html") - $(wc -c <"$TMP/s100.html")) / 100))
echo "# the one-file report grows by $per bytes a run"
t_is "a run adds at most 7 KB to the one-file report" \
    "$([ "$per" -le 7000 ] && echo yes || echo "no: $per bytes")" yes
S="$TMP/s200.html"
t_is "the note all 200 records share is said once, and pointed to" \
    "$(count "$S" '<p class="muted" id="common-note">The note of 200 runs') \
$(count "$S" '<a href="#common-note">')" "1 200"
t_is "each run's config on a line, no table with a header each" \
    "$(count "$S" '<p class="kv-line"><code>lr=<wbr>') \
$(count "$S" '<table class="kv">')" "200 0"
t_is "the runs listed once, in the index's table, which the comparison \
points to" "$(count "$S" '<table class="runs cards sortable">') \
$(count "$S" '<table class="board') \
$(count "$S" 'leaderboard order, in the <a href="#index">table')" "1 0 1"
t_is "the report's rule said at the top, not in each run's section" \
    "$(count "$S" '<p class="rule">')" 2
sed -n '/^<main>/,/^<\/main>/p' "$S" >"$TMP/s200-main"
t_nogrep "no indentation in the sections" '^ ' "$TMP/s200-main"
t_grep "sample: a leaderboard with slices kept in the comparison" \
    '<table class="board cards sortable">' "$TMP/site-sample.html"
t_is "the runs' charts share one frame, held by the first" \
    "$(count "$TMP/s200.html" '<g id="rg-frame-') \
$(count "$TMP/s200.html" '<use href="#rg-frame-1"/>')" "1 199"
t_is "a 60-point run's chart has at most 9 hover bands" \
    "$(awk '/<svg class="rg-chart rg-mini"/,/<\/svg>/' "$TMP/s100.html" \
        | grep -c '<path class="hit"' | awk '{ print ($1 <= 100 * 9) }')" 1
sed -n '/<section class="folded" id="run-/,$p' "$TMP/s100.html" >"$TMP/s-runs"
t_nogrep "no run's section has a hover target per point" \
    '<circle class="hit"' "$TMP/s-runs"

# Hostile names, a baseline and a skipped run.
H="$TMP/runs"
for d in 'base' 'a"b' '<i>x</i>' 'sharp#1' 'amp&amp' 'sub/dir one' 'bad'; do
    mkdir -p "$H/$d"
    printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,0.9\n3,0.7,0.85\n' \
        >"$H/$d/metrics.csv"
    printf 'lr: 0.1\n' >"$H/$d/config.yaml"
done
printf 'epoch,train_loss,val_loss\n1,1.0\n' >"$H/bad/metrics.csv"
printf 'lr: 0.2\n' >"$H/a\"b/config.yaml"
check hostile "$H" --baseline base
t_is "hostile: every run page links the baseline's section" \
    "$(count "$TMP/site-hostile.html" '<dd><a href="#run-base">base</a></dd>')" 6
t_nogrep "hostile: no name is markup" '<i>x' "$TMP/site-hostile.html"
t_grep "hostile: a skipped run is listed, with no section" \
    '<th scope="row" class="run-name">bad</th>' "$TMP/site-hostile.html"
t_done
