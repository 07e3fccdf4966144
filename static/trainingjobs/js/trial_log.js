// The trial page's log, tailed live: each chunk the trial's monitor stores arrives over
// the trial's websocket with its offset in the stored log (characters, as Python counts
// them: code points). A chunk that starts past what the page holds means chunks were
// missed (a reconnect): the gap is read from the log itself first. Lines the job's
// metric regex matches are marked. The same socket brings the trial's points, which go
// to its live chart (trial_chart.js).
(function () {
  "use strict";

  // The tail the server drew: its metric lines marked as live ones are.
  const shown = document.querySelector('[data-testid="trial-log"]');
  const marksNode = document.getElementById("log-marks");
  if (shown && marksNode && shown.textContent) {
    const text = shown.textContent;
    shown.replaceChildren();
    markInto(shown, text, JSON.parse(marksNode.textContent));
  }

  function markInto(node, text, marks) {
    const marked = new Set(marks || []);
    const lines = text.split("\n");
    const fragment = document.createDocumentFragment();
    lines.forEach(function (line, i) {
      const last = i === lines.length - 1;
      if (last && line === "") return;
      const span = document.createElement("span");
      if (marked.has(i)) span.className = "metric-line";
      span.textContent = line + (last ? "" : "\n");
      fragment.append(span);
    });
    node.append(fragment);
  }

  const pre = document.querySelector("[data-live-log]");
  if (!pre || !window.SweepLive) return;
  let offset = Number(pre.dataset.offset || 0);
  let busy = null;
  const follow = document.querySelector("[data-log-follow]");
  const empty = document.querySelector('[data-testid="log-empty"]');

  function codePoints(text) { return Array.from(text).length; }

  // The header's line count grows with the log: the stored log holds whole lines, each
  // ending in a newline, so a chunk adds as many lines as it has newlines.
  const lines = document.querySelector("[data-log-lines]");
  const lineCount = lines ? lines.querySelector("[data-log-count]") : null;
  function countLines(text) {
    if (!lines || !lineCount) return;
    const n = Number(lines.dataset.logLines || 0) + (text.match(/\n/g) || []).length;
    lines.dataset.logLines = String(n);
    lineCount.textContent = n + (n === 1 ? " line" : " lines");
    lines.hidden = n === 0;
  }

  function append(text, marks) {
    if (!text) return;
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 30;
    countLines(text);
    markInto(pre, text, marks);
    pre.hidden = false;
    if (empty) empty.hidden = true;
    if ((follow ? follow.checked : true) && atBottom !== false) pre.scrollTop = pre.scrollHeight;
    pre.dataset.offset = String(offset);
  }

  // Resolves to the log's stored size and whether the trial had ended when it was read.
  function catchUp() {
    if (busy) return busy;
    busy = fetch(pre.dataset.logUrl + "?offset=" + offset, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.offset === offset && data.text) {
          offset += codePoints(data.text);
          append(data.text, data.marks);
        }
        return { size: data.size, finished: data.finished };
      })
      .finally(function () { busy = null; });
    return busy;
  }

  // The trial ended: read what is left of its log (a reply read before the end, or a
  // chunk short of the end, asks again), then there is nothing left to follow and the
  // log's header is as the server draws an ended trial's.
  let settling = false;
  function settle(tries) {
    if (settling && !tries) return;
    settling = true;
    catchUp().then(function (read) { return read.finished && offset >= read.size; },
                   function () { return false; }).then(function (done) {
      if (done) { ended(); return; }
      if (tries < 20) window.setTimeout(function () { settle(tries + 1); }, 500);
    });
  }

  function ended() {
    if (follow) follow.closest("label").remove();
    if (empty && !empty.hidden) empty.textContent = "Nothing printed.";
  }

  function onChunk(event) {
    if (event.type !== "trial.log") {
      // The trial's own points and end: its live chart (trial_chart.js), its Run card
      // (trial_run.js).
      if (window.SweepTrialChart) window.SweepTrialChart.onEvent(event);
      if (window.SweepTrialRun) window.SweepTrialRun.onEvent(event);
      if (event.type === "trial.finished") settle(0);
      return;
    }
    const length = codePoints(event.text);
    if (event.offset + length <= offset) return;  // already shown
    if (event.offset > offset) { catchUp(); return; }  // a gap: read it from the log
    const skip = offset - event.offset;
    const text = skip ? Array.from(event.text).slice(skip).join("") : event.text;
    offset = event.offset + length;
    // Marks index the chunk's lines; a partly shown chunk starts mid-way: recount.
    append(text, skip ? [] : event.marks);
  }

  const state = document.querySelector("[data-live-state]");
  window.SweepLive.Stream(pre.dataset.socketPath, onChunk, function (name) {
    window.SweepLive.showState(state, name);
  }, function () {
    catchUp();
    if (window.SweepTrialChart) window.SweepTrialChart.catchUp();
  });
})();
