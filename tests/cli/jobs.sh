#!/bin/sh
# -j: runs processed on several threads give the same site, the same
# one-file report and the same messages, in the same order, as one thread.
. "$srcdir/tests/lib.sh"
plan 45

# Runs with problems, told on stderr. The first is slow to read and its
# message comes last in its run, so messages printed as runs finish,
# rather than in name order, would come out of order.
E="$TMP/errors"
mkdir -p "$E/a-slow" "$E/b-ragged" "$E/c-good" "$E/d-text" "$E/e-empty" \
    "$E/f-noval" "$E/g-config" "$E/h-good"
awk 'BEGIN { print "epoch,train_loss,val_loss"
    for (i = 1; i <= 60000; i++) printf "%d,%.6f,%.6f\n", i, 1/i, 1.1/i
    print "60001,0.5" }' >"$E/a-slow/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8\n' >"$E/b-ragged/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,0.9\n3,0.7,0.8\n' \
    >"$E/c-good/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,abc\n' \
    >"$E/d-text/metrics.csv"
: >"$E/e-empty/metrics.csv"
printf 'epoch,train_loss\n1,1.0\n2,0.8\n' >"$E/f-noval/metrics.csv"
cp "$E/c-good/metrics.csv" "$E/g-config/metrics.csv"
printf 'lr: [unclosed\n' >"$E/g-config/config.yaml"
cp "$E/c-good/metrics.csv" "$E/h-good/metrics.csv"

# same LABEL DIR ARGS...: -j 2 and -j 4 (and --jobs=3) against -j 1.
same() {
    label=$1
    dir=$2
    shift 2
    rg -j 1 "$dir" -o "$TMP/one" --single-file "$TMP/one.html" "$@"
    t_is "$label, -j 1: exit 0" "$rc" 0
    cp "$TMP/err" "$TMP/one.err"
    for n in 2 4 --jobs=3; do
        case $n in --*) opt=$n ;; *) opt="-j $n" ;; esac
        rm -rf "$TMP/many" "$TMP/many.html"
        rg $opt "$dir" -o "$TMP/many" --single-file "$TMP/many.html" "$@"
        if [ "$rc" = 0 ] && diff -r "$TMP/one" "$TMP/many" >"$TMP/diff" &&
            cmp -s "$TMP/one.html" "$TMP/many.html"; then
            t_ok "$label, $opt: the site is byte-identical to -j 1"
        else
            t_not_ok "$label, $opt: the site is byte-identical to -j 1"
            head -5 "$TMP/diff" | sed 's/^/# /'
        fi
        t_cmp "$label, $opt: the same messages in the same order" \
            "$TMP/one.err" "$TMP/err"
    done
    rm -rf "$TMP/one" "$TMP/one.html"
}

same "sample_runs" "$srcdir/sample_runs"
same "labelled runs" "$srcdir/tests/labelled/runs"
same "runs with errors" "$E"
t_is "runs with errors: every problem is told" \
    "$(grep -c '^reportgen: .*errors/' "$TMP/one.err")" 6
t_grep "runs with errors: the slow run is told first" \
    "^reportgen: $E/a-slow/metrics.csv:60002: 2 fields, header has 3$" \
    "$TMP/one.err"
t_is "runs with errors: ... on the first line" \
    "$(head -1 "$TMP/one.err" | grep -c a-slow)" 1
same "runs with errors, -q" "$E" -q
t_is "runs with errors, -q: nothing on stderr" \
    "$(wc -c <"$TMP/one.err" | tr -d ' ')" 0

# Out of memory on a worker (an allocation over 1 MB made to fail, as a
# test hook can on any build), on both at once: one message, exit 1, and
# nothing left behind.
O="$TMP/oom"
for r in a b c d; do
    mkdir -p "$O/$r"
    awk 'BEGIN { print "epoch,train_loss,val_loss";
        for (i = 0; i < 200000; i++) printf "%d,1,1\n", i }' \
        >"$O/$r/metrics.csv"
done
mkdir "$TMP/o"
for i in 1 2 3; do
    rc=0
    REPORTGEN_TEST_ALLOC_MAX=1000000 $RG -j 2 "$O" -o "$TMP/o/site" \
        >"$TMP/out" 2>"$TMP/err" || rc=$?
    t_is "out of memory ($i): exit 1" "$rc" 1
    t_is "out of memory ($i): one message" "$(cat "$TMP/err")" \
        "reportgen: out of memory"
    t_is "out of memory ($i): nothing written" "$(ls -A "$TMP/o")" \
        ".site.reportgen-lock"
done

rg -j 0 "$srcdir/sample_runs" -o "$TMP/bad"
t_is "-j 0 is a usage error" "$rc" 2
t_grep "-j 0: says what is expected" \
    "^reportgen: bad --jobs '0': expected a number from 1 to 256$" "$TMP/err"
rg --jobs=-2 "$srcdir/sample_runs" -o "$TMP/bad"
t_is "--jobs=-2 is a usage error" "$rc" 2
rg -j 257 "$srcdir/sample_runs" -o "$TMP/bad"
t_is "-j 257 is a usage error" "$rc" 2
t_done
