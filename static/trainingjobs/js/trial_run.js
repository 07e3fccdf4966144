// The trial page while the trial has not ended: its Run card's value is the latest report
// (the trial's chart, trial_chart.js, hands each newest one over, live or caught up), its
// duration ticks each second from the trial's start. The trial's socket (trial_log.js)
// brings its start (`trial.started`) and its end (`trial.finished`): at each, the parts
// of the page that change then (the header's badge and best tag, the reason banner, the
// Run card, the command line; `data-trial-part`) are fetched as the server draws them and
// swapped in, so the page shows what a reload would, from the one template. At the end
// the stop button goes and the live marker says the trial ended.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const root = document.querySelector("[data-trial-state-url]");
  if (!root) return;  // the server drew an ended trial
  const RETRIES = 3;
  let ended = false;
  let timer = null;
  let latest = null;  // the newest report handed over: [report, value]
  let asked = 0;  // the newest fetch of the parts: an older answer is dropped

  function duration() { return document.querySelector('[data-testid="trial-duration"]'); }
  function value() { return document.querySelector("[data-run-value]"); }

  // The node is looked up at each tick: a swapped-in Run card carries the start.
  function tick() {
    const node = duration();
    if (!node || !node.dataset.runStarted) return;
    node.textContent = F.duration(F.secondsBetween(node.dataset.runStarted, null));
  }

  function startTicking() {
    const node = duration();
    if (ended || timer !== null || !node || !node.dataset.runStarted) return;
    tick();
    timer = window.setInterval(tick, 1000);
  }

  function stopTicking() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  // The latest report on the Run card, unless the card already shows a later one.
  function showLatest() {
    const node = value();
    if (!node || !latest || Number(node.dataset.runReport || 0) > latest[0]) return;
    node.dataset.runReport = String(latest[0]);
    node.querySelector("[data-run-number]").textContent = F.metric(latest[1]);
    node.querySelector("[data-run-label]").textContent = "(latest, report " + latest[0] + ")";
  }

  function swap(html) {
    const fresh = document.createElement("template");
    fresh.innerHTML = html;  // the console's own escaped template
    fresh.content.querySelectorAll("[data-trial-part]").forEach(function (part) {
      const shown = document.querySelector('[data-trial-part="' + part.dataset.trialPart + '"]');
      if (shown) shown.replaceWith(part);
    });
  }

  function refresh(tries) {
    const mine = ++asked;
    fetch(root.dataset.trialStateUrl, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("trial parts: HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        if (mine !== asked) return;
        swap(html);
        if (ended) return;
        showLatest();
        startTicking();
      })
      .catch(function () {
        if (mine === asked && tries < RETRIES) {
          window.setTimeout(function () { if (mine === asked) refresh(tries + 1); }, 1000);
        }
      });
  }

  function onStarted(event) {
    if (ended || !event.started_at) return;
    const help = document.querySelector("[data-run-help]");
    if (help && help.dataset.queuedHelp) {
      help.textContent = "The trial is running: new lines appear as it prints them, lines with the metric marked.";
      help.dataset.queuedHelp = "";
    }
    // A page drawn after the start has it (the socket repeats the start on connecting).
    const node = duration();
    if (node && node.dataset.runStarted) { startTicking(); return; }
    refresh(0);
  }

  function onFinished() {
    if (ended) return;
    ended = true;
    stopTicking();
    // Nothing left to stop; nothing more will arrive.
    const stop = document.querySelector('[data-testid="stop-trial"]');
    if (stop) stop.closest("form").remove();
    const state = document.querySelector("[data-live-state]");
    if (state) { state.dataset.state = "ended"; state.textContent = "Ended"; }
    const help = document.querySelector("[data-run-help]");
    if (help) help.hidden = true;
    refresh(0);
  }

  // Stop early, asked by the script (after job_page.js's confirm): the button says the stop
  // is on its way and the end swaps in the rest, with no message left for a later page.
  // Without the script the form posts as a plain form.
  function stopEarly(event) {
    const form = event.target;
    if (event.defaultPrevented || !form.querySelector('[data-testid="stop-trial"]')) return;
    event.preventDefault();
    const button = form.querySelector('[data-testid="stop-trial"]');
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-CSRFToken": F.csrfToken(), Accept: "application/json" },
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (answer.stopping) {
        button.textContent = "Stopping…";
        button.title = "Stop requested";
      } else {
        button.disabled = false;
        if (answer.error) window.alert(answer.error);
      }
    }).catch(function () { button.disabled = false; });
  }

  const stopForm = document.querySelector('[data-testid="stop-trial"]');
  if (stopForm) stopForm.closest("form").addEventListener("submit", stopEarly);

  startTicking();

  window.SweepTrialRun = {
    // The newest report (report number, value as reported) while the trial runs.
    latest: function (report, reported) {
      if (ended) return;
      latest = [report, reported];
      showLatest();
    },
    onEvent: function (event) {
      if (event.type === "trial.started") onStarted(event);
      else if (event.type === "trial.finished") onFinished();
    },
  };
})();
