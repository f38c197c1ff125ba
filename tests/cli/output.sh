#!/bin/sh
# Where and how the report is written: every collision found before
# anything moves, spellings of SITE_DIR that name one folder, symbolic
# links written through, modes, two writers at once, --single-file on
# special paths, and -o given empty or below missing folders.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/site-lib.sh"

plan 57

W=$TMP/w
# setup: an old site of runs r1, gone, with the user's files; runs r1, r2.
setup() {
    rm -rf "$W"
    mkdir -p "$W"
    mk_runs "$W/runs" r1 gone
    $RG -q "$W/runs" -o "$W/site"
    add_user_files "$W/site"
    mk_runs "$W/runs" r1 r2
}

# A file of the user's where the new report writes a page: nothing moves.
setup
mkdir -p "$W/site/runs/r2"
echo mine >"$W/site/runs/r2/index.html"
cp "$W/site/index.html" "$TMP/old-index"
rg -q "$W/runs" -o "$W/site"
t_is "collision: exit 1" "$rc" 1
t_grep "collision: message" "^reportgen: $W/site/runs/r2/index.html: a file of yours is where the new report writes 'runs/r2/index.html'; move it and run again$" "$TMP/err"
t_user_files "collision: the user's files are in place" "$W/site"
t_is "collision: the user's page is in place" \
    "$(cat "$W/site/runs/r2/index.html")" mine
t_cmp "collision: the old site is untouched" "$TMP/old-index" \
    "$W/site/index.html"
t_no_debris "collision: nothing is left beside the site" "$W" \
    runs site .site.reportgen-lock

# A folder of the user's where the new report writes a file.
setup
rm "$W/site/summary.md"
mkdir "$W/site/summary.md"
echo x >"$W/site/summary.md/mine"
rg -q "$W/runs" -o "$W/site"
t_is "folder collision: exit 1" "$rc" 1
t_grep "folder collision: message" "summary.md: a folder of yours is where the new report writes 'summary.md'" "$TMP/err"
t_is "folder collision: the user's file is in place" \
    "$(cat "$W/site/summary.md/mine")" x

# Spellings of one folder.
for spelling in site/. ./site/ site//; do
    setup
    rg -q "$W/runs" -o "$(cd "$W" && pwd)/$spelling"
    t_is "-o $spelling: exit 0" "$rc" 0
    t_user_files "-o $spelling: the user's files are in place" "$W/site"
    t_no_debris "-o $spelling: nothing is left beside the site" "$W" \
        runs site .site.reportgen-lock
done

# -o a symbolic link: written through, the link stays a link.
setup
mkdir "$W/pub"
mv "$W/site" "$W/pub/site"
ln -s pub/site "$W/link"
rg -q "$W/runs" -o "$W/link"
t_is "-o a link: exit 0" "$rc" 0
t_is "-o a link: the link stays a link" \
    "$(test -L "$W/link" && echo link || echo no)" link
t_user_files "-o a link: the user's files are in place" "$W/pub/site"
t_grep "-o a link: the target has the new report" "runs/r2/index.html" \
    "$W/pub/site/.reportgen-site"
t_no_debris "-o a link: the swap is beside the target" "$W/pub" \
    site .site.reportgen-lock

# Modes: what mkdir gives under the umask; an old site's mode is kept.
rm -rf "$W" && mkdir -p "$W" && mk_runs "$W/runs" r1
(umask 027 && $RG -q "$W/runs" -o "$W/site")
t_is "a new site has the umask's mode" "$(stat -c %a "$W/site")" 750
chmod 711 "$W/site"
(umask 077 && $RG -q "$W/runs" -o "$W/site")
t_is "a rewrite keeps the site's mode" "$(stat -c %a "$W/site")" 711

# A read-only site folder: either rewritten with its mode kept (when the
# user may write anyway, as root) or refused; never a file lost.
setup
chmod 555 "$W/site"
rg -q "$W/runs" -o "$W/site"
chmod 755 "$W/site"
case $rc in
0) t_ok "read-only site: rewritten" ;;
1) t_grep "read-only site: refused" "cannot move it into the new site" \
    "$TMP/err" ;;
*) t_not_ok "read-only site: exit $rc" ;;
esac
t_user_files "read-only site: the user's files are in place" "$W/site"
t_no_debris "read-only site: nothing is left beside the site" "$W" \
    runs site .site.reportgen-lock

# Two writers at once, several rounds: both finish, nothing lost.
setup
round=0
bad=
while [ $round -lt 5 ]; do
    round=$((round + 1))
    r1=0 r2=0
    $RG -q "$W/runs" -o "$W/site" 2>"$TMP/e1" &
    p1=$!
    $RG -q "$W/runs" -o "$W/site/." 2>"$TMP/e2" &
    p2=$!
    wait $p1 || r1=$?
    wait $p2 || r2=$?
    [ "$r1$r2" = 00 ] || bad="$bad round $round: exit $r1 $r2;"
