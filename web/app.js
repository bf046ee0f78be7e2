// Tributary dashboard: polls GET /api/status (pipeline health) every 2 s and runs the business
// queries through POST /api/query (the sandboxed SQL API) every 3 s; GET /api/alerts for the
// alerts panel (an empty state while the endpoint answers 404). Charts: uPlot (embedded).
"use strict";

(function () {
  const STATUS_EVERY_MS = 2000;
  const SQL_EVERY_MS = 3000;
  const HISTORY_POINTS = 150;  // throughput/lag samples kept (5 min at 2 s)
  const BUCKET_S = 10;         // sales charts: 10 s buckets, scaled to per-minute rates
  const WINDOW_MIN = 15;
  const HIGH_VALUE = 2500;     // order value (price x quantity) for "high-value orders"

  const C = {
    blue: "#38bdf8", green: "#22c55e", amber: "#f59e0b", red: "#ef4444", violet: "#a78bfa",
    axis: "#8b9bb4", grid: "rgba(139,155,180,0.14)",
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    table: null,        // the SQL table the business queries read (first delivery's table)
    tableRows: 0,       // its committed rows (from /api/status); 0: no business queries yet
    prev: null,         // previous status sample, for rates
    history: { t: [], tableChanges: [], captured: [], delivered: [], lagMs: [], lagRecords: [] },
    alertsAvailable: null,
    lastStatusOk: 0,
    sqlBusy: false,
  };

  // ---------- formatting ----------
  const nf0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const nf1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const money2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function compact(v) {
    if (v == null || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a >= 1e9) return nf1.format(v / 1e9) + "G";
    if (a >= 1e6) return nf1.format(v / 1e6) + "M";
    if (a >= 1e4) return nf1.format(v / 1e3) + "k";
    return nf0.format(v);
  }
  function moneyCompact(v) {
    if (v == null || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a >= 1e6) return "$" + nf1.format(v / 1e6) + "M";
    if (a >= 1e4) return "$" + nf1.format(v / 1e3) + "k";
    return money.format(v);
  }
  function ms(v) {
    if (v == null || !isFinite(v)) return "–";
    if (v >= 60000) return nf1.format(v / 60000) + " min";
    if (v >= 1000) return nf1.format(v / 1000) + " s";
    return nf0.format(v) + " ms";
  }
  function bytes(v) {
    if (!v) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return nf1.format(v) + " " + u[i];
  }
  function timeText(ms) {
    if (!ms) return "–";
    return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function setText(id, text) { const el = $(id); if (el) el.textContent = text; }

  // ---------- HTTP ----------
  async function getJson(path) {
    const r = await fetch(path, { cache: "no-store" });
    const body = await r.text();
    let json = null;
    try { json = JSON.parse(body); } catch (e) { /* not JSON */ }
    return { status: r.status, json, body };
  }

  // Runs SQL through POST /api/query. Resolves {columns, rows, ...}; rejects with an Error whose
  // .code is the API's error code ("query_error", "timeout", ...).
  async function sql(text, maxRows) {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch("/api/query", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sql: text, max_rows: maxRows || 1000 }),
      });
      const body = await r.json().catch(() => null);
      if (r.ok && body && !body.error) return body;
      const err = new Error(body && body.message ? body.message : "HTTP " + r.status);
      err.code = body && body.error ? body.error : "http_" + r.status;
      // A file committed between the view refresh and the read (its '_' temporary name was
      // renamed away): transient, the next attempt sees the final name.
      if (attempt < 2 && /No files found that match the pattern/.test(err.message)) {
        await new Promise((res) => setTimeout(res, 200));
        continue;
      }
      throw err;
    }
  }

  // A query error that only means "no data yet" (table or column not there until the first
  // commit or the first MODIFY).
  function isNoDataYet(err) {
    return /does not exist|not found|Referenced column|no such|Catalog Error|Binder Error/i.test(err.message || "");
  }

  // ---------- charts ----------
  function axis(label, fmt, extra) {
    return Object.assign({
      stroke: C.axis, label, labelSize: 18, labelFont: "12px system-ui, sans-serif",
      font: "11px system-ui, sans-serif",
      grid: { stroke: C.grid, width: 1 }, ticks: { stroke: C.grid, width: 1 },
      values: fmt ? (u, vals) => vals.map(fmt) : undefined,
      size: 54,
    }, extra || {});
  }

  function fill(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }

  // A chart that sizes itself to its container, with an empty state overlay.
  class Chart {
    constructor(el, makeOpts) {
      this.el = el;
      this.makeOpts = makeOpts;
      this.plot = null;
      this.key = null;
      el.classList.add("empty");
      new ResizeObserver(() => this.resize()).observe(el);
    }
    size() { return { width: Math.max(200, this.el.clientWidth), height: Math.max(120, this.el.clientHeight) }; }
    resize() { if (this.plot) this.plot.setSize(this.size()); }
    // data: uPlot columns [xs, ys...]; key: anything that changes the options (e.g. labels).
    set(data, key, extra) {
      const hasData = data[0].length > 0;
      this.el.classList.toggle("empty", !hasData);
      this.points = data[0].length;
      if (!this.plot || key !== this.key) {
        if (this.plot) this.plot.destroy();
        this.key = key;
        this.plot = new uPlot(Object.assign(this.makeOpts(extra), this.size()), data, this.el);
      } else {
        this.plot.setData(data);
      }
    }
  }

  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");
  // HH:MM:SS (or HH:MM over long spans) in UTC, whatever the browser's time zone.
  const clock = (u, splits) => {
    const span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
    return splits.map((ts) => new Date(ts * 1e3).toISOString().slice(11, span > 600 ? 16 : 19));
  };
  const timeAxis = () => axis("time (UTC)", null, { size: 40, values: clock });
  // y from 0 to a little above the maximum, at least `floor` so small values do not get
  // fractional ticks.
  // One point has no span: show the minute before it.
  const timeRange = (u, min, max) => (min == null || max - min < 30 ? [(max || 0) - 60, (max || 0) + 5] : [min, max]);
  const fromZero = (floor) => (u, min, max) => [0, Math.max(floor, (max || 0) * 1.1)];

  function lineOpts(yLabel, yFmt, series, extra) {
    return () => Object.assign({
      tzDate: utc,
      scales: { x: { time: true, range: timeRange }, y: { range: fromZero(5) } },
      axes: [timeAxis(), axis(yLabel, yFmt, { size: 64 })],
      series: [{ label: "time", value: (u, v) => v == null ? "–" : utc(v).toISOString().slice(11, 19) }].concat(series),
      legend: { live: true },
      cursor: { points: { size: 6 } },
    }, extra || {});
  }
  function serie(label, color, fmt, opts) {
    return Object.assign({
      label, stroke: color, width: 2, fill: fill(color, 0.12),
      points: { show: (u) => u.data[0].length < 40, size: 5, fill: color },
      value: (u, v) => v == null ? "–" : fmt(v),
    }, opts || {});
  }

  const perMin = (v) => compact(v);
  const charts = {
    orders: new Chart($("chart-orders"), lineOpts("orders / min", perMin,
      [serie("orders / min", C.blue, (v) => nf1.format(v))])),
    revenue: new Chart($("chart-revenue"), lineOpts("USD / min", moneyCompact,
      [serie("revenue / min", C.green, (v) => money2.format(v))])),
    events: new Chart($("chart-events"), lineOpts("changes / min", perMin, [
      serie("INSERT", C.green, (v) => nf1.format(v), { fill: undefined }),
      serie("MODIFY", C.amber, (v) => nf1.format(v), { fill: undefined }),
      serie("REMOVE", C.red, (v) => nf1.format(v), { fill: undefined }),
    ])),
    throughput: new Chart($("chart-throughput"), lineOpts("records / s", perMin, [
      serie("table changes/s", C.violet, (v) => nf1.format(v), { fill: undefined }),
      serie("captured/s", C.amber, (v) => nf1.format(v), { fill: undefined }),
      serie("delivered/s", C.blue, (v) => nf1.format(v)),
    ])),
    lag: new Chart($("chart-lag"), () => Object.assign(lineOpts("lag (ms)", (v) => nf0.format(v), [
      serie("lag ms", C.violet, (v) => nf0.format(v) + " ms"),
      serie("lag records", C.amber, (v) => nf0.format(v), { scale: "rec", fill: undefined }),
    ])(), {
      scales: { x: { time: true, range: timeRange }, y: { range: fromZero(10) }, rec: { range: fromZero(10) } },
      axes: [timeAxis(), axis("lag (ms)", (v) => nf0.format(v), { size: 64 }),
             axis("records", (v) => compact(v), { scale: "rec", side: 1, grid: { show: false }, size: 54 })],
    })),
    products: new Chart($("chart-products"), (names) => ({
      scales: { x: { time: false, ori: 1, dir: -1, range: [-0.5, names.length - 0.5] },
                y: { ori: 0, range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        axis(null, null, { scale: "x", side: 3, size: 140, grid: { show: false },
          splits: () => names.map((_, i) => i), values: (u, splits) => splits.map((i) => names[i] || "") }),
        axis("revenue (USD)", moneyCompact, { scale: "y", side: 2, size: 40, space: 70 }),
      ],
      series: [{ label: "product", value: (u, i) => names[i] || "–" },
               { label: "revenue", stroke: C.blue, fill: fill(C.blue, 0.55), width: 1,
                 paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false },
                 value: (u, v) => v == null ? "–" : money.format(v) }],
      legend: { show: false },
      cursor: { points: { show: false } },
    })),
  };

  // ---------- pipeline health ----------
  function rate(cur, prev, key, dt) {
    if (!prev || dt <= 0) return null;
    const d = (cur[key] || 0) - (prev[key] || 0);
    return d >= 0 ? d / dt : null;
  }

  function renderFlow(st, rates, tables) {
    const d0 = (st.deliveries || [])[0] || {};
    const p0 = (st.pipes || [])[0] || {};
    const tbl = tables.find((t) => t.name === d0.table) || tables[0] || {};
    const headroom = d0.retention_ms ? Math.max(0, Math.min(1, d0.retention_headroom_ms / d0.retention_ms)) : 1;
    const stages = [
      { name: "Table", title: "DynamoDB-compatible table", fig: compact(st.table_changes), note: "changes emitted", r: rates.tableChanges },
      { name: "Pipe", title: p0.name || "pipe", fig: compact(st.captured), note: `backlog ${compact(st.capture_backlog)} records`, r: rates.captured },
      { name: "Stream", title: d0.stream || "stream", fig: compact(st.lag_records), note: `records not yet delivered · lag ${ms(st.lag_ms)}`,
        extra: `<div class="headroom" title="retention headroom"><div style="width:${(headroom * 100).toFixed(1)}%"></div></div>
                <div class="stage-note">retention headroom ${nf1.format((d0.retention_headroom_ms || 0) / 3600000)} h of ${nf1.format((d0.retention_ms || 0) / 3600000)} h</div>` },
      { name: "Delivery", title: d0.name || "delivery", fig: compact(st.delivered), note: `rows · ${compact(st.failed)} failed · ${compact(st.buffered)} buffered`, r: rates.delivered },
      { name: "Lake", title: tbl.name || "SQL table", fig: compact(tbl.files), note: `files · ${compact(tbl.partitions)} partitions · ${bytes(tbl.bytes)}` },
    ];
    $("flow").innerHTML = stages.map((s, i) =>
      (i ? '<div class="flow-arrow">&rarr;</div>' : "") +
      `<div class="stage"><div class="stage-name">${esc(s.name)}</div><div class="stage-title" title="${esc(s.title)}">${esc(s.title)}</div>
       <div class="stage-figure">${s.fig}</div><div class="stage-note">${s.note}</div>
       ${s.r != null ? `<div class="stage-rate">${nf1.format(s.r)} records/s</div>` : ""}${s.extra || ""}</div>`).join("");
  }

  function table(columns, rows, emptyText) {
    if (!rows.length) return `<div class="empty-state">${esc(emptyText)}</div>`;
    const head = columns.map((c) => `<th class="${c.num ? "num" : ""}">${esc(c.label)}</th>`).join("");
    const body = rows.map((r) => "<tr>" + r.map((v, i) => `<td class="${columns[i].num ? "num" : ""}">${v}</td>`).join("") + "</tr>").join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  function renderStatus(s) {
    const st = s.stages;
    const tables = s.tables || [];
    if (!st) {
      setPill("bad", "no pipeline status");
      return;
    }
    const now = st.at_ms / 1000;
    const prev = state.prev;
    const dt = prev ? now - prev.at_ms / 1000 : 0;
    const rates = {
      tableChanges: rate(st, prev, "table_changes", dt),
      captured: rate(st, prev, "captured", dt),
      delivered: rate(st, prev, "delivered", dt),
    };
    state.prev = st;
    const h = state.history;
    if (dt > 0) {
      h.t.push(now);
      h.tableChanges.push(rates.tableChanges);
      h.captured.push(rates.captured);
      h.delivered.push(rates.delivered);
      h.lagMs.push(st.lag_ms);
      h.lagRecords.push(st.lag_records || 0);
      for (const k of Object.keys(h)) if (h[k].length > HISTORY_POINTS) h[k].shift();
      charts.throughput.set([h.t, h.tableChanges, h.captured, h.delivered]);
      charts.lag.set([h.t, h.lagMs, h.lagRecords]);
    }
    const d0 = (st.deliveries || [])[0];
    if (d0 && d0.table && state.table !== d0.table) state.table = d0.table;
    const lakeTable = tables.find((t) => t.name === state.table);
    state.tableRows = lakeTable ? lakeTable.rows : 0;

    const errors = st.errors || [];
    setPill(errors.length ? "bad" : "ok", errors.length ? `running · ${errors.length} stage error(s)` : "running");
    setText("updated", "updated " + new Date(st.at_ms).toISOString().slice(11, 19) + " UTC");

    setText("kpi-captured", compact(st.captured));
    setText("kpi-captured-rate", rates.captured != null ? nf1.format(rates.captured) + " records/s" : "");
    setText("kpi-delivered", compact(st.delivered));
    setText("kpi-delivered-rate", rates.delivered != null ? nf1.format(rates.delivered) + " rows/s" : "");
    setText("kpi-lag", ms(st.lag_ms));
    $("kpi-lag").className = "kpi-value" + (st.lag_ms > 60000 ? " bad" : st.lag_ms > 5000 ? " warn" : "");
    setText("kpi-lag-records", compact(st.lag_records || 0) + " records behind");
    setText("kpi-latency", d0 ? ms(d0.latency_p50_ms) : "–");
    setText("kpi-latency-p99", d0 ? "p99 " + ms(d0.latency_p99_ms) + " · commit p50 " + nf1.format(d0.commit_p50_ms) + " ms" : "");
    setText("kpi-failed", compact(st.failed));
    $("kpi-failed").className = "kpi-value" + (st.failed > 0 ? " warn" : "");

    renderFlow(st, rates, tables);

    $("deliveries").innerHTML = table(
      [{ label: "delivery" }, { label: "rows", num: 1 }, { label: "files", num: 1 }, { label: "bytes", num: 1 },
       { label: "lag", num: 1 }, { label: "commit p50 / p99", num: 1 }, { label: "last commit" }],
      (st.deliveries || []).map((d) => [esc(d.name), nf0.format(d.rows), nf0.format(d.files), bytes(d.bytes),
        `${ms(d.lag_ms)} · ${nf0.format(d.lag_records)} rec`, `${nf1.format(d.commit_p50_ms)} / ${nf1.format(d.commit_p99_ms)} ms`,
        d.last_commit_ms ? timeText(d.last_commit_ms).slice(11) : "–"]),
      "No delivery streams configured");
    $("tables").innerHTML = table(
      [{ label: "table" }, { label: "files", num: 1 }, { label: "partitions", num: 1 }, { label: "rows", num: 1 },
       { label: "bytes", num: 1 }, { label: "last commit" }],
      tables.map((t) => [esc(t.name), nf0.format(t.files), nf0.format(t.partitions), nf0.format(t.rows), bytes(t.bytes),
        t.last_commit_ms ? timeText(t.last_commit_ms).slice(11) : "–"]),
      "No tables in the catalog yet");
    const codes = [];
    for (const d of st.deliveries || []) {
      for (const [code, n] of Object.entries(d.failed_by_code || {})) codes.push([esc(d.name), `<span class="tag tag-REMOVE">${esc(code)}</span>`, nf0.format(n)]);
    }
    $("errors").innerHTML = table([{ label: "delivery" }, { label: "errorCode" }, { label: "records", num: 1 }], codes,
      "No failed records: the error prefix is empty");
    $("stage-errors").innerHTML = table([{ label: "latest error per stage" }], errors.map((e) => [esc(e)]), "No stage errors");
  }

  function setPill(kind, text) {
    const p = $("state-pill");
    p.className = "pill pill-" + kind;
    p.textContent = text;
  }

  async function pollStatus() {
    try {
      const r = await getJson("/api/status");
      if (r.status !== 200 || !r.json) throw new Error("GET /api/status answered " + r.status);
      renderStatus(r.json);
      state.lastStatusOk = Date.now();
      banner(null);
    } catch (e) {
      setPill("bad", "disconnected");
      banner("Cannot reach the pipeline: " + e.message + " (retrying)");
    }
  }

  // Problems shown above everything, by source ("status", "sql"); null clears one.
  const problems = {};
  function banner(text, source) {
    problems[source || "status"] = text;
    const all = Object.values(problems).filter(Boolean);
    const b = $("banner");
    b.classList.toggle("hidden", all.length === 0);
    b.textContent = all.join(" · ");
  }

  // ---------- business view (SQL over the lake) ----------
  function num(v) { return v == null ? null : Number(v); }

  async function pollSales() {
    if (!state.tableRows) {  // nothing committed yet (or no status yet): empty states, no query
      for (const id of ["high-value", "feed"]) {
        $(id).innerHTML = '<div class="empty-state">Waiting for the first commit&hellip;</div>';
      }
      return;
    }
    const T = state.table;
    const bucket = `CAST(floor(epoch(creation_datetime) / ${BUCKET_S}) * ${BUCKET_S} AS BIGINT)`;
    const scale = 60 / BUCKET_S;
    const jobs = [
      sql(`SELECT ${bucket} AS t,
             count(*) FILTER (WHERE cdc_event_type = 'INSERT') * ${scale} AS orders,
             coalesce(sum(price * quantity) FILTER (WHERE cdc_event_type = 'INSERT'), 0) * ${scale} AS revenue,
             count(*) FILTER (WHERE cdc_event_type = 'INSERT') * ${scale} AS ins,
             count(*) FILTER (WHERE cdc_event_type = 'MODIFY') * ${scale} AS mods,
             count(*) FILTER (WHERE cdc_event_type = 'REMOVE') * ${scale} AS rems
           FROM ${T} WHERE creation_datetime >= now() - INTERVAL '${WINDOW_MIN}' MINUTE
           GROUP BY 1 ORDER BY 1`).then((r) => {
        // The newest bucket is still filling: scale it by the part of it that has passed (or
        // leave it out in its first seconds) so the rate does not dip at the edge.
        const nowS = Date.now() / 1000;
        const rows = [];
        // The oldest bucket of a window that is not full yet is where the data began: partial.
        const source = r.rows.length > 1 && num(r.rows[0][0]) > nowS - WINDOW_MIN * 60 + BUCKET_S ? r.rows.slice(1) : r.rows;
        for (const x of source) {
          const elapsed = Math.min(BUCKET_S, nowS - num(x[0]));
          if (elapsed < 2) continue;
          const k = BUCKET_S / elapsed;
          rows.push([num(x[0])].concat([1, 2, 3, 4, 5].map((i) => num(x[i]) * k)));
        }
        const t = rows.map((x) => x[0]);
        charts.orders.set([t, rows.map((x) => x[1])]);
        charts.revenue.set([t, rows.map((x) => x[2])]);
        charts.events.set([t, rows.map((x) => x[3]), rows.map((x) => x[4]), rows.map((x) => x[5])]);
      }),
      sql(`SELECT count(*) FILTER (WHERE cdc_event_type = 'INSERT') AS orders,
             coalesce(sum(price * quantity) FILTER (WHERE cdc_event_type = 'INSERT'), 0) AS revenue,
             count(*) FILTER (WHERE cdc_event_type = 'INSERT' AND creation_datetime >= now() - INTERVAL '1' MINUTE) AS last_min,
             count(*) AS changes
           FROM ${T}`).then((r) => {
        const x = r.rows[0] || [];
        setText("kpi-orders-min", nf0.format(num(x[2]) || 0));
        setText("kpi-orders-total", nf0.format(num(x[0]) || 0) + " orders in total");
        setText("kpi-revenue", moneyCompact(num(x[1]) || 0));
        setText("kpi-revenue-note", "from " + nf0.format(num(x[0]) || 0) + " orders · " + nf0.format(num(x[3]) || 0) + " changes");
      }),
      sql(`SELECT product_name, sum(price * quantity) AS revenue FROM ${T}
           WHERE cdc_event_type = 'INSERT' GROUP BY 1 ORDER BY 2 DESC LIMIT 8`).then((r) => {
        const names = r.rows.map((x) => x[0] || "(none)");
        charts.products.set([names.map((_, i) => i), r.rows.map((x) => num(x[1]))], names.join("|"), names);
      }),
      sql(`SELECT creation_datetime, order_id, product_name, quantity, price, price * quantity AS value, status
           FROM ${T} WHERE cdc_event_type = 'INSERT' AND price * quantity >= ${HIGH_VALUE}
           ORDER BY creation_datetime DESC LIMIT 20`).then((r) => {
        $("high-value").innerHTML = table(
          [{ label: "time (UTC)" }, { label: "product" }, { label: "qty × price", num: 1 }, { label: "value", num: 1 }],
          r.rows.map((x) => [esc((x[0] || "").slice(11, 19)), `<span title="${esc(x[1])}">${esc(x[2])}</span>`,
            `${esc(x[3])} × ${money2.format(num(x[4]))}`, `<b>${money.format(num(x[5]))}</b>`]),
          "No order of $" + nf0.format(HIGH_VALUE) + " or more yet");
      }),
      feed(T),
    ];
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason);
    const real = failed.filter((e) => !isNoDataYet(e));
    banner(real.length ? "SQL over the lake failed: " + real[0].message : null, "sql");
  }

  // The latest changes with old -> new values (old_* columns exist once a MODIFY was delivered,
  // so the row is read by column name).
  async function feed(T) {
    const r = await sql(`SELECT * FROM ${T} ORDER BY creation_datetime DESC, sequence_number DESC LIMIT 15`);
    const at = {};
    (r.columns || []).forEach((c, i) => { at[c.name] = i; });
    const get = (row, name) => (name in at ? row[at[name]] : null);
    const change = (row, name) => {
      const newV = get(row, name);
      const oldV = get(row, "old_" + name);
      if (get(row, "cdc_event_type") === "MODIFY" && oldV != null && oldV !== newV) {
        return `<span class="old">${esc(oldV)}</span><span class="arrow">&rarr;</span>${esc(newV)}`;
      }
      return esc(newV == null ? "–" : newV);
    };
    $("feed").innerHTML = table(
      [{ label: "time (UTC)" }, { label: "change" }, { label: "order" }, { label: "product" }, { label: "status (old → new)" },
       { label: "quantity (old → new)", num: 1 }, { label: "price", num: 1 }],
      r.rows.map((x) => {
        const type = get(x, "cdc_event_type") || "";
        const price = get(x, "price");
        return [esc((get(x, "creation_datetime") || "").slice(11, 23)), `<span class="tag tag-${esc(type)}">${esc(type)}</span>`,
          esc(get(x, "order_id") || ""), esc(get(x, "product_name") || ""), change(x, "status"), change(x, "quantity"),
          price == null ? "–" : money2.format(num(price))];
      }),
      "No changes yet");
  }

  // ---------- alerts ----------
  async function pollAlerts() {
    if (state.alertsAvailable === false) return;  // 404 once: no alert rules on this endpoint
    let r;
    try {
      r = await getJson("/api/alerts?limit=20");
    } catch (e) {
      return;
    }
    if (r.status === 404) {
      state.alertsAvailable = false;
      setText("kpi-alerts", "0");
      setText("kpi-alerts-note", "no alert rules");
      $("alerts").innerHTML = '<div class="empty-state">No alert rules on this endpoint. Add <code>alerts:</code> to the pipeline config to see alerts here.</div>';
      return;
    }
    if (r.status !== 200 || !r.json) {
      $("alerts").innerHTML = `<div class="error">GET /api/alerts answered ${r.status}: ${esc(r.body.slice(0, 200))}</div>`;
      return;
    }
    state.alertsAvailable = true;
    const counts = r.json.counts || {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    setText("kpi-alerts", compact(total));
    setText("kpi-alerts-note", Object.keys(counts).length + " rule(s)");
    $("alert-counts").innerHTML = Object.entries(counts).map(([k, v]) => `<span class="chip">${esc(k)} <b>${nf0.format(v)}</b></span>`).join("");
    $("alerts").innerHTML = table([{ label: "time (UTC)" }, { label: "rule" }, { label: "event" }, { label: "row" }],
      (r.json.alerts || []).map((a) => {
        const row = a.row || {};
        const summary = ["order_id", "product_name", "price", "status"].filter((k) => k in row).map((k) => `${k}=${row[k]}`).join(" ");
        return [esc((a.time || "").replace("T", " ").slice(11, 19)), esc(a.rule), esc((a.event_id || "").slice(0, 12)), esc(summary || JSON.stringify(row).slice(0, 80))];
      }), "No alerts fired yet");
  }

  // ---------- SQL box ----------
  const sqlChart = new Chart($("sql-chart"), (spec) => spec.kind === "bar" ? {
    scales: { x: { time: false, range: [-0.5, spec.labels.length - 0.5] }, y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
    axes: [axis(spec.xLabel, null, { splits: () => spec.labels.map((_, i) => i), values: (u, s) => s.map((i) => spec.labels[i] ?? "") }),
           axis(spec.yLabel, compact, { size: 64 })],
    series: [{ label: spec.xLabel, value: (u, i) => spec.labels[i] ?? "–" }].concat(spec.series.map((s, i) => ({
      label: s, stroke: [C.blue, C.green, C.amber, C.violet][i % 4], fill: fill([C.blue, C.green, C.amber, C.violet][i % 4], 0.5),
      paths: uPlot.paths.bars({ size: [0.7 / spec.series.length, 60], align: 0 }), points: { show: false } }))),
  } : {
    scales: { x: { time: spec.time } },
    tzDate: utc,
    axes: [axis(spec.xLabel, spec.time ? null : compact, { size: 40 }), axis(spec.yLabel, compact, { size: 64 })],
    series: [{ label: spec.xLabel }].concat(spec.series.map((s, i) => serie(s, [C.blue, C.green, C.amber, C.violet][i % 4], (v) => nf1.format(v), { fill: undefined }))),
  });

  function isNumericType(t) { return /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC|HUGEINT/i.test(t || ""); }
  function isTimeType(t) { return /TIMESTAMP|DATE/i.test(t || ""); }

  async function runSql() {
    const text = $("sql-text").value.trim();
    if (!text || state.sqlBusy) return;
    state.sqlBusy = true;
    $("sql-run").disabled = true;
    $("sql-error").classList.add("hidden");
    setText("sql-meta", "running…");
    try {
      const r = await sql(text, 2000);
      const cols = r.columns || [];
      setText("sql-meta", `${nf0.format(r.row_count)} row(s)${r.truncated ? " (truncated)" : ""} in ${nf0.format(r.elapsed_ms)} ms`);
      $("sql-result").innerHTML = table(cols.map((c) => ({ label: `${c.name}`, num: isNumericType(c.type) })),
        r.rows.slice(0, 500).map((row) => row.map((v) => v == null ? '<span class="muted">NULL</span>' : esc(v))), "The query returned no rows");
      renderSqlChart(cols, r.rows);
    } catch (e) {
      setText("sql-meta", "");
      $("sql-error").textContent = (e.code ? e.code + ": " : "") + e.message;
      $("sql-error").classList.remove("hidden");
      $("sql-chart").classList.add("hidden");
    } finally {
      state.sqlBusy = false;
      $("sql-run").disabled = false;
    }
  }

  function renderSqlChart(cols, rows) {
    const view = $("sql-view").value;
    const el = $("sql-chart");
    const numeric = cols.map((c, i) => i > 0 && isNumericType(c.type)).map((v, i) => v ? i : -1).filter((i) => i > 0);
    if (view === "table" || cols.length < 2 || !numeric.length || !rows.length) {
      el.classList.add("hidden");
      if (view !== "table") {
        $("sql-error").textContent = "A chart needs a first column (labels or time) and at least one numeric column.";
        $("sql-error").classList.remove("hidden");
      }
      return;
    }
    el.classList.remove("hidden");
    const data = rows.slice(0, 500);
    const time = view === "line" && isTimeType(cols[0].type);
    const spec = { kind: view, time, xLabel: cols[0].name, yLabel: numeric.map((i) => cols[i].name).join(", "),
                   series: numeric.map((i) => cols[i].name), labels: data.map((r) => r[0] ?? "NULL") };
    let xs;
    if (view === "bar") xs = data.map((_, i) => i);
    else if (time) xs = data.map((r) => Date.parse(String(r[0]).replace(" ", "T") + (String(r[0]).length > 10 ? "Z" : "T00:00:00Z")) / 1000);
    else xs = data.map((r, i) => isNumericType(cols[0].type) ? Number(r[0]) : i);
    const series = numeric.map((i) => data.map((r) => num(r[i])));
    sqlChart.set([xs].concat(series), JSON.stringify(spec), spec);
  }

  $("sql-text").value =
    "SELECT product_name, count(*) AS orders, round(sum(price * quantity), 2) AS revenue\n" +
    "FROM p1_kinesis_firehose_destination\nWHERE cdc_event_type = 'INSERT'\nGROUP BY 1 ORDER BY revenue DESC LIMIT 10";
  $("sql-run").addEventListener("click", runSql);
  $("sql-view").addEventListener("change", runSql);
  $("sql-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runSql(); }
  });

  // ---------- loops ----------
  function loop(fn, every) {
    let running = false;
    const tick = async () => {
      if ($("live").checked && !running && !document.hidden) {
        running = true;
        try { await fn(); } finally { running = false; }
      }
    };
    tick();
    setInterval(tick, every);
  }
  loop(pollStatus, STATUS_EVERY_MS);
  loop(pollSales, SQL_EVERY_MS);
  loop(pollAlerts, SQL_EVERY_MS);

  // For tests and the curious: the number of points each chart shows.
  window.tributaryDashboard = {
    chartPoints: () => Object.fromEntries(Object.entries(charts).map(([k, c]) => [k, c.points || 0])),
    runSql,
  };
})();
