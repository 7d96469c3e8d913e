"""Executes a walkthrough notebook headless and compares its text outputs with the committed ones.

  /usr/bin/python3 tests/notebooks/run_notebook.py notebooks/01_autograd.ipynb            # test
  /usr/bin/python3 tests/notebooks/run_notebook.py notebooks/01_autograd.ipynb --update   # store fresh outputs

Debian's Python, as ctest runs it: it has nbformat (a python3 from pyenv or conda may not). The build's
programs must be current (RECGRAD_BIN, default build/bin).

Fails when a cell fails, or when a cell's text output (printed text and results; images are allowed to
differ) no longer matches. Words must match exactly; numbers within a tolerance set by the cell's tag:
  (no tag)          1e-9 absolute plus 1e-6 relative: the example programs are deterministic
  "trained"         0.02 absolute plus 5% relative: training repeats exactly on one machine, but BLAS
                    kernels of other CPUs round differently and training amplifies that
  "nondeterministic" not compared (timings; rankings that a rounding difference can reorder)
RECGRAD_BIN names the folder of the programs; RECGRAD_RUNS the folder for the notebooks' runs.

Exercises. A code cell tagged "exercise" (metadata "exercise": its id) is what the learner fills in; the
cell tagged "check" with the same id checks it (walkthrough.check: raises Wrong saying what is off).
notebooks/solutions/<notebook>.py holds, per id, a "# %% solution: <id>" section and a
"# %% wrong: <id>" section (a plausible mistake). The notebook runs with the solutions in place of the
exercise cells, and then, for every exercise, its checking cell must fail on the blank exercise cell and
on the wrong answer. The committed notebook keeps the blank exercise cells, and neither they nor the
checking cells keep outputs (a learner sees no answer), so their outputs are not compared.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import nbformat

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
TOLERANCE = {None: (1e-9, 1e-6), "trained": (0.02, 0.05)}


def text_of(cell):
    """The text a reader sees under a code cell: printed output and the plain-text results."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def differences(expected, actual, atol, rtol):
    """Where two texts differ beyond the tolerance, as readable lines."""
    words_e, words_a = NUMBER.split(expected), NUMBER.split(actual)
    nums_e, nums_a = NUMBER.findall(expected), NUMBER.findall(actual)
    if [w.split() for w in words_e] != [w.split() for w in words_a] or len(nums_e) != len(nums_a):
        return [f"text differs:\n--- committed\n{expected}\n--- fresh\n{actual}"]
    return [f"{e} became {a}" for e, a in zip(nums_e, nums_a) if abs(float(e) - float(a)) > atol + rtol * abs(float(e))]


def tag_of(cell):
    tags = [t for t in cell.metadata.get("tags", []) if t in ("trained", "nondeterministic")]
    return tags[0] if tags else None


def exercise_id(cell, tag):
    return cell.metadata.get("exercise") if tag in cell.metadata.get("tags", []) else None


def solutions_of(notebook):
    """{("solution" | "wrong", id): code} from notebooks/solutions/<notebook stem>.py."""
    path = notebook.parent / "solutions" / (notebook.stem + ".py")
    sections, key = {}, None
    if path.exists():
        for line in path.read_text().splitlines(keepends=True):
            header = re.match(r"# %% (solution|wrong): (\S+)\s*$", line)
            if header:
                key = (header.group(1), header.group(2))
                sections[key] = ""
            elif key:
                sections[key] += line
    return {k: v.strip("\n") + "\n" for k, v in sections.items()}


