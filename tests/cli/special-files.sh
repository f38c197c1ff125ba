#!/bin/sh
# What reportgen reads is untrusted: a FIFO or a device named like a log
# never hangs it (every input is opened without blocking and must be a
# regular file), and a symbolic link out of RUNS_DIR is not followed
# unless --follow-links says so.
. "$srcdir/tests/lib.sh"
plan 24

# run ARGS...: rg under a time limit, so that a hang fails the test
# instead of stopping the suite.
run() {
    rc=0
    timeout 60 $RG "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
good() {
    mkdir -p "$1"
    printf 'epoch,train_loss,val_loss\n0,2,2.1\n1,1,1.2\n2,0.6,0.9\n' \
        >"$1/metrics.csv"
}

# FIFOs where a log, a config or trainer_state.json is looked for.
R="$TMP/runs"
good "$R/ok"
mkdir -p "$R/csv" "$R/hf"
mkfifo "$R/csv/metrics.csv"
good "$R/cfg"
mkfifo "$R/cfg/config.yaml"
mkfifo "$R/hf/trainer_state.json"
run "$R" -o "$TMP/site"
t_is "FIFOs: no hang, report written" "$rc" 0
t_grep "FIFO metrics.csv: named, not a regular file" \
    "^reportgen: $R/csv/metrics.csv: not a regular file$" "$TMP/err"
t_grep "FIFO metrics.csv: run skipped" '"status": "skipped"' \
    "$TMP/site/summary.json"
t_grep "FIFO config.yaml: named" \
    "^reportgen: $R/cfg/config.yaml: not a regular file$" "$TMP/err"
t_grep "FIFO config.yaml: the run is still reported" \
    '"name": "cfg"' "$TMP/site/summary.json"
t_grep "the good run is reported" '"name": "ok"' "$TMP/site/summary.json"

# A FIFO as reportgen.yaml: the rule cannot be read, no report.
R2="$TMP/runs2"
good "$R2/ok"
mkfifo "$R2/reportgen.yaml"
run "$R2" -o "$TMP/site2"
t_is "FIFO reportgen.yaml: no hang, exit 1" "$rc" 1
t_grep "FIFO reportgen.yaml: named" \
    "^reportgen: $R2/reportgen.yaml: not a regular file$" "$TMP/err"

# A device as a log.
R3="$TMP/runs3"
good "$R3/ok"
mkdir -p "$R3/dev"
ln -s /dev/zero "$R3/dev/metrics.csv"
run --follow-links "$R3" -o "$TMP/site3"
t_is "/dev/zero as a log: exit 0" "$rc" 0
t_grep "/dev/zero as a log: named" \
    "^reportgen: $R3/dev/metrics.csv: not a regular file$" "$TMP/err"

# An old site whose manifest is a FIFO, or /dev/zero, is not taken for a
# site reportgen wrote: refused, without hanging or running out of memory.
good "$TMP/runs4/ok"
mkdir -p "$TMP/site4"
echo mine >"$TMP/site4/notes.txt"
mkfifo "$TMP/site4/.reportgen-site"
run "$TMP/runs4" -o "$TMP/site4"
t_is "FIFO manifest: no hang, refused" "$rc" 1
t_is "FIFO manifest: the user's file is kept" "$(cat "$TMP/site4/notes.txt")" mine
rm "$TMP/site4/.reportgen-site"
ln -s /dev/zero "$TMP/site4/.reportgen-site"
run "$TMP/runs4" -o "$TMP/site4"
t_is "/dev/zero manifest: refused" "$rc" 1
t_is "/dev/zero manifest: the user's file is kept" \
    "$(cat "$TMP/site4/notes.txt")" mine

# Symbolic links: inside RUNS_DIR they are followed, out of it they are
# not, unless --follow-links.
S="$TMP/secret"
mkdir -p "$S"
printf '{"auths": {"registry": {"token": "s3cr3t-out"}}, "lr": "LEAKED"}\n' \
    >"$S/config.json"
good "$S/logs"
R5="$TMP/runs5"
good "$R5/in"
mkdir -p "$R5/out" "$R5/outlog"
cp "$R5/in/metrics.csv" "$R5/out/metrics.csv"
ln -s "$S/config.json" "$R5/out/config.json"
ln -s "$S/logs/metrics.csv" "$R5/outlog/metrics.csv"
mkdir -p "$R5/inlink"
ln -s ../in/metrics.csv "$R5/inlink/metrics.csv"
run "$R5" -o "$TMP/site5"
t_is "links out: exit 0" "$rc" 0
t_nogrep "a config linked from outside is not published" LEAKED \
    "$TMP/site5/runs/out/index.html"
t_grep "a config linked from outside: named" \
    "^reportgen: $R5/out/config.json: a link to a file outside RUNS_DIR, not read (--follow-links reads it)$" \
    "$TMP/err"
t_grep "a log linked from outside: skipped" \
    "^reportgen: $R5/outlog/metrics.csv: a link to a file outside RUNS_DIR, not read (--follow-links reads it)$" \
    "$TMP/err"
t_is "a link inside RUNS_DIR is followed" \
    "$(test -f "$TMP/site5/runs/inlink/index.html" && echo yes)" yes
run --follow-links "$R5" -o "$TMP/site6"
t_is "--follow-links: exit 0" "$rc" 0
t_grep "--follow-links: the outside config is read" LEAKED \
    "$TMP/site6/runs/out/index.html"
t_grep "--follow-links: the outside log is read" '"name": "outlog"' \
    "$TMP/site6/summary.json"
t_nogrep "--follow-links: the outside log is not skipped" 'outside RUNS_DIR' \
    "$TMP/site6/summary.json"

# A RUNS_DIR reached through a link is inside itself.
ln -s "$R5" "$TMP/runs-link"
run "$TMP/runs-link" -o "$TMP/site7"
t_grep "RUNS_DIR through a link: runs inside are read" '"name": "in"' \
    "$TMP/site7/summary.json"

t_done
