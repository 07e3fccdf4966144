// The job page's live dashboard: the summary figures (best so far, parallel coordinates,
// slices, timeline, importance, the algorithms' leaderboard), fetched again a moment
// after a trial ends; the selected trials marked in every chart; brushing the parallel
// coordinates to filter the table.
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const F = window.SweepFormat;
  const el = F.el;
  const root = D.root;
  const urls = D.urls;
  const state = D.state;
  const plot = D.plot;
  const FIGURES_DELAY_MS = 1200;

  function highlightSelected() {
    const numbers = Array.from(state.selected);
    const missing = numbers.filter(function (n) { return !state.curves.has(n) || (state.trials.get(n) || {}).status === "running"; });
    const ready = missing.length ? fetch(urls.curvesUrl + "?trials=" + missing.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { for (const key of Object.keys(data.curves)) state.curves.set(Number(key), data.curves[key]); })
      : Promise.resolve();
    ready.then(function () {
      markSelected("parallel");
      markSelected("slice");
      // The metric chart may have been reloaded meanwhile, or not be loaded yet (it
      // draws the selection when it comes).
      const meta = state.metric && state.metric.layout.meta;
      if (!meta) return;
      const xs = [], ys = [];
      for (const n of numbers) {
        const curve = state.curves.get(n) || [];
        curve.forEach(function (v, k) { xs.push(k + 1); ys.push(F.plottable(v)); });
        xs.push(null); ys.push(null);
      }
      const selected = state.metric.data[meta.selected];
      selected.x = xs; selected.y = ys;
      selected.name = numbers.length ? "selected: " + numbers.map(function (n) { return "#" + n; }).join(", ") : "selected";
      const node = D.metricNode();
      if (node && node.dataset.drawn && !node.hidden) window.Plotly.restyle(node, { x: [xs], y: [ys], name: selected.name }, [meta.selected]);
    });
  }

  // Selected trials' dots and lines drawn larger in the charts that carry trial numbers.
  function markSelected(name) {
    const node = root.querySelector('[data-live-chart="' + name + '"]');
    if (!node || !node.data || !window.Plotly) return;
    const chosen = state.selected;
    const sizes = node.data.map(function (trace) {
      return (trace.customdata || []).map(function (n) { return chosen.has(n) ? 10 : (name === "slice" ? 6 : 3); });
    });
    const opacities = node.data.map(function (trace) {
      return (trace.customdata || []).map(function (n) { return chosen.has(n) ? 1 : (name === "slice" ? 0.7 : 0); });
    });
    window.Plotly.restyle(node, { "marker.size": sizes, "marker.opacity": opacities });
  }

  function drawFigures(figures, leaderboard) {
    state.bestFigure = figures.best;
    drawBest();
    plot("parallel", figures.parallel && withBrush(figures.parallel));
    plot("slice", figures.slice);
    plot("timeline", figures.timeline);
    renderLeaderboard(leaderboard);
    if (state.selected.size) { markSelected("parallel"); markSelected("slice"); }
  }

  // Best so far by trial or by time: the figure's meta.axes holds both readings of the
  // x axis (restyle and relayout arguments); the chosen one outlives a redraw.
  function drawBest() {
    const figure = state.bestFigure;
    const axes = figure && figure.layout.meta && figure.layout.meta.axes;
    const buttons = root.querySelector("[data-best-axis-switch]");
    if (buttons) buttons.hidden = !axes;
    if (!axes) { plot("best", figure); return; }
    const mode = axes[state.bestAxis] ? state.bestAxis : "number";
    const copy = JSON.parse(JSON.stringify(figure));
    const restyle = axes[mode][0], relayout = axes[mode][1];
    for (const key of Object.keys(restyle)) {
      copy.data.forEach(function (trace, i) { trace[key] = restyle[key][i]; });
    }
    for (const path of Object.keys(relayout)) {
      const parts = path.split(".");
      let at = copy.layout;
      for (const part of parts.slice(0, -1)) { at[part] = at[part] || {}; at = at[part]; }
      at[parts[parts.length - 1]] = relayout[path];
    }
    if (buttons) buttons.querySelectorAll("[data-best-axis]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.bestAxis === mode));
    });
    plot("best", copy);
  }

  root.querySelectorAll("[data-best-axis]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.bestAxis = button.dataset.bestAxis;
      drawBest();
    });
  });

  function withBrush(figure) {
    figure.layout.dragmode = "select";
    figure.layout.selectdirection = "any";
    return figure;
  }

  // Boxes drawn over the parallel coordinates' axes keep the trials that cross every
  // boxed axis inside its box.
  function onBrush(event) {
    if (!event || !event.points || !event.points.length) { setBrush(null); return; }
    const byAxis = new Map();
    for (const point of event.points) {
      if (point.customdata === null || point.customdata === undefined) continue;
      if (!byAxis.has(point.x)) byAxis.set(point.x, new Set());
      byAxis.get(point.x).add(point.customdata);
    }
    let kept = null;
    for (const numbers of byAxis.values()) {
      kept = kept === null ? new Set(numbers) : new Set(Array.from(kept).filter(function (n) { return numbers.has(n); }));
    }
    setBrush(kept);
  }

  function setBrush(kept) {
    state.brushed = kept;
    if (!kept) {
      const node = root.querySelector('[data-live-chart="parallel"]');
      if (node && node.data && window.Plotly) window.Plotly.restyle(node, { selectedpoints: [null] });
    }
    D.table.page = 0;
    D.table.render();
  }

  function renderLeaderboard(board) {
    const body = root.querySelector("[data-live-leaderboard]");
    if (!body || !board) return;
    body.replaceChildren.apply(body, board.map(function (entry) {
      return el("tr", { className: entry.found_best ? "best-row" : "" }, [
        // The star beside the name, not a column of its own: the card is narrow.
        el("td", { className: "nowrap" }, [el("span", { className: "tag", text: entry.algorithm || "—" })].concat(
          entry.found_best ? [" ", el("strong", { text: "★", title: "This algorithm found the best trial of the job", "data-testid": "found-best" })] : [])),
        el("td", { className: "num", text: F.metric(entry.best) }),
        el("td", { className: "num" }, entry.best_number ? [el("a", { href: D.trialUrl(entry.best_number), text: "#" + entry.best_number })] : ["—"]),
        el("td", { className: "num", text: String(entry.trials) }),
        el("td", { className: "num", text: String(entry.failures) }),
      ]);
    }));
  }

  let figuresTimer = null, importanceTimer = null;
  function refreshFigures() {
    if (figuresTimer) return;
    figuresTimer = window.setTimeout(function () {
      figuresTimer = null;
      fetch(urls.figuresUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { drawFigures(data.figures, data.leaderboard); });
    }, FIGURES_DELAY_MS);
  }

  function refreshImportance(delay) {
    if (importanceTimer) return;
    importanceTimer = window.setTimeout(function () {
      importanceTimer = null;
      fetch(urls.importanceUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { plot("importance", data.figure); });
    }, delay);
  }


  Object.assign(D, {
    highlightSelected: highlightSelected, markSelected: markSelected, drawFigures: drawFigures,
    onBrush: onBrush, setBrush: setBrush, refreshFigures: refreshFigures,
    refreshImportance: refreshImportance,
  });
})();
