#!/bin/sh
# A sweep: the settings that vary across the runs (and only those) are
# columns of the comparison's leaderboard, which a script sorts, listed
# under each run's name on the index and columns of summary.md, each with
# a chart of the best value against it; at most 6, the rest counted;
# their values escaped for HTML, SVG and Markdown; the output
# byte-identical.
. "$srcdir/tests/lib.sh"
plan 48

# sweep DIR: 12 runs; lr takes 4 values, dropout 2 (0.1 also written
# 1e-1: one value), tag 2 (one of them markup); batch_size, optimizer and
# data_version are the same everywhere, seed varies but is a seed, name
# varies in every run but is a label.
sweep() {
    awk -v r="$1" 'BEGIN {
        split("1e-4 3e-4 1e-3 3e-3", lrs, " ")
        split("0.1 0.2 1e-1", drops, " ")
        for (i = 0; i < 12; i++) {
            lr = lrs[i % 4 + 1]
            d = sprintf("%s/sweep/run-%02d", r, i)
            system("mkdir -p \"" d "\"")
            f = d "/metrics.csv"
            print "epoch,train_loss,val_loss" > f
            for (e = 1; e <= 4; e++)
                printf "%d,%.4f,%.4f\n", e, 1 / (e + i % 4), \
                    1.2 / (e + i % 4) + 0.01 * (i % 3) >> f
            close(f)
            c = d "/config.yaml"
            printf "lr: %s\nbatch_size: 64\noptimizer: adam\n", lr > c
            printf "data_version: v1\nseed: %d\n", i > c
            printf "dropout: %s\n", drops[i % 3 + 1] > c
            printf "name: run-%02d\n", i > c
            if (i % 2)
                printf "tag: \"<script>alert(1)</script>\"\n" > c
            else
                printf "tag: \"b|c*d\"\n" > c
            close(c)
        }
    }'
}

R="$TMP/runs"
sweep "$R"
rg -q "$R" -o "$TMP/site"
t_is "a sweep: exit 0" "$rc" 0
C="$TMP/site/compare.html"
I="$TMP/site/index.html"
M="$TMP/site/summary.md"
J="$TMP/site/summary.json"

t_grep "compare: lr is a column" \
    '<th scope="col" class="hp"><code>lr<wbr></code></th>' "$C"
t_grep "compare: dropout is a column" \
    '<th scope="col" class="hp"><code>dropout<wbr></code></th>' "$C"
t_nogrep "compare: batch_size, the same in every run, is not" \
    'class="hp"><code>batch' "$C"
t_nogrep "compare: optimizer is not" 'class="hp"><code>optimizer' "$C"
t_nogrep "compare: the seed is not" 'class="hp"><code>seed' "$C"
t_nogrep "compare: a label, each run its own, is not" \
    'class="hp"><code>name' "$C"
t_is "compare: 3 columns of settings" \
    "$(grep -c '<th scope="col" class="hp">' "$C")" 3
t_grep "compare: a number cell sorts by its value" \
    '<td class="hp num" data-label="lr" data-sort="0.003">3e-3</td>' "$C"
t_grep "index: the settings under the run's name" \
    '<code>lr=<wbr>1e-4</code>' "$I"
t_nogrep "index: no batch_size" 'batch_size=' "$I"
t_grep "summary.md: lr and dropout are columns" \
    '| At | lr | dropout | tag | Why |' "$M"
t_nogrep "summary.md: no batch_size" 'batch' "$M"

# Config values are the user's text: escaped on the page, in the SVG and
# in Markdown.
t_nogrep "compare: <script> in a value is escaped" '<script>alert' "$C"
t_grep "compare: shown as text" '&lt;script&gt;alert(1)&lt;/script&gt;' "$C"
t_nogrep "index: <script> in a value is escaped" '<script>alert' "$I"
t_grep "summary.md: < as an entity, the value cut at 24 bytes" \
    '| &lt;script&gt;alert(1)&lt;/script… |' "$M"
t_grep "summary.md: | and * escaped" '| b\\|c\\\*d |' "$M"
t_is "summary.json: the settings that vary" \
    "$(grep -A2 '"varying_settings"' "$J" | tr -d ' \n')" \
    '"varying_settings":[{"key":"lr",'

# One chart per setting, of the best val_loss of each run against it.
t_is "three charts, one per setting" \
    "$(ls "$TMP/site" | grep -c '^sweep-[0-9]-.*\.svg$')" 3
t_grep "compare: the lr chart inline" \
    '<title>best val_loss by lr</title>' "$C"
t_grep "lr chart: a run's name and values on hover" \
    '<title>sweep/run-01: lr 0.0003, best val_loss 0.25</title>' \
    "$TMP/site/sweep-1-lr.svg"
t_grep "tag chart: a category's name escaped" \
    '<title>sweep/run-01: tag &lt;script&gt;alert(1)&lt;/script&gt;, ' \
    "$TMP/site/sweep-3-tag.svg"
t_nogrep "tag chart: no markup from a value" '<script' \
    "$TMP/site/sweep-3-tag.svg"
