"""recgrad vs PyTorch, side by side: training samples/s and peak memory of the models in
bench/models.json, on the same synthetic batches, threads pinned equal (OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS for all, torch.set_num_threads for PyTorch, training.threads for recgrad).

    cmake --build build --target train_throughput gemm_floor
    /usr/bin/python3 bench/compare_pytorch.py --build build [--models default din] [--threads 1]
                     [--steps 30] [--repeats 3] [--wait 600]

Three programs per model: recgrad (bench/train_throughput.cpp), the project's PyTorch twin (the same
layers and the same sparse lazy Adam, bench/torch_click_model.py) and the PyTorch a user writes
(`--plain`: dense nn.Embedding and one Adam, nn.MultiheadAttention, the DIN unit over every position
then masked). They run in turn, repeat after repeat, so all three see the same machine; each cell is
the median with the minimum and maximum over the repeats. Peak memory is each process's own peak
resident set (VmHWM), libraries included.

For a model with DIN attention a fourth program joins each repeat: bench/gemm_floor.cpp, the matrix
products alone of the same step as bare sgemm calls. A line under the table gives its samples/s and
recgrad's share of it (recgrad's median over the floor's): how much of a step is its gemms.

A speed figure means little on a busy machine: before each model the script waits up to --wait seconds
for the 1-minute load average to fall under --max-load (0.5), prints it, and refuses to measure above it
unless told --under-load, which marks every table as not fit for publishing. (While a benchmark runs,
its own process adds about one per thread to the load average, so the load is judged before each model,
after the previous one's processes have ended.)
"""
import argparse
import ctypes
import ctypes.util
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

INSTALL_HINT = """PyTorch is not installed for {python}, so there is nothing to compare against.
Install the CPU build, e.g. on Debian/Ubuntu:   sudo apt-get install python3-torch
or with pip:   pip install torch --index-url https://download.pytorch.org/whl/cpu
then run this script with that Python interpreter."""

PROGRAMS = ("recgrad", "twin", "plain")


def load_average():
    return os.getloadavg()[0]


def wait_for_quiet(max_load, wait_s):
    """The 1-minute load average once it is under max_load, or the last reading after wait_s."""
    deadline = time.monotonic() + wait_s
    load = load_average()
    while load > max_load and time.monotonic() < deadline:
        time.sleep(min(15.0, max(0.0, deadline - time.monotonic())))
        load = load_average()
    return load


def openblas_core():
    """The kernels the system OpenBLAS chose for this CPU ("Haswell", "SkylakeX", "Cooperlake", ...)."""
    name = ctypes.util.find_library("openblas")
    if not name:
        return "unknown (libopenblas not found)"
    lib = ctypes.CDLL(name)
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


