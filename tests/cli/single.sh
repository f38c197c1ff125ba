#!/bin/sh
# The one-file report (--single-file) is one document that links only
# within itself: one <html>, one <main>, one <h1>; every link goes to an id
# the file holds (#index, #compare, #run-<slug>), none to a page or file
# of the site (runs/..., *.html) and nothing is loaded from outside; and
# every page of the site is a section of it. Checked on sample_runs/, on
# the untrusted golden case and on hostile names with a baseline (whose
# link is on every run page) and a skipped run (which has no page).
. "$srcdir/tests/lib.sh"

plan 31

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
        /<svg class="rg-chart"/ && sec != "" { n[sec]++ }
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
