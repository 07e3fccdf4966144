// The job page as a live dashboard.
//
// It starts from the snapshot the page carries (json_script: the job, its trials and the
// last event number) and lists the table at once; the charts come after the first paint
// from requests of their own (the metric chart's, which the page preloads, then the
// summary figures', then importance), so a job of thousands of trials is quick to open.
// It applies the job's events as they arrive (live_socket.js): a metric point extends its trial's line
// (Plotly.extendTraces, no redraw); a trial's start or end updates its row, the
// progress and the best-trial panel; the charts that summarise ended trials (best so
// far, parallel coordinates, slices, timeline, importance) are fetched again a moment
// after a trial ends and drawn with Plotly.react. A page too far behind reloads the
// snapshot. Selecting rows highlights those trials in every chart; brushing the
// parallel coordinates filters the table.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const el = F.el;
  const root = document.getElementById("dashboard");
  if (!root) return;
  // Marks for the benchmark's timing (benchmarks/dashboard.py): start, table listed,
  // metric chart drawn.
  if (window.performance && performance.mark) performance.mark("dashboard:start");
  const urls = root.dataset;
  // Plotly's mode bar shows in a chart's top right corner on hover: kept to the tools a
  // chart uses (zoom, pan, reset, a picture; box select on the parallel coordinates), and
  // every figure leaves that corner empty (its top margin; legends and the best-so-far
  // switch elsewhere), so the bar covers no control, label or point.
  const SLIM = ["lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"];
  function config(name) {
    return { responsive: true, displaylogo: false, modeBarButtonsToRemove: name === "parallel" ? SLIM : SLIM.concat(["select2d"]) };
  }
  const FIGURES_DELAY_MS = 1200;
  const IMPORTANCE_DELAY_MS = 8000;

  function read(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  const state = {
    job: null, space: [], trials: new Map(), byId: new Map(), metric: null,
    selected: new Set(), brushed: null, curves: new Map(), stopping: new Set(),
  };

  // --- the snapshot -------------------------------------------------------------------------

  function load(snapshot) {
    state.job = snapshot.job;
    state.tally = snapshot.tally;  // the server's words for the trials ended
    state.space = snapshot.space;
    state.trials = new Map();
    state.byId = new Map();
    for (const row of snapshot.trials) addRow(row);
    state.clock = Date.now() - Date.parse(snapshot.job.now);  // server's clock vs ours
    state.metric = null;
    metricPending = [];
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  // Points and ends that arrive before the metric chart's data are kept and applied on
  // it when it comes, those numbered after the events it already holds.
  let metricPending = [];

  function loadMetric(data) {
    if (window.performance && performance.mark) performance.mark("dashboard:metric-data");
    state.metric = data.figure;
    state.metricBest = data.best_number;
    // Reports as the chart's data holds them; the points that came since are replayed.
    for (const row of state.trials.values()) row.reports = 0;
    for (const key of Object.keys(data.reports)) {
      const row = state.trials.get(Number(key));
      if (row) row.reports = data.reports[key];
    }
    // A running trial's latest report, for the table until its value comes.
    for (const key of Object.keys(data.latest || {})) {
      const row = state.trials.get(Number(key));
      if (row) row.last = data.latest[key][1];
    }
    const pending = metricPending || [];
    metricPending = null;
    for (const event of pending) if (event.seq > data.seq) applyMetric(event);
    drawMetric();
    table.render();
    if (state.selected.size) highlightSelected();
    if (window.performance && performance.mark) performance.mark("dashboard:metric");
  }

  function loadCharts() {
    const metric = getJson(urls.metricUrl).then(loadMetric);
    // The summary figures after the metric chart's data: on a busy server the first
    // chart comes first. Importance (a forest fit) after both.
    metric.catch(function () {}).then(function () { return getJson(urls.figuresUrl); })
      .then(function (data) { drawFigures(data.figures, data.leaderboard); })
      .catch(function (e) { window.console.warn(e); })
      .then(function () { refreshImportance(0); });
    return metric.catch(function (e) { window.console.warn(e); });
  }

  function applyMetric(event) {
    const row = state.byId.get(event.trial);
    if (!row) return;
    if (event.type === "trial.reported") extendMetric(row, event.points || []);
    else finishedMetric(event, row);
  }

  function addRow(row) {
    state.trials.set(row.number, row);
    state.byId.set(row.id, row);
  }

  function rows() { return Array.from(state.trials.values()); }

  // Seconds since the job started, on the server's clock.
  function now() {
    const origin = state.job.started_at || state.job.now;
    return (Date.now() - state.clock - Date.parse(origin)) / 1000;
  }

  // The job's running time (s): pauses and the stretch between an end and an extension
  // are not counted.
  function runTime() {
    return F.runTime(state.job.run_seconds, state.job.running_since, state.clock);
  }

  function secondsOf(iso) {
    const origin = state.job.started_at || state.job.now;
    return iso ? (Date.parse(iso) - Date.parse(origin)) / 1000 : null;
  }

  // --- charts -------------------------------------------------------------------------------

  // Charts below the fold are drawn when they come near the screen: a job of thousands
  // of trials is interactive as soon as the charts in view are drawn.
  const pending = new Map();
  const observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting || !pending.has(entry.target)) continue;
      const node = entry.target;
      observer.unobserve(node);
      const figure = pending.get(node);
      pending.delete(node);
      draw(node, figure);
    }
  }, { rootMargin: "600px 0px" }) : null;

  function plot(name, figure) {
    const node = root.querySelector('[data-live-chart="' + name + '"]');
    if (!node) return;
    const empty = root.querySelector('[data-live-empty="' + name + '"]');
    if (!figure || !window.Plotly) {
      node.hidden = true;
      if (empty) empty.hidden = false;
      pending.delete(node);
      return;
    }
    node.hidden = false;
    if (empty) empty.hidden = true;
    if (!node.dataset.drawn && observer && name !== "metric") {
      if (!pending.has(node)) observer.observe(node);
      pending.set(node, figure);
      return node;
    }
    draw(node, figure);
    return node;
  }

  function draw(node, figure) {
    // Plotly keeps (and extends) the arrays it is given: it gets its own copy, so the
    // page's model and the chart are each extended once.
    const data = JSON.parse(JSON.stringify(figure.data));
    const layout = JSON.parse(JSON.stringify(figure.layout));
    const options = config(node.dataset.liveChart);
    if (node.dataset.drawn) window.Plotly.react(node, data, layout, options);
    else { window.Plotly.newPlot(node, data, layout, options); node.dataset.drawn = "1"; }
    if (node.dataset.liveChart === "parallel" && !node.dataset.brushing) {
      node.dataset.brushing = "1";
      node.on("plotly_selected", onBrush);
      node.on("plotly_deselect", function () { setBrush(null); });
    }
    if (state.selected.size && node.dataset.liveChart !== "metric") markSelected(node.dataset.liveChart);
  }

  function metricNode() { return root.querySelector('[data-live-chart="metric"]'); }

  function drawMetric() {
    const figure = state.metric;
    const hasData = figure && figure.data.some(function (t) { return t.x && t.x.length; });
    plot("metric", hasData ? figure : null);
    const node = metricNode();
    if (node) node.dataset.points = String(pointCount());
  }

  function pointCount() {
    if (!state.metric) return 0;
    return state.metric.data.reduce(function (n, t) {
      return n + (t.y ? t.y.filter(function (v) { return v !== null; }).length : 0);
    }, 0);
  }

  function runningIndex(number) {
    const meta = state.metric.layout.meta;
    if (meta.running[number] !== undefined) return meta.running[number];
    const index = state.metric.data.length;
    const colours = ["#1f6feb", "#1a7f37", "#9a6700", "#8250df", "#0598bc", "#bf3989"];
    const trace = {
      type: "scatter", name: "trial " + number + " (running)", x: [], y: [],
      mode: "lines+markers", marker: { size: 4 }, connectgaps: false,
      line: { color: colours[Object.keys(meta.running).length % colours.length], width: 2 },
      hovertemplate: "trial " + number + "<br>report %{x}<br>%{y}<extra></extra>",
    };
    meta.running[number] = index;
    state.metric.data.push(trace);
    const node = metricNode();
    if (node && node.dataset.drawn && !node.hidden) window.Plotly.addTraces(node, JSON.parse(JSON.stringify(trace)));
    return index;
  }

  function extendMetric(row, points) {
    const index = runningIndex(row.number);
    const trace = state.metric.data[index];
    const xs = [], ys = [];
    for (const point of points) {
      const step = point[0];
      if (step <= (row.reports || 0)) continue;  // a replayed point: already drawn
      row.reports = step;
      row.last = point[1];
      xs.push(step);
      ys.push(F.plottable(point[1]));
    }
    if (!xs.length) return;
    const node = metricNode();
    // Whole report numbers on the axis, their step widening as the reports grow.
    const ticks = F.countTicks(xs[xs.length - 1]);
    const axis = state.metric.layout.xaxis = state.metric.layout.xaxis || {};
    const wider = !(axis.dtick >= ticks["xaxis.dtick"]);
    if (wider) {
      for (const path of Object.keys(ticks)) axis[path.slice(6)] = ticks[path];
    }
    if (node && node.dataset.drawn && !node.hidden) {
      if (wider) window.Plotly.relayout(node, ticks);
      window.Plotly.extendTraces(node, { x: [xs], y: [ys] }, [index]);
      trace.x = trace.x.concat(xs);  // extendTraces extended the node's copy; keep ours in step
      trace.y = trace.y.concat(ys);
    } else {
      trace.x = trace.x.concat(xs);
      trace.y = trace.y.concat(ys);
      drawMetric();
    }
    if (node) node.dataset.points = String(pointCount());
  }

  function endMetric(row) {
    const meta = state.metric.layout.meta;
    const index = meta.running[row.number];
    const node = metricNode();
    const drawn = node && node.dataset.drawn && !node.hidden;
    if (index !== undefined) {
      const trace = state.metric.data[index];
      trace.name = "trial " + row.number;
      trace.mode = "lines";
      trace.line = { color: "#8aa0bd", width: 1.2 };
      trace.opacity = 0.6;
      trace.showlegend = false;
      if (drawn) window.Plotly.restyle(node, { name: trace.name, mode: "lines", "line.color": "#8aa0bd", "line.width": 1.2, opacity: 0.6, showlegend: false }, [index]);
      delete meta.running[row.number];
      meta.own = meta.own || {};
      meta.own[row.number] = index;
      if (row.status === "early_stopped") {
        let k = trace.y.length - 1;
        while (k >= 0 && trace.y[k] === null) k -= 1;
        if (k >= 0) {
          const stop = state.metric.data[meta.stopped];
          stop.x.push(trace.x[k]); stop.y.push(trace.y[k]);
          stop.text = (stop.text || []).concat(["trial " + row.number + " stopped early"]);
          if (drawn) window.Plotly.extendTraces(node, { x: [[trace.x[k]]], y: [[trace.y[k]]], text: [["trial " + row.number + " stopped early"]] }, [meta.stopped]);
        }
      }
    }
  }

  // A trial's end on the metric chart: its line joins the ended ones; if it is the new
  // best, it turns red.
  function finishedMetric(event, row) {
    endMetric(row);
    const best = event.best_trial !== undefined && event.best_trial !== null ? state.byId.get(event.best_trial) : null;
    if (best && best.number !== state.metricBest) {
      state.metricBest = best.number;
      moveBest(best.number);
    }
  }

  // A trial that ended since the page loaded became the best: its line turns red, the old best's
  // joins the ended trials' line.
  function moveBest(number) {
    const meta = state.metric.layout.meta;
    const index = (meta.own || {})[number];
    if (index === undefined) return;
    const best = state.metric.data[meta.best];
    const ended = state.metric.data[meta.ended];
    const own = state.metric.data[index];
    const node = metricNode();
    const drawn = node && node.dataset.drawn && !node.hidden;
    if (best.x.length) {
      const xs = best.x.concat([null]), ys = best.y.concat([null]);
      ended.x = ended.x.concat(xs); ended.y = ended.y.concat(ys);
      if (drawn) window.Plotly.extendTraces(node, { x: [xs], y: [ys] }, [meta.ended]);
    }
    best.x = own.x; best.y = own.y; best.name = "best: trial " + number;
    own.x = []; own.y = [];
    delete meta.own[number];
    if (drawn) {
      window.Plotly.restyle(node, { x: [best.x], y: [best.y], name: best.name }, [meta.best]);
      window.Plotly.restyle(node, { x: [[]], y: [[]] }, [index]);
    }
  }

  function highlightSelected() {
    const numbers = Array.from(state.selected);
    const missing = numbers.filter(function (n) { return !state.curves.has(n) || (state.trials.get(n) || {}).status === "running"; });
    const ready = missing.length ? fetch(urls.curvesUrl + "?trials=" + missing.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { for (const key of Object.keys(data.curves)) state.curves.set(Number(key), data.curves[key]); })
      : Promise.resolve();
    ready.then(function () {
      markSelected("parallel");
      markSelected("slice");
      // The metric chart may have been reloaded meanwhile, or not be loaded yet (it
      // draws the selection when it comes).
      const meta = state.metric && state.metric.layout.meta;
      if (!meta) return;
      const xs = [], ys = [];
      for (const n of numbers) {
        const curve = state.curves.get(n) || [];
        curve.forEach(function (v, k) { xs.push(k + 1); ys.push(F.plottable(v)); });
        xs.push(null); ys.push(null);
      }
      const selected = state.metric.data[meta.selected];
      selected.x = xs; selected.y = ys;
      selected.name = numbers.length ? "selected: " + numbers.map(function (n) { return "#" + n; }).join(", ") : "selected";
      const node = metricNode();
      if (node && node.dataset.drawn && !node.hidden) window.Plotly.restyle(node, { x: [xs], y: [ys], name: selected.name }, [meta.selected]);
    });
  }

  // Selected trials' dots and lines drawn larger in the charts that carry trial numbers.
  function markSelected(name) {
    const node = root.querySelector('[data-live-chart="' + name + '"]');
    if (!node || !node.data || !window.Plotly) return;
    const chosen = state.selected;
    const sizes = node.data.map(function (trace) {
      return (trace.customdata || []).map(function (n) { return chosen.has(n) ? 10 : (name === "slice" ? 6 : 3); });
    });
    const opacities = node.data.map(function (trace) {
      return (trace.customdata || []).map(function (n) { return chosen.has(n) ? 1 : (name === "slice" ? 0.7 : 0); });
    });
    window.Plotly.restyle(node, { "marker.size": sizes, "marker.opacity": opacities });
  }

  function drawFigures(figures, leaderboard) {
    state.bestFigure = figures.best;
    drawBest();
    plot("parallel", figures.parallel && withBrush(figures.parallel));
    plot("slice", figures.slice);
    plot("timeline", figures.timeline);
    renderLeaderboard(leaderboard);
    if (state.selected.size) { markSelected("parallel"); markSelected("slice"); }
  }

  // Best so far by trial or by time: the figure's meta.axes holds both readings of the
  // x axis (restyle and relayout arguments); the chosen one outlives a redraw.
  function drawBest() {
    const figure = state.bestFigure;
    const axes = figure && figure.layout.meta && figure.layout.meta.axes;
    const buttons = root.querySelector("[data-best-axis-switch]");
    if (buttons) buttons.hidden = !axes;
    if (!axes) { plot("best", figure); return; }
    const mode = axes[state.bestAxis] ? state.bestAxis : "number";
    const copy = JSON.parse(JSON.stringify(figure));
    const restyle = axes[mode][0], relayout = axes[mode][1];
    for (const key of Object.keys(restyle)) {
      copy.data.forEach(function (trace, i) { trace[key] = restyle[key][i]; });
    }
    for (const path of Object.keys(relayout)) {
      const parts = path.split(".");
      let at = copy.layout;
      for (const part of parts.slice(0, -1)) { at[part] = at[part] || {}; at = at[part]; }
      at[parts[parts.length - 1]] = relayout[path];
    }
    if (buttons) buttons.querySelectorAll("[data-best-axis]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.bestAxis === mode));
    });
    plot("best", copy);
  }

  root.querySelectorAll("[data-best-axis]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.bestAxis = button.dataset.bestAxis;
      drawBest();
    });
  });

  function withBrush(figure) {
    figure.layout.dragmode = "select";
    figure.layout.selectdirection = "any";
    return figure;
  }

  // Boxes drawn over the parallel coordinates' axes keep the trials that cross every
  // boxed axis inside its box.
  function onBrush(event) {
    if (!event || !event.points || !event.points.length) { setBrush(null); return; }
    const byAxis = new Map();
    for (const point of event.points) {
      if (point.customdata === null || point.customdata === undefined) continue;
      if (!byAxis.has(point.x)) byAxis.set(point.x, new Set());
      byAxis.get(point.x).add(point.customdata);
    }
    let kept = null;
    for (const numbers of byAxis.values()) {
      kept = kept === null ? new Set(numbers) : new Set(Array.from(kept).filter(function (n) { return numbers.has(n); }));
    }
    setBrush(kept);
  }

  function setBrush(kept) {
    state.brushed = kept;
    if (!kept) {
      const node = root.querySelector('[data-live-chart="parallel"]');
      if (node && node.data && window.Plotly) window.Plotly.restyle(node, { selectedpoints: [null] });
    }
    table.page = 0;
    table.render();
  }

  function renderLeaderboard(board) {
    const body = root.querySelector("[data-live-leaderboard]");
    if (!body || !board) return;
    body.replaceChildren.apply(body, board.map(function (entry) {
      return el("tr", { className: entry.found_best ? "best-row" : "" }, [
        // The star beside the name, not a column of its own: the card is narrow.
        el("td", { className: "nowrap" }, [el("span", { className: "tag", text: entry.algorithm || "—" })].concat(
          entry.found_best ? [" ", el("strong", { text: "★", title: "This algorithm found the best trial of the job", "data-testid": "found-best" })] : [])),
        el("td", { className: "num", text: F.metric(entry.best) }),
        el("td", { className: "num" }, entry.best_number ? [el("a", { href: trialUrl(entry.best_number), text: "#" + entry.best_number })] : ["—"]),
        el("td", { className: "num", text: String(entry.trials) }),
        el("td", { className: "num", text: String(entry.failures) }),
      ]);
    }));
  }

  let figuresTimer = null, importanceTimer = null;
  function refreshFigures() {
    if (figuresTimer) return;
    figuresTimer = window.setTimeout(function () {
      figuresTimer = null;
      fetch(urls.figuresUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { drawFigures(data.figures, data.leaderboard); });
    }, FIGURES_DELAY_MS);
  }

  function refreshImportance(delay) {
    if (importanceTimer) return;
    importanceTimer = window.setTimeout(function () {
      importanceTimer = null;
      fetch(urls.importanceUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { plot("importance", data.figure); });
    }, delay);
  }

  // --- the page's numbers ---------------------------------------------------------------------

  function counts() {
    const out = { queued: 0, running: 0, completed: 0, early_stopped: 0, failed: 0, canceled: 0, lost: 0 };
    for (const row of state.trials.values()) out[row.status] = (out[row.status] || 0) + 1;
    return out;
  }

  function renderProgress() {
    const c = counts();
    const job = state.job;
    const tally = state.tally;
    window.SweepProgress.render(root.querySelector("[data-live-progress]"), {
      counts: c, tally: tally, apart: job.budget_rule.apart, max: job.max_trials, status: job.status,
      elapsed: job.started_at ? runTime() : null,
      // A paused job keeps an unused deadline: only a running one counts down.
      deadlineLeft: job.deadline_at && job.running_since ? (Date.parse(job.deadline_at) - Date.now() + state.clock) / 1000 : null,
    });
    setText("trials-done", tally.ended, " / " + job.max_trials);
    setText("trials-apart", tally.apart);
    setText("trials-running", c.running);
    if (job.started_at) setText("job-duration", F.duration(runTime()));
  }

  function setText(testid, value, suffix) {
    const node = document.querySelector('[data-testid="' + testid + '"]');
    if (!node) return;
    node.replaceChildren(String(value));
    if (suffix) node.append(el("span", { className: "muted stat-suffix", text: suffix }));
  }

  function renderBest() {
    const number = state.job.best_number;
    const row = number ? state.trials.get(number) : null;
    const value = document.querySelector('[data-testid="best-value"]');
    if (value) value.textContent = row ? F.metric(row.value) : "—";
    const slot = root.querySelector("[data-live-best-slot]");
    if (!slot || !number || slot.dataset.number === String(number)) return;
    slot.dataset.number = String(number);
    // A new best: the server draws its panel (command line, links); swap it in.
    fetch(urls.bestUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) { slot.innerHTML = html; });  // the console's own escaped template
  }

  function renderStatus() {
    const status = state.job.status;
    const badge = document.querySelector('[data-testid="job-status"]');
    if (badge) { badge.className = "badge badge-" + status; badge.textContent = F.statusLabel(status); }
    // The header's buttons follow the status (the server drew them for the old one).
    const show = { "pause-job": status === "running", "resume-job": status === "paused",
                   "cancel-job": ["created", "running", "paused"].indexOf(status) >= 0 };
    for (const testid of Object.keys(show)) {
      const button = document.querySelector('[data-testid="' + testid + '"]');
      if (button && !show[testid]) button.closest("form").hidden = true;
    }
  }

  // --- events ---------------------------------------------------------------------------------

  let tableTimer = null;
  function soon() {
    if (tableTimer) return;
    tableTimer = window.setTimeout(function () { tableTimer = null; table.render(); renderProgress(); renderBest(); }, 150);
  }

  const handlers = {
    "trial.created": function (event) {
      for (const t of event.trials || []) {
        if (state.trials.has(t.number)) continue;
        addRow({ id: t.trial, number: t.number, status: "queued", algorithm: t.algorithm, params: t.params, value: null, reason: "", started: null, finished: null, reports: 0, stopping: false });
      }
      soon();
    },
    "trial.started": function (event) {
      const row = state.byId.get(event.trial);
      if (!row || row.status !== "queued") return;
      row.status = "running";
      row.started = secondsOf(event.started_at);
      soon();
    },
    "trial.reported": function (event) {
      const row = state.byId.get(event.trial);
      if (!row) return;
      if (row.status === "queued") row.status = "running";
      if (state.metric) extendMetric(row, event.points || []);
      else {
        metricPending.push(event);
        for (const point of event.points || []) {
          if (point[0] > (row.reports || 0)) row.last = point[1];
          row.reports = Math.max(row.reports || 0, point[0]);
        }
      }
      soon();
    },
    "trial.finished": function (event) {
      const row = state.byId.get(event.trial);
      if (!row) return;
      row.status = event.status;
      row.value = typeof event.value === "number" ? event.value : null;
      row.reason = event.reason || "";
      row.finished = secondsOf(event.finished_at);
      row.stopping = false;
      state.curves.delete(row.number);
      if (event.best_trial !== undefined && event.best_trial !== null) {
        const best = state.byId.get(event.best_trial);
        if (best) state.job.best_number = best.number;
      }
      if (state.metric) finishedMetric(event, row);
      else metricPending.push(event);
      if (state.selected.has(row.number)) highlightSelected();
      soon();
      refreshFigures();
      refreshImportance(IMPORTANCE_DELAY_MS);
    },
    "job.status": function (event) {
      state.job.status = event.status;
      if (["completed", "failed", "canceled", "timed_out"].indexOf(event.status) >= 0) {
        reload();  // the job's end changed many trials at once (queued ones canceled)
      }
      renderStatus();
      renderProgress();
    },
    "job.extended": function () { reload(); },
  };

  function apply(event) {
    const handler = handlers[event.type];
    if (handler) handler(event);
  }

  function reload() {
    getJson(urls.snapshotUrl).then(function (snapshot) {
      load(snapshot);
      table.render();
      renderProgress(); renderBest(); renderStatus();
      socket.reset(snapshot.seq);
      loadCharts();
    });
  }

  // --- actions --------------------------------------------------------------------------------

  function trialUrl(number) { return urls.trialUrl.replace("/0/", "/" + number + "/"); }

  function stop(row) {
    const body = new URLSearchParams({ csrfmiddlewaretoken: F.csrfToken() });
    fetch(trialUrl(row.number) + "stop/", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": F.csrfToken() }, redirect: "manual",
    }).then(function () {
      if (row.status === "running") row.stopping = true;
      table.render();
    });
  }

  function compare() {
    const numbers = Array.from(state.selected).sort(function (a, b) { return a - b; });
    fetch(urls.curvesUrl + "?trials=" + numbers.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        window.SweepCompare.render(root.querySelector("[data-live-compare]"), numbers.map(function (n) { return state.trials.get(n); }), data.curves, {
          names: state.job.searched, metric: state.job.metric, trialUrl: trialUrl,
          duration: function (r) { return r.started === null ? null : (r.finished !== null ? r.finished : now()) - r.started; },
        });
      });
  }

  // The best-trial panel's copy button (the panel is swapped when the best changes).
  root.addEventListener("click", function (event) {
    const button = event.target.closest("[data-live-copy]");
    if (!button) return;
    const source = root.querySelector(button.dataset.liveCopy);
    const text = source ? source.textContent : "";
    function done() {
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else if (source) {
      const range = document.createRange();  // plain http: the user presses Ctrl+C
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
  });

  // --- start ----------------------------------------------------------------------------------

  const snapshot = read("dashboard-snapshot");
  load(snapshot);
  const table = new window.SweepTrialTable(root.querySelector("[data-live-table]"), {
    rows: rows, job: state.job, space: state.space, selected: state.selected,
    get brushed() { return state.brushed; }, trialUrl: trialUrl, now: now,
  }, {
    onSelect: highlightSelected, onStop: stop, onCompare: compare,
    onClearBrush: function () { setBrush(null); },
  });
  // The table reads state.job: keep it the same object after a reload.
  const tableModel = table.model;
  Object.defineProperty(tableModel, "job", { get: function () { return state.job; } });
  Object.defineProperty(tableModel, "space", { get: function () { return state.space; } });

  renderProgress();
  renderBest();
  if (window.performance && performance.mark) performance.mark("dashboard:table");
  const charts = loadCharts();
  window.setInterval(renderProgress, 1000);
  const indicator = document.querySelector("[data-live-state]");
  const socket = new window.SweepLive.JobEvents({
    path: urls.socketPath,
    seq: snapshot.seq,
    onEvent: apply,
    onStale: reload,
    onState: function (name) { window.SweepLive.showState(indicator, name); },
    // The trials ended in the server's words (trial_budget), recounted as they change.
    onProgress: function (event) {
      state.tally = event.tally;
      if ("run_seconds" in event) {
        state.job.run_seconds = event.run_seconds;
        state.job.running_since = event.running_since;
      }
      renderProgress();
    },
  });
  window.SweepDashboard = { state: state, table: table, charts: charts };
})();
