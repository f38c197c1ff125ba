#!/usr/bin/env python3
"""tests/browser-check.py - look at the report in a real browser.

Renders a report with the reportgen binary given, then loads its pages in
headless Chromium at a desktop size (1280x800) and a phone size (390x844)
and fails when a page

  - is wider than the window (horizontal overflow of the page, or of a
    scrolling box inside it: a table a reader would have to scroll),
  - links to a file or an anchor that does not exist, or shows an image
    that did not load,
  - logs a console error or throws (a resource that failed to load is one),
  - (at 1280 px) sets visible text, chart labels included, below 11 px,
  - (at 1280 px) has a sortable leaderboard that a click on a header
    does not sort by that column (up, then down);
  - has charts per setting not shown at 1280 px, or not folded at 390 px;
  - (at 390 px) has a card (a table row on a phone) with a cell squeezed
    into less than 60% of the card's width;
  - (at 1280 px) has a compact chart (one-file report) whose middle is not
    a hover target titled with a value.

It talks to Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4), so it needs
nothing but python3's standard library. Every wait has a timeout, and the
whole check is killed after --timeout seconds, so it cannot hang CI. It
runs as root in CI, hence --no-sandbox.

Screenshots of the named pages (index, a run page, the comparison, the
one-file report) at both sizes are kept in OUT/shots/ for review.

Usage: browser-check.py --reportgen BIN --out DIR [--chromium PATH]
                        [--timeout SECONDS] RUNS_DIR [REPORTGEN_ARGS...]
Prints one TAP-like line per check and ends with "N passed, N failed";
exit status 0 only when nothing failed. tests/browser-known lists failures
that are known and not yet fixed (CHECK PAGE SIZE, with shell globs;
CHECK is overflow, links, console or font): they are reported as TODO and
do not fail the check.
"""

import argparse
import base64
import fnmatch
import html.parser
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

SIZES = [(1280, 800), (390, 844)]
MIN_FONT_PX = 11.0
# A full-page screenshot is cut at this height to keep the files small.
SHOT_MAX_HEIGHT = 6000

# Runs in the page after load; returns what the checks need as JSON.
PAGE_SCRIPT = r"""
(() => {
  const vw = document.documentElement.clientWidth;
  const out = {vw: vw, docWidth: document.documentElement.scrollWidth,
               bodyWidth: document.body ? document.body.scrollWidth : 0,
               wide: [], scrollers: [], images: [], links: [], ids: [],
               small: [], height: document.documentElement.scrollHeight};
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4;
         e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += '#' + e.id;
      else if (e.classList && e.classList.length)
        s += '.' + Array.from(e.classList).join('.');
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const visible = (el) => {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const closedDetails = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement)
      if (e.tagName === 'DETAILS' && !e.open) return true;
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && out.wide.length < 8)
      out.wide.push(path(el) + ' right=' + Math.round(r.right));
    const st = getComputedStyle(el);
    if ((st.overflowX === 'auto' || st.overflowX === 'scroll') &&
        el.scrollWidth > el.clientWidth + 1 && out.scrollers.length < 8)
      out.scrollers.push(path(el) + ' ' + el.scrollWidth + '>' +
                         el.clientWidth);
  }
  for (const img of document.images)
    out.images.push({src: img.getAttribute('src') || '',
                     ok: img.complete && img.naturalWidth > 0});
  for (const a of document.querySelectorAll('a[href]'))
    out.links.push(a.getAttribute('href'));
  for (const e of document.querySelectorAll('[id]')) out.ids.push(e.id);
  for (const e of document.querySelectorAll('a[name]')) out.ids.push(e.name);
  // Rendered size of text: HTML text by computed font size, SVG text by
  // its font size times the scale the SVG is drawn at.
  const walker = document.createTreeWalker(document.body,
                                           NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.nodeValue.trim()) continue;
    seen.add(el);
    if (el.closest('title, desc, style, script') || closedDetails(el) ||
        !visible(el)) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      if (m) px *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    if (px < %MIN% - 0.05 && out.small.length < 8)
      out.small.push(path(el) + ' "' + n.nodeValue.trim().slice(0, 30) +
                     '" ' + px.toFixed(1) + 'px');
  }
  // SVG files shown through <img> cannot be looked into; say so.
  return JSON.stringify(out);
})()
""".replace("%MIN%", str(MIN_FONT_PX))


