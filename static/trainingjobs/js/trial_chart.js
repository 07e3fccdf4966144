// The trial page's metric chart, live while the trial runs: the trial's socket
// (trial_log.js) hands over its points (`trial.reported`, [[report, value], ...]) and
// they are appended with Plotly.extendTraces, no redraw. On every (re)connect the page
// reads the trial's stored points (the job's curves request) and appends those it lacks:
// a point is keyed by its report number, so none is drawn twice. The points table below
// grows with it.
(function () {
  "use strict";

  const node = document.querySelector("[data-trial-chart]");
  if (!node || !window.Plotly) return;
  const F = window.SweepFormat;
  const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  const source = document.getElementById(node.dataset.trialChart);
  let figure = source ? JSON.parse(source.textContent) : null;
  let reports = 0;
  if (figure) {
    for (const x of figure.data[0].x) reports = Math.max(reports, x);
    window.Plotly.newPlot(node, figure.data, figure.layout, CONFIG);
  }
  node.dataset.points = String(reports);

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
        margin: { l: 56, r: 20, t: 16, b: 44 },
        xaxis: { title: { text: "report" }, gridcolor: "#edf0f4", zeroline: false },
        yaxis: { title: { text: node.dataset.metric }, gridcolor: "#edf0f4", zeroline: false },
      },
    };
  }

  // The points table beside the chart gets the new rows too; a live point's time is its
  // arrival (within a flush of its report), a caught-up one's is not known here.
  const body = document.querySelector("[data-points-body]");
  const clock = body ? new Intl.DateTimeFormat("en-GB", {
    timeZone: body.dataset.timeZone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }) : null;

  function addRows(points, live) {
    if (!body) return;
    const at = live ? clock.format(new Date()) : "—";
    for (const point of points) {
      body.append(F.el("tr", {}, [
        F.el("td", { className: "num", text: String(point[0]) }),
        F.el("td", { className: "num", text: F.metric(point[1]) }),
        F.el("td", { className: "muted nowrap", text: at }),
      ]));
    }
    const count = document.querySelector("[data-points-count]");
    if (count) count.textContent = String(body.children.length);
    const wrap = document.querySelector("[data-points-wrap]");
    if (wrap) wrap.hidden = false;
    const empty = document.querySelector("[data-points-empty]");
    if (empty) empty.hidden = true;
  }

  // points: [[report, value], ...]; value null (NaN) or "inf"/"-inf": a gap.
  function extend(points, live) {
    const xs = [], ys = [], fresh = [];
    for (const point of points) {
      if (point[0] <= reports) continue;  // drawn already
      reports = point[0];
      xs.push(point[0]);
      ys.push(F.plottable(point[1]));
      fresh.push(point);
    }
    if (!xs.length) return;
    addRows(fresh, live);
    if (!figure) {
      figure = emptyFigure();
      figure.data[0].x = xs;
      figure.data[0].y = ys;
      node.hidden = false;
      const empty = document.querySelector("[data-trial-chart-empty]");
      if (empty) empty.hidden = true;
      window.Plotly.newPlot(node, figure.data, figure.layout, CONFIG);
    } else {
      window.Plotly.extendTraces(node, { x: [xs], y: [ys] }, [0]);
    }
    node.dataset.points = String(reports);
  }

  function catchUp() {
    const url = node.dataset.curvesUrl;
    if (!url) return;
    const number = node.dataset.number;
    fetch(url + "?trials=" + number, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { curves: {} }; })
      .then(function (data) {
        const curve = data.curves[number] || [];
        extend(curve.map(function (value, i) { return [i + 1, value]; }), false);
      });
  }

  window.SweepTrialChart = {
    onEvent: function (event) {
      if (event.type === "trial.reported") extend(event.points || [], true);
    },
    catchUp: catchUp,
  };
})();
