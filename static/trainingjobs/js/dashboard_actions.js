// The job page's live dashboard: the actions on its rows and panels (stop a trial,
// compare the selected trials, copy the best trial's command line).
(function () {
  "use strict";

  const D = window.SweepDash;
  if (!D) return;  // not the job page
  const F = window.SweepFormat;
  const root = D.root;
  const urls = D.urls;
  const state = D.state;
  const trialUrl = D.trialUrl;

  function stop(row) {
    const body = new URLSearchParams({ csrfmiddlewaretoken: F.csrfToken() });
    fetch(trialUrl(row.number) + "stop/", {
      method: "POST", body: body, credentials: "same-origin",
      // JSON asked: the answer leaves no message behind for the next page drawn.
      headers: { "X-CSRFToken": F.csrfToken(), Accept: "application/json" },
    }).then(function () {
      if (row.status === "running") row.stopping = true;
      D.table.render();
    });
  }

  function compare() {
    const numbers = Array.from(state.selected).sort(function (a, b) { return a - b; });
    fetch(urls.curvesUrl + "?trials=" + numbers.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        window.SweepCompare.render(root.querySelector("[data-live-compare]"), numbers.map(function (n) { return state.trials.get(n); }), data.curves, {
          names: state.job.searched, metric: state.job.metric, trialUrl: trialUrl,
          duration: function (r) { return r.started === null ? null : (r.finished !== null ? r.finished : D.now()) - r.started; },
        });
      });
  }

  // The best-trial panel's copy button (the panel is swapped when the best changes).
  root.addEventListener("click", function (event) {
    const button = event.target.closest("[data-live-copy]");
    if (!button) return;
    const source = root.querySelector(button.dataset.liveCopy);
    const text = source ? source.textContent : "";
    function done() {
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else if (source) {
      const range = document.createRange();  // plain http: the user presses Ctrl+C
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
  });

  Object.assign(D, { stop: stop, compare: compare });
})();
