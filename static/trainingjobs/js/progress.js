// A job's progress: trials completed / early-stopped / failed / running / queued of its
// maximum as one stacked bar, the time it has run and an estimate of the time left.
// Lost and canceled trials do not use the job's trials (the search runs others in their
// place): they are counted apart, in the legend, not in the bar nor in "trials ended".
// The headline ("12 / 12 trials ended (2 lost: not counted)") is the server's
// (trainingjobs.trial_budget's TrialTally, in the snapshot and the job socket's
// job.progress): it is only written here.
//
// The estimate: trials still to end, at the pace trials have ended so far (ended trials
// per second of the job's run time, which already counts the concurrency), capped by
// the job's deadline. None before the first trial ends.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const el = F.el;
  const PARTS = [
    ["completed", "Completed"], ["early_stopped", "Early stopped"], ["failed", "Failed"],
    ["lost", "Lost"], ["canceled", "Canceled"], ["running", "Running"], ["queued", "Queued"],
  ];
  // A paused job starts no trial until resumed: no estimate of the time left then.
  const ESTIMATED = ["created", "running"];
  const APART_TITLE = "Lost and canceled trials do not use the job's trials: others run in their place.";

  function estimate(info) {
    if (ESTIMATED.indexOf(info.status) < 0 || !info.elapsed || info.done < 1) return null;
    const left = Math.max(0, info.max - info.done);
    if (!left) return 0;
    let seconds = left * (info.elapsed / info.done);
    if (info.deadlineLeft !== null && info.deadlineLeft !== undefined) seconds = Math.min(seconds, Math.max(0, info.deadlineLeft));
    return seconds;
  }

  // info: {counts, tally (the server's: {ended, apart, text ...}), apart (statuses counted
  // apart, the server's), max, status, elapsed (s), deadlineLeft (s or null)}
  function render(node, info) {
    if (!node) return;
    info.done = info.tally.ended;
    const total = Math.max(info.max, info.done + (info.counts.running || 0) + (info.counts.queued || 0), 1);
    const bar = el("div", { className: "progress-bar", role: "img", "aria-label": info.tally.text });
    const legend = el("div", { className: "progress-legend" });
    for (const part of PARTS) {
      const n = info.counts[part[0]] || 0;
      if (!n) continue;
      const apart = info.apart.indexOf(part[0]) >= 0;
      if (!apart) {
        const segment = el("span", { className: "segment seg-" + part[0], title: n + " " + part[1].toLowerCase() });
        segment.style.width = (100 * n / total) + "%";
        bar.append(segment);
      }
      legend.append(el("span", { className: "legend-item", "data-testid": "progress-" + part[0] }, [
        el("span", { className: "dot seg-" + part[0] }), n + " " + part[1].toLowerCase() + (apart ? " (not counted)" : ""),
      ]));
    }
    const eta = estimate(info);
    const time = [];
    if (info.elapsed !== null && info.elapsed !== undefined) time.push(el("span", { "data-testid": "elapsed", title: "Time the job has been running: paused stretches, and the time between its end and an extension, are not counted.", text: "Elapsed " + F.duration(info.elapsed) }));
    if (eta !== null) time.push(el("span", { "data-testid": "eta", text: eta === 0 ? "Finishing" : "About " + F.duration(eta) + " left" }));
    node.replaceChildren(
      el("div", { className: "progress-head" }, [
        el("strong", { "data-testid": "progress-text", text: info.tally.text, title: info.tally.apart ? APART_TITLE : "" }),
        el("span", { className: "progress-time" }, time),
      ]),
      bar,
      legend
    );
  }

  window.SweepProgress = { render: render, estimate: estimate };
})();
