"""Plumbing shared by the walkthrough notebooks: find recgrad's programs, run them, read a run directory.

Nothing here computes a number the notebooks show: those come from recgrad itself, through its Python
module (`import recgrad` works once this file is imported) or its programs (the `recgrad` command and
the examples/ programs), read back as JSON, JSONL or text. The exercises' checks end in `check`.

Environment:
  RECGRAD_BIN   folder holding `recgrad` and the `example_*` programs (default: build/bin)
  RECGRAD_RUNS  folder for the notebooks' training runs (default: runs/walkthrough)
"""
import json
import os
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("RECGRAD_BIN", REPO / "build" / "bin")).resolve()
RUNS = pathlib.Path(os.environ.get("RECGRAD_RUNS", REPO / "runs" / "walkthrough")).resolve()
# The recgrad Python module (python/, docs/python.md) sits next to the programs in the build tree.
sys.path.insert(0, str(BIN.parent / "python"))

# The synthetic data the notebooks train on: the shipped configs' generator with 30 000 impressions
# instead of 150 000, so that every training run takes seconds. A fifth of the data needs more passes
# to learn as much: up to 30 epochs instead of 10 (early stopping on validation ends most runs sooner).
SMALL = ["data.synthetic.impressions=30000", "training.epochs=30"]


def run(program, *args, stderr=False):
    """Runs one of the build's programs and returns its stdout (with stderr=True: its stderr); raises with
    its stderr on failure."""
    path = BIN / program
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: build first (bash scripts/build.sh) or set RECGRAD_BIN")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # one thread: the same numbers on every machine
    done = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{program} {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stderr if stderr else done.stdout


def example(name):
    """The JSON printed by examples/<name>.cpp."""
    return json.loads(run(f"example_{name}"))


def train_args(name, config, sets):
    """The arguments of `recgrad train configs/<config> --set ...` into RUNS/<name>, on the SMALL data."""
    args = ["train", REPO / "configs" / config, "--out", RUNS / name, "--quiet"]
    for s in [*SMALL, *sets, "output.overwrite=true"]:
        args += ["--set", s]
    return args


def train(name, config="default.json", sets=()):
    """`recgrad train configs/<config> --set ...` into RUNS/<name>, on the SMALL data; returns the run directory."""
    run("recgrad", *train_args(name, config, sets))
    return RUNS / name


def profile(name, config, steps, sets=()):
    """`recgrad train configs/<config> --profile <steps>` for one epoch of the SMALL data; returns the table
    it prints on stderr as its text and its rows, one dict per row keyed by the column names."""
    text = run("recgrad", *train_args(name, config, ["training.epochs=1", *sets]), "--profile", steps,
               stderr=True).strip()
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("name "))
    columns = re.split(r"\s{2,}", lines[header].strip())  # "name", "calls", "forward ms", ...
    rows = []
    for line in lines[header + 1:]:
        if line.startswith("total "):
            continue
        cells = line.rsplit(None, len(columns) - 1)  # a name may hold spaces: "[optimizer step]"
        rows.append({"name": cells[0], **{c: None if v == "-" else float(v.rstrip("%"))
                                          for c, v in zip(columns[1:], cells[1:])}})
    return text, rows


def metrics(run_dir):
    """metrics.jsonl: one dict per evaluation."""
    return [json.loads(line) for line in (pathlib.Path(run_dir) / "metrics.jsonl").read_text().splitlines() if line]


def summary(run_dir):
    """summary.json of a finished run."""
    return json.loads((pathlib.Path(run_dir) / "summary.json").read_text())


class Wrong(AssertionError):
    """An exercise's answer is off; the message says how."""


def check(ok, what_is_off, right="right"):
    """The end of every exercise's checking cell: prints `right` when ok, else raises Wrong(what_is_off)."""
    if not ok:
        raise Wrong(what_is_off)
    print(f"\u2713 {right}")


def answered(value, name):
    """Raises Wrong while an exercise's answer is still the `...` placeholder."""
    if value is Ellipsis:
        raise Wrong(f"{name} is still ...: fill in the exercise cell above and run it")
    return value

