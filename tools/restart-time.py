#!/usr/bin/env python3
"""How long `scalper run` takes to restart on a journal: from exec to its "trading" log line (state rebuilt
from the newest snapshot, reconciled with the broker, the feed asked for again), against dhan-sim on
loopback at 15:29 of the journal's day. The journal is copied first, so the original is not touched.

Usage: tools/restart-time.py SCALPER DHAN_SIM JOURNAL [RUNS]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import dhansim


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    scalper, dhan_sim, journal = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    date = re.search(r"(\d{4}-\d{2}-\d{2})", os.path.basename(journal.rstrip("/")))
    env = dict(os.environ, DHAN_CLIENT_ID="SIMCLIENT", DHAN_ACCESS_TOKEN="SIMTOKEN", SCALPER_LOG="notice")
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config", "algo.yml")
    times = []
    for run in range(runs):
        scratch = tempfile.mkdtemp(prefix="scalper-restart-")
        copy = os.path.join(scratch, "journal")
        shutil.copytree(journal, copy)
        lock = os.path.join(copy, "writer.lock")
        if os.path.exists(lock):
            os.remove(lock)
        sim_args = ["--seed", "1", "--start", "15:29", "--speed", "1"]
        if date:
            sim_args += ["--date", date.group(1)]
        started_sim = dhansim.start(dhan_sim, sim_args)
        if started_sim is None:
            print("dhan-sim did not start", file=sys.stderr)
            return 1
        sim, port = started_sim
        started = time.monotonic()
        child = subprocess.Popen(
            [scalper, "run", "--journal", copy, "--config", config, "--live", "--confirm-live",
             "--dhan-rest", f"http://127.0.0.1:{port}/v2", "--dhan-feed", f"ws://127.0.0.1:{port}",
             "--dhan-orders", f"ws://127.0.0.1:{port}", "--clock", "simulator", "--until", "15:29",
             "--http-port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        ready = None
        inner = "?"
        for line in child.stdout:
            if ready is None and "[Runtime] trading" in line:
                ready = (time.monotonic() - started) * 1000
                found = re.search(r"startup_ms=([\d.]+)", line)
                inner = f"{float(found.group(1)):.0f}" if found else "?"
        child.wait()
        sim.terminate()
        sim.wait()
        shutil.rmtree(scratch, ignore_errors=True)
        if ready is None:
            print(f"run {run + 1}: scalper run never logged 'trading' (exit {child.returncode})", file=sys.stderr)
            return 1
        times.append(ready)
        print(f"run {run + 1}: exec to trading {ready:.0f} ms (journal opened to trading {inner} ms)")
    times.sort()
    print(f"restart of scalper run on {journal}: median {times[len(times) // 2]:.0f} ms over {runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
