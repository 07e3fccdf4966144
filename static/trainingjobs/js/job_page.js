// Job and trial pages: draw each chart once from the figure the page carries (Plotly is
// served by the console, never a CDN), copy the command line, show the log's end, and
// confirm before cancelling or stopping.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      const source = document.getElementById(node.dataset.chart);
      if (!source) return;
      const figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(node, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      });
    });
  }

  // One listener for the page: a copy button the trial page swaps in later works too.
  function copyButtons() {
    document.addEventListener("click", function (event) {
      const button = event.target.closest("[data-copy]");
      if (!button) return;
      const source = document.querySelector(button.dataset.copy);
      const text = source ? source.textContent : "";
      function done() {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
      } else {
        selectText(source);  // plain http: the user presses Ctrl+C on the selection
      }
    });
  }

  function selectText(node) {
    if (!node) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // A button that ends something asks first (a handler here: the CSP allows no inline script).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  document.querySelectorAll("pre.log").forEach(function (log) { log.scrollTop = log.scrollHeight; });
  copyButtons();
  drawCharts();
})();
