#!/usr/bin/env python3
"""The live dashboard in headless chromium, against `scalper run --paper` and dhan-sim on loopback.

1. dhan-sim plays 2025-11-04 from 15:27 IST at 10x; `scalper run --paper` trades it with its status API on a
   free port and a control token.
2. chromium loads the dashboard; the script waits (on the page's own updates, by a MutationObserver, not by
   sleeping) until the page shows 15:31 IST, when the journal moves once a simulated minute.
3. The values on the page (seq, day net, breaker, kill switch, each index's price, trends and ADX, the
   positions, the last events) are compared with /status's `dashboard` at the same seq.
4. The token is typed into the page and its "Engage kill switch" button pressed: the answer is shown, /status
   says engaged, the page's badge follows by its event stream, and after SIGTERM the journal holds the
   operator command.
5. The tearsheet: `scalper demo`, then `scalper report` on its journal; in the browser the statistics equal
   summary.json, each day has its MTM line, and every trade is marked on its index's chart.

Usage: check.py SCALPER DHAN_SIM WORKDIR   (exit 0 when every check held)
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request

import websocket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import dhansim  # noqa: E402

TOKEN = "dashboard-check-token"
failures: list[str] = []


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def first_line(process: subprocess.Popen, pattern: str) -> re.Match:
    """Reads the process's output until a line matches (a blocking read: the process says when it is ready)."""
    for line in process.stdout:
        found = re.search(pattern, line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return found
    raise RuntimeError(f"the process ended before printing {pattern!r}")


class DevTools:
    """A minimal Chrome DevTools Protocol client over one browser connection, one attached page."""

    def __init__(self, url: str):
        self.ws = websocket.create_connection(url, timeout=120, suppress_origin=True)
        self.next_id = 0
        self.session = None
        self.events: list[str] = []

    def call(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if "method" in reply:
                self.events.append(reply["method"])
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url: str) -> None:
        """Opens a tab and navigates it to `url`."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.navigate(url)

    def navigate(self, url: str) -> None:
        """Loads `url` in the tab and returns once the page's load event has fired."""
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        while "Page.loadEventFired" not in self.events:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.events.append(message["method"])

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


# Resolves, once the page has drawn an update that satisfies `ready(seq, time)`, with what the page shows.
PAGE_WHEN = r"""
new Promise((resolve) => {
  const ready = %s;
  const $ = (id) => document.getElementById(id);
  const rows = (id) => [...$(id).rows].slice(1).map(r => [...r.cells].map(c => c.textContent));
  const shown = () => ({seq: Number(document.body.dataset.seq), time: $("time").textContent, mode: $("mode").textContent,
    net: $("day-net").textContent, breaker: $("breaker").textContent, kill: $("kill-switch").textContent,
    stream: $("stream").textContent, indices: rows("indices"), positions: rows("positions"), orders: rows("orders"),
    events: rows("events"), chart: $("mtm").querySelectorAll("text").length});
  const done = () => {
    if (!document.body.dataset.seq) return false;
    const now = shown();
    if (!ready(now)) return false;
    resolve(now);
    return true;
  };
  if (!done()) new MutationObserver((_, observer) => { if (done()) observer.disconnect(); })
    .observe(document.body, {attributes: true, attributeFilter: ["data-seq"]});
})
"""


def status(base: str) -> dict:
    with urllib.request.urlopen(base + "/status", timeout=30) as response:
        return json.load(response)["dashboard"]


def money(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def compare(page: dict, dashboard: dict) -> None:
    check(page["seq"] == dashboard["seq"], f"seq {page['seq']} on the page is /status's {dashboard['seq']}")
    check(page["mode"] == dashboard["mode"] == "paper", f"mode {page['mode']}")
    check(page["net"] == money(dashboard["day"]["net"]), f"day net {page['net']} = {dashboard['day']['net']}")
    check(page["breaker"] == ("TRIPPED" if dashboard["day"]["circuit_tripped"] else "ok"), "breaker")
    check(page["kill"] == ("ENGAGED" if dashboard["day"]["kill_switch"] else "off"), f"kill switch {page['kill']}")
    check(len(page["indices"]) == len(dashboard["indices"]) == 3, f"{len(page['indices'])} indices")
    for row, index in zip(page["indices"], dashboard["indices"]):
        key = index["key"]
        check(row[0] == key and row[1] == money(index["ltp"]), f"{key} LTP {row[1]} = {index['ltp']}")
        for column, reading in ((3, index["primary"]), (5, index["confirmation"])):
            check(row[column] == (reading["trend"] or "–"), f"{key} trend {row[column]} = {reading['trend']}")
            adx = reading["adx"]
            check((row[column + 1] == "–") if adx is None else abs(float(row[column + 1]) - adx) < 1e-9,
                  f"{key} ADX {row[column + 1]} = {adx}")
        check(row[9] == (index["no_entry"] or "–"), f"{key} why no entry: {row[9]!r}")
    check(len(page["positions"]) == len(dashboard["positions"]), f"{len(page['positions'])} open positions")
    check(len(page["events"]) == len(dashboard["events"]) > 0, f"{len(page['events'])} last events")
    check(page["events"][0][0] == str(dashboard["events"][0]["seq"]), "the newest event first")
    check(page["chart"] >= 5, "the MTM chart has labelled axes")


# What the report page shows: its per-day sections, each chart's trades and markers, the statistics table.
REPORT_SHOWN = r"""
(() => {
  const heading = [...document.querySelectorAll("h2")].find(h => h.textContent === "Statistics");
  const stats = Object.fromEntries([...heading.nextElementSibling.rows].map(r => [r.cells[0].textContent, r.cells[1].textContent]));
  const tradesHeading = [...document.querySelectorAll("h2")].find(h => h.textContent === "Trades");
  return {
    days: [...document.querySelectorAll("section.day")].map(d => ({date: d.dataset.date,
      mtmPoints: d.querySelector("svg.mtm polyline").getAttribute("points").split(" ").length,
      charts: [...d.querySelectorAll("svg.index-chart")].map(c => ({index: c.dataset.index, trades: Number(c.dataset.trades),
        entries: c.querySelectorAll("path.entry").length, exits: c.querySelectorAll("path.exit").length,
        labels: c.querySelectorAll("text").length}))})),
    stats: stats,
    tradeRows: tradesHeading.nextElementSibling.rows.length - 1,
    equityLabels: document.querySelector("svg").querySelectorAll("text").length,
  };
})()
"""


def tearsheet(tools: DevTools, scalper: str, work: str) -> None:
    """`scalper demo` (a day of scalper run's process on virtual time), then `scalper report` on its journal;
    the page in the browser against summary.json."""
    demo = os.path.join(work, "demo")
    out = os.path.join(work, "report")
    ran = subprocess.run([scalper, "demo", "--out", demo], capture_output=True, text=True)
    check(ran.returncode == 0, "scalper demo ran")
    made = subprocess.run([scalper, "report", os.path.join(demo, "journal"), "--out", out], capture_output=True,
                          text=True)
    check(made.returncode == 0, f"scalper report ran: {made.stdout.strip()}")
    with open(os.path.join(out, "summary.json")) as handle:
        summary = json.load(handle)
    tools.navigate("file://" + os.path.join(out, "report.html"))
    shown = tools.evaluate(REPORT_SHOWN)
    check(shown["stats"].get("closed trades") == str(summary["trades"]) and summary["trades"] > 0,
          f"the statistics table shows summary.json's {summary['trades']} trades")
    check(shown["stats"].get("net") == f"₹{summary['net']:.2f}", f"net {shown['stats'].get('net')} = {summary['net']}")
    check(shown["tradeRows"] == summary["trades"], f"{shown['tradeRows']} rows in the trades table")
    check(shown["equityLabels"] >= 5, "the equity chart has labelled axes")
    check(len(shown["days"]) >= 1, f"{len(shown['days'])} day(s) drawn")
    for day in shown["days"]:
        check(day["mtmPoints"] >= 300, f"{day['date']}: the MTM line has {day['mtmPoints']} minutes")
        for chart in day["charts"]:
            check(chart["entries"] == chart["exits"] == chart["trades"] > 0 and chart["labels"] >= 6,
                  f"{day['date']} {chart['index']}: {chart['entries']} entries and {chart['exits']} exits marked")
    marked = sum(chart["entries"] for day in shown["days"] for chart in day["charts"])
    check(marked == summary["trades"], f"every trade on its index chart ({marked})")
    shot = tools.call("Page.captureScreenshot", {"format": "png"})
    check(len(shot.get("data", "")) > 1000, "the report renders to a screenshot")


def main() -> int:
    scalper, dhan_sim, work = sys.argv[1:4]
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config", "algo.yml")
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as handle:
        handle.write(TOKEN + "\n")
    os.chmod(token_file, 0o600)
    journal = os.path.join(work, "journal")
    started = dhansim.start(dhan_sim, ["--seed", "7", "--date", "2025-11-04", "--start", "15:27", "--speed", "10"])
    if started is None:
        print("dhan-sim did not start", file=sys.stderr)
        return 1
    sim, sim_port = started
    env = dict(os.environ, DHAN_CLIENT_ID="SIMCLIENT", DHAN_ACCESS_TOKEN="SIMTOKEN", SCALPER_LOG="notice")
    run = subprocess.Popen(
        [scalper, "run", "--paper", "--journal", journal, "--config", config, "--durability", "fast",
         "--dhan-rest", f"http://127.0.0.1:{sim_port}/v2", "--dhan-feed", f"ws://127.0.0.1:{sim_port}",
         "--clock", "simulator", "--http-port", "0", "--control-token-file", token_file],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    browser = None
    try:
        base = "http://127.0.0.1:" + first_line(run, r"url=http://127\.0\.0\.1:(\d+)/status.*status API listening").group(1)
        browser = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-port=0", f"--user-data-dir={work}/chromium", "about:blank"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tools = DevTools(first_line(browser, r"DevTools listening on (ws://\S+)").group(1))
        tools.open(base + "/")
        # After the close the journal moves once a simulated minute: the page and /status can meet at one seq.
        page = tools.evaluate(PAGE_WHEN % "(s) => s.time >= '2025-11-04 15:31:00'")
        dashboard = status(base)
        for _ in range(5):
            if dashboard["seq"] == page["seq"]:
                break
            page = tools.evaluate(PAGE_WHEN % f"(s) => s.seq >= {dashboard['seq']}")
            dashboard = status(base)
        check(page["stream"] == "live", "the event stream is open")
        compare(page, dashboard)
        shot = tools.call("Page.captureScreenshot", {"format": "png"})
        check(len(shot.get("data", "")) > 1000, "the page renders to a screenshot")
        if os.environ.get("DASHBOARD_SCREENSHOT"):
            import base64
            with open(os.environ["DASHBOARD_SCREENSHOT"], "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))

        answer = tools.evaluate(r"""
new Promise((resolve) => {
  const result = document.getElementById("control-result");
  new MutationObserver((_, observer) => { observer.disconnect(); resolve(result.textContent); })
    .observe(result, {childList: true, characterData: true, subtree: true});
  document.getElementById("token").value = "%s";
  document.getElementById("engage-kill").click();
})""" % TOKEN)
        check(answer == "200 kill switch engaged", f"the button's answer: {answer!r}")
        check(status(base)["day"]["kill_switch"] is True, "/status: kill switch engaged")
        engaged = tools.evaluate(PAGE_WHEN % "(s) => s.kill === 'ENGAGED'")
        check(engaged["kill"] == "ENGAGED", "the page's badge follows by its event stream")
        tearsheet(tools, scalper, work)
    finally:
        if browser:
            browser.kill()
            browser.wait()
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=120)
        sim.terminate()
        sim.wait()
    dump = subprocess.run([scalper, "journal", "dump", journal, "--kind", "operator_command"],
                          capture_output=True, text=True)
    check(dump.returncode == 0 and re.search(r"kill.?switch.*engaged=true", dump.stdout, re.I) is not None,
          f"the journal holds the button's command: {dump.stdout.strip()!r}")
    if failures:
        print(f"dashboard-check: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("dashboard-check: every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
