// A job's progress: trials completed / early-stopped / failed / running / queued of its
// maximum as one stacked bar, the time it has run and an estimate of the time left.
// Lost and canceled trials do not use the job's trials (the search runs others in their
// place): they are counted apart, in the legend, not in the bar nor in "trials ended"
// (the server's rule, trainingjobs.trial_budget, which the page hands to `tally`).
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
  const ACTIVE = ["created", "running", "paused"];
  const APART_TITLE = "Lost and canceled trials do not use the job's trials: others run in their place.";

  // counts: {status: n}; rule: {ended: [statuses], apart: [statuses]} (the server's).
  // -> {ended, lost, canceled, apart: "2 lost, 1 canceled: not counted" or ""}
  function tally(counts, rule) {
    const sum = function (list) { return list.reduce(function (n, s) { return n + (counts[s] || 0); }, 0); };
    const apart = rule.apart.filter(function (s) { return counts[s]; })
      .map(function (s) { return counts[s] + " " + s; });
    return {
      ended: sum(rule.ended), lost: counts.lost || 0, canceled: counts.canceled || 0,
      apart: apart.length ? apart.join(", ") + ": not counted" : "", apartStatuses: rule.apart,
    };
  }

  function endedText(t, max) {
    return t.ended + " / " + max + " trials ended" + (t.apart ? " (" + t.apart + ")" : "");
  }

  function estimate(info) {
    if (ACTIVE.indexOf(info.status) < 0 || !info.elapsed || info.done < 1) return null;
    const left = Math.max(0, info.max - info.done);
    if (!left) return 0;
    let seconds = left * (info.elapsed / info.done);
    if (info.deadlineLeft !== null && info.deadlineLeft !== undefined) seconds = Math.min(seconds, Math.max(0, info.deadlineLeft));
    return seconds;
  }

  // info: {counts, tally (from `tally`), max, status, elapsed (s), deadlineLeft (s or null)}
  function render(node, info) {
    if (!node) return;
    info.done = info.tally.ended;
    const total = Math.max(info.max, info.done + (info.counts.running || 0) + (info.counts.queued || 0), 1);
    const bar = el("div", { className: "progress-bar", role: "img", "aria-label": info.done + " of " + info.max + " trials ended" });
    const legend = el("div", { className: "progress-legend" });
    for (const part of PARTS) {
      const n = info.counts[part[0]] || 0;
      if (!n) continue;
      const apart = info.tally.apartStatuses.indexOf(part[0]) >= 0;
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
    if (info.elapsed !== null && info.elapsed !== undefined) time.push(el("span", { "data-testid": "elapsed", text: "Elapsed " + F.duration(info.elapsed) }));
    if (eta !== null) time.push(el("span", { "data-testid": "eta", text: eta === 0 ? "Finishing" : "About " + F.duration(eta) + " left" }));
    node.replaceChildren(
      el("div", { className: "progress-head" }, [
        el("strong", { "data-testid": "progress-text", text: endedText(info.tally, info.max), title: info.tally.apart ? APART_TITLE : "" }),
        el("span", { className: "progress-time" }, time),
      ]),
      bar,
      legend
    );
  }

  window.SweepProgress = { render: render, estimate: estimate, tally: tally, endedText: endedText };
})();