def run(command, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def spread(values):
    """median (min-max)"""
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def ratio_spread(ours, theirs):
    """The per-repeat ratios (each repeat ran both programs back to back): median (min-max)."""
    ratios = [a / b for a, b in zip(ours, theirs)]
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def thousands(values):
    """median (min-max), in thousands"""
    return f"{statistics.median(values) / 1e3:.1f}k ({min(values) / 1e3:.1f}-{max(values) / 1e3:.1f}k)"


def print_floors(rows):
    for r in rows:
        if not r["results"].get("floor"):
            continue
        floor = [x["samples_per_s"] for x in r["results"]["floor"]]
        ours = [x["samples_per_s"] for x in r["results"]["recgrad"]]
        print(f"{r['model']} ({r['threads']} thread{'s' if r['threads'] > 1 else ''}): GEMM floor "
              f"{thousands(floor)} samples/s; recgrad reaches "
              f"{100 * statistics.median(ours) / statistics.median(floor):.0f}%", flush=True)


def print_table(rows, torch_version, under_load):
    if under_load:
        print("\nMEASURED UNDER LOAD: indicative only, not for the README")
    print(f"\n| model | threads | recgrad samples/s | PyTorch {torch_version} twin | PyTorch plain | recgrad / twin "
          f"| recgrad / plain | peak MB recgrad / twin / plain | load before (after) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s = {p: [x["samples_per_s"] for x in r["results"][p]] for p in PROGRAMS}
        mb = {p: statistics.median(x["peak_rss_mb"] for x in r["results"][p]) for p in PROGRAMS}
        print(f"| {r['model']} | {r['threads']} | {spread(s['recgrad'])} | {spread(s['twin'])} | {spread(s['plain'])} "
              f"| {ratio_spread(s['recgrad'], s['twin'])} | {ratio_spread(s['recgrad'], s['plain'])} "
              f"| {mb['recgrad']:.0f} / {mb['twin']:.0f} / {mb['plain']:.0f} "
              f"| {r['load_before']:.2f} ({r['load_after']:.2f}) |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="recgrad build directory (holds bin/train_throughput)")
    parser.add_argument("--models", nargs="+", default=["default", "din", "din_ml100k", "mh128"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-load", type=float, default=0.5)
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the load to fall, per model")
    parser.add_argument("--under-load", action="store_true", help="measure anyway, marked as indicative")
    parser.add_argument("--json", help="also write every measurement here")
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3: a single figure hides the spread")

    # Only looked up, not imported: this process's memory must not count in its children's peaks.
    if importlib.util.find_spec("torch") is None:
        print(INSTALL_HINT.format(python=sys.executable))
        return 0
    binary = os.path.join(args.build, "bin", "train_throughput")
    if not os.path.exists(binary):
        print(f"{binary} not found: build it first with  cmake --build {args.build} --target train_throughput")
        return 1
    models_json = os.path.join(HERE, "models.json")
    with open(models_json) as f:
        specs = json.load(f)
    floor_binary = os.path.join(args.build, "bin", "gemm_floor")
    with_floor = [m for m in args.models if specs[m]["model"].get("attention", {}).get("kind") == "din"]
    if with_floor and not os.path.exists(floor_binary):
        print(f"{floor_binary} not found (for {', '.join(with_floor)}): build it first with  "
              f"cmake --build {args.build} --target gemm_floor")
        return 1
    twin = [sys.executable, os.path.join(HERE, "torch_click_model.py")]
    commands = {"recgrad": [binary], "twin": twin, "plain": twin}
    extra = {"recgrad": [], "twin": [], "plain": ["--plain"]}

    load = wait_for_quiet(args.max_load, args.wait)
    print(f"load average {load:.2f} (1 min); OpenBLAS kernels: {openblas_core()}; {os.cpu_count()} CPUs")
    under_load = load > args.max_load
    if under_load and not args.under_load:
        print(f"refusing to measure: load average {load:.2f} is above {args.max_load} (wait with --wait, or pass "
              f"--under-load for figures marked as indicative)")
        return 2

    rows, torch_version = [], "?"
    for model in args.models:
        for threads in args.threads:
            common = [models_json, model, "--steps", str(args.steps), "--threads", str(threads)]
            row = {"model": model, "threads": threads, "load_before": wait_for_quiet(args.max_load, args.wait),
                   "results": {p: [] for p in PROGRAMS}}
            if row["load_before"] > args.max_load and not args.under_load:
                print(f"refusing to measure {model}: load average {row['load_before']:.2f} is above {args.max_load}")
                return 2
            under_load = under_load or row["load_before"] > args.max_load
            if model in with_floor:
                row["results"]["floor"] = []
            for _ in range(args.repeats):
                for p in PROGRAMS:
                    result = run(commands[p] + common + extra[p], threads)
                    torch_version = result.get("torch_version", torch_version)
                    row["results"][p].append(result)
                if model in with_floor:
                    row["results"]["floor"].append(run([floor_binary, models_json, model, "--threads", str(threads)],
                                                       threads))
            row["load_after"] = load_average()
            rows.append(row)
            print_table(rows, torch_version, under_load)
            print_floors(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"under_load": under_load, "torch_version": torch_version, "openblas": openblas_core(),
                       "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