done
t_is "two writers: every run exits 0" "$bad" ""
t_user_files "two writers: the user's files are in place" "$W/site"
t_no_debris "two writers: nothing is left beside the site" "$W" \
    runs site .site.reportgen-lock

# --single-file: refused on anything but a regular file; written through
# a link; inside the site on the first run.
rm -rf "$W" && mkdir -p "$W" && mk_runs "$W/runs" r1
mkfifo "$W/fifo.html"
rg -q "$W/runs" --single-file "$W/fifo.html"
t_is "--single-file a FIFO: exit 1" "$rc" 1
t_grep "--single-file a FIFO: message" "^reportgen: $W/fifo.html: exists and is not a regular file; refusing to replace it$" "$TMP/err"
t_is "--single-file a FIFO: still a FIFO" \
    "$(test -p "$W/fifo.html" && echo fifo || echo no)" fifo
mkdir "$W/dir.html"
rg -q "$W/runs" --single-file "$W/dir.html"
t_is "--single-file a folder: exit 1" "$rc" 1
echo old >"$W/real.html"
chmod 640 "$W/real.html"
ln -s real.html "$W/link.html"
rg -q "$W/runs" --single-file "$W/link.html"
t_is "--single-file a link: exit 0" "$rc" 0
t_is "--single-file a link: the link stays a link" \
    "$(test -L "$W/link.html" && echo link || echo no)" link
t_grep "--single-file a link: the target has the report" '<!DOCTYPE html>' \
    "$W/real.html"
t_is "--single-file keeps the file's mode" "$(stat -c %a "$W/real.html")" 640
ln -s new.html "$W/dangling.html"
rg -q "$W/runs" --single-file "$W/dangling.html"
t_grep "--single-file a dangling link: creates the target" '<!DOCTYPE html>' \
    "$W/new.html"
t_no_debris "--single-file: nothing else is written" "$W" \
    runs fifo.html dir.html real.html link.html dangling.html new.html

rm -rf "$W" && mkdir -p "$W" && mk_runs "$W/runs" r1
rg -q "$W/runs" -o "$W/site" --single-file "$W/site/report.html"
t_is "--single-file in the site, first run: exit 0" "$rc" 0
t_grep "--single-file in the site, first run: written" '<!DOCTYPE html>' \
    "$W/site/report.html"
t_grep "--single-file in the site: in the manifest" '^report.html$' \
    "$W/site/.reportgen-site"
# An older site that did not list it: replaced, as asked, not a collision.
grep -v '^report.html$' "$W/site/.reportgen-site" >"$TMP/m"
cp "$TMP/m" "$W/site/.reportgen-site"
rg -q "$W/runs" -o "$W/site" --single-file "$W/site/report.html"
t_is "--single-file in an older site: exit 0" "$rc" 0
t_no_debris "--single-file in the site: nothing is left beside the site" \
    "$W" runs site .site.reportgen-lock

# What an older reportgen left when killed: its new site holding the
# user's file, an empty folder, a partial site; a folder of that name
# holding something else stays.
setup
mv "$W/site/aaa-notes.txt" "$TMP/notes"
mkdir -p "$W/.site.tmp-AAAAAA" "$W/.site.old-BBBBBB" \
    "$W/.site.tmp-CCCCCC/runs/x" "$W/.site.tmp-DDDDDD"
cp "$W/site/.reportgen-site" "$W/site/index.html" "$W/.site.tmp-AAAAAA/"
mv "$TMP/notes" "$W/.site.tmp-AAAAAA/aaa-notes.txt"
echo '<html>' >"$W/.site.tmp-CCCCCC/runs/x/index.html"
echo mine >"$W/.site.tmp-DDDDDD/thesis.tex"
rg "$W/runs" -o "$W/site"
t_is "older debris: exit 0" "$rc" 0
t_user_files "older debris: the user's file is back in place" "$W/site"
t_no_debris "older debris: removed, but for a folder not of pages" "$W" \
    runs site .site.reportgen-lock .site.tmp-DDDDDD
t_grep "older debris: the folder left is named" "\.site\.tmp-DDDDDD: left by an older reportgen and not removed" "$TMP/err"

# -o "": a usage error before any work.
rg "$W/runs" -o ""
t_is "-o '': exit 2" "$rc" 2
t_grep "-o '': message" "^reportgen: bad --output '': expected a folder name$" "$TMP/err"
rg "$W/runs" --single-file ""
t_is "--single-file '': exit 2" "$rc" 2

# -o below folders that do not exist yet: made as mkdir -p would.
rg -q "$W/runs" -o "$W/new/parent/site"
t_is "missing parents: exit 0" "$rc" 0
t_is "missing parents: the site is written" \
    "$(test -f "$W/new/parent/site/index.html" && echo yes || echo no)" yes
echo x >"$W/afile"
rg -q "$W/runs" -o "$W/afile/site"
t_is "a file in the way of a parent: exit 1" "$rc" 1
t_grep "a file in the way of a parent: names it" "^reportgen: $W/afile: is not a folder$" "$TMP/err"

t_done
