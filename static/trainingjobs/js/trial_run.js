// The trial page while the trial has not ended: its Run card's value is the latest report
// (the trial's chart, trial_chart.js, hands each newest one over, live or caught up), its
// duration ticks each second from the trial's start. The trial's socket (trial_log.js)
// brings its start (`trial.started`: a page opened while the trial was queued shows the
// start and begins to tick) and its end (`trial.finished`: the Run card and the page's
// header show the final status, value and duration; the stop button goes, the live marker
// says the trial ended).
(function () {
  "use strict";

  const F = window.SweepFormat;
  const value = document.querySelector("[data-run-value]");
  if (!value) return;  // the server drew an ended trial
  const duration = document.querySelector('[data-testid="trial-duration"]');
  const started = document.querySelector("[data-started-at]");
  let timer = null;

  function tick() {
    duration.textContent = F.duration(F.secondsBetween(duration.dataset.runStarted, null));
  }

  function startTicking(startedAt) {
    if (!duration || value.dataset.ended) return;
    duration.dataset.runStarted = startedAt;
    if (timer !== null) return;
    tick();
    timer = window.setInterval(tick, 1000);
  }
  if (duration && duration.dataset.runStarted) startTicking(duration.dataset.runStarted);

  function show(number, label) {
    value.querySelector("[data-run-number]").textContent = F.metric(number);
    value.querySelector("[data-run-label]").textContent = "(" + label + ")";
  }

  // The header's badge and the Run card's, which the server drew for the status it read.
  function showStatus(status) {
    const header = document.querySelector('[data-testid="trial-status"]');
    if (header) { header.className = "badge badge-" + status; header.textContent = F.statusLabel(status); }
    const run = document.querySelector("[data-run-status]");
    if (run) run.replaceChildren(F.badge(status));
  }

  function onStarted(event) {
    if (value.dataset.ended || !event.started_at) return;
    showStatus("running");
    if (started) started.textContent = F.dateTime(event.started_at, started.dataset.timeZone);
    startTicking(event.started_at);
  }

  function onFinished(event) {
    value.dataset.ended = "1";
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    if (duration && duration.dataset.runStarted && event.finished_at) {
      duration.textContent = F.duration(F.secondsBetween(duration.dataset.runStarted, event.finished_at));
    }
    show(event.value, value.dataset.objective);
    if (event.status) showStatus(event.status);
    // Nothing left to stop; nothing more will arrive.
    const stop = document.querySelector('[data-testid="stop-trial"]');
    if (stop) stop.closest("form").remove();
    const state = document.querySelector("[data-live-state]");
    if (state) { state.dataset.state = "ended"; state.textContent = "Ended"; }
    const help = document.querySelector("[data-run-help]");
    if (help) help.hidden = true;
  }

  window.SweepTrialRun = {
    // The newest report (report number, value as reported) while the trial runs.
    latest: function (report, reported) {
      if (!value.dataset.ended) show(reported, "latest, report " + report);
    },
    onEvent: function (event) {
      if (event.type === "trial.started") onStarted(event);
      else if (event.type === "trial.finished") onFinished(event);
    },
  };
})();
