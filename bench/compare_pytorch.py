"""recgrad vs PyTorch, side by side: training samples/s and peak memory of the models in
bench/models.json, both frameworks on the same synthetic batches, threads pinned equal
(OPENBLAS_NUM_THREADS for both, torch.set_num_threads for PyTorch, training.threads for recgrad).

    cmake --build build --target train_throughput
    /usr/bin/python3 bench/compare_pytorch.py --build build [--models default din large]
                     [--threads 1 2] [--steps 50] [--repeats 3]

The two run in turn, repeat after repeat, so both see the same machine load; each figure is the
median over repeats. Peak memory is each process's peak resident set (VmHWM), so PyTorch's
includes its own libraries, as a user's training process would.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

INSTALL_HINT = """PyTorch is not installed for {python}, so there is nothing to compare against.
Install the CPU build, e.g. on Debian/Ubuntu:   sudo apt-get install python3-torch
or with pip:   pip install torch --index-url https://download.pytorch.org/whl/cpu
then run this script with that Python interpreter."""


def run(command, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="recgrad build directory (holds bin/train_throughput)")
    parser.add_argument("--models", nargs="+", default=["default", "din", "large"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # Only looked up, not imported: this process's memory must not count in its children's peaks.
    if importlib.util.find_spec("torch") is None:
        print(INSTALL_HINT.format(python=sys.executable))
        return 0
    binary = os.path.join(args.build, "bin", "train_throughput")
    if not os.path.exists(binary):
        print(f"{binary} not found: build it first with  cmake --build {args.build} --target train_throughput")
        return 1
    models_json = os.path.join(HERE, "models.json")

    rows = []
    for model in args.models:
        for threads in args.threads:
            common = [models_json, model, "--steps", str(args.steps), "--threads", str(threads)]
            ours, theirs = [], []
            for _ in range(args.repeats):
                ours.append(run([binary] + common, threads))
                theirs.append(run([sys.executable, os.path.join(HERE, "torch_click_model.py")] + common, threads))
            median = lambda results, key: statistics.median(r[key] for r in results)
            rows.append((model, threads, median(ours, "samples_per_s"), median(theirs, "samples_per_s"),
                         median(ours, "peak_rss_mb"), median(theirs, "peak_rss_mb")))
            print_table(rows)
    return 0


def print_table(rows):
    print("\n| model | threads | recgrad samples/s | PyTorch samples/s | ratio | recgrad peak MB | PyTorch peak MB | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for model, threads, ours, theirs, our_mb, their_mb in rows:
        print(f"| {model} | {threads} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.2f}x | "
              f"{our_mb:.0f} | {their_mb:.0f} | {our_mb / their_mb:.2f}x |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
