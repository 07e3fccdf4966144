// The trial page's Run card while the trial runs: its value is the latest report (the
// trial's chart, trial_chart.js, hands each newest one over, live or caught up), its
// duration ticks each second. When the trial ends (`trial.finished` on the trial's
// socket, trial_log.js) the card shows the final status, value and duration.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const value = document.querySelector("[data-run-value]");
  const duration = document.querySelector("[data-run-started]");
  if (!value && !duration) return;
  let timer = null;

  function tick() {
    duration.textContent = F.duration(F.secondsBetween(duration.dataset.runStarted, null));
  }
  if (duration) {
    tick();
    timer = window.setInterval(tick, 1000);
  }

  function show(number, label) {
    if (!value) return;
    value.querySelector("[data-run-number]").textContent = F.metric(number);
    value.querySelector("[data-run-label]").textContent = "(" + label + ")";
  }

  window.SweepTrialRun = {
    // The newest report (report number, value as reported) while the trial runs.
    latest: function (report, reported) {
      if (value && !value.dataset.ended) show(reported, "latest, report " + report);
    },
    onEvent: function (event) {
      if (event.type !== "trial.finished") return;
      if (timer !== null) window.clearInterval(timer);
      timer = null;
      if (duration && event.finished_at) {
        duration.textContent = F.duration(F.secondsBetween(duration.dataset.runStarted, event.finished_at));
      }
      if (value) {
        value.dataset.ended = "1";
        show(event.value, value.dataset.objective);
      }
      const status = document.querySelector("[data-run-status]");
      if (status && event.status) status.replaceChildren(F.badge(event.status));
    },
  };
})();
