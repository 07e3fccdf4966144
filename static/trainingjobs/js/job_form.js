// Create-training-job page: reveal what belongs to each choice, and keep the plan (grid
// size, trials that will run) in step with the ranges as they are typed.
(function () {
  "use strict";
  const form = document.querySelector("form.job-form");
  if (!form) return;
  // Attributes are read with getAttribute: a form's own properties (form.dataset among
  // them) are shadowed by the fields it holds of that name, and this form has "dataset".

  // Picking another algorithm draws its hyperparameter table: reload with it, keeping the name.
  const algorithm = form.querySelector("#id_algorithm");
  if (algorithm) {
    algorithm.addEventListener("change", function () {
      const params = new URLSearchParams({ algorithm: algorithm.value });
      const name = form.querySelector("#id_name");
      if (name && name.value) params.set("name", name.value);
      window.location.assign(form.getAttribute("data-create-url") + "?" + params.toString());
    });
  }

  function syncRow(row) {
    const include = row.querySelector("[data-testid=include]");
    const search = row.querySelector("[data-testid=search]");
    const included = !include || include.checked;
    const searched = !!(search && search.checked);
    row.classList.toggle("is-omitted", !included);
    row.classList.toggle("is-searched", included && searched);
    row.querySelector("[data-fixed-value]").hidden = searched;
    row.querySelector("[data-searched-note]").hidden = !searched;
    row.querySelector("[data-omitted-note]").hidden = included;
    const rangeRow = row.querySelector("[data-range-row]");
    if (rangeRow) rangeRow.hidden = !(included && searched);
    const dist = row.querySelector("[data-dist]");
    if (dist) syncDist(row, dist);
  }

  function syncDist(row, dist) {
    const advanced = dist.value !== "range";
    row.querySelector("[data-panel=range]").hidden = advanced;
    row.querySelector("[data-panel=advanced]").hidden = !advanced;
    if (!advanced) return;
    const option = dist.selectedOptions[0];
    const fields = (option.dataset.fields || "").split(" ");
    row.querySelectorAll("[data-panel=advanced] [data-field]").forEach(function (box) {
      box.hidden = fields.indexOf(box.dataset.field) < 0;
    });
    row.querySelector("[data-dist-meaning]").textContent = dist.value + ": " + (option.dataset.meaning || "");
  }

  function syncSearch() {
    const anySearch = Array.prototype.some.call(form.querySelectorAll("tbody.job-hp"), function (row) {
      return row.classList.contains("is-searched");
    });
    form.querySelectorAll("[data-search-only]").forEach(function (block) { block.hidden = !anySearch; });
  }

  function syncPolicy() {
    const select = form.querySelector("#id_policy");
    if (!select) return;
    form.querySelectorAll(".policy-panel").forEach(function (panel) {
      panel.hidden = panel.dataset.policy !== select.value;
    });
  }

  const plan = form.querySelector("[data-plan]");
  let planTimer = null;
  let planSeq = 0;

  // Each range the plan waits for, in the server's words (trainingjobs.spec_plan._needs).
  function rangesOf(names) {
    if (names.length === 1) return "range of " + names[0];
    return "ranges of " + names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  function showPlan(answer) {
    const trials = plan.querySelector("[data-plan-trials]");
    const grid = plan.querySelector("[data-plan-grid]");
    trials.replaceChildren();
    grid.replaceChildren();
    plan.setAttribute("data-search", answer.search ? "true" : "false");
    function strong(text, testid) {
      const node = document.createElement("strong");
      node.textContent = text;
      node.dataset.testid = testid;
      return node;
    }
    function muted(text, testid, title) {
      const node = document.createElement("span");
      node.className = "muted";
      node.textContent = text;
      if (testid) node.dataset.testid = testid;
      if (title) node.title = title;
      return node;
    }
    if (!answer.search) {
      trials.append(strong("1", "planned-trials"), " trial: a single training run");
      return;
    }
    if (answer.planned_trials) {
      trials.append(strong(String(answer.planned_trials), "planned-trials"),
        answer.planned_trials === 1 ? " trial will run" : " trials will run");
    } else if (answer.needs) {
      trials.append(muted("Trials: " + answer.needs + " to see how many", "plan-needs", answer.problem));
    } else {
      trials.append(muted("Trials: counting…", "plan-needs"));
    }
    grid.append(" · grid size ", strong(answer.grid_size ? String(answer.grid_size) : "—", "grid-size"));
    if (!answer.grid_size && answer.planned_trials) grid.append(" ", muted("(a range is continuous)"));
  }

  // A searched row whose range has an input still empty (what the server calls unfilled).
  function rangeUnfilled(row) {
    const dist = row.querySelector("[data-dist]");
    const type = row.getAttribute("data-type");
    if (dist && dist.value !== "range") {
      const shown = row.querySelectorAll("[data-panel=advanced] [data-field]:not([hidden]) input");
      return Array.prototype.some.call(shown, function (input) { return !input.value.trim(); });
    }
    if (type === "bool") return false;
    // A str row, or a number limited to an enumeration: values picked from a list.
    const picked = row.querySelector("[data-panel=range] [data-testid=values]");
    if (type === "str" || picked) {
      const typed = row.querySelector("[data-testid=typed]");
      return !(picked && picked.selectedOptions.length) && !(typed && typed.value.trim());
    }
    return ["low", "high"].some(function (name) {
      const input = row.querySelector("[data-testid=" + name + "]");
      return input && !input.value.trim();
    });
  }

  // What the page can tell at once, before the server's count arrives: no range is a
  // single run, and an empty range has to be filled in. A search the server has not
  // counted yet is "counting" rather than the single run it was a moment ago.
  function showLocalPlan() {
    if (!plan) return;
    const searched = Array.prototype.filter.call(form.querySelectorAll("tbody.job-hp"), function (row) {
      return row.classList.contains("is-searched");
    });
    if (!searched.length) {
      showPlan({ search: false });
      return;
    }
    const unfilled = searched.filter(rangeUnfilled).map(function (row) { return row.getAttribute("data-name"); });
    if (unfilled.length) {
      showPlan({ search: true, planned_trials: null, grid_size: null, needs: "fill in the " + rangesOf(unfilled) });
    } else if (plan.getAttribute("data-search") !== "true") {
      showPlan({ search: true, planned_trials: null, grid_size: null, needs: null });
    }
  }

  function refreshPlan() {
    if (!plan || !form.getAttribute("data-plan-url")) return;
    const seq = ++planSeq;
    fetch(form.getAttribute("data-plan-url"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && seq === planSeq) showPlan(answer); })
      .catch(function () { /* the server's plan stays shown */ });
  }

  function schedulePlan() {
    planSeq++;  // an answer still on its way describes the form before this change
    showLocalPlan();
    window.clearTimeout(planTimer);
    planTimer = window.setTimeout(refreshPlan, 250);
  }

  form.addEventListener("change", function (event) {
    const target = event.target;
    const row = target.closest("tbody.job-hp");
    if (row) syncRow(row);
    if (target.matches("input[name=sa]")) {
      const card = target.closest(".algo-card");
      card.classList.toggle("selected", target.checked);
      card.querySelector("[data-algo-params]").hidden = !target.checked;
    }
    if (target.id === "id_policy") syncPolicy();
    syncSearch();
    if (target.id !== "id_algorithm") schedulePlan();
  });
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=text]")) schedulePlan();
  });

  // The environment table: one more empty row on demand (names go on as env-<i>-...).
  const envRows = form.querySelector("[data-env-rows]");
  const envAdd = form.querySelector("[data-env-add]");
  if (envRows && envAdd) {
    envAdd.addEventListener("click", function () {
      const rows = envRows.querySelectorAll("[data-env-row]");
      const last = rows[rows.length - 1];
      if (!last) return;
      const row = last.cloneNode(true);
      const index = rows.length;
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/^env-\d+-/, "env-" + index + "-");
        input.value = "";
      });
      row.querySelectorAll(".has-error").forEach(function (cell) { cell.classList.remove("has-error"); });
      row.querySelectorAll(".errorlist, .field-errors").forEach(function (list) { list.remove(); });
      envRows.appendChild(row);
      row.querySelector("input").focus();
    });
  }

  form.querySelectorAll("tbody.job-hp").forEach(syncRow);
  syncSearch();
  syncPolicy();
  // Take the user to the first message after a refused submit.
  const firstError = form.querySelector(".has-error, .row-error");
  if (firstError) firstError.scrollIntoView({ block: "center" });
})();
