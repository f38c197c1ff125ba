#!/usr/bin/env python3
"""Score reportgen's diagnoses and best checkpoints on hand-labelled runs.

Usage: bench/diagnosis.py [OPTIONS] REPORTGEN

Three corpora, each printed with the same measures:

  labelled    tests/labelled/runs: small models trained with one pathology
              induced on purpose (labels.tsv: run, label, expected best).
  real_logs   ../shared/real_logs: real logs, reported all at once with no
              options (labels.tsv: run_dir, label in its own words, curve).
  real_logs2  ../shared/real_logs2: real logs, each reported alone under
              its labelled held-out metric (--select), as
              shared/tools/score-labels.py does (labels.tsv: run_dir,
              select, best, label, also_ok); then all at once with no
              options, to count the runs with a held-out curve that get no
              best checkpoint.

For each corpus: the runs whose advice contradicts their own evidence
(raising the learning rate where a finding saw the loss rise, jump or
diverge, or the gradients spike), the confusion matrix of reportgen's MAIN diagnosis (rows:
the label; columns: what reportgen said), precision and recall per code
(a main diagnosis is right when it is the label or, for real_logs2, one of
also_ok), and how often the best checkpoint agrees with the labelled one.
The corpora are read where they are, never copied. A corpus that is not
there is reported and skipped.

Options:
  --labelled DIR   the labelled runs folder holding runs/ and labels.tsv
                   (default: tests/labelled)
  --real DIR       real_logs (default: ../shared/real_logs)
  --real2 DIR      real_logs2 (default: ../shared/real_logs2)
  --only NAME      only this corpus (labelled, real_logs or real_logs2)
  -v, --verbose    list every disagreement

Standard library only. Not part of `make check`. Exit status: 0 when the
scores were printed, 1 when reportgen failed on a corpus, 2 on a usage
error.
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(TOP, "..", "shared"))

# Diagnosis codes in reportgen's rank order, with short column headers.
CODES = [
    ("non_finite", "nonf"), ("prediction_collapse", "coll"),
    ("metric_shift", "shft"), ("suspected_leakage", "leak"),
    ("bad_init", "init"), ("unstable", "unst"), ("overfitting", "over"),
    ("plateau", "plat"), ("underfitting", "undr"),
    ("still_improving", "stil"), ("need_more_signals", "more"),
    ("healthy", "hlth"),
]
NONE = "(none)"        # read, but no diagnosis (not comparable)
SKIPPED = "(skipped)"  # reportgen refused the run
MISSING = "(missing)"  # reportgen did not list the run
SHORT = dict(CODES + [(NONE, "none"), (SKIPPED, "skip"), (MISSING, "miss")])

# real_logs' hand labels in reportgen's codes: the first code is the one
# the label means (the matrix row), the others also agree.
REAL_AGREE = {
    "healthy": ["healthy"],
    "still-improving": ["still_improving"],
    "plateau": ["plateau"],
    "overfitting": ["overfitting"],
    "not-learning": ["underfitting", "plateau"],
    "nan": ["non_finite"],
    "diverging": ["unstable"],
    "unstable": ["unstable"],
    "broken-validation": ["metric_shift"],
}


def usage(msg):
    sys.stderr.write("diagnosis.py: %s\n" % msg)
    sys.stderr.write("usage: bench/diagnosis.py [--labelled DIR] [--real DIR] "
                     "[--real2 DIR] [--only NAME] [-v] REPORTGEN\n")
    sys.exit(2)


def parse_args(argv):
    opt = {"labelled": os.path.join(TOP, "tests", "labelled"),
           "real": os.path.join(SHARED, "real_logs"),
           "real2": os.path.join(SHARED, "real_logs2"),
           "only": None, "verbose": False, "reportgen": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            sys.exit(0)
        elif a in ("-v", "--verbose"):
            opt["verbose"] = True
        elif a in ("--labelled", "--real", "--real2", "--only"):
            if i + 1 >= len(argv):
                usage("option '%s' needs an argument" % a)
            opt[a[2:]] = argv[i + 1]
            i += 1
        elif a.startswith("-"):
            usage("unknown option '%s'" % a)
        elif opt["reportgen"] is None:
            opt["reportgen"] = a
        else:
            usage("too many arguments")
        i += 1
    if opt["reportgen"] is None:
        usage("missing REPORTGEN (the binary to score)")
    if opt["only"] not in (None, "labelled", "real_logs", "real_logs2"):
        usage("unknown corpus '%s'" % opt["only"])
    opt["reportgen"] = os.path.abspath(opt["reportgen"])
    return opt


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\r\n").split("\t")
        return [dict(zip(head, line.rstrip("\r\n").split("\t")))
                for line in f if line.strip()]


def run_reportgen(rg, args, site):
    """Run rg -q ARGS -o site; the parsed summary.json, or None."""
    p = subprocess.run([rg, "-q"] + args + ["-o", site],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with open(os.path.join(site, "summary.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        if p.returncode != 0:
            sys.stderr.write("diagnosis.py: reportgen exited with %d on %s\n"
                             % (p.returncode, " ".join(args)))
        return None


def entries_by_dir(runs, dirs):
    """Map each labelled folder to the summary entries found under it."""
    by = {}
    for r in runs:
        parts = r.get("name", "").split("/")
        for k in range(len(parts), 0, -1):
            key = "/".join(parts[:k])
            if key in dirs:
                by.setdefault(key, []).append(r)
                break
    return by


def pick(entries):
    """The entry that speaks for a labelled run, and its main diagnosis."""
    if not entries:
        return None, MISSING
    for status in ("ok", "not_comparable"):
        for e in entries:
            if e.get("status") == status:
                d = e.get("diagnoses") or []
                return e, d[0] if d else NONE
    return entries[0], SKIPPED


def best_x(entry):
    b = (entry or {}).get("best")
    return b.get("epoch") if isinstance(b, dict) else None


def same_x(got, wants, tol):
    """Does got equal one of wants ([] or None: no best expected)?"""
    if not wants:
        return got is None
    try:
        return any(abs(float(got) - float(w)) <= tol(float(w))
                   for w in wants)
    except (TypeError, ValueError):
        return False


# Evidence of a rise, a jump or a spike in a run's findings.
RISE = re.compile(r"\b(rose|climbed|jumps|spiked|diverg)", re.I)


def against_evidence(entry):
    """Why entry's advice contradicts its own findings, or None.

    Invariants every run must hold, on every corpus: no advice to raise
    the learning rate when a finding saw the loss rise, jump or diverge
    or the gradients spike (the learning rate may be too high), and none
    when the run is unstable.
    """
    if not entry:
        return None
    action = entry.get("action") or ""
    if "raise the learning rate" not in action:
        return None
    if "unstable" in (entry.get("diagnoses") or []):
        return "advises raising the learning rate on an unstable run"
    for ev in entry.get("evidence") or []:
        if RISE.search(ev):
            return "advises raising the learning rate, yet: " + ev[:120]
        # "train_loss ended at 101% of its start": it rose over the run.
        m = re.search(r"train_loss ended at (\d+)% of its start", ev)
        if m and int(m.group(1)) > 100:
            return "advises raising the learning rate, yet: " + ev[:120]
    return None


def pct(a, b):
    return "%d/%d (%.0f%%)" % (a, b, 100.0 * a / b) if b else "-"


class Score:
    """One corpus's tallies: items are (run, row label, accepted codes,
    main diagnosis, best agrees or None when not scored, detail)."""

    def __init__(self, name):
        self.name = name
        self.items = []
        self.notes = []
        self.against = []

    def add(self, run, label, accepted, got, best_ok, detail="",
            entry=None):
        self.items.append((run, label, accepted, got, best_ok, detail))
        bad = against_evidence(entry)
        if bad:
            self.against.append("%s: %s" % (run, bad))

    def print(self, verbose):
        items = self.items
        rows = []
        for it in items:
            if it[1] not in rows:
                rows.append(it[1])
        order = [c for c, _ in CODES]
        rows.sort(key=lambda l: order.index(l) if l in order else 99)
        used = set(it[3] for it in items)
        cols = [c for c in list(SHORT) if c in used]
        cols += sorted(used - set(cols))
        w = max([len(r) for r in rows] + [6]) + 1
        print("   main diagnosis (columns) against the label (rows)")
        print("   " + " " * w + "".join("%6s" % SHORT.get(c, c[:5])
                                        for c in cols) + "  total")
        for r in rows:
            line = "   %-*s" % (w, r)
            for c in cols:
                n = sum(1 for it in items if it[1] == r and it[3] == c)
                ok = n and any(it[3] in it[2] for it in items
                               if it[1] == r and it[3] == c)
                line += "%5s%s" % (n or ".", "*" if ok else " ")
            print(line + "  %5d" % sum(1 for it in items if it[1] == r))
        print("   (%s; * = accepted)" % ", ".join(
            "%s=%s" % (SHORT.get(c, c[:5]), c) for c in cols))
        print()
        print("   %-20s %-16s %-16s" % ("code", "precision", "recall"))
        for c, _ in CODES:
            said = [it for it in items if it[3] == c]
            lab = [it for it in items if it[1] == c]
            if not said and not lab:
                continue
            print("   %-20s %-16s %-16s" % (
                c, pct(sum(1 for it in said if c in it[2]), len(said)),
                pct(sum(1 for it in lab if it[3] in it[2]), len(lab))))
        ok = sum(1 for it in items if it[3] in it[2])
        scored = [it for it in items if it[4] is not None]
        bok = sum(1 for it in scored if it[4])
        print()
        print("   main diagnosis accepted: %s" % pct(ok, len(items)))
        print("   best checkpoint agrees:  %s" % pct(bok, len(scored)))
        print("   advice against its own evidence: %d run%s" % (
            len(self.against), "" if len(self.against) == 1 else "s"))
        for a in self.against:
            print("     " + a)
        for n in self.notes:
            print("   " + n)
        if verbose:
            for run, label, acc, got, best_ok, detail in items:
                if got in acc and best_ok is not False:
                    continue
                print("   ! %s: %s%s (label %s)%s" % (
                    run, got, "" if best_ok is not False else ", best differs",
                    "/".join(acc) or label, detail and "; " + detail))
        return ok, len(items), bok, len(scored)


def bench_labelled(opt, tmp):
    top = opt["labelled"]
    labels = read_tsv(os.path.join(top, "labels.tsv"))
    summary = run_reportgen(opt["reportgen"], [os.path.join(top, "runs")],
                            os.path.join(tmp, "labelled"))
    if summary is None:
        return None
    by = entries_by_dir(summary.get("runs", []), set(r["run"] for r in labels))
    s = Score("labelled")
    for row in labels:
        entry, got = pick(by.get(row["run"]))
        want = row.get("expected_best_epoch", "-")
        wants = [] if want in ("-", "") else [want]
        b = best_x(entry)
        s.add(row["run"], row["label"], [row["label"]], got,
              same_x(b, wants, lambda w: 0.5), "best %s, expected %s" % (
                  b, want), entry)
    return s


def hand_best(curve):
    """The x of real_logs' hand val_loss minimum, if the curve names it, and
    its unit ("epoch", "step", "iter" or None when the reading names none).
    The minimum is written "min V @ N", "min V @ epoch N", "min V at epoch N"
    or "(min at last epoch N)"."""
    m = re.search(r"val_loss[^;]*?\bmin\b\s*[-+.\deE]*\s*(?:@|at)\s*"
                  r"(?:(epoch|step|iter) )?(\d+(?:\.\d+)?)\b", curve)
    if m:
        return m.group(2), m.group(1)
    m = re.search(r"val_loss[^;]*?\(min at last (epoch|row) (\d+)\)", curve)
    return (m.group(2), None) if m else (None, None)


def bench_real(opt, tmp):
    corpus = opt["real"]
    labels = read_tsv(os.path.join(corpus, "labels.tsv"))
    summary = run_reportgen(opt["reportgen"], [corpus],
                            os.path.join(tmp, "real"))
    if summary is None:
        return None
    by = entries_by_dir(summary.get("runs", []),
                        set(r["run_dir"] for r in labels))
    s = Score("real_logs")
    nobest = []
    for row in labels:
        codes = REAL_AGREE.get(row["label"])
        entry, got = pick(by.get(row["run_dir"]))
        if codes is None:
            continue
        want, unit = hand_best(row.get("curve", ""))
        b = best_x(entry)
        best = (entry or {}).get("best") or {}
        scored = None
        # A reading in epochs cannot score a best named by its step.
        if (want is not None and best.get("metric") == "val_loss" and
                (unit is None or unit == "iter" or unit == best.get("x"))):
            scored = same_x(b, [want], lambda w: 0.5)
        curve = row.get("curve", "")
        if (entry and not entry.get("best") and "val" in curve and
                not re.search(r"\bno (?:val|eval)", curve)):
            nobest.append(row["run_dir"])
        s.add(row["run_dir"], codes[0], codes, got, scored, "", entry)
    s.notes.append("(best scored where the hand reading names a val_loss "
                   "minimum; labels unclear/negative not scored)")
    s.notes.append("no options: %d labelled runs whose reading mentions a "
                   "held-out curve have no best checkpoint%s" % (
                       len(nobest), (": " + ", ".join(nobest))
                       if nobest and opt["verbose"] else ""))
    return s


def bench_real2(opt, tmp):
    corpus = opt["real2"]
    labels = read_tsv(os.path.join(corpus, "labels.tsv"))
    rg = opt["reportgen"]

    def one(i_row):
        i, row = i_row
        sel = row["select"] if row["select"] not in ("-", "") else None
        # As the scorer does: the log's own name, then the canonical one.
        tries = [sel, "val_loss:min" if sel.endswith(":min")
                 else "val_acc:max"] if sel else [None]
        runs = []
        for k, t in enumerate(tries):
            site = os.path.join(tmp, "r2-%d-%d" % (i, k))
            args = (["--select", t] if t else []) + [
                os.path.join(corpus, row["run_dir"])]
            summary = run_reportgen(rg, args, site)
            shutil.rmtree(site, ignore_errors=True)
            got = (summary or {}).get("runs", [])
            got = [r for r in got if r.get("status") != "skipped"] or got
            if got:
                runs = got
            if runs and runs[0].get("best"):
                break
        return runs

    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        results = list(ex.map(one, enumerate(labels)))
    s = Score("real_logs2")
    for row, runs in zip(labels, results):
        entry, got = pick(runs)
        accepted = [row["label"]] + [x for x in row["also_ok"].split(",")
                                     if x and x != "-"]
        wants = [m.group(0) for w in row["best"].split("|")
                 for m in [re.match(r"\s*-?[0-9][0-9.e+-]*", w)] if m]
        b = best_x(entry)
        s.add(row["run_dir"], row["label"], accepted, got,
              same_x(b, wants, lambda w: 1e-6 * max(1.0, abs(w))),
              "best %s, labelled %s" % (b, row["best"]), entry)
    # With no options at all, over the whole corpus.
    summary = run_reportgen(rg, [corpus], os.path.join(tmp, "r2-all"))
    by = entries_by_dir((summary or {}).get("runs", []),
                        set(r["run_dir"] for r in labels))
    held = [r for r in labels if r["select"] not in ("-", "")]
    lacking = [r["run_dir"] for r in held
               if best_x(pick(by.get(r["run_dir"]))[0]) is None]
    s.notes.append("no options, whole corpus: %d of %d runs with a held-out "
                   "metric have no best checkpoint%s" % (
                       len(lacking), len(held),
                       (": " + ", ".join(lacking))
                       if lacking and opt["verbose"] else ""))
    return s


def main():
    opt = parse_args(sys.argv[1:])
    tmp = tempfile.mkdtemp(prefix="rg-bench-")
    benches = [("labelled", "labelled", bench_labelled, "labels.tsv"),
               ("real_logs", "real", bench_real, "labels.tsv"),
               ("real_logs2", "real2", bench_real2, "labels.tsv")]
    totals = {}
    status = 0
    try:
        for name, key, fn, lab in benches:
            if opt["only"] and opt["only"] != name:
                continue
            print("== %s: %s" % (name, opt[key]))
            if not os.path.isfile(os.path.join(opt[key], lab)):
                print("   not found; skipped\n")
                continue
            s = fn(opt, tmp)
            if s is None:
                print("   reportgen produced no summary.json\n")
                status = 1
                continue
            totals[name] = s.print(opt["verbose"])
            print()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    real = [totals[k] for k in ("real_logs", "real_logs2") if k in totals]
    if len(real) == 2:
        print("== real corpora together: main diagnosis accepted %s, best "
              "checkpoint agrees %s" % (
                  pct(sum(t[0] for t in real), sum(t[1] for t in real)),
                  pct(sum(t[2] for t in real), sum(t[3] for t in real))))
    return status


if __name__ == "__main__":
    sys.exit(main())
