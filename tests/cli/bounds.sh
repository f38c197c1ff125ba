#!/bin/sh
# Resource bounds: a header of a million columns is refused with its file
# and line, a log of thousands of columns gets a bounded number of
# charts (the rest summarised in one table), and a trainer_state.json of
# 100,000 keys in one entry reads its first 4096 columns with a note.
# A file of one metric along one row may hold more values than that, but
# a wide row followed by another is a table and refused.
. "$srcdir/tests/lib.sh"
plan 24

run() {
    rc=0
    timeout 300 $RG "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
good() {
    mkdir -p "$1"
    printf 'epoch,train_loss,val_loss\n0,2,2.1\n1,1,1.2\n2,0.6,0.9\n' \
        >"$1/metrics.csv"
}

R="$TMP/runs"
good "$R/ok"
mkdir -p "$R/wide" "$R/many" "$R/hf" "$R/row" "$R/tworows"
# One metric along one row: 20,000 values (per iteration) in one file,
# 101 (a value before training, then one per epoch) in the other.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%s%g", i ? "," : "",
                 2 / (1 + i / 200); printf "\n" }' >"$R/row/train_loss.csv"
awk 'BEGIN { for (e = 0; e <= 100; e++) printf "%s%g", e ? "," : "",
                 0.9 - 0.5 * e / 100; printf "\n" }' >"$R/row/val_acc.csv"
# The same wide row followed by a second row is a table of 20,000 columns.
cp "$R/row/train_loss.csv" "$R/tworows/train_loss.csv"
cat "$R/row/train_loss.csv" >>"$R/tworows/train_loss.csv"
# A million columns (generated, 7 MB): refused at line 1.
awk 'BEGIN { printf "epoch"; for (i = 0; i < 1000000; i++) printf ",c%d", i;
             printf "\n0"; for (i = 0; i < 1000000; i++) printf ",1";
             printf "\n" }' >"$R/wide/metrics.csv"
# 300 extra columns: 32 charts, the rest in one table.
awk 'BEGIN { printf "epoch,train_loss,val_loss,lr";
             for (i = 0; i < 300; i++) printf ",extra%d", i; printf "\n";
             for (e = 0; e < 3; e++) { printf "%d,%d,%d,0.1", e, 3 - e, 4 - e;
                 for (i = 0; i < 300; i++) printf ",%d", i + e; printf "\n" } }' \
    >"$R/many/metrics.csv"
# A trainer_state.json with 100,000 keys in one log entry.
awk 'BEGIN { printf "{\"log_history\": [{\"step\": 1, \"loss\": 2";
             for (i = 0; i < 100000; i++) printf ", \"k%d\": %d", i, i;
             printf "}, {\"step\": 2, \"loss\": 1, \"eval_loss\": 1.5}]}\n" }' \
    >"$R/hf/trainer_state.json"

run "$R" -o "$TMP/site"
t_is "bounded: exit 0" "$rc" 0
t_grep "a million columns: refused with file and line" \
    "^reportgen: $R/wide/metrics.csv:1: more than 4096 fields (reportgen reads at most 4096 columns)$" \
    "$TMP/err"
t_grep "a million columns: the run is skipped in the report" \
    'more than 4096 fields' "$TMP/site/summary.json"
t_grep "20,000 values on one row: read" '"name": "row"' "$TMP/site/summary.json"
t_grep "values logged at two rates: said" \
    'train_loss.csv holds 20000 values, 200 for each of the 100 of val_acc.csv after its first: read as 200 values per epoch' \
    "$TMP/site/runs/row/index.html"
t_grep "the per-iteration loss is drawn on the epoch scale" '>100</text>' \
    "$TMP/site/runs/row/loss.svg"
t_grep "a wide row then another: refused at its first line" \
    "^reportgen: $R/tworows/train_loss.csv:1: more than 4096 fields (reportgen reads at most 4096 columns)$" \
    "$TMP/err"
t_grep "and the run is skipped" '"name": "tworows"' "$TMP/site/summary.json"
n=$(find "$TMP/site" -type f | wc -l)
t_is "the site stays small ($n files)" "$([ "$n" -lt 200 ] && echo small)" small

P="$TMP/site/runs/many"
t_is "300 columns: 32 charts" "$(ls "$P" | grep -c '\.svg$')" 32
t_is "the known column lr is drawn" "$(test -f "$P/m-lr.svg" && echo yes)" yes
t_is "the first other columns are drawn" \
    "$(test -f "$P/m-extra0.svg" && echo yes)" yes
t_is "columns past the limit are not drawn" \
    "$(test -f "$P/m-extra299.svg" && echo yes || echo no)" no
t_grep "the page says how many are summarised" \
    '270 more columns are summarised below instead of drawn' "$P/index.html"
t_grep "their summaries are in one table, cards on a phone" \
    '<tr><td><code>extra299</code></td><td data-label="Values logged">3</td><td data-label="Lowest">299</td><td data-label="Highest">301</td><td data-label="Last logged">301</td></tr>' \
    "$P/index.html"
t_grep "the table of summaries turns into cards on a narrow screen" \
    '<table class="columns folded cards">' "$P/index.html"

H="$TMP/site/runs/hf"
t_grep "100,000 keys: read" '"name": "hf"' "$TMP/site/summary.json"
t_grep "100,000 keys: a note says what was left out" \
    '95906 keys left out: reportgen reads the first 4096 columns of a log' \
    "$H/index.html"
t_is "100,000 keys: 32 charts" "$(ls "$H" | grep -c '\.svg$')" 32
t_grep "100,000 keys: the loss chart is drawn" '<title>loss</title>' "$H/index.html"

# Out of memory (an allocation over 1 MB made to fail, as a test hook can
# on any build): a clean message and exit status 1, not an abort.
R2="$TMP/runs2"
good "$R2/a"
mkdir -p "$R2/long"
awk 'BEGIN { print "epoch,train_loss,val_loss";
             for (i = 0; i < 200000; i++) printf "%d,1,1\n", i }' \
    >"$R2/long/metrics.csv"
rc=0
REPORTGEN_TEST_ALLOC_MAX=1000000 $RG "$R2" -o "$TMP/site2" \
    >"$TMP/out" 2>"$TMP/err" || rc=$?
t_is "out of memory: exit 1" "$rc" 1
t_is "out of memory: one clean message" "$(cat "$TMP/err")" \
    "reportgen: out of memory"
t_is "out of memory: no site" "$(test -e "$TMP/site2" && echo yes || echo no)" no
t_is "out of memory: no temporary folder left" \
    "$(ls -A "$TMP" | grep -c 'reportgen-new')" 0

t_done