def with_solutions(nb, notebook):
    """The notebook to execute: solutions in the exercise cells, then one cell per exercise proving that its
    check fails on the blank cell and on the wrong answer. Exits naming a missing piece."""
    sections = solutions_of(notebook)
    blanks = {}
    for cell in nb.cells:
        ex = exercise_id(cell, "exercise")
        if ex is None:
            continue
        for kind in ("solution", "wrong"):
            if (kind, ex) not in sections:
                sys.exit(f"run_notebook: {notebook}: exercise {ex!r} has no '# %% {kind}: {ex}' section in "
                         f"notebooks/solutions/{notebook.stem}.py")
        blanks[ex] = cell.source
        cell.source = sections[("solution", ex)]
    checks = {exercise_id(c, "check"): c.source for c in nb.cells if exercise_id(c, "check")}
    for ex in blanks:
        if ex not in checks:
            sys.exit(f"run_notebook: {notebook}: exercise {ex!r} has no checking cell (tag 'check', same id)")
        attempts = [("blank", blanks[ex]), ("wrong", sections[("wrong", ex)])]
        nb.cells.append(nbformat.v4.new_code_cell(
            f"for _label, _answer in {attempts!r}:\n"
            f"    exec(_answer, globals())\n"
            f"    try:\n"
            f"        exec({checks[ex]!r}, globals())\n"
            f"    except AssertionError as _e:\n"
            f"        print(f'exercise {ex}: the check catches the {{_label}} answer: {{_e}}')\n"
            f"    else:\n"
            f"        raise RuntimeError(f'exercise {ex}: the check passed the {{_label}} answer')\n",
            metadata={"proof": ex}))
    return blanks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("--update", action="store_true", help="write the fresh outputs into the notebook")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    if not shutil.which("jupyter"):
        sys.exit("run_notebook: jupyter not found; install jupyter-nbconvert python3-ipykernel (scripts/install-deps.sh)")

    with tempfile.TemporaryDirectory() as tmp:
        # The executed copy is written next to the notebook (its kernel runs in the notebook's folder, where
        # walkthrough.py is) under a scratch name, and read back from the scratch folder.
        source = nbformat.read(args.notebook, as_version=4)
        blanks = with_solutions(source, args.notebook)
        to_run = args.notebook.parent / f".run_{args.notebook.name}"
        nbformat.write(source, to_run)
        try:
            done = subprocess.run(["jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", tmp,
                                   "--output", args.notebook.name, f"--ExecutePreprocessor.timeout={args.timeout}",
                                   "--ExecutePreprocessor.kernel_name=python3", str(to_run)],
                                  capture_output=True, text=True)
        finally:
            to_run.unlink()
        if done.returncode != 0:
            sys.exit(f"run_notebook: {args.notebook} failed to execute:\n{done.stderr[-4000:]}")
        fresh = nbformat.read(pathlib.Path(tmp) / args.notebook.name, as_version=4)
        for cell in fresh.cells:
            if "proof" in cell.metadata:
                print(text_of(cell), end="")
        fresh.cells = [c for c in fresh.cells if "proof" not in c.metadata]
        if args.update:
            for cell in fresh.cells:
                cell.metadata.pop("execution", None)  # timestamps would change the file on every update
                ex = exercise_id(cell, "exercise") or exercise_id(cell, "check")
                if ex is not None:  # the learner's cells stay blank, without the solution's outputs
                    cell.outputs, cell.execution_count = [], None
                    if exercise_id(cell, "exercise"):
                        cell.source = blanks[ex]
            nbformat.write(fresh, args.notebook)
            print(f"{args.notebook}: outputs updated")
            return

    committed = nbformat.read(args.notebook, as_version=4)
    code = lambda nb: [c for c in nb.cells if c.cell_type == "code"]
    if len(code(committed)) != len(code(fresh)):
        sys.exit(f"run_notebook: {args.notebook}: the number of code cells changed")
    problems = []
    for i, (old, new) in enumerate(zip(code(committed), code(fresh)), start=1):
        tag = tag_of(old)
        if tag == "nondeterministic" or exercise_id(old, "exercise") or exercise_id(old, "check"):
            continue
        for d in differences(text_of(old), text_of(new), *TOLERANCE[tag]):
            problems.append(f"code cell {i}: {d}")
    if problems:
        sys.exit(f"run_notebook: {args.notebook}: outputs differ from the committed ones "
                 f"(re-run with --update if the change is intended):\n" + "\n".join(problems))
    print(f"{args.notebook}: {len(code(fresh))} code cells ran; text outputs match; {len(blanks)} exercises checked")


if __name__ == "__main__":
    main()
