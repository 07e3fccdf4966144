// Small shared helpers of the job dashboard's modules: numbers, durations, DOM.
(function () {
  "use strict";

  // A metric value as the server's `metric` filter shows it (6 significant digits).
  function metric(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (value === "inf") return "∞";
    if (value === "-inf") return "-∞";
    const n = Number(value);
    if (!Number.isFinite(n)) return String(value);
    return String(parseFloat(n.toPrecision(6)));
  }

  // Reported values arrive as numbers, null (NaN) or "inf"/"-inf": a chart draws a gap.
  function plottable(value) {
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  }

  function param(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") return String(parseFloat(value.toPrecision(6)));
    if (typeof value === "boolean") return value ? "true" : "false";
    return String(value);
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + String(s % 60).padStart(2, "0") + " s";
    const h = Math.floor(m / 60);
    return h + " h " + String(m % 60).padStart(2, "0") + " min";
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === "text") node.textContent = value;
        else if (key === "className") node.className = value;
        else if (key.startsWith("data-") || key === "title" || key === "href" || key === "type" ||
                 key === "role" || key.startsWith("aria-") || key === "value" || key === "for" ||
                 key === "id" || key === "name" || key === "download") node.setAttribute(key, value);
        else node[key] = value;
      }
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child.nodeType ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function csrfToken() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function statusLabel(status) {
    return {
      queued: "Queued", running: "Running", completed: "Completed", failed: "Failed",
      early_stopped: "Early stopped", canceled: "Canceled", lost: "Lost", created: "Created",
      paused: "Paused", timed_out: "Timed out",
    }[status] || status;
  }

  function badge(status) {
    return el("span", { className: "badge badge-" + status, text: statusLabel(status) });
  }

  // Seconds between two ISO times (or now).
  function secondsBetween(startIso, endIso) {
    if (!startIso) return null;
    const end = endIso ? Date.parse(endIso) : Date.now();
    return (end - Date.parse(startIso)) / 1000;
  }

  // A job's running time in seconds: `runSeconds` closed before plus, while it runs, the time
  // since `runningSince` (ISO); paused and ended stretches are left out. `clockSkew`: the
  // browser's clock minus the server's, in ms (0 when unknown).
  function runTime(runSeconds, runningSince, clockSkew) {
    const closed = Number(runSeconds || 0);
    if (!runningSince) return closed;
    return closed + Math.max(0, (Date.now() - (clockSkew || 0) - Date.parse(runningSince)) / 1000);
  }

  // An ISO time as the trial page writes one ("2026-11-30 22:39:12", Django's
  // "Y-m-d H:i:s") in `timeZone` (the console's; the browser's when not given).
  function dateTime(iso, timeZone) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return "—";
    const parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone || undefined, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " +
      parts.hour + ":" + parts.minute + ":" + parts.second;
  }

  // The ticks of an axis that counts (trials, reports) up to `largest`, as a Plotly
  // relayout: whole numbers every 1, 2, 5, 10 ... so that at most about 10 show (the
  // server's chart_style.count_ticks; Plotly's own ticks of 1 to 3 fall on halves).
  function countTicks(largest, axis) {
    const most = 10;
    let step = 1;
    for (let magnitude = 1; ; magnitude *= 10) {
      const found = [1, 2, 5].find(function (f) { return largest <= most * f * magnitude; });
      if (found) { step = found * magnitude; break; }
    }
    const name = axis || "xaxis";
    const update = {};
    update[name + ".tickmode"] = "linear";
    update[name + ".tick0"] = 0;
    update[name + ".dtick"] = step;
    update[name + ".tickformat"] = "d";
    return update;
  }

  window.SweepFormat = {
    metric: metric, plottable: plottable, param: param, duration: duration, el: el,
    csrfToken: csrfToken, statusLabel: statusLabel, badge: badge, secondsBetween: secondsBetween, runTime: runTime,
    dateTime: dateTime, countTicks: countTicks,
  };
})();
