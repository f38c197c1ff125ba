#!/usr/bin/env python3
"""Write sample_runs/: small runs that exercise every code path of reportgen.

Deterministic (fixed seeds, fixed formatting), so running it again gives the
same bytes. Run from the top of the source tree: python3 tests/make-sample-runs.py
"""
import math
import os
import random

ROOT = "sample_runs"


def write(path, text):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", newline="") as f:
        f.write(text)


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    return "%.4f" % v


def csv(cols, rows):
    lines = [",".join(cols)]
    for r in rows:
        lines.append(",".join(fmt(v) for v in r))
    return "\n".join(lines) + "\n"


# The seed examples, exactly as the course notes give them.
seeds = {
    "underfit": ([1.20, 1.08, 0.99, 0.94], [1.25, 1.13, 1.04, 1.02]),
    "overfit": ([0.90, 0.55, 0.31, 0.18], [0.92, 0.63, 0.68, 0.82]),
    "unstable": ([0.80, 1.65, 0.72, 1.48], [0.85, 1.70, 0.79, 1.55]),
}
for name, (tr, va) in seeds.items():
    write("seeds/%s/metrics.csv" % name,
          csv(["epoch", "train_loss", "val_loss"],
              [[i + 1, "%.2f" % t, "%.2f" % v]
               for i, (t, v) in enumerate(zip(tr, va))]))
write("seeds/val-log/metrics.csv",
      csv(["epoch", "val_loss"],
          [[i + 1, "%.2f" % v]
           for i, v in enumerate([0.62, 0.51, 0.48, 0.49, 0.53])]))

# A healthy run with a config: both curves fall, validation flattens.
rng = random.Random(7)
rows = []
for e in range(1, 21):
    t = 0.25 + 1.9 * math.exp(-e / 2.5)
    v = 0.32 + 1.8 * math.exp(-e / 2.5)
    ta = 0.97 - 0.6 * math.exp(-e / 2.5)
    va = 0.93 - 0.58 * math.exp(-e / 2.5)
    rows.append([e, t * (1 + rng.uniform(-0.01, 0.01)),
                 v * (1 + rng.uniform(-0.01, 0.01)), ta, va,
                 3e-4 * (0.5 if e > 14 else 1.0),
                 1.5 * math.exp(-e / 10.0) + 0.2 + rng.uniform(0, 0.05)])
write("healthy/metrics.csv",
      csv(["epoch", "train_loss", "val_loss", "train_acc", "val_acc", "lr",
           "grad_norm"], rows))
write("healthy/config.yaml", """\
# ResNet-18 on the 10-class image set
model: resnet18
seed: 1
data_version: v3
optimizer:
  name: adamw
  lr: 3.0e-4
  weight_decay: 0.01
batch_size: 128
epochs: 20
augment: [flip, crop]
""")

# A run that goes to NaN: the learning rate is far too high.
rows = []
for e in range(1, 11):
    if e < 6:
        t = 2.3 - 0.25 * e + (0.4 if e == 4 else 0)
        v = t + 0.1
        g = 2.0 * 1.9 ** e
        gn = 0
    else:
        t = v = g = "nan"
        gn = 1024 * (e - 5)
    rows.append([e, t, v, g, gn])
write("lr-too-high/metrics.csv",
      csv(["epoch", "train_loss", "val_loss", "grad_norm", "grad_nonfinite"],
          rows))
write("lr-too-high/config.json",
      '{\n  "lr": 0.5,\n  "seed": 3,\n  "optimizer": "sgd",\n'
      '  "data_version": "v3"\n}\n')

# The Lab 2 pattern: predictions collapse onto one class.
rows = []
for e in range(1, 9):
    l = 0.693 - 0.002 * e
    c1 = min(12, 8 + e)
    rows.append([e, l, l + 0.004, 0.5, 12 - c1, c1])
write("collapsed/metrics.csv",
      csv(["epoch", "train_loss", "val_loss", "val_acc", "pred_count_0",
           "pred_count_1"], rows))

# A nested sweep: two learning rates, one still improving at the end.
for lr, speed in (("1e-3", 3.0), ("3e-4", 9.0)):
    rows = []
    for e in range(1, 13):
        t = 0.2 + 1.5 * math.exp(-e / speed)
        v = 0.3 + 1.5 * math.exp(-e / speed)
        rows.append([e, t, v, 0.9 - 0.5 * math.exp(-e / speed),
                     0.9 - 0.5 * math.exp(-e / speed) - 0.02,
                     0.86 - 0.5 * math.exp(-e / speed)])
    write("sweep1/lr-%s/metrics.csv" % lr,
          csv(["epoch", "train_loss", "val_loss", "train_acc", "val_acc",
               "val_acc@night"], rows))
    write("sweep1/lr-%s/params.yaml" % lr,
          "lr: %s\nseed: 1\ndata_version: v3\n" % lr)

