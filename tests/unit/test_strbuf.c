/* test_strbuf.c - the growable buffer's invariants, and the util helpers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"
#include "tap.h"

int main(void)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[FMT_NUM_SIZE], *s;
    double v;

    plan(40);
    ok(sb.buf != NULL && sb.buf[0] == '\0', "empty strbuf is a C string");
    strbuf_addstr(&sb, "abc");
    strbuf_addch(&sb, 'd');
    strbuf_addf(&sb, "-%d-", 42);
    is_str(sb.buf, "abcd-42-", "add, addch, addf");
    is_int((long)sb.len, 8, "len tracks content");
    for (int i = 0; i < 1000; i++)
        strbuf_addstr(&sb, "0123456789");
    is_int((long)sb.len, 10008, "grows past many reallocations");
    ok(sb.buf[sb.len] == '\0', "always NUL-terminated");
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "  \t trim me \r\n");
    strbuf_trim(&sb);
    is_str(sb.buf, "trim me", "trim both ends");
    s = strbuf_detach(&sb, NULL);
    is_str(s, "trim me", "detach hands the content out");
    ok(sb.buf != s && sb.len == 0, "detach leaves the strbuf empty");
    free(s);
    strbuf_release(&sb);

    is_str(fmt_num(buf, sizeof(buf), 0.48), "0.48", "fmt_num plain");
    is_str(fmt_num(buf, sizeof(buf), NAN), "nan", "fmt_num nan");
    is_str(fmt_num(buf, sizeof(buf), -INFINITY), "-inf", "fmt_num -inf");
    is_str(fmt_num(buf, sizeof(buf), -0.0), "0", "fmt_num has no -0");
    is_str(fmt_num(buf, sizeof(buf), 1e-5), "1e-05", "fmt_num small");

    ok(parse_number("1.5e3", &v) == 0 && v == 1500, "parse decimal");
    ok(parse_number("NaN", &v) == 0 && isnan(v), "parse NaN");
    ok(parse_number("-Infinity", &v) == 0 && isinf(v) && v < 0,
       "parse -Infinity");
    ok(parse_number("0x10", &v) == -1, "hex is not a number here");
    ok(parse_number("abc", &v) == -1, "text is not a number");
    ok(parse_number("1.2.3", &v) == -1, "junk after a number");

    s = slugify("sweep1/lr-3e-4");
    is_str(s, "sweep1~2Flr-3e-4", "slug escapes the slash");
    free(s);
    s = slugify("<script>");
    is_str(s, "~3Cscript~3E", "slug escapes markup");
    free(s);
    s = slugify(".hidden");
    is_str(s, "~2Ehidden", "slug never starts with a dot");
    free(s);
    {
        char *a, *b;
        char longname[300];

        memset(longname, 'x', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        a = slugify(longname);
        longname[0] = 'y';
        b = slugify(longname);
        ok(strlen(a) <= 120, "long slug is cut");
        ok(strcmp(a, b) != 0, "cut slugs stay distinct");
        free(a);
        free(b);
    }
    {
        struct strbuf t = STRBUF_INIT;

        /* Text fit to publish: one U+FFFD per bad byte or control. */
        strbuf_add_text(&t, "ok \xc3\xa9\t\n|\x1b[31m|\xff|\xc2\x9b|"
                            "\xed\xa0\x80|\xef\xbf\xbd|\x7f");
        is_str(
            t.buf,
            "ok \xc3\xa9\t\n|\xef\xbf\xbd[31m|\xef\xbf\xbd|\xef\xbf\xbd|"
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd",
            "add_text: controls, bad bytes, C1 and surrogates become U+FFFD");
        strbuf_release(&t);
    }
    {
        /*
         * Long printable runs are taken 8 bytes at a time: every byte
         * value, at every place of a word and either side of one, is
         * still told apart.
         */
        size_t bad = 0;

        for (int b = 1; b < 256; b++) {
            for (size_t k = 0; k < 24; k++) {
                struct strbuf t = STRBUF_INIT, want = STRBUF_INIT;
                char in[25];

                memset(in, 'a', 24);
                in[24] = '\0';
                in[k] = (char)b;
                strbuf_add(&want, in, k);
                if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' ||
                    b == '\r')
                    strbuf_addch(&want, (char)b);
                else
                    strbuf_addstr(&want, "\xef\xbf\xbd");
                strbuf_addstr(&want, in + k + 1);
                strbuf_add_text(&t, in);
                bad += strcmp(t.buf, want.buf) != 0;
                strbuf_release(&t);
                strbuf_release(&want);
            }
        }
        ok(bad == 0, "add_text: each byte at each place of a long run");
    }
    {
        char *r;

        r = strip_root("/home/u/runs", "/home/u/runs/a/m.csv:3: bad");
        is_str(r, "a/m.csv:3: bad", "strip_root: a message's path");
        free(r);
        r = strip_root("runs/", "cannot read 'runs/x' (runs/y) runsz/w");
        is_str(r, "cannot read 'x' (y) runsz/w",
               "strip_root: after a quote or a bracket, whole names only");
        free(r);
        r = strip_root("/", "/a/b and /c");
        is_str(r, "a/b and c", "strip_root: the root folder");
        free(r);
        r = strip_root("/home/u/run", "/home/u/run: no values ('/home/u/run')"
                                      " /home/u/runs /home/u/run");
        is_str(r, ".: no values ('.') /home/u/runs .",
               "strip_root: the root itself is '.'");
        free(r);
        r = strip_root(".", "./a/m.csv, ../b");
        is_str(r, "a/m.csv, ../b", "strip_root: '.'");
        free(r);
    }
    ok(has_isuffix("RUN.CSV", ".csv") && has_isuffix("a.Log", ".log"),
       "has_isuffix ignores case");
    ok(!has_isuffix(".csv", ".csv") && !has_isuffix("csv", ".csv"),
       "has_isuffix wants a name before the suffix");
    {
        /* A folder listing: sorted bytewise, kinds from lstat(). */
        char dir[] = "/tmp/test_strbuf.XXXXXX";
        static const char *const files[] = {"b", "B", ".hid", "a~", "a"};
        struct listing l;
        char *p;
        FILE *f;

        if (!mkdtemp(dir)) {
            printf("Bail out! mkdtemp: %s\n", strerror(errno));
            return 1;
        }
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
            p = xasprintf("%s/%s", dir, files[i]);
            f = fopen(p, "w");
            if (f)
                fclose(f);
            free(p);
        }
        p = xasprintf("%s/sub", dir);
        mkdir(p, 0777);
        free(p);
        p = xasprintf("%s/link", dir);
        if (symlink("sub", p))
            printf("# symlink: %s\n", strerror(errno));
        free(p);

        ok(listing_read(&l, dir, 0) == 0, "listing_read");
        ok(l.n == 7 && !strcmp(l.e[0].name, ".hid") &&
               !strcmp(l.e[1].name, "B") && !strcmp(l.e[2].name, "a") &&
               !strcmp(l.e[3].name, "a~") && !strcmp(l.e[4].name, "b") &&
               !strcmp(l.e[5].name, "link") && !strcmp(l.e[6].name, "sub"),
           "listing: bytewise order, no . or ..");
        ok(l.n == 7 && l.e[2].kind == LISTING_FILE &&
               l.e[5].kind == LISTING_OTHER && l.e[6].kind == LISTING_DIR,
           "listing: a file, a link not followed, a folder");
        listing_release(&l);
        ok(listing_read(&l, dir, LISTING_NO_HIDDEN) == 0 && l.n == 6 &&
               !strcmp(l.e[0].name, "B"),
           "listing: hidden names left out on request");
        listing_release(&l);
        ok(l.n == 0 && l.e == NULL, "listing_release empties it");
        p = xasprintf("%s/none", dir);
        errno = 0;
        ok(listing_read(&l, p, 0) == -1 && errno == ENOENT && l.n == 0 &&
               l.e == NULL,
           "listing: a missing folder is -1 with errno, and empty");
        free(p);
        p = xasprintf("%s/b", dir);
        ok(listing_read(&l, p, 0) == -1 && errno == ENOTDIR,
           "listing: a file is no folder");
        free(p);

        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
            p = xasprintf("%s/%s", dir, files[i]);
            unlink(p);
            free(p);
        }
        p = xasprintf("%s/link", dir);
        unlink(p);
        free(p);
        p = xasprintf("%s/sub", dir);
        rmdir(p);
        free(p);
        rmdir(dir);
    }
    return done();
}
