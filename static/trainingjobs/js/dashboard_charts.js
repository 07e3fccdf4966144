// The job page's live dashboard: drawing its charts, and the metric chart's live lines
// (a report extends its trial's line, an end greys it or makes it the new best's).
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const F = window.SweepFormat;
  const root = D.root;
  const state = D.state;
  // Plotly's mode bar shows in a chart's top right corner on hover: kept to the tools a
  // chart uses (zoom, pan, reset, a picture; box select on the parallel coordinates), and
  // every figure leaves that corner empty (its top margin; legends and the best-so-far
  // switch elsewhere), so the bar covers no control, label or point.
  const SLIM = ["lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"];
  function config(name) {
    return { responsive: true, displaylogo: false, modeBarButtonsToRemove: name === "parallel" ? SLIM : SLIM.concat(["select2d"]) };
  }

  // --- drawing -------------------------------------------------------------------------------

  // Charts below the fold are drawn when they come near the screen: a job of thousands
  // of trials is interactive as soon as the charts in view are drawn.
  const pending = new Map();
  const observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting || !pending.has(entry.target)) continue;
      const node = entry.target;
      observer.unobserve(node);
      const figure = pending.get(node);
      pending.delete(node);
      draw(node, figure);
    }
  }, { rootMargin: "600px 0px" }) : null;

  function plot(name, figure) {
    const node = root.querySelector('[data-live-chart="' + name + '"]');
    if (!node) return;
    const empty = root.querySelector('[data-live-empty="' + name + '"]');
    if (!figure || !window.Plotly) {
      node.hidden = true;
      if (empty) empty.hidden = false;
      pending.delete(node);
      return;
    }
    node.hidden = false;
    if (empty) empty.hidden = true;
    if (!node.dataset.drawn && observer && name !== "metric") {
      if (!pending.has(node)) observer.observe(node);
      pending.set(node, figure);
      return node;
    }
    draw(node, figure);
    return node;
  }

  function draw(node, figure) {
    // Plotly keeps (and extends) the arrays it is given: it gets its own copy, so the
    // page's model and the chart are each extended once.
    const data = JSON.parse(JSON.stringify(figure.data));
    const layout = JSON.parse(JSON.stringify(figure.layout));
    const options = config(node.dataset.liveChart);
    if (node.dataset.drawn) window.Plotly.react(node, data, layout, options);
    else { window.Plotly.newPlot(node, data, layout, options); node.dataset.drawn = "1"; }
    if (node.dataset.liveChart === "parallel" && !node.dataset.brushing) {
      node.dataset.brushing = "1";
      node.on("plotly_selected", D.onBrush);
      node.on("plotly_deselect", function () { D.setBrush(null); });
    }
    if (state.selected.size && node.dataset.liveChart !== "metric") D.markSelected(node.dataset.liveChart);
  }

  function metricNode() { return root.querySelector('[data-live-chart="metric"]'); }

  function drawMetric() {
    const figure = state.metric;
    const hasData = figure && figure.data.some(function (t) { return t.x && t.x.length; });
    plot("metric", hasData ? figure : null);
    const node = metricNode();
    if (node) node.dataset.points = String(pointCount());
  }

  function pointCount() {
    if (!state.metric) return 0;
    return state.metric.data.reduce(function (n, t) {
      return n + (t.y ? t.y.filter(function (v) { return v !== null; }).length : 0);
    }, 0);
  }

  function runningIndex(number) {
    const meta = state.metric.layout.meta;
    if (meta.running[number] !== undefined) return meta.running[number];
    const index = state.metric.data.length;
    const colours = ["#1f6feb", "#1a7f37", "#9a6700", "#8250df", "#0598bc", "#bf3989"];
    const trace = {
      type: "scatter", name: "trial " + number + " (running)", x: [], y: [],
      mode: "lines+markers", marker: { size: 4 }, connectgaps: false,
      line: { color: colours[Object.keys(meta.running).length % colours.length], width: 2 },
      hovertemplate: "trial " + number + "<br>report %{x}<br>%{y}<extra></extra>",
    };
    meta.running[number] = index;
    state.metric.data.push(trace);
    const node = metricNode();
    if (node && node.dataset.drawn && !node.hidden) window.Plotly.addTraces(node, JSON.parse(JSON.stringify(trace)));
    return index;
  }

  function extendMetric(row, points) {
    const index = runningIndex(row.number);
    const trace = state.metric.data[index];
    const xs = [], ys = [];
    for (const point of points) {
      const step = point[0];
      if (step <= (row.reports || 0)) continue;  // a replayed point: already drawn
      row.reports = step;
      row.last = point[1];
      xs.push(step);
      ys.push(F.plottable(point[1]));
    }
    if (!xs.length) return;
    const node = metricNode();
    // Whole report numbers on the axis, their step widening as the reports grow.
    const ticks = F.countTicks(xs[xs.length - 1]);
    const axis = state.metric.layout.xaxis = state.metric.layout.xaxis || {};
    const wider = !(axis.dtick >= ticks["xaxis.dtick"]);
    if (wider) {
      for (const path of Object.keys(ticks)) axis[path.slice(6)] = ticks[path];
    }
    if (node && node.dataset.drawn && !node.hidden) {
      if (wider) window.Plotly.relayout(node, ticks);
      window.Plotly.extendTraces(node, { x: [xs], y: [ys] }, [index]);
      trace.x = trace.x.concat(xs);  // extendTraces extended the node's copy; keep ours in step
      trace.y = trace.y.concat(ys);
    } else {
      trace.x = trace.x.concat(xs);
      trace.y = trace.y.concat(ys);
      drawMetric();
    }
    if (node) node.dataset.points = String(pointCount());
  }

  function endMetric(row) {
    const meta = state.metric.layout.meta;
    const index = meta.running[row.number];
    const node = metricNode();
    const drawn = node && node.dataset.drawn && !node.hidden;
    if (index !== undefined) {
      const trace = state.metric.data[index];
      trace.name = "trial " + row.number;
      trace.mode = "lines";
      trace.line = { color: "#8aa0bd", width: 1.2 };
      trace.opacity = 0.6;
      trace.showlegend = false;
      if (drawn) window.Plotly.restyle(node, { name: trace.name, mode: "lines", "line.color": "#8aa0bd", "line.width": 1.2, opacity: 0.6, showlegend: false }, [index]);
      delete meta.running[row.number];
      meta.own = meta.own || {};
      meta.own[row.number] = index;
      if (row.status === "early_stopped") {
        let k = trace.y.length - 1;
        while (k >= 0 && trace.y[k] === null) k -= 1;
        if (k >= 0) {
          const stop = state.metric.data[meta.stopped];
          stop.x.push(trace.x[k]); stop.y.push(trace.y[k]);
          stop.text = (stop.text || []).concat(["trial " + row.number + " stopped early"]);
          if (drawn) window.Plotly.extendTraces(node, { x: [[trace.x[k]]], y: [[trace.y[k]]], text: [["trial " + row.number + " stopped early"]] }, [meta.stopped]);
        }
      }
    }
  }

  // A trial's end on the metric chart: its line joins the ended ones; if it is the new
  // best, it turns red.
  function finishedMetric(event, row) {
    endMetric(row);
    const best = event.best_trial !== undefined && event.best_trial !== null ? state.byId.get(event.best_trial) : null;
    if (best && best.number !== state.metricBest) {
      state.metricBest = best.number;
      moveBest(best.number);
    }
  }

  // A trial that ended since the page loaded became the best: its line turns red, the old best's
  // joins the ended trials' line.
  function moveBest(number) {
    const meta = state.metric.layout.meta;
    const index = (meta.own || {})[number];
    if (index === undefined) return;
    const best = state.metric.data[meta.best];
    const ended = state.metric.data[meta.ended];
    const own = state.metric.data[index];
    const node = metricNode();
    const drawn = node && node.dataset.drawn && !node.hidden;
    if (best.x.length) {
      const xs = best.x.concat([null]), ys = best.y.concat([null]);
      ended.x = ended.x.concat(xs); ended.y = ended.y.concat(ys);
      if (drawn) window.Plotly.extendTraces(node, { x: [xs], y: [ys] }, [meta.ended]);
    }
    best.x = own.x; best.y = own.y; best.name = "best: trial " + number;
    own.x = []; own.y = [];
    delete meta.own[number];
    if (drawn) {
      window.Plotly.restyle(node, { x: [best.x], y: [best.y], name: best.name }, [meta.best]);
      window.Plotly.restyle(node, { x: [[]], y: [[]] }, [index]);
    }
  }

  Object.assign(D, {
    plot: plot, metricNode: metricNode, drawMetric: drawMetric,
    extendMetric: extendMetric, finishedMetric: finishedMetric,
  });
})();
