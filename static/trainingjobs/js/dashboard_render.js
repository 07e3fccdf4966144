// The job page's live dashboard: its numbers (the progress bar, the trials ended and
// running, the running time), the best trial's value and panel, and the job's status.
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const F = window.SweepFormat;
  const el = F.el;
  const root = D.root;
  const urls = D.urls;
  const state = D.state;

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
      elapsed: job.started_at ? D.runTime() : null,
      // A paused job keeps an unused deadline: only a running one counts down.
      deadlineLeft: job.deadline_at && job.running_since ? (Date.parse(job.deadline_at) - Date.now() + state.clock) / 1000 : null,
    });
    setText("trials-done", tally.ended, " / " + job.max_trials);
    setText("trials-apart", tally.apart);
    setText("trials-running", c.running);
    if (job.started_at) setText("job-duration", F.duration(D.runTime()));
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
    // The live marker says an ended job ended, as the trial page's does (the socket's states
    // leave "ended" alone); a job extended after its end is live again.
    const marker = document.querySelector("[data-live-state]");
    if (!marker) return;
    if (["completed", "failed", "canceled", "timed_out"].indexOf(status) >= 0) {
      marker.dataset.state = "ended"; marker.textContent = "Ended";
    } else if (marker.dataset.state === "ended") {
      marker.dataset.state = "live"; marker.textContent = "Live";
    }
  }

  Object.assign(D, { renderProgress: renderProgress, renderBest: renderBest, renderStatus: renderStatus });
})();
