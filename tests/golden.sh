#!/bin/sh
# Golden tests, after plotutils' .test/.xout: render each case and compare
# the whole site and stderr with the committed expected files (but for
# the site's cache, .reportgen-cache, which holds a hash of the binary).
#
# A case is a folder tests/golden/NAME/ holding `args` (reportgen's
# arguments, run from the top of the source tree, without -o), `stderr`
# (what reportgen must print) and `expected/` (the site). To refresh the
# expected files after an intended change, run tests/update-golden and
# review the diff before committing it.
. "$srcdir/tests/lib.sh"

cases=$(cd "$srcdir/tests/golden" && ls)
plan "$(($(echo "$cases" | wc -w) * 3))"
for c in $cases; do
    dir="$srcdir/tests/golden/$c"
    # shellcheck disable=SC2046
    (cd "$srcdir" && $RG $(cat "tests/golden/$c/args") -o "$TMP/$c") \
        >"$TMP/$c.out" 2>"$TMP/$c.err" && rc=0 || rc=$?
    t_is "$c: exit status" "$rc" "$(cat "$dir/status")"
    t_cmp "$c: stderr" "$dir/stderr" "$TMP/$c.err"
    # The site's cache (cache.h) holds a hash of the binary: left out.
    if diff -r -x .reportgen-cache "$dir/expected" "$TMP/$c" \
        >"$TMP/$c.diff" 2>&1; then
        t_ok "$c: site matches expected/"
    else
        t_not_ok "$c: site matches expected/ (run tests/update-golden)"
        head -40 "$TMP/$c.diff" | sed 's/^/# /'
    fi
done
t_done
