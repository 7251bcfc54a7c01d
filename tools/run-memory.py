#!/usr/bin/env python3
"""`scalper run`'s memory over a whole simulated session: dhan-sim on loopback plays a trading day of three
indices at full tick rate, accelerated, and `scalper run` trades it on the live order path from 09:14 to
15:31 IST; its resident memory is sampled every half second. Prints the anonymous RSS (heap and stacks) at
each simulated hour and its growth from 10:00 to 15:25 (flat means nothing grows per event), the
file-backed RSS (the binary and the pages of the journal's LMDB map it has touched, which grow with the
journal and which the kernel can drop), and the peak of both together.

Usage: tools/run-memory.py SCALPER DHAN_SIM [SPEED] [DATE]   (default speed 100, date 2026-01-05)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import dhansim


def rss_kb(pid: int) -> tuple[int, int] | None:
    """The process's anonymous resident memory (its heap and stacks) and its file-backed resident pages
    (the binary, and the journal's LMDB map, which the kernel can drop at any time), in KB."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(":")[0]
                if key in ("RssAnon", "RssFile"):
                    found[key] = int(line.split()[1])
    except OSError:
        return None
    if len(found) < 2:
        return None
    return found["RssAnon"], found["RssFile"]


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    scalper, dhan_sim = sys.argv[1:3]
    speed = sys.argv[3] if len(sys.argv) > 3 else "100"
    date = sys.argv[4] if len(sys.argv) > 4 else "2026-01-05"
    env = dict(os.environ, DHAN_CLIENT_ID="SIMCLIENT", DHAN_ACCESS_TOKEN="SIMTOKEN", SCALPER_LOG="notice")
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config", "algo.yml")
    scratch = tempfile.mkdtemp(prefix="scalper-memory-")
    started_sim = dhansim.start(dhan_sim, ["--seed", "1", "--date", date, "--start", "09:14", "--speed", speed])
    if started_sim is None:
        print("dhan-sim did not start", file=sys.stderr)
        return 1
    sim, port = started_sim
    child = subprocess.Popen(
        [scalper, "run", "--journal", os.path.join(scratch, "journal"), "--config", config, "--live",
         "--confirm-live", "--dhan-rest", f"http://127.0.0.1:{port}/v2", "--dhan-feed", f"ws://127.0.0.1:{port}",
         "--dhan-orders", f"ws://127.0.0.1:{port}", "--clock", "simulator", "--until", "15:31", "--http-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    threading.Thread(target=lambda: [None for _ in child.stdout], daemon=True).start()
    samples = []
    started = time.monotonic()
    while child.poll() is None:
        kb = rss_kb(child.pid)
        if kb is not None:
            samples.append((time.monotonic() - started, kb[0], kb[1]))
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    sim.terminate()
    sim.wait()
    records = 0
    journal = os.path.join(scratch, "journal")
    listing = subprocess.run([scalper, "journal", "stats", journal], capture_output=True, text=True)
    found = re.search(r"records:\s+([\d,]+)", listing.stdout)
    if found:
        records = int(found.group(1).replace(",", ""))
    shutil.rmtree(scratch, ignore_errors=True)
    if child.returncode != 0 or not samples:
        print(f"scalper run exited {child.returncode} after {elapsed:.0f} s", file=sys.stderr)
        return 1
    # The session is 09:14 to 15:31 IST played at SPEED: place each sample on the simulated clock.
    session = (15 * 60 + 31 - (9 * 60 + 14)) * 60
    def at(fraction: float, column: int) -> int:
        wanted = fraction * elapsed
        return min(samples, key=lambda sample: abs(sample[0] - wanted))[column]
    def fraction(hour: int, minute: int = 0) -> float:
        return ((hour * 60 + minute - (9 * 60 + 14)) * 60) / session
    hours = [f"{hour}:00 {at(fraction(hour), 1) / 1024:.1f} MB" for hour in range(10, 16)]
    peak = max(anon + file for _, anon, file in samples)
    first = at(fraction(10), 1)
    last = at(fraction(15, 25), 1)
    print(f"scalper run, a whole simulated session at {speed}x ({elapsed:.0f} s, {records:,} journal records): "
          f"anonymous RSS {', '.join(hours)}; 10:00 to 15:25 {(last - first) / 1024:+.1f} MB; "
          f"file-backed (binary and journal map) {at(fraction(10), 2) / 1024:.0f} MB at 10:00, "
          f"{at(fraction(15, 25), 2) / 1024:.0f} MB at 15:25; peak RSS {peak / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