class CDPError(Exception):
    pass


class Browser:
    """Chromium driven over --remote-debugging-pipe."""

    def __init__(self, chromium, profile, timeout):
        self.timeout = timeout
        self.next_id = 0
        self.buf = b""
        self.events = []
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():
            # The protocol pipe is fds 3 (commands in) and 4 (replies out).
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [chromium, "--headless", "--no-sandbox",
                "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-sync", "--disable-component-update",
                "--mute-audio", "--hide-scrollbars",
                "--allow-file-access-from-files", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(profile,
                                                              "stderr"), "w"),
                                     preexec_fn=wire, pass_fds=(3, 4),
                                     start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for the browser")
            r, _, _ = select.select([self.from_child], [], [], left)
            if not r:
                continue
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise CDPError("the browser closed the pipe (crashed?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=None):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.to_child, data)
            data = data[n:]
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise CDPError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, session, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append(m)

    def drain(self, session):
        """Events of SESSION received so far (removed from the queue)."""
        mine = [e for e in self.events if e.get("sessionId") == session]
        self.events = [e for e in self.events if e.get("sessionId") != session]
        return mine


class Ids(html.parser.HTMLParser):
    """Collects the anchors (id= and <a name=>) of an HTML file."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id" or (tag == "a" and k == "name"):
                self.ids.add(v)


_ids_cache = {}


def ids_of(path):
    if path not in _ids_cache:
        p = Ids()
        with open(path, encoding="utf-8", errors="replace") as f:
            p.feed(f.read())
        _ids_cache[path] = p.ids
    return _ids_cache[path]


def broken_links(page_path, links, page_ids):
    """Links of a page (file:// report) whose file or anchor is missing."""
    bad = []
    base = os.path.dirname(page_path)
    for href in links:
        u = urllib.parse.urlsplit(href)
        if u.scheme in ("http", "https", "mailto"):
            continue  # not checked: the check runs offline
        if u.scheme and u.scheme != "file":
            bad.append(href + " (scheme)")
            continue
        path = urllib.parse.unquote(u.path)
        if u.scheme == "file":
            target = path
        elif path == "":
            target = page_path
        else:
            target = os.path.normpath(os.path.join(base, path))
        if os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not os.path.isfile(target):
            bad.append(href + " (no such file)")
            continue
        frag = urllib.parse.unquote(u.fragment)
        if frag:
            ids = page_ids if target == page_path else (
                ids_of(target) if target.endswith(".html") else set())
            if frag not in ids:
                bad.append(href + " (no such anchor)")
    return bad


def read_known(path):
    """The known failures: lines of CHECK PAGE-GLOB SIZE, # comments."""
    known = []
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if line:
                    known.append(tuple(line))
    except OSError:
        pass
    return known


class Report:
    def __init__(self, known):
        self.n = 0
        self.failed = 0
        self.todo = 0
        self.known = known

    def is_known(self, key):
        return any(len(k) == 3 and k[0] == key[0] and
                   fnmatch.fnmatchcase(key[1], k[1]) and
                   fnmatch.fnmatchcase(key[2], k[2]) for k in self.known)

    def ok(self, good, name, detail=(), key=None):
        """One result; KEY (check, page, size) may be a known failure."""
        self.n += 1
        known = key is not None and self.is_known(key)
        if good:
            print("ok %d - %s%s" % (self.n, name,
                                    " # known failure passes now: "
                                    "remove it from the list" if known
                                    else ""))
        elif known:
            self.todo += 1
            print("not ok %d - %s # TODO known failure" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
        if not good:
            for d in detail:
                print("#   " + d)
        sys.stdout.flush()


# Clicks the header of the comparison's leaderboard twice: the first
# column of a varying setting (else Best), then reads that column back.
SORT_SCRIPT = r"""
(() => {
  const t = document.querySelector('table.sortable');
  if (!t) return JSON.stringify({none: true});
  const heads = Array.from(t.tHead.rows[0].cells);
  let col = heads.findIndex(h => h.classList.contains('hp'));
  if (col < 0) col = 3;
  const b = heads[col].querySelector('button.sort');
  if (!b) return JSON.stringify({error: 'no sort button in the header'});
  const vals = () => Array.from(t.tBodies[0].rows).map(r => {
    const c = r.cells[col], v = c.getAttribute('data-sort');
    return (v === null ? c.textContent : v).trim();
  });
  const before = vals();
  b.click();
  const up = vals();
  b.click();
  const down = vals();
  return JSON.stringify({before, up, down,
                         label: heads[col].textContent.trim()});
})()
"""


# The charts per setting: shown on a wide screen, folded under a summary
# on a narrow one.
FOLD_SCRIPT = r"""
(() => {
  const d = document.querySelector('details.fold-narrow');
  if (!d) return JSON.stringify({none: true});
  const svg = d.querySelector('svg, img');
  const s = d.querySelector('summary');
  const shown = e => e && e.checkVisibility() ?
    e.getBoundingClientRect().height : 0;
  return JSON.stringify({chart: shown(svg), summary: shown(s)});
})()
"""


def check_fold(br, rep, sess, name, width):
    res = br.send("Runtime.evaluate",
                  {"expression": FOLD_SCRIPT, "returnByValue": True},
                  session=sess)
    got = json.loads(res["result"]["value"])
    if got.get("none"):
        return
    if width >= 1280:
        rep.ok(got["chart"] > 50 and got["summary"] == 0,
               "%s: the charts per setting are shown" % name,
               ["chart %.0f px high, summary %.0f px" %
                (got["chart"], got["summary"])])
    else:
        rep.ok(got["chart"] == 0 and got["summary"] > 0,
               "%s: the charts per setting are folded" % name,
               ["chart %.0f px high, summary %.0f px" %
                (got["chart"], got["summary"])])


# On a phone each row of a .cards table is a card: every cell that shows
# something spans most of the card, none is squeezed into a column.
CARDS_SCRIPT = r"""
(() => {
  const narrow = [];
  for (const td of document.querySelectorAll('table.cards td')) {
    const tr = td.closest('tr');
    if (!td.textContent.trim() || !td.checkVisibility()) continue;
    const w = td.getBoundingClientRect().width;
    const rw = tr.getBoundingClientRect().width;
    if (rw > 0 && w < 0.6 * rw && narrow.length < 5)
      narrow.push((td.getAttribute('data-label') || td.className) + ' ' +
                  Math.round(w) + ' of ' + Math.round(rw) + ' px');
  }
  return JSON.stringify(narrow);
})()
"""


def check_cards(br, rep, sess, name):
    res = br.send("Runtime.evaluate",
                  {"expression": CARDS_SCRIPT, "returnByValue": True},
                  session=sess)
    narrow = json.loads(res["result"]["value"])
    rep.ok(not narrow, "%s: card cells span their card" % name, narrow)


# Values on hover with no script: the middle of the first compact chart
# (the one-file report's) is a hover target whose title is a value.
HOVER_SCRIPT = r"""
(() => {
  const svg = document.querySelector('svg.rg-mini');
  if (!svg) return JSON.stringify({none: true});
  svg.scrollIntoView({block: 'center'});
  const r = svg.getBoundingClientRect();
  const e = document.elementFromPoint(r.left + r.width / 2,
                                      r.top + r.height / 2);
  const t = e && e.querySelector('title');
  return JSON.stringify({cls: e ? e.getAttribute('class') : null,
                         title: t ? t.textContent : null});
})()
"""


def check_hover(br, rep, sess, name):
    res = br.send("Runtime.evaluate",
                  {"expression": HOVER_SCRIPT, "returnByValue": True},
                  session=sess)
    got = json.loads(res["result"]["value"])
    if got.get("none"):
        return
    rep.ok(got["cls"] == "hit" and bool(got["title"]) and
           any(ch.isdigit() for ch in got["title"]),
           "%s: a compact chart shows a value on hover" % name,
           ["under the pointer: %s, title %r" % (got["cls"], got["title"])])


def sorted_as(vals, desc):
    """Whether vals is in order (numbers as numbers), empty ones last."""
    full = [v for v in vals if v != ""]
    if vals[:len(full)] != full:
        return False
    try:
        keys = [float(v) for v in full]
    except ValueError:
        keys = full
    return keys == sorted(keys, reverse=desc)


def check_sort(br, rep, sess, name):
    res = br.send("Runtime.evaluate",
                  {"expression": SORT_SCRIPT, "returnByValue": True},
                  session=sess)
    if "exceptionDetails" in res:
        rep.ok(False, "%s: the leaderboard sorts" % name,
               [str(res["exceptionDetails"])[:300]])
        return
    got = json.loads(res["result"]["value"])
    if got.get("none"):
        return
    if "error" in got:
        rep.ok(False, "%s: the leaderboard sorts" % name, [got["error"]])
        return
    good = (sorted(got["up"]) == sorted(got["before"]) and
            sorted_as(got["up"], False) and sorted_as(got["down"], True))
    rep.ok(good, "%s: the leaderboard sorts by %s" % (name, got["label"]),
           ["ascending: " + " ".join(got["up"][:12]),
            "descending: " + " ".join(got["down"][:12])])


def check_page(br, rep, path, label, shots, width, height):
    url = "file://" + urllib.parse.quote(os.path.abspath(path))
    tgt = br.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    sess = br.send("Target.attachToTarget",
                   {"targetId": tgt, "flatten": True})["sessionId"]
    try:
        for dom in ("Page", "Runtime", "Log", "Network"):
            br.send(dom + ".enable", session=sess)
        br.send("Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1,
                 "mobile": width < 600}, session=sess)
        br.drain(sess)
        br.send("Page.navigate", {"url": url}, session=sess)
        br.wait_event("Page.loadEventFired", sess)
        # Let late console messages and image decodes arrive.
        br.send("Runtime.evaluate",
                {"expression": "new Promise(r => setTimeout(r, 100))",
                 "awaitPromise": True}, session=sess)
        res = br.send("Runtime.evaluate",
                      {"expression": PAGE_SCRIPT, "returnByValue": True},
                      session=sess)
        if "exceptionDetails" in res:
            raise CDPError("page script: %s" % res["exceptionDetails"])
        info = json.loads(res["result"]["value"])
        errors = []
        for e in br.drain(sess):
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                errors.append("exception: " + d.get("exception", {}).get(
                    "description", d.get("text", "")))
            elif m == "Runtime.consoleAPICalled" and p["type"] in (
                    "error", "assert"):
                errors.append("console.%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", "")))
                    for a in p.get("args", []))))
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                errors.append("%s: %s %s" % (p["entry"]["source"],
                                             p["entry"]["text"],
                                             p["entry"].get("url", "")))
            elif m == "Network.loadingFailed" and not p.get("canceled"):
                errors.append("load failed: %s" % p.get("errorText"))
        size = "%dx%d" % (width, height)
        name = "%s %s" % (label, size)
        over = info["docWidth"] > info["vw"] + 1
        rep.ok(not over and not info["scrollers"],
               "%s: no horizontal overflow" % name,
               key=("overflow", label, size), detail=(["page is %d px wide in a %d px window" %
                 (info["docWidth"], info["vw"])] if over else []) +
               ["past the right edge: " + w for w in
                (info["wide"] if over else [])] +
               ["scrolls sideways: " + s for s in info["scrollers"]])
        bad_img = [i["src"][:120] for i in info["images"] if not i["ok"]]
        bad_links = broken_links(os.path.abspath(path), info["links"],
                                 set(info["ids"]))
        rep.ok(not bad_img and not bad_links,
               "%s: links and images resolve" % name,
               key=("links", label, size), detail=["image not shown: " + s for s in bad_img] +
               ["broken link: " + s for s in bad_links[:10]])
        rep.ok(not errors, "%s: no console error" % name, errors[:10],
               key=("console", label, size))
        if width >= 1280:
            rep.ok(not info["small"],
                   "%s: text at least %g px" % (name, MIN_FONT_PX),
                   info["small"], key=("font", label, size))
        if shots:
            # What a reader sees first, then the whole page (cut at
            # SHOT_MAX_HEIGHT).
            first = br.send("Page.captureScreenshot", {"format": "png"},
                            session=sess)
            h = min(max(info["height"], height), SHOT_MAX_HEIGHT)
            full = br.send("Page.captureScreenshot",
                           {"format": "png", "captureBeyondViewport": True,
                            "clip": {"x": 0, "y": 0, "width": width,
                                     "height": h, "scale": 1}},
                           session=sess)
            shots_taken = [("", first), ("-full", full)]
            # The whole page again in dark mode and as printed.
            if width >= 1280:
                for suffix, media in (("-dark", {"features": [
                        {"name": "prefers-color-scheme", "value": "dark"}]}),
                        ("-print", {"media": "print"})):
                    br.send("Emulation.setEmulatedMedia", media, session=sess)
                    shots_taken.append((suffix, br.send(
                        "Page.captureScreenshot",
                        {"format": "png", "captureBeyondViewport": True,
                         "clip": {"x": 0, "y": 0, "width": width,
                                  "height": h, "scale": 1}},
                        session=sess)))
                br.send("Emulation.setEmulatedMedia", {"media": "",
                        "features": []}, session=sess)
            for suffix, shot in shots_taken:
                fn = os.path.join(shots, "%s-%s%s.png" % (label, size, suffix))
                with open(fn, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
        check_fold(br, rep, sess, name, width)
        if width < 600:
            check_cards(br, rep, sess, name)
        if width >= 1280:
            check_hover(br, rep, sess, name)
            check_sort(br, rep, sess, name)
    finally:
        br.send("Target.closeTarget", {"targetId": tgt})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reportgen", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=None)
    ap.add_argument("--timeout", type=int, default=900,
                    help="kill the whole check after this many seconds")
    ap.add_argument("--all-runs", action="store_true",
                    help="check every run page, not only the first")
    ap.add_argument("--known", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "browser-known"),
        help="file of known failures (default: tests/browser-known)")
    ap.add_argument("runs")
    ap.add_argument("rgargs", nargs=argparse.REMAINDER)
    a = ap.parse_args()

    chromium = a.chromium or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not chromium:
        print("browser-check: no chromium (Debian package chromium)")
        return 1
    out = os.path.abspath(a.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "shots"))
    site = os.path.join(out, "site")
    single = os.path.join(out, "single.html")
    r = subprocess.run([a.reportgen, a.runs, "-o", site, "--single-file",
                        single] + a.rgargs, stderr=subprocess.PIPE,
                       timeout=300)
    if r.returncode not in (0, 3):
        print("browser-check: reportgen failed (%d):" % r.returncode)
        print(r.stderr.decode(errors="replace"))
        return 1

    # The named pages, then (with --all-runs) every run page.
    run_pages = sorted(
        os.path.join(dp, "index.html") for dp, _, fs in
        os.walk(os.path.join(site, "runs")) if "index.html" in fs)
    pages = [(os.path.join(site, "index.html"), "index", True),
             (os.path.join(site, "compare.html"), "compare", True),
             (single, "single", True)]
    # The run page shown is the baseline's when there is one, else the
    # first: the page most readers open first.
    try:
        with open(os.path.join(site, "summary.json")) as f:
            summ = json.load(f)
        base = summ.get("baseline")
    except (OSError, ValueError):
        base = None
    shown = run_pages[0] if run_pages else None
    for p in run_pages:
        if base and os.path.basename(os.path.dirname(p)) == \
                base.replace("/", "~2F"):
            shown = p
    if shown:
        pages.insert(1, (shown, "run", True))
    if a.all_runs:
        pages += [(p, "runs/" + os.path.basename(os.path.dirname(p)), False)
                  for p in run_pages if p != shown]

    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(
        CDPError("browser-check: over %d s, giving up" % a.timeout)))
    signal.alarm(a.timeout)
    rep = Report(read_known(a.known))
    profile = tempfile.mkdtemp(prefix="browser-check.")
    br = None
    try:
        br = Browser(chromium, profile, timeout=120)
        br.send("Browser.getVersion")
        for path, label, shot in pages:
            for w, h in SIZES:
                check_page(br, rep, path, label,
                           os.path.join(out, "shots") if shot else None, w, h)
    except (CDPError, OSError, ValueError) as e:
        rep.ok(False, "browser ran", [str(e)])
        try:
            with open(os.path.join(profile, "stderr")) as f:
                for line in f.read().splitlines()[-10:]:
                    print("#   chromium: " + line)
        except OSError:
            pass
    finally:
        signal.alarm(0)
        if br:
            br.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("screenshots: %s" % os.path.join(out, "shots"))
    print("%d passed, %d failed, %d known failures" %
          (rep.n - rep.failed - rep.todo, rep.failed, rep.todo))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
