// The trial page's metric chart, live while the trial runs: the trial's socket
// (trial_log.js) hands over its points (`trial.reported`, [[report, value], ...]) and
// they are appended with Plotly.extendTraces, no redraw. On every (re)connect the page
// reads the trial's stored points with their times (the job's curves request) and adds
// those it lacks: a point is keyed by its report number, so none is drawn twice, and one
// the socket brought first keeps its place (a point older than the newest drawn one
// redraws the line in report order). The points table below grows with it, in report
// order, each row with its time: the stored one, or a live point's arrival (within a
// flush of its report).
(function () {
  "use strict";

  const node = document.querySelector("[data-trial-chart]");
  if (!node || !window.Plotly) return;
  const F = window.SweepFormat;
  const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  const source = document.getElementById(node.dataset.trialChart);
  let figure = source ? JSON.parse(source.textContent) : null;
  // Reports drawn: report number -> value as drawn.
  const drawn = new Map();
  if (figure) {
    const trace = figure.data[0];
    trace.x.forEach(function (x, i) { drawn.set(x, trace.y[i]); });
    window.Plotly.newPlot(node, figure.data, figure.layout, CONFIG);
  }
  node.dataset.points = String(drawn.size);

  // countTicks' relayout as layout.xaxis keys: whole report numbers up to `largest`.
  function axisTicks(largest) {
    const ticks = F.countTicks(largest), keys = {};
    for (const path of Object.keys(ticks)) keys[path.slice(6)] = ticks[path];
    return keys;
  }

  // The chart of a trial with no report yet, as trainingjobs/charts.py draws one.
  function emptyFigure() {
    return {
      data: [{
        type: "scatter", mode: "lines+markers", x: [], y: [], name: "this trial",
        line: { color: "#1f6feb", width: 1.5 }, marker: { size: 5 }, connectgaps: false,
        hovertemplate: "this trial<br>report %{x}<br>" + node.dataset.metric + " %{y}<extra></extra>",
      }],
      layout: {
        height: 300, showlegend: false, hovermode: "closest",
        margin: { l: 56, r: 20, t: 32, b: 44 },  // the top margin: Plotly's mode bar
        xaxis: Object.assign({ title: { text: "report" }, gridcolor: "#edf0f4", zeroline: false },
          axisTicks(1)),
        yaxis: { title: { text: node.dataset.metric }, gridcolor: "#edf0f4", zeroline: false },
      },
    };
  }

  const body = document.querySelector("[data-points-body]");
  const clock = body ? new Intl.DateTimeFormat("en-GB", {
    timeZone: body.dataset.timeZone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }) : null;

  // A time as the server's table shows it (H:i:s in the console's time zone); "—" if unknown.
  function timeText(at) {
    if (!clock || at === null || at === undefined) return "—";
    const date = at instanceof Date ? at : new Date(at);
    return Number.isNaN(date.getTime()) ? "—" : clock.format(date);
  }

  // points: [[report, value, time], ...], none drawn yet, in any order.
  function addRows(points) {
    if (!body) return;
    const rows = Array.from(body.children);
    for (const point of points) {
      const tr = F.el("tr", { "data-step": point[0] }, [
        F.el("td", { className: "num", text: String(point[0]) }),
        F.el("td", { className: "num", text: F.metric(point[1]) }),
        F.el("td", { className: "muted nowrap", text: timeText(point[2]) }),
      ]);
      // In report order: before the first row of a later report.
      let k = rows.length;
      while (k > 0 && Number(rows[k - 1].dataset.step) > point[0]) k -= 1;
      body.insertBefore(tr, k < rows.length ? rows[k] : null);
      rows.splice(k, 0, tr);
    }
    const count = document.querySelector("[data-points-count]");
    if (count) count.textContent = String(body.children.length);
    const wrap = document.querySelector("[data-points-wrap]");
    if (wrap) wrap.hidden = false;
    const empty = document.querySelector("[data-points-empty]");
    if (empty) empty.hidden = true;
  }

  // points: [[report, value, time], ...]; value null (NaN) or "inf"/"-inf": a gap.
  function extend(points) {
    let last = 0;
    for (const x of drawn.keys()) last = Math.max(last, x);
    const fresh = [];
    for (const point of points) {
      if (drawn.has(point[0])) continue;
      drawn.set(point[0], F.plottable(point[1]));
      fresh.push(point);
    }
    if (!fresh.length) return;
    fresh.sort(function (a, b) { return a[0] - b[0]; });
    addRows(fresh);
    const appended = fresh[0][0] > last;
    if (!figure) {
      figure = emptyFigure();
      node.hidden = false;
      const empty = document.querySelector("[data-trial-chart-empty]");
      if (empty) empty.hidden = true;
      redraw(true);
    } else if (appended) {
      // The tick step widens as the reports grow (whole numbers, about 10 ticks at most).
      const ticks = axisTicks(fresh[fresh.length - 1][0]);
      if (!(figure.layout.xaxis.dtick >= ticks.dtick)) {
        Object.assign(figure.layout.xaxis, ticks);
        window.Plotly.relayout(node, F.countTicks(fresh[fresh.length - 1][0]));
      }
      window.Plotly.extendTraces(node, {
        x: [fresh.map(function (p) { return p[0]; })],
        y: [fresh.map(function (p) { return F.plottable(p[1]); })],
      }, [0]);
    } else {
      redraw(false);  // a missed point older than the newest drawn: the line in order
    }
    node.dataset.points = String(drawn.size);
    // The Run card's latest value, as reported (NaN and inf spelled out, not a gap).
    const newest = fresh[fresh.length - 1];
    if (window.SweepTrialRun && newest[0] > last) window.SweepTrialRun.latest(newest[0], newest[1]);
  }

  function redraw(first) {
    const xs = Array.from(drawn.keys()).sort(function (a, b) { return a - b; });
    figure.data[0].x = xs;
    figure.data[0].y = xs.map(function (x) { return drawn.get(x); });
    Object.assign(figure.layout.xaxis, axisTicks(xs.length ? xs[xs.length - 1] : 1));
    if (first) window.Plotly.newPlot(node, figure.data, figure.layout, CONFIG);
    else {
      window.Plotly.restyle(node, { x: [figure.data[0].x], y: [figure.data[0].y] }, [0]);
      window.Plotly.relayout(node, F.countTicks(xs[xs.length - 1]));
    }
  }

  function catchUp() {
    const url = node.dataset.curvesUrl;
    if (!url) return;
    const number = node.dataset.number;
    fetch(url + "?times=1&trials=" + number, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { curves: {}, times: {} }; })
      .then(function (data) {
        const curve = data.curves[number] || [];
        const times = (data.times || {})[number] || [];
        extend(curve.map(function (value, i) { return [i + 1, value, times[i]]; }));
      });
  }

  window.SweepTrialChart = {
    onEvent: function (event) {
      if (event.type !== "trial.reported") return;
      const now = new Date();
      extend((event.points || []).map(function (p) { return [p[0], p[1], now]; }));
    },
    catchUp: catchUp,
  };
})();
