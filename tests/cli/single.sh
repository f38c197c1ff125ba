#!/bin/sh
# The one-file report (--single-file) is one document that links only
# within itself: one <html>, one <main>, one <h1>; every link goes to an id
# the file holds (#index, #compare, #run-<slug>), none to a page or file
# of the site (runs/..., *.html) and nothing is loaded from outside; and
# every page of the site is a section of it. Checked on sample_runs/, on
# the untrusted golden case and on hostile names with a baseline (whose
# link is on every run page) and a skipped run (which has no page).
. "$srcdir/tests/lib.sh"

plan 45

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
    "$(count "$one" '.rg-mini text{')" 1
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
    '^<path class="s-bad" d="M[0-9.]* 33l6 6m0-6l-6 6M' "$TMP/nan-run"
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
# the section inlined the site's chart).
sweep() {
    i=0
    while [ $i -lt "$2" ]; do
        d="$1/run$(printf %03d $i)"
        mkdir -p "$d"
        awk -v seed=$i 'BEGIN { srand(seed); print "epoch,train_loss,val_loss"
            for (e = 1; e <= 100; e++)
                printf "%d,%.5f,%.5f\n", e, 2 * exp(-e / 20) + 0.1 * rand(),
                    2.1 * exp(-e / 20) + 0.2 + 0.1 * rand() }' >"$d/metrics.csv"
        printf 'lr: %s\nseed: %d\n' "$(awk -v i=$i 'BEGIN { print 10 ^ -(i % 5) }')" \
            $i >"$d/config.yaml"
        i=$((i + 1))
    done
}
sweep "$TMP/s20" 20
sweep "$TMP/s60" 60
rg -q "$TMP/s20" --single-file "$TMP/s20.html"
rg -q "$TMP/s60" --single-file "$TMP/s60.html"
per=$((($(wc -c <"$TMP/s60.html") - $(wc -c <"$TMP/s20.html")) / 40))
echo "# the one-file report grows by $per bytes a run"
t_is "a run adds at most 14 KB to the one-file report" \
    "$([ "$per" -le 14000 ] && echo yes || echo "no: $per bytes")" yes
t_is "a 100-point run's chart has at most 11 hover bands" \
    "$(awk '/<svg class="rg-chart rg-mini"/,/<\/svg>/' "$TMP/s20.html" \
        | grep -c '<path class="hit"' | awk '{ print ($1 <= 20 * 11) }')" 1
sed -n '/<section class="folded" id="run-/,$p' "$TMP/s20.html" >"$TMP/s20-runs"
t_nogrep "no run's section has a hover target per point" \
    '<circle class="hit"' "$TMP/s20-runs"

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
