// The trial page's metric chart, live while the trial runs: the trial's socket
// (trial_log.js) hands over its points (`trial.reported`, [[report, value], ...]) and
// they are appended with Plotly.extendTraces, no redraw. On every (re)connect the page
// reads the trial's stored points (the job's curves request) and appends those it lacks:
// a point is keyed by its report number, so none is drawn twice.
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

  // points: [[report, value], ...]; value null (NaN) or "inf"/"-inf": a gap.
  function extend(points) {
    const xs = [], ys = [];
    for (const point of points) {
      if (point[0] <= reports) continue;  // drawn already
      reports = point[0];
      xs.push(point[0]);
      ys.push(F.plottable(point[1]));
    }
    if (!xs.length) return;
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
        extend(curve.map(function (value, i) { return [i + 1, value]; }));
      });
  }

  window.SweepTrialChart = {
    onEvent: function (event) {
      if (event.type === "trial.reported") extend(event.points || []);
    },
    catchUp: catchUp,
  };
})();
