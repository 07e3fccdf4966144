// The job page as a live dashboard: its start. The parts (dashboard_state.js,
// dashboard_charts.js, dashboard_figures.js, dashboard_render.js, dashboard_events.js,
// dashboard_actions.js, loaded before this file) share window.SweepDash; this file loads
// the snapshot, lists the table, starts the charts' requests and the job's event socket,
// and adds the table (D.table) and the socket (D.socket) the parts use.
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const root = D.root;
  const urls = D.urls;
  const state = D.state;

  const snapshot = D.read("dashboard-snapshot");
  D.load(snapshot);
  const table = new window.SweepTrialTable(root.querySelector("[data-live-table]"), {
    rows: D.rows, job: state.job, space: state.space, selected: state.selected,
    get brushed() { return state.brushed; }, trialUrl: D.trialUrl, now: D.now,
  }, {
    onSelect: D.highlightSelected, onStop: D.stop, onCompare: D.compare,
    onClearBrush: function () { D.setBrush(null); },
  });
  D.table = table;
  // The table reads state.job: keep it the same object after a reload.
  const tableModel = table.model;
  Object.defineProperty(tableModel, "job", { get: function () { return state.job; } });
  Object.defineProperty(tableModel, "space", { get: function () { return state.space; } });

  D.renderProgress();
  D.renderBest();
  if (window.performance && performance.mark) performance.mark("dashboard:table");
  const charts = D.loadCharts();
  window.setInterval(D.renderProgress, 1000);
  const indicator = document.querySelector("[data-live-state]");
  const socket = new window.SweepLive.JobEvents({
    path: urls.socketPath,
    seq: snapshot.seq,
    onEvent: D.apply,
    onStale: D.reload,
    onState: function (name) { window.SweepLive.showState(indicator, name); },
    // The trials ended in the server's words (trial_budget), recounted as they change.
    onProgress: function (event) {
      state.tally = event.tally;
      if ("run_seconds" in event) {
        state.job.run_seconds = event.run_seconds;
        state.job.running_since = event.running_since;
      }
      D.renderProgress();
    },
  });
  D.socket = socket;
  window.SweepDashboard = { state: state, table: table, charts: charts };
})();