# Overfitting over a longer run, logged every half epoch by step.
rows = []
for s in range(0, 4001, 200):
    e = s / 400.0
    t = 0.05 + 2.0 * math.exp(-e / 2.5)
    v = 0.45 + 1.6 * math.exp(-e / 2.0) + 0.04 * max(0.0, e - 3) ** 1.5
    rows.append([s, t, v])
write("big-model/metrics.csv", csv(["step", "train_loss", "val_loss"], rows))

# A broken run: a ragged row. It is reported as skipped.
write("broken/metrics.csv",
      "epoch,train_loss,val_loss\n1,0.9,0.95\n2,0.7\n3,0.6,0.7\n")

# The comparison: a baseline, a one-change sweep, a run that changes three
# settings at once, a seed group and a slice regression, under the rules
# file at the top of sample_runs/.
write("reportgen.yaml", """\
# The fixed rule every run is judged by.
select: val_loss:min
baseline: cmp/base
min_improvement: 0.005
slices:
  val_acc@night: 0.01
""")


def cmp_run(name, final_val, night_drop, cfg, seed=1, noise=0.0):
    rng = random.Random(sum(map(ord, name)) + seed)
    rows = []
    for e in range(1, 21):
        k = math.exp(-e / 3.0)
        t = 0.20 + 1.8 * k
        v = final_val + 1.7 * k + rng.uniform(-noise, noise)
        va = 0.92 - 0.5 * k
        night = va - 0.06 - night_drop * (1 - k)
        rows.append([e, t, v, 0.95 - 0.5 * k, va, night])
    write("cmp/%s/metrics.csv" % name,
          csv(["epoch", "train_loss", "val_loss", "train_acc", "val_acc",
               "val_acc@night"], rows))
    base_cfg = {"model": "resnet18", "lr": "3.0e-4", "weight_decay": "1.0e-4",
                "augment": "light", "batch_size": "128",
                "data_version": "v3", "seed": str(seed)}
    base_cfg.update(cfg)
    write("cmp/%s/config.yaml" % name,
          "".join("%s: %s\n" % (k, base_cfg[k]) for k in sorted(base_cfg)))


cmp_run("base", 0.400, 0.0, {})
cmp_run("wd-1e-3", 0.380, 0.0, {"weight_decay": "1.0e-3"})
cmp_run("wd-1e-2", 0.410, 0.0, {"weight_decay": "1.0e-2"})
cmp_run("aug-strong", 0.370, 0.05, {"augment": "strong"})
cmp_run("three-changes", 0.360, 0.0,
        {"lr": "1.0e-3", "batch_size": "256", "model": "resnet34"})
for s, v in ((1, 0.392), (2, 0.405), (3, 0.384)):
    cmp_run("lr-1e-3/seed-%d" % s, v, 0.0, {"lr": "1.0e-3"}, seed=s)

# One run per log format reportgen reads, from the unit-test fixtures
# (each written to match its logger's real output), so the report shows
# every reader at work.
import shutil

FORMATS = {
    "keras": "keras/basic",
    "lightning": "lightning/sorted",
    "fastai": "fastai/v2",
    "ultralytics": "ultralytics/current",
    "hf-trainer": "hf/basic",
    "detectron2": "detectron2/with_eval",
    "dvclive": "dvclive/keras",
    "mlflow": "mlflow/store",
    "wandb": "wandb/multi",
    "catboost": "catboost/catboost_info",
    "csv-per-metric": "generic/pandas",
    "tensorboard": "tfevents/keras_fit",
}
shutil.rmtree(os.path.join(ROOT, "formats"), ignore_errors=True)
for name, src in sorted(FORMATS.items()):
    shutil.copytree(os.path.join("tests", "unit", "data", src),
                    os.path.join(ROOT, "formats", name),
                    ignore=shutil.ignore_patterns(".*", "notes.csv"))

# One run per diagnosis, from the labelled set of real (small) training
# runs with each pathology induced on purpose (tests/labelled/).
import csv as csvmod

picked = {}
with open(os.path.join("tests", "labelled", "labels.tsv")) as f:
    for row in csvmod.DictReader(f, delimiter="\t"):
        picked.setdefault(row["label"], row["run"])
shutil.rmtree(os.path.join(ROOT, "diagnoses"), ignore_errors=True)
for label, run in sorted(picked.items()):
    shutil.copytree(os.path.join("tests", "labelled", "runs", run),
                    os.path.join(ROOT, "diagnoses", run))

# Suspected leakage (no labelled run induces it): the held-out accuracy
# stays far above the training accuracy, with a much lower held-out loss,
# as when the validation set overlaps the training set.
rows = []
for e in range(1, 21):
    k = math.exp(-e / 4.0)
    rows.append([e, 0.9 + 0.8 * k, 0.15 + 0.6 * k, 0.62 - 0.3 * k,
                 0.97 - 0.4 * k])
write("diagnoses/suspected_leakage-overlap/metrics.csv",
      csv(["epoch", "train_loss", "val_loss", "train_acc", "val_acc"], rows))
