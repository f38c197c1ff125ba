#!/bin/sh
# Writing a report again into the same SITE_DIR reuses each run whose
# inputs are unchanged (cache.h), and gives the same site, byte for byte,
# and the same messages as doing every run again (--rebuild) from the same
# old site: after nothing changed, a run added, a run's log grown, a run
# removed, a config file added, the rules and thresholds changed, a chart
# of the old site edited, with -j 1 and -j 2. (A rebuild is compared with
# --rebuild from a copy of the same old site, not with a site written from
# nothing: the changes since the last report differ from those.)
. "$srcdir/tests/lib.sh"
plan 70

R="$TMP/runs"
cp -R "$srcdir/sample_runs" "$R"
# A run with problems told on stderr, which a reused run tells again.
mkdir -p "$R/zz-ragged" "$R/zz-config" "$R/zz-plain"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8\n' >"$R/zz-ragged/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,0.9\n3,0.7,0.8\n' \
    >"$R/zz-config/metrics.csv"
printf 'lr: [unclosed\n' >"$R/zz-config/config.yaml"
cp "$R/zz-config/metrics.csv" "$R/zz-plain/metrics.csv"

rg "$R" -o "$TMP/s0"
t_is "first report: exit 0" "$rc" 0

# Each chart's and page's inode: a file taken over keeps its own.
inodes() { (cd "$1" && find runs -type f | LC_ALL=C sort | xargs ls -i); }

# check LABEL [ARGS...]: from a copy of the old site $TMP/s0 each,
# --rebuild and a plain rebuild of $R (with ARGS) give the same site and
# the same messages; $TMP/inc is the rebuilt copy. PREPARE, when set, is
# run on the copy first (it may edit the old site).
check() {
    label=$1
    shift
    rm -rf "$TMP/ref" "$TMP/inc"
    cp -R "$TMP/s0" "$TMP/ref"
    cp -R "$TMP/s0" "$TMP/inc"
    ${PREPARE:-:} "$TMP/inc"
    inodes "$TMP/inc" >"$TMP/inc.before"
    rg --rebuild "$@" "$R" -o "$TMP/ref"
    cp "$TMP/err" "$TMP/ref.err"
    rg "$@" "$R" -o "$TMP/inc"
    t_is "$label: exit 0" "$rc" 0
    if diff -r "$TMP/ref" "$TMP/inc" >"$TMP/diff"; then
        t_ok "$label: the site is byte-identical to --rebuild"
    else
        t_not_ok "$label: the site is byte-identical to --rebuild"
        head -5 "$TMP/diff" | sed 's/^/# /'
    fi
    t_cmp "$label: the same messages" "$TMP/ref.err" "$TMP/err"
    inodes "$TMP/inc" >"$TMP/inc.after"
}

# kept PATTERN [OPTION]: how many of the files of runs matching PATTERN
# (grep OPTION: -v for those not matching) are the same files as before.
kept() {
    sort "$TMP/inc.before" "$TMP/inc.after" | uniq -d |
        grep -c ${2:-} -- "$1" || :
}
# total PATTERN [OPTION]: how many there are now.
total() { grep -c ${2:-} -- "$1" "$TMP/inc.after" || :; }

# (a) Nothing changed: every chart and page is taken over.
check "nothing changed"
t_is "nothing changed: every file of every run is taken over" \
    "$(kept .)" "$(total .)"
t_is "nothing changed: ... not a new copy" "$(total .)" \
    "$(grep -c . "$TMP/inc.before")"
for j in 1 2; do
    check "nothing changed, -j $j" -j $j
    t_is "nothing changed, -j $j: every file is taken over" "$(kept .)" \
        "$(total .)"
done

# (b) One run added: it is processed, the others are taken over.
mkdir "$R/zz-new"
printf 'epoch,train_loss,val_loss\n1,0.9,1.0\n2,0.5,0.6\n3,0.4,0.55\n' \
    >"$R/zz-new/metrics.csv"
for j in 1 2; do
    check "a run added, -j $j" -j $j
    t_is "a run added, -j $j: the others' files are taken over" \
        "$(kept 'zz-new\|index.html' -v)" "$(total 'zz-new\|index.html' -v)"
done
t_grep "a run added: its page is written" "runs/zz-new/index.html" \
    "$TMP/inc.after"

