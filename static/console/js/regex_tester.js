// Metric regex: smart generate from the metric name and a pasted log, and a tester that
// asks the server, which matches exactly as a trial runner will.
(function () {
  "use strict";
  const form = document.querySelector("form[data-generate-url]");
  if (!form) return;
  const regex = form.querySelector("#id_metric_regex");
  const nameInput = form.querySelector("#id_metric_name");
  const log = form.querySelector("#id_sample_log");
  const feedback = form.querySelector("[data-regex-feedback]");
  const candidatesBox = form.querySelector("[data-regex-candidates]");
  const resultBox = form.querySelector("[data-regex-result]");
  const describe = form.querySelector("[data-regex-description]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([k, v]) { node.setAttribute(k, v); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(message, level) {
    feedback.textContent = message || "";
    feedback.className = "regex-feedback" + (level ? " " + level : "");
  }

  async function post(url, fields) {
    const data = new FormData();
    Object.entries(fields).forEach(function ([k, v]) { data.append(k, v); });
    const response = await fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = { error: "The server answered " + response.status + "." }; }
    return payload;
  }

  function matchTable(matches, limit) {
    const table = el("table", { class: "data compact" });
    const head = el("tr");
    ["Line", "Text", "Value"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    matches.slice(0, limit).forEach(function (m) {
      const tr = el("tr", { "data-testid": "regex-match" });
      tr.appendChild(el("td", { class: "muted" }, String(m.line_no)));
      tr.appendChild(el("td", { class: "mono line" }, m.line));
      tr.appendChild(el("td", { class: "mono value" }, String(m.value)));
      body.appendChild(tr);
    });
    return table;
  }

  function showDescription(candidate) {
    describe.textContent = candidate && candidate.description ? "Matches: " + candidate.description + "." : "";
  }

  function showCandidates(candidates) {
    candidatesBox.replaceChildren();
    const printed = candidates.length && candidates[0].printed_name;
    if (candidates.length < 2 && !printed) return;
    candidatesBox.appendChild(el("div", { class: "muted" }, printed
      ? "The sample never prints “" + nameInput.value.trim() + "” alone, but prints these names; pick the one to search on:"
      : "Several formats match; pick one:"));
    candidates.forEach(function (c, i) {
      const row = el("label", { class: "candidate", "data-testid": "regex-candidate" });
      const radio = el("input", { type: "radio", name: "regex_candidate", value: String(i) });
      if (c.pattern === regex.value) radio.checked = true;
      radio.addEventListener("change", function () { regex.value = c.pattern; showDescription(c); runTest(); });
      row.appendChild(radio);
      row.appendChild(el("span", { class: "tag" }, c.label));
      const n = c.matches.length;
      row.appendChild(el("span", { class: "muted" }, n + " line" + (n === 1 ? "" : "s") +
        (n ? ", first value " + c.matches[0].value : "")));
      row.appendChild(el("code", { class: "pattern" }, c.pattern));
      candidatesBox.appendChild(row);
    });
  }

  async function generate() {
    // The table below belongs to the last test: a generate that fails must not leave it
    // beside its own message, and one that succeeds tests again on the current sample.
    resultBox.replaceChildren();
    say("Generating…");
    const payload = await post(form.getAttribute("data-generate-url"), {
      metric_name: nameInput.value, sample_log: log.value,
    });
    if (payload.error) { say(payload.error, "error"); return; }
    const candidates = payload.candidates || [];
    if (!candidates.length) { say("No regex could be generated.", "error"); return; }
    if (log.value.trim() && !candidates[0].matches.length) {
      // Never replace the user's regex with one that reads nothing from their own sample.
      candidatesBox.replaceChildren();
      say("No line of the sample prints “" + nameInput.value.trim() + "” with a number after it; the regex was left as it was. Check the metric name, or paste lines that print it.", "error");
      return;
    }
    if (candidates[0].printed_name) {
      showCandidates(candidates);
      say("Pick the printed name to search on.", "ok");
      return;
    }
    regex.value = candidates[0].pattern;
    showDescription(candidates[0]);
    showCandidates(candidates);
    if (log.value.trim()) {
      await runTest();
    } else {
      say("Generated a regex for the common formats. Paste a sample log to check it.", "ok");
    }
  }

  async function runTest() {
    resultBox.replaceChildren();
    if (!log.value.trim()) { say("Paste a sample log to test the regex on.", "error"); return; }
    say("Testing…");
    const payload = await post(form.getAttribute("data-test-url"), { pattern: regex.value, sample_log: log.value });
    if (payload.error) { say(payload.error, "error"); return; }
    const note = payload.note ? " (" + payload.note + ")" : "";
    if (!payload.count) {
      say("No line of the " + payload.lines + "-line sample gives a value." + note, "error");
      return;
    }
    say(payload.count + " of " + payload.lines + " lines give a value." + note, "ok");
    resultBox.appendChild(matchTable(payload.matches, 50));
    if (payload.count > 50) resultBox.appendChild(el("div", { class: "muted" }, "Showing the first 50."));
  }

  regex.addEventListener("input", function () { showDescription(null); });
  form.querySelector("[data-regex-generate]").addEventListener("click", generate);
  form.querySelector("[data-regex-test]").addEventListener("click", runTest);
})();
