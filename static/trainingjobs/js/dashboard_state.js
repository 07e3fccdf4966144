// The job page's live dashboard (dashboard_*.js, started by dashboard.js): its state.
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
//
// The parts share window.SweepDash: this file makes it (the page's root, its URLs, the
// state, loading the snapshot and the charts' data); dashboard_charts.js draws the charts
// and the metric chart's live lines, dashboard_figures.js the summary figures, the
// selection and the brush, dashboard_render.js the progress, best and status,
// dashboard_events.js applies the job's events, dashboard_actions.js the row and panel
// actions, and dashboard.js starts it all (and adds D.table and D.socket).
(function () {
  "use strict";

  const F = window.SweepFormat;
  const root = document.getElementById("dashboard");
  if (!root) return;
  // Marks for the benchmark's timing (benchmarks/dashboard.py): start, table listed,
  // metric chart drawn.
  if (window.performance && performance.mark) performance.mark("dashboard:start");
  const urls = root.dataset;
  const D = window.SweepDash = { root: root, urls: urls };

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
    D.metricPending = [];
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
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

  // --- loading the charts' data ---------------------------------------------------------------

  // Points and ends that arrive before the metric chart's data are kept (D.metricPending)
  // and applied on it when it comes, those numbered after the events it already holds.
  D.metricPending = [];

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
    const pending = D.metricPending || [];
    D.metricPending = null;
    for (const event of pending) if (event.seq > data.seq) applyMetric(event);
    D.drawMetric();
    D.table.render();
    if (state.selected.size) D.highlightSelected();
    if (window.performance && performance.mark) performance.mark("dashboard:metric");
  }

  function loadCharts() {
    const metric = getJson(urls.metricUrl).then(loadMetric);
    // The summary figures after the metric chart's data: on a busy server the first
    // chart comes first. Importance (a forest fit) after both.
    metric.catch(function () {}).then(function () { return getJson(urls.figuresUrl); })
      .then(function (data) { D.drawFigures(data.figures, data.leaderboard); })
      .catch(function (e) { window.console.warn(e); })
      .then(function () { D.refreshImportance(0); });
    return metric.catch(function (e) { window.console.warn(e); });
  }

  function applyMetric(event) {
    const row = state.byId.get(event.trial);
    if (!row) return;
    if (event.type === "trial.reported") D.extendMetric(row, event.points || []);
    else D.finishedMetric(event, row);
  }

  function trialUrl(number) { return urls.trialUrl.replace("/0/", "/" + number + "/"); }

  Object.assign(D, {
    state: state, read: read, getJson: getJson, load: load, loadCharts: loadCharts,
    addRow: addRow, rows: rows, now: now, runTime: runTime, secondsOf: secondsOf,
    trialUrl: trialUrl,
  });
})();