# (c) A run's log grows by a row: that run alone is done again.
rg "$R" -o "$TMP/s0" # the old site now has zz-new
printf '4,0.3,0.5\n' >>"$R/zz-new/metrics.csv"
for j in 1 2; do
    check "a row appended, -j $j" -j $j
    t_is "a row appended, -j $j: its charts are new" \
        "$(kept 'zz-new/.*\.svg$')" 0
    t_is "a row appended, -j $j: the others' are taken over" \
        "$(kept 'zz-new\|index.html' -v)" "$(total 'zz-new\|index.html' -v)"
done
# The comparisons can fail: restoring the grown run from its old record
# (which the test hook forces) gives another site.
cp -R "$TMP/s0" "$TMP/inc2"
REPORTGEN_TEST_REUSE=1
export REPORTGEN_TEST_REUSE
rg "$R" -o "$TMP/inc2"
unset REPORTGEN_TEST_REUSE
if diff -r "$TMP/ref" "$TMP/inc2" >/dev/null; then
    t_not_ok "a row appended: a run wrongly reused makes another site"
else
    t_ok "a row appended: a run wrongly reused makes another site"
fi

# (d) A run removed.
rg "$R" -o "$TMP/s0"
rm -r "$R/zz-new"
check "a run removed"
t_nogrep "a run removed: its files are gone" "zz-new" "$TMP/inc.after"

# A config file added beside a run's log: it is read.
rg "$R" -o "$TMP/s0"
printf 'lr: 0.01\nbatch_size: 32\n' >"$R/zz-plain/config.yaml"
printf 'lr: 0.02\n' >"$R/zz-config/config.yaml"
check "a config file added, one mended"
t_grep "a config file added: its page shows it" "batch_size" \
    "$TMP/inc/runs/zz-plain/index.html"
t_nogrep "a config file mended: no message about it" "zz-config" \
    "$TMP/err"

# (e) The rules: a threshold on the command line, then in reportgen.yaml,
# then the rule itself. Nothing is reused across such a change.
rg "$R" -o "$TMP/s0"
check "a threshold given" --threshold jump_frac=0.5
t_is "a threshold given: no chart is taken over" "$(kept '\.svg$')" 0
printf 'diagnose:\n  jump_frac: 0.4\n' >>"$R/reportgen.yaml"
check "reportgen.yaml changed"
t_is "reportgen.yaml changed: no chart is taken over" "$(kept '\.svg$')" 0
rg "$R" -o "$TMP/s0"
check "another rule" --select val_loss:max
check "a column mapped" --map val_loss=val_acc

# (f) A chart of the old site edited by its user is not trusted.
edit_chart() {
    printf '<!-- edited -->\n' >>"$1/runs/healthy/loss.svg"
}
rg "$R" -o "$TMP/s0"
PREPARE=edit_chart check "an edited chart"
PREPARE=
t_nogrep "an edited chart: the edit is not published" "edited" \
    "$TMP/inc/runs/healthy/loss.svg"
t_is "an edited chart: its run's charts are drawn again" \
    "$(kept 'runs/healthy/.*\.svg$')" 0

# (g) No rule given: the rule is chosen from the runs, and the index says
# from how many; a run's page does not, so a run added leaves the others'
# pages as they were.
R="$TMP/norule"
for n in a b c; do
    mkdir -p "$R/$n"
    printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,0.9\n3,0.7,0.85\n' \
        >"$R/$n/metrics.csv"
done
rg "$R" -o "$TMP/s0"
mkdir "$R/d"
cp "$R/a/metrics.csv" "$R/d/metrics.csv"
check "no rule, a run added"
t_is "no rule, a run added: the others' pages are taken over" \
    "$(kept 'runs/[abc]/index.html')" 3
t_grep "no rule: the index says how many runs the rule was chosen from" \
    "the held-out metric all 4 runs read are judged by" "$TMP/inc/index.html"
t_grep "no rule: a run's page says the rule was chosen from them all" \
    "the held-out metric the runs read are judged by" \
    "$TMP/inc/runs/a/index.html"
mkdir "$R/e"
printf 'epoch,train_loss,val_acc\n1,1.0,0.5\n2,0.8,0.6\n' >"$R/e/metrics.csv"
rg "$R" -o "$TMP/s0"
t_grep "no rule, one run judged by another metric: a run's page says so" \
    "the held-out metric the most runs read are judged by" \
    "$TMP/s0/runs/a/index.html"

# The site's own record of its runs is one of its files.
t_grep "the cache is listed in the manifest" "^.reportgen-cache$" \
    "$TMP/inc/.reportgen-site"
t_done
