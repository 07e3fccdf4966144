// The job list, live: every job.progress event of the user's jobs (all jobs for staff)
// updates that job's row: status, trials ended of its maximum (lost and canceled ones
// apart, as the server counts them), running trials, and an
// estimate of the time left.
(function () {
  "use strict";

  const table = document.querySelector("[data-live-jobs]");
  if (!table || !window.SweepLive) return;
  const F = window.SweepFormat;

  function update(event) {
    if (event.type !== "job.progress") return;
    const row = table.querySelector('tr[data-job="' + event.job + '"]');
    if (!row) return;
    // The server counts (trainingjobs.trial_budget): lost and canceled trials apart.
    const done = event.tally.ended;
    const running = event.counts.running || 0;
    const status = row.querySelector('[data-testid="status"]');
    if (status) { status.className = "badge badge-" + event.status; status.textContent = F.statusLabel(event.status); }
    const cell = row.querySelector('[data-testid="trials-done"]');
    if (cell) {
      cell.firstChild.textContent = done + " / " + event.max_trials;
      const bar = cell.querySelector(".progress > span");
      if (bar) bar.style.width = Math.min(100, Math.round(100 * done / Math.max(1, event.max_trials))) + "%";
      const apart = cell.querySelector('[data-testid="trials-apart"]');
      if (apart) apart.textContent = event.tally.apart;
    }
    const runningCell = row.querySelector("[data-live-running]");
    if (runningCell) runningCell.textContent = String(running);
    row.dataset.started = event.started_at || "";
    row.dataset.runSeconds = String(event.run_seconds || 0);
    row.dataset.runningSince = event.running_since || "";
    row.dataset.done = String(done);
    row.dataset.max = String(event.max_trials);
    row.dataset.status = event.status;
    eta(row);
  }

  function eta(row) {
    const node = row.querySelector("[data-live-eta]");
    if (!node || !row.dataset.started) return;
    const seconds = window.SweepProgress.estimate({
      status: row.dataset.status, done: Number(row.dataset.done || 0), max: Number(row.dataset.max || 0),
      elapsed: F.runTime(row.dataset.runSeconds, row.dataset.runningSince || null, 0), deadlineLeft: null,
    });
    node.textContent = seconds === null ? "" : (seconds === 0 ? "finishing" : "~" + F.duration(seconds) + " left");
  }

  table.querySelectorAll("tr[data-job]").forEach(eta);
  window.setInterval(function () { table.querySelectorAll("tr[data-job]").forEach(eta); }, 5000);
  window.SweepLive.Stream("/ws/jobs/", update, null, null);
})();
