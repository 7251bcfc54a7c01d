#!/usr/bin/env python3
"""Runs a `scalper sweep` plan on a Ray cluster: each chunk of cells is a Ray task that invokes the scalper
binary (`scalper sweep cells`) on its node; the driver appends every result line to OUT/cells.tsv and then
lets `scalper sweep run` (which finds every cell finished) write results.csv, daily.csv and report.html, so
the files are the ones a local `scalper sweep run` writes for the same plan.

    python3 tools/sweep/ray_sweep.py FILE --scalper PATH --out DIR [--config algo.yml] [--address auto]
                                     [--chunk 8] [--walk-forward 120d:20d] [--objective net] [--local]

On a cluster, the scalper binary, the sweep file, the config and the data files must be at the same paths on
every node (shared storage, or copied there); see docs/sweeps.md. `--local` starts Ray in this process
(`ray.init()` without an address), which is what the test does. Resumable like `scalper sweep run`: cells
already in OUT/cells.tsv are not sent again.
"""

import argparse
import os
import subprocess
import sys
import time

import ray


def scalper_args(args, *rest):
    command = [args.scalper, "sweep", *rest, args.file]
    if args.config:
        command += ["--config", args.config]
    return command


@ray.remote
def run_cells(scalper, file, config, ids):
    """One Ray task: the scalper worker over `ids`, its result lines returned (one per cell)."""
    command = [scalper, "sweep", "cells", file, "--ids", ",".join(ids)]
    if config:
        command += ["--config", config]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"scalper sweep cells exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return [line for line in done.stdout.splitlines() if line]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--scalper", required=True, help="path of the scalper binary (the same on every node)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", help="algo.yml (default: scalper's own search)")
    parser.add_argument("--address", default=None, help="Ray cluster address (default: RAY_ADDRESS or auto)")
    parser.add_argument("--local", action="store_true", help="start Ray in this process instead of joining a cluster")
    parser.add_argument("--chunk", type=int, default=8, help="cells per Ray task")
    parser.add_argument("--walk-forward")
    parser.add_argument("--objective", default="net")
    args = parser.parse_args()
    args.scalper = os.path.abspath(args.scalper)
    args.file = os.path.abspath(args.file)
    if args.config:
        args.config = os.path.abspath(args.config)

    plan = subprocess.run(scalper_args(args, "plan", "--ids"), capture_output=True, text=True)
    if plan.returncode != 0:
        sys.exit(f"ray_sweep: {plan.stderr.strip()}")
    ids = plan.stdout.split()
    os.makedirs(args.out, exist_ok=True)
    store = os.path.join(args.out, "cells.tsv")
    done = set()
    if os.path.exists(store):
        with open(store) as f:
            held = f.read()
        if held and not held.endswith("\n"):
            # A stopped run's last line, cut short: dropped, as scalper sweep run does.
            with open(store, "w") as f:
                f.write(held[: held.rfind("\n") + 1])
        with open(store) as f:
            done = {line.split("\t", 1)[0] for line in f if line.rstrip("\n").endswith("\tend")}
    todo = [cell for cell in ids if cell not in done]
    print(f"ray_sweep: {len(todo)} of {len(ids)} cell(s) to run", file=sys.stderr)

    if args.local:
        ray.init(include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=args.address or os.environ.get("RAY_ADDRESS", "auto"), log_to_driver=False)
    started = time.monotonic()
    pending = [
        run_cells.remote(args.scalper, args.file, args.config, todo[i : i + args.chunk])
        for i in range(0, len(todo), args.chunk)
    ]
    finished = 0
    with open(store, "a") as f:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for line in ray.get(ready[0]):
                f.write(line + "\n")
                finished += 1
            f.flush()
            rate = finished / max(time.monotonic() - started, 1e-3)
            print(f"ray_sweep: {finished}/{len(todo)} cells, {rate:.1f} cells/s", file=sys.stderr)
    ray.shutdown()

    # Every cell is finished now: scalper writes the tables and the report exactly as a local run does.
    command = scalper_args(args, "run") + ["--out", args.out, "--workers", "1"]
    if args.walk_forward:
        command += ["--walk-forward", args.walk_forward, "--objective", args.objective]
    sys.exit(subprocess.run(command).returncode)


if __name__ == "__main__":
    main()
