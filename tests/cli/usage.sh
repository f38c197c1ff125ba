#!/bin/sh
# Command-line usage: help, version, and every usage error with its exact
# message and exit status 2.
. "$srcdir/tests/lib.sh"
plan 23

rg --help
t_is "--help exits 0" "$rc" 0
t_grep "--help shows the synopsis" '^Usage: reportgen \[OPTION\]... RUNS_DIR -o SITE_DIR' "$TMP/out"
t_grep "--help documents --select" '--select=METRIC:min|max' "$TMP/out"

# Every long option of --help is documented in the man page, where mdoc
# writes --min-improvement as "Fl \-min\-improvement".
missing=
for o in $(grep -o -- '--[a-z][a-z-]*' "$TMP/out" | sort -u); do
    mdoc="Fl $(printf '%s' "${o#-}" | sed 's/-/\\-/g')"
    grep -qF -- "$mdoc" "$srcdir/man/reportgen.1" || missing="$missing $o"
done
t_is "the man page documents every option of --help" "$missing" ""

rg --version
t_is "--version exits 0" "$rc" 0
t_grep "--version prints the version" '^reportgen [0-9]' "$TMP/out"

rg
t_is "no arguments: exit 2" "$rc" 2
printf '%s\n' "reportgen: missing RUNS_DIR" "reportgen: missing -o SITE_DIR" \
    "Try 'reportgen --help' for more information." >"$TMP/want"
t_cmp "no arguments: every problem is reported" "$TMP/want" "$TMP/err"

rg "$srcdir/sample_runs"
t_is "missing -o: exit 2" "$rc" 2
t_grep "missing -o: message" '^reportgen: missing -o SITE_DIR$' "$TMP/err"

rg --bogus "$srcdir/sample_runs" -o "$TMP/site"
t_is "unknown long option: exit 2" "$rc" 2
t_grep "unknown long option: message" "^reportgen: unknown option '--bogus'$" "$TMP/err"

rg -x "$srcdir/sample_runs" -o "$TMP/site"
t_grep "unknown short option: message" "^reportgen: unknown option '-x'$" "$TMP/err"

rg --select val_loss "$srcdir/sample_runs" -o "$TMP/site"
t_is "bad --select: exit 2" "$rc" 2
t_grep "bad --select: message" "^reportgen: bad --select 'val_loss': expected METRIC:min or METRIC:max$" "$TMP/err"
t_is "usage errors write no site" "$(test -e "$TMP/site" && echo yes || echo no)" no

rg --threshold bogus=1 "$srcdir/sample_runs" -o "$TMP/site"
t_is "unknown threshold: exit 2" "$rc" 2
t_grep "unknown threshold: message" "^reportgen: bad --threshold 'bogus=1': unknown diagnosis threshold 'bogus'$" "$TMP/err"

rg "$srcdir/sample_runs" extra -o "$TMP/site"
t_grep "extra argument: message" "^reportgen: unexpected argument 'extra'$" "$TMP/err"

# An empty baseline names no run: refused here as in reportgen.yaml.
rg --baseline '' "$srcdir/sample_runs" -o "$TMP/site"
t_is "empty --baseline: exit 2" "$rc" 2
t_grep "empty --baseline: message" "^reportgen: bad --baseline '': expected a run name$" "$TMP/err"

rg "$TMP/does-not-exist" -o "$TMP/site"
t_is "missing RUNS_DIR folder: exit 1" "$rc" 1
t_grep "missing RUNS_DIR folder: message" "^reportgen: $TMP/does-not-exist: cannot read: No such file or directory$" "$TMP/err"

t_done
