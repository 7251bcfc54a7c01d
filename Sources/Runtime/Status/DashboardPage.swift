/// The live dashboard page: self-contained HTML, CSS and script (no network resources beyond this server).
///
/// It draws `/status`'s `dashboard` object once, then every object `GET /events` sends (Server-Sent Events,
/// reconnecting by itself); the buttons post to the control API with the bearer token typed into the page
/// (kept for the tab only, in `sessionStorage`).
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>AlgoScalper</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:14px system-ui,sans-serif;margin:16px 24px;color:#222;background:#fafafa}
        h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}
        table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
        th{background:#f0f0f0}td.l,th.l{text-align:left}.pos{color:#0a7d3a}.neg{color:#c62828}
        .badge{display:inline-block;padding:2px 8px;border-radius:10px;background:#e0e0e0;margin-right:6px}
        .bad{background:#ffcdd2}.good{background:#c8e6c9}.muted{color:#777}
        button{margin-right:6px}#controls input{width:220px}
        </style></head><body>
        <h1>AlgoScalper <span id="mode" class="badge">…</span><span id="stream" class="badge">connecting</span></h1>
        <div class="muted">IST <span id="time">…</span> · journal seq <span id="seq">…</span> · commit <span id="commit">…</span> ms</div>
        <p><span id="ready" class="badge">…</span><span id="feed" class="badge">feed …</span><span id="orders-stream" class="badge">orders …</span><span id="journal" class="badge">journal …</span> <span id="not-ready" class="muted"></span></p>
        <h2>Day</h2>
        <p>net ₹<b id="day-net">…</b> · MTM high ₹<span id="day-max">…</span> · low ₹<span id="day-min">…</span>
        · breaker <span id="breaker" class="badge">…</span> kill switch <span id="kill-switch" class="badge">…</span></p>
        <svg id="mtm" width="760" height="210" viewBox="0 0 760 210" font-size="11" style="background:#fff;border:1px solid #ddd"></svg>
        <div id="controls"><label>control token <input id="token" type="password" autocomplete="off"></label>
        <button id="engage-kill">Engage kill switch</button><button id="release-kill">Release kill switch</button>
        <button id="reset-circuit">Reset breaker</button> <span id="control-result" class="muted"></span></div>
        <h2>Indices</h2>
        <table id="indices"><tr><th class="l">index</th><th>LTP</th><th>tick age s</th><th>1m trend</th><th>1m ADX</th><th>5m trend</th><th>5m ADX</th><th class="l">signal</th><th class="l">selection</th><th class="l">why no entry</th></tr></table>
        <h2>Open positions</h2>
        <table id="positions"><tr><th class="l">instrument</th><th>phase</th><th>qty</th><th>entry</th><th>last</th><th>stop</th><th>target</th><th>breakeven at</th><th>trail stop</th><th>HWM</th><th>unrealised ₹</th></tr></table>
        <h2>Orders in flight</h2>
        <table id="orders"><tr><th class="l">instrument</th><th>side</th><th>phase</th><th>qty</th><th>attempts</th><th>quiet s</th><th>stuck</th></tr></table>
        <h2>Last events</h2>
        <table id="events"><tr><th>seq</th><th class="l">time</th><th class="l">kind</th><th class="l">what</th></tr></table>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const text = (v) => v === null || v === undefined ? "–" : String(v);
        const money = (v) => v === null || v === undefined ? "–" : Number(v).toFixed(2);
        function cell(value, cls) { const td = document.createElement("td"); td.textContent = text(value); if (cls) td.className = cls; return td; }
        function fill(table, rows, make) {
          while (table.rows.length > 1) table.deleteRow(1);
          for (const row of rows) { const tr = table.insertRow(); make(row, tr); }
        }
        function signed(el, v) { el.textContent = money(v); el.className = v < 0 ? "neg" : "pos"; }
        function badge(el, label, good) { el.textContent = label; el.className = "badge " + (good ? "good" : "bad"); }
        function chart(points) {
          const svg = $("mtm"); const W = 760, H = 210, L = 70, R = 10, T = 10, B = 40;
          let out = "";
          const values = points.map(p => p[1]);
          const hi = Math.max(0, ...values), lo = Math.min(0, ...values), span = Math.max(hi - lo, 1);
          const y = (v) => T + (hi - v) / span * (H - T - B);
          const x = (i) => L + (points.length > 1 ? i / (points.length - 1) : 0) * (W - L - R);
          out += `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#666"/><line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#666"/>`;
          const levels = [[hi, money(hi)]];
          if (lo !== hi) levels.push([lo, money(lo)]);
          if (lo < 0 && hi > 0) levels.push([0, "0"]);
          for (const [v, label] of levels) {
            out += `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">₹${label}</text>`;
          }
          out += `<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="#bbb" stroke-dasharray="4 3"/>`;
          out += `<text x="14" y="${(H - B) / 2}" transform="rotate(-90 14 ${(H - B) / 2})" text-anchor="middle">day net ₹</text>`;
          out += `<text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle">time (IST), sampled each minute</text>`;
          if (points.length > 0) {
            const marks = [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])];
            for (const i of marks) out += `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle">${points[i][0].slice(11, 16)}</text>`;
            out += `<polyline fill="none" stroke="#1565c0" stroke-width="2" points="${points.map((p, i) => `${x(i).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ")}"/>`;
          } else {
            out += `<text x="${(L + W) / 2}" y="${(H - B) / 2}" text-anchor="middle" fill="#777">no samples yet</text>`;
          }
          svg.innerHTML = out;
        }
        function render(d) {
          $("mode").textContent = d.mode; $("time").textContent = d.time; $("seq").textContent = d.seq;
          $("commit").textContent = money(d.health.commit_ms);
          badge($("ready"), d.health.ready ? "ready" : "not ready", d.health.ready);
          $("not-ready").textContent = d.health.not_ready.join("; ");
          badge($("feed"), "feed " + d.health.feed + (d.health.feed_stale ? " (stale)" : ""), d.health.feed === "connected" && !d.health.feed_stale);
          badge($("orders-stream"), d.mode === "paper" ? "orders: paper fills" : "orders " + d.health.order_stream, d.health.order_stream === "connected" || d.mode === "paper");
          badge($("journal"), d.health.journal_healthy ? "journal ok" : "journal: " + d.health.journal_error, d.health.journal_healthy);
          signed($("day-net"), d.day.net); $("day-max").textContent = money(d.day.max_mtm); $("day-min").textContent = money(d.day.min_mtm);
          badge($("breaker"), d.day.circuit_tripped ? "TRIPPED" : "ok", !d.day.circuit_tripped);
          badge($("kill-switch"), d.day.kill_switch ? "ENGAGED" : "off", !d.day.kill_switch);
          chart(d.day.mtm);
          fill($("indices"), d.indices, (i, tr) => {
            tr.dataset.index = i.key;
            tr.append(cell(i.key, "l"), cell(i.ltp === null ? null : money(i.ltp)), cell(i.tick_age_s), cell(i.primary.trend), cell(i.primary.adx),
              cell(i.confirmation.trend), cell(i.confirmation.adx), cell(i.signal ? i.signal.direction + " " + i.signal.time.slice(11, 16) : null, "l"),
              cell(i.selection, "l"), cell(i.no_entry, "l"));
          });
          fill($("positions"), d.positions, (p, tr) => {
            tr.dataset.id = p.id;
            const u = cell(money(p.unrealised)); u.className = p.unrealised < 0 ? "neg" : "pos";
            tr.append(cell(p.instrument, "l"), cell(p.phase), cell(p.quantity), cell(money(p.entry)), cell(p.last === null ? null : money(p.last)),
              cell(p.stop === null ? null : money(p.stop)), cell(p.target === null ? null : money(p.target)),
              cell((p.breakeven_at === null ? "–" : money(p.breakeven_at)) + (p.breakeven_armed ? " ✓" : "")),
              cell(p.trail_stop === null ? null : money(p.trail_stop)), cell(money(p.high_water_mark)), u);
          });
          fill($("orders"), d.orders, (o, tr) => tr.append(cell(o.instrument, "l"), cell(o.side), cell(o.phase), cell(o.quantity), cell(o.attempts), cell(o.quiet_s), cell(o.stuck ? "yes" : "no")));
          fill($("events"), d.events, (e, tr) => tr.append(cell(e.seq), cell(e.time.slice(11), "l"), cell(e.kind, "l"), cell(e.text, "l")));
          document.body.dataset.seq = d.seq;
        }
        async function control(path) {
          const token = $("token").value; sessionStorage.setItem("scalper-token", token);
          const response = await fetch(path, { method: "POST", headers: token ? { "Authorization": "Bearer " + token } : {} });
          $("control-result").textContent = response.status + " " + (await response.text()).trim();
        }
        $("token").value = sessionStorage.getItem("scalper-token") || "";
        $("engage-kill").onclick = () => control("/kill-switch?engaged=true");
        $("release-kill").onclick = () => control("/kill-switch?engaged=false");
        $("reset-circuit").onclick = () => control("/circuit/reset");
        fetch("/status").then(r => r.json()).then(s => render(s.dashboard)).catch(() => {});
        const source = new EventSource("/events");
        source.onopen = () => badge($("stream"), "live", true);
        source.onerror = () => badge($("stream"), "reconnecting", false);
        source.onmessage = (m) => render(JSON.parse(m.data));
        </script></body></html>
        """#
}