# No baseline: a run clearly worse than the best of the leaderboard is
# rolled back (do not adopt its settings), but nothing was changed that
# needs undoing: the headline counts it apart from the runs that need
# action, and summary.md lists no next step for it.
t_grep "no baseline: the worse runs are rolled back" \
    '<span class="badge decision decision-rollback">rollback</span>' "$C"
t_grep "the headline counts them apart from those that need action" \
    'other runs are worse than the kept run by more than the min improvement: rollback, do not adopt their settings\. No run needs action\.' "$M"
t_nogrep "the headline does not count them as needing action" \
    'need action (.*rollback' "$M"
t_nogrep "summary.md: no next step for them" '^- \*\*rollback\*\*' "$M"
t_is "the four verdicts only" \
    "$(grep -o '"decision": "[a-z]*"' "$J" | sort -u | tr '\n' ' ')" \
    '"decision": "keep" "decision": "rollback" '
rg -q "$R" -o "$TMP/site-f" --fail-on rollback
t_is "--fail-on rollback still sees them: exit 3" "$rc" 3
t_grep "the charts in a fold (open on a wide screen), its summary names them" \
    '<summary>The 3 charts, by lr, dropout, tag</summary>' "$C"
t_grep "every run drawn, none left out" \
    '<figcaption>12 runs, each at its best checkpoint.</figcaption>' "$C"

# Sorting from file://: a script that only enhances the table.
t_grep "compare: the leaderboard is sortable" \
    '<table class="board cards sortable">' "$C"
t_grep "compare: sort.js beside it" '<script src="sort.js" defer>' "$C"
t_is "sort.js is written" "$(test -s "$TMP/site/sort.js" && echo yes)" yes
# The index too: in reading order without the script (the kept run
# first, then by verdict and value: keep, then rollback), sortable with it.
t_grep "index: the runs table is sortable" \
    '<table class="runs cards sortable">' "$I"
t_grep "index: sort.js beside it" '<script src="sort.js" defer>' "$I"
t_is "index: the kept run first, verdicts in reading order" \
    "$(sed -n 's/.*<td data-label="Decision" data-sort="\([0-9]\)">.*/\1/p' "$I" \
        | uniq | tr '\n' ' ')" "0 2 "
t_grep "index: a run's name is its sort key, escaped" \
    '<th scope="row" class="run-name" data-sort="sweep/run-0[0-9]">' "$I"
t_nogrep "index: no column of differences to a baseline there is not" \
    'data-label="vs baseline"' "$I"
t_nogrep "compare: ... nor on the leaderboard" 'vs baseline' "$C"
t_grep "index: the last value sorts as a number" \
    '<td class="num last" data-label="Last val_loss" data-sort="[0-9.]*">' "$I"

# A run without the rule's metric and one without lr are left out of
# the lr chart and counted.
mkdir -p "$R/sweep/run-nc" "$R/sweep/run-nolr"
printf 'epoch,train_loss\n1,1\n2,0.5\n' >"$R/sweep/run-nc/metrics.csv"
printf 'lr: 1e-2\n' >"$R/sweep/run-nc/config.yaml"
cp "$R/sweep/run-00/metrics.csv" "$R/sweep/run-nolr/"
printf 'dropout: 0.1\n' >"$R/sweep/run-nolr/config.yaml"
rg -q "$R" -o "$TMP/site5" --select val_loss:min
t_grep "runs left out of a chart are counted" \
    '<figcaption>12 runs, each at its best checkpoint; left out: 1 with no best val_loss, 1 that does not set lr.</figcaption>' \
    "$TMP/site5/compare.html"
rm -r "$R/sweep/run-nc" "$R/sweep/run-nolr"

# More than 6 settings vary: 6 columns, the rest counted and named.
for i in 00 01 02 03 04 05 06 07 08 09 10 11; do
    n=${i#0}
    printf 'a: %s\nb: %s\nc: %s\nd: %s\n' "$n" "$n" "$n" "$n" \
        >>"$R/sweep/run-$i/config.yaml"
done
rg -q "$R" -o "$TMP/site2"
C2="$TMP/site2/compare.html"
t_is "7 varying settings: 6 columns" \
    "$(grep -c '<th scope="col" class="hp">' "$C2")" 6
t_grep "7 varying settings and a label: those left out are counted and named" \
    '2 more settings vary across the runs than the columns show: tag, name\.' "$C2"
t_grep "summary.md says so too" \
    '^2 more settings vary across the runs than the table shows: tag, name\.' \
    "$TMP/site2/summary.md"

# No setting varies: no column, no list.
mkdir -p "$TMP/same"
cp -R "$R/sweep/run-00" "$TMP/same/a"
cp -R "$R/sweep/run-00" "$TMP/same/b"
rg -q "$TMP/same" -o "$TMP/site3"
t_nogrep "nothing varies: no column" 'class="hp' "$TMP/site3/compare.html"

# Same input, same bytes.
rg -q "$R" -o "$TMP/site4"
if diff -r "$TMP/site2" "$TMP/site4" >/dev/null; then
    t_ok "the same sweep twice gives the same bytes"
else
    t_not_ok "the same sweep twice gives the same bytes"
fi
t_done
