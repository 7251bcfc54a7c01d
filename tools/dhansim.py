"""Starts dhan-sim for the benchmark scripts: on a free loopback port, its log drained so it never stalls."""
import re
import subprocess
import threading


def start(dhan_sim: str, arguments: list[str]) -> tuple[subprocess.Popen, str] | None:
    """Runs `dhan_sim --port 0 ARGUMENTS`; returns the process and the port it listens on, or None."""
    sim = subprocess.Popen([dhan_sim, "--port", "0"] + arguments, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    for line in sim.stdout:
        found = re.search(r"dhan-sim listening on 127\.0\.0\.1:(\d+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in sim.stdout], daemon=True).start()
            return sim, found.group(1)
    sim.wait()
    return None
