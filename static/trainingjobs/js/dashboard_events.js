// The job page's live dashboard: the job's events (live_socket.js) applied as they
// arrive. A trial's start, report or end updates its row and the metric chart, then the
// table, progress and best panel a moment later; a job's end or extension reloads the
// snapshot.
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const urls = D.urls;
  const state = D.state;
  const IMPORTANCE_DELAY_MS = 8000;

  let tableTimer = null;
  function soon() {
    if (tableTimer) return;
    tableTimer = window.setTimeout(function () { tableTimer = null; D.table.render(); D.renderProgress(); D.renderBest(); }, 150);
  }

  const handlers = {
    "trial.created": function (event) {
      for (const t of event.trials || []) {
        if (state.trials.has(t.number)) continue;
        D.addRow({ id: t.trial, number: t.number, status: "queued", algorithm: t.algorithm, params: t.params, value: null, reason: "", started: null, finished: null, reports: 0, stopping: false });
      }
      soon();
    },
    "trial.started": function (event) {
      const row = state.byId.get(event.trial);
      if (!row || row.status !== "queued") return;
      row.status = "running";
      row.started = D.secondsOf(event.started_at);
      soon();
    },
    "trial.reported": function (event) {
      const row = state.byId.get(event.trial);
      if (!row) return;
      if (row.status === "queued") row.status = "running";
      if (state.metric) D.extendMetric(row, event.points || []);
      else {
        D.metricPending.push(event);
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
      row.finished = D.secondsOf(event.finished_at);
      row.stopping = false;
      state.curves.delete(row.number);
      if (event.best_trial !== undefined && event.best_trial !== null) {
        const best = state.byId.get(event.best_trial);
        if (best) state.job.best_number = best.number;
      }
      if (state.metric) D.finishedMetric(event, row);
      else D.metricPending.push(event);
      if (state.selected.has(row.number)) D.highlightSelected();
      soon();
      D.refreshFigures();
      D.refreshImportance(IMPORTANCE_DELAY_MS);
    },
    "job.status": function (event) {
      state.job.status = event.status;
      if (["completed", "failed", "canceled", "timed_out"].indexOf(event.status) >= 0) {
        reload();  // the job's end changed many trials at once (queued ones canceled)
      }
      D.renderStatus();
      D.renderProgress();
    },
    "job.extended": function () { reload(); },
  };

  function apply(event) {
    const handler = handlers[event.type];
    if (handler) handler(event);
  }

  function reload() {
    D.getJson(urls.snapshotUrl).then(function (snapshot) {
      D.load(snapshot);
      D.table.render();
      D.renderProgress(); D.renderBest(); D.renderStatus();
      D.socket.reset(snapshot.seq);
      D.loadCharts();
    });
  }

  Object.assign(D, { apply: apply, reload: reload });
})();
