// Compare 2-4 trials side by side: their parameters (differences marked), objective,
// status, reports and duration, and their curves overlaid in one chart.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const el = F.el;
  const COLOURS = ["#1f6feb", "#cf222e", "#1a7f37", "#8250df"];

  // rows: the chosen trial rows; curves: {number: [values]}; names: searched names.
  function render(panel, rows, curves, options) {
    const head = el("tr", {}, [el("th", { text: "" })].concat(rows.map(function (r, i) {
      return el("th", { className: "compare-col" }, [
        el("span", { className: "swatch", style: "background:" + COLOURS[i % COLOURS.length] }),
        el("a", { href: options.trialUrl(r.number), text: "Trial " + r.number }),
      ]);
    })));
    function line(label, values, opts) {
      const differs = new Set(values.map(function (v) { return JSON.stringify(v === undefined ? null : v); })).size > 1;
      const tr = el("tr", { className: opts && opts.param && differs ? "differs" : "", "data-testid": opts && opts.param ? "compare-param" : null, "data-differs": opts && opts.param ? String(differs) : null },
        [el("th", { className: opts && opts.param ? "mono" : "", text: label })].concat(values.map(function (v) {
          return el("td", { className: "num", text: opts && opts.format ? opts.format(v) : F.param(v) });
        })));
      return tr;
    }
    const body = [
      line("Status", rows.map(function (r) { return r.status; }), { format: F.statusLabel }),
      line(options.metric || "Objective", rows.map(function (r) { return r.value; }), { format: F.metric }),
    ];
    if (new Set(rows.map(function (r) { return r.algorithm; })).size > 1 || rows[0].algorithm) {
      body.push(line("Algorithm", rows.map(function (r) { return r.algorithm || "—"; }), { format: String }));
    }
    body.push(line("Reports", rows.map(function (r) { return (curves[r.number] || []).length; }), { format: String }));
    body.push(line("Duration", rows.map(function (r) { return options.duration(r); }), { format: F.duration }));
    for (const name of options.names) {
      body.push(line(name, rows.map(function (r) { return r.params ? r.params[name] : undefined; }), { param: true }));
    }
    const table = el("table", { className: "data compare-table", "data-testid": "compare-table" }, [el("thead", {}, [head]), el("tbody", {}, body)]);
    const chart = el("div", { className: "chart", "data-testid": "compare-chart" });
    const close = el("button", { type: "button", className: "btn btn-sm", text: "Close", "data-testid": "compare-close" });
    close.addEventListener("click", function () { panel.hidden = true; panel.replaceChildren(); });
    panel.replaceChildren(
      el("div", { className: "card-head" }, [el("h2", { text: "Comparing " + rows.length + " trials" }), close]),
      el("div", { className: "compare-grid" }, [el("div", { className: "table-wrap" }, [table]), chart])
    );
    panel.hidden = false;
    if (window.Plotly) {
      const data = rows.map(function (r, i) {
        const ys = (curves[r.number] || []).map(F.plottable);
        return {
          type: "scatter", mode: ys.length < 40 ? "lines+markers" : "lines", name: "trial " + r.number,
          x: ys.map(function (_, k) { return k + 1; }), y: ys, connectgaps: false,
          line: { color: COLOURS[i % COLOURS.length], width: 2 }, marker: { size: 4 },
        };
      });
      const longest = Math.max(1, ...data.map(function (t) { return t.x.length; }));
      window.Plotly.newPlot(chart, data, {
        // The top margin is Plotly's mode bar's; the legend below the axis title.
        height: 330, margin: { l: 56, r: 16, t: 32, b: 84 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
        xaxis: { title: { text: "report" }, gridcolor: "#edf0f4", zeroline: false,
          tickmode: "linear", tick0: 0, tickformat: "d", dtick: F.countTicks(longest)["xaxis.dtick"] },
        yaxis: { title: { text: options.metric || "metric" }, gridcolor: "#edf0f4", zeroline: false },
        legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" }, font: { size: 12 },
      }, { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"] });
    }
    panel.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  window.SweepCompare = { render: render };
})();
