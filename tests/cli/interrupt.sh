#!/bin/sh
# A run killed at each step of writing and swapping the site: the next run
# puts every file of the user's back, leaves nothing beside the site, and
# writes the complete site. SIGTERM and SIGINT clean up at once. The kills
# come from reportgen's test hook (REPORTGEN_TEST_KILL_AT, see site.c);
# REPORTGEN_TEST_NO_EXCHANGE takes the path of kernels without
# RENAME_EXCHANGE.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/site-lib.sh"

steps="write manifest carry carried exchange cleanup"

# reportgen keeps SIGINT ignored when it starts ignored (as under nohup or
# as a background job of a script), so the SIGINT check runs it with the
# default action restored, whatever the suite was started from.
DFL_INT="perl -e \$SIG{INT}='DEFAULT';exec(@ARGV)or(die)"
plan $((6 * 5 + 7 * 5 + 4 + 4 + 4 + 4 + 3 + 2 * 5))

# setup DIR: an old site of runs r1, gone (with the user's files), the
# runs now r1, r2, and a fresh site of those as a reference.
setup() {
    rm -rf "$1"
    mkdir -p "$1"
    mk_runs "$1/runs" r1 gone
    $RG -q "$1/runs" -o "$1/site"
    add_user_files "$1/site"
    mk_runs "$1/runs" r1 r2
    mkdir "$1/ref"
    $RG -q "$1/runs" -o "$1/ref/site"
}

# rerun_checks LABEL DIR: after a run was killed, run again and check.
rerun_checks() {
    rg -q "$2/runs" -o "$2/site"
    t_is "$1: the next run exits 0" "$rc" 0
    t_user_files "$1: the user's files are back in place" "$2/site"
    t_no_debris "$1: nothing is left beside the site" "$2" \
        runs site ref .site.reportgen-lock
    t_same_site "$1: the site is complete" "$2/site" "$2/ref/site"
}

W=$TMP/w
for nx in "" 1; do
    for step in $steps ${nx:+aside}; do
        label="kill at $step${nx:+ (no exchange)}"
        setup "$W"
        rc=0
        REPORTGEN_TEST_NO_EXCHANGE=$nx REPORTGEN_TEST_KILL_AT=$step \
            $RG -q "$W/runs" -o "$W/site" 2>/dev/null || rc=$?
        if [ "$rc" -eq 137 ]; then
            t_ok "$label: killed"
        else
            t_not_ok "$label: killed (exit $rc)"
        fi
        rerun_checks "$label" "$W"
    done
done

# Killed again while the next run puts the files back.
setup "$W"
REPORTGEN_TEST_KILL_AT=carry $RG -q "$W/runs" -o "$W/site" 2>/dev/null || :
rc=0
REPORTGEN_TEST_KILL_AT=recover $RG -q "$W/runs" -o "$W/site" 2>/dev/null ||
    rc=$?
t_is "kill while recovering: killed" "$rc" 137
rg -q "$W/runs" -o "$W/site"
t_user_files "kill while recovering: the user's files are back in place" \
    "$W/site"
t_no_debris "kill while recovering: nothing is left beside the site" "$W" \
    runs site ref .site.reportgen-lock
t_same_site "kill while recovering: the site is complete" "$W/site" \
    "$W/ref/site"

# SIGTERM while pages are written: the temporary folder goes at once and
# the old site stays as it was.
setup "$W"
cp "$W/site/index.html" "$TMP/old-index"
rc=0
REPORTGEN_TEST_KILL_AT=write:TERM $RG -q "$W/runs" -o "$W/site" 2>/dev/null ||
    rc=$?
t_is "SIGTERM while writing: dies by SIGTERM" "$rc" 143
t_no_debris "SIGTERM while writing: nothing is left beside the site" "$W" \
    runs site ref .site.reportgen-lock
t_user_files "SIGTERM while writing: the user's files are in place" "$W/site"
t_cmp "SIGTERM while writing: the old site is untouched" "$TMP/old-index" \
    "$W/site/index.html"

# SIGINT while the user's files move waits until the swap is done.
setup "$W"
rc=0
REPORTGEN_TEST_KILL_AT=carried:INT $DFL_INT $RG -q "$W/runs" -o "$W/site" \
    2>/dev/null || rc=$?
t_is "SIGINT while files move: dies by SIGINT once they moved" "$rc" 130
t_no_debris "SIGINT while files move: nothing is left beside the site" "$W" \
    runs site ref .site.reportgen-lock
t_user_files "SIGINT while files move: the user's files are in place" \
    "$W/site"
t_same_site "SIGINT while files move: the site is complete" "$W/site" \
    "$W/ref/site"

# setup_same DIR: a site of runs r1 and r2 with the user's files, the same
# runs again, and a fresh site of them as a reference.
setup_same() {
    rm -rf "$1"
    mkdir -p "$1/ref"
    mk_runs "$1/runs" r1 r2
    $RG -q "$1/runs" -o "$1/site"
    add_user_files "$1/site"
    $RG -q "$1/runs" -o "$1/ref/site"
}

# A run folder whose files are all unchanged moves into the new site whole
# (the folder itself, with the user's file in it), not file by file.
setup_same "$W"
before=$(stat -c %i "$W/site/runs/r2" "$W/site/runs/r1")
rg -q "$W/runs" -o "$W/site"
t_is "unchanged run folders: the run exits 0" "$rc" 0
t_is "unchanged run folders: moved whole, not made again" \
    "$(stat -c %i "$W/site/runs/r2" "$W/site/runs/r1")" "$before"
t_user_files "unchanged run folders: the user's files are in place" "$W/site"

# Killed while unchanged run folders move, with and without the exchange:
# the next run moves them back before anything else.
for nx in "" 1; do
    label="kill while run folders move${nx:+ (no exchange)}"
    setup_same "$W"
    rc=0
    REPORTGEN_TEST_NO_EXCHANGE=$nx REPORTGEN_TEST_KILL_AT=move \
        $RG -q "$W/runs" -o "$W/site" 2>/dev/null || rc=$?
    t_is "$label: killed" "$rc" 137
    rerun_checks "$label" "$W"
done

# The first run into an empty folder, killed between its two steps.
rm -rf "$W"
mkdir -p "$W/site" "$W/ref"
mk_runs "$W/runs" r1 r2
$RG -q "$W/runs" -o "$W/ref/site"
rc=0
REPORTGEN_TEST_KILL_AT=aside $RG -q "$W/runs" -o "$W/site" 2>/dev/null ||
    rc=$?
t_is "empty folder, killed while replacing it: killed" "$rc" 137
rg -q "$W/runs" -o "$W/site"
t_is "empty folder, killed while replacing it: the next run exits 0" "$rc" 0
t_no_debris "empty folder, killed while replacing it: nothing is left" "$W" \
    runs site ref .site.reportgen-lock
t_same_site "empty folder, killed while replacing it: the site is complete" \
    "$W/site" "$W/ref/site"

t_done
