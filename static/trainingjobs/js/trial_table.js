// The job page's trial table: sort, filter by status and by a parameter's range, pick
// columns, page through thousands of rows, select rows (highlighted in every chart),
// early-stop a running trial from its row. Draws only the visible page, so a job of
// 10,000 trials costs a sort and 50 rows per redraw.
(function () {
  "use strict";

  const F = window.SweepFormat;
  const el = F.el;
  const PAGE = 50;
  const MAX_SELECTED = 4;

  // model: {rows(): [row], job, space: [{name, kind, values}], selected: Set,
  //         brushed: Set | null, trialUrl(n), stopUrl(n)}
  // hooks: {onSelect(), onStop(row), onClearBrush()}
  function TrialTable(root, model, hooks) {
    this.root = root;
    this.model = model;
    this.hooks = hooks;
    this.sort = { key: "number", dir: -1 };
    this.page = 0;
    this.status = "";
    this.range = { name: "", low: "", high: "", text: "" };
    const several = new Set(model.rows().map(function (r) { return r.algorithm; })).size > 1;
    this.hidden = new Set(several ? [] : ["algorithm"]);
    this.build();
    this.render();
  }

  TrialTable.prototype.columns = function () {
    const cols = [
      { key: "number", label: "#", num: true, fixed: true },
      { key: "status", label: "Status", fixed: true },
      { key: "algorithm", label: "Algorithm" },
    ];
    for (const p of this.model.space) cols.push({ key: "param:" + p.name, label: p.name, num: p.kind === "number", mono: true });
    cols.push({ key: "value", label: this.model.job.metric || "Objective", num: true, fixed: true });
    cols.push({ key: "reports", label: "Reports", num: true });
    cols.push({ key: "duration", label: "Duration", num: true });
    cols.push({ key: "reason", label: "Reason" });
    return cols;
  };

  TrialTable.prototype.build = function () {
    const self = this;
    const statuses = ["", "running", "queued", "completed", "early_stopped", "failed", "canceled", "lost"];
    self.statusSelect = el("select", { "data-testid": "filter-status", "aria-label": "Status" },
      statuses.map(function (s) { return el("option", { value: s, text: s ? F.statusLabel(s) : "All statuses" }); }));
    self.statusSelect.addEventListener("change", function () { self.status = self.statusSelect.value; self.page = 0; self.render(); });

    self.paramSelect = el("select", { "data-testid": "filter-param", "aria-label": "Parameter" },
      [el("option", { value: "", text: "Filter by parameter…" })].concat(
        self.model.space.map(function (p) { return el("option", { value: p.name, text: p.name }); })));
    self.low = el("input", { type: "text", placeholder: "min", className: "filter-num", "data-testid": "filter-low", "aria-label": "Minimum" });
    self.high = el("input", { type: "text", placeholder: "max", className: "filter-num", "data-testid": "filter-high", "aria-label": "Maximum" });
    function onRange() {
      self.range = { name: self.paramSelect.value, low: self.low.value.trim(), high: self.high.value.trim() };
      self.page = 0;
      self.render();
    }
    [self.paramSelect, self.low, self.high].forEach(function (n) { n.addEventListener("input", onRange); });

    self.picker = el("details", { className: "column-picker" }, [el("summary", { className: "btn btn-sm", text: "Columns", "data-testid": "column-picker" })]);
    const list = el("div", { className: "column-list" });
    for (const col of self.columns()) {
      if (col.fixed) continue;
      const box = el("input", { type: "checkbox", "data-col": col.key });
      box.checked = !self.hidden.has(col.key);
      box.addEventListener("change", function () {
        if (box.checked) self.hidden.delete(col.key); else self.hidden.add(col.key);
        self.render();
      });
      list.append(el("label", {}, [box, " " + col.label]));
    }
    self.picker.append(list);

    self.brushNote = el("span", { className: "brush-note", hidden: true, "data-testid": "brush-note" });
    self.compareButton = el("button", { type: "button", className: "btn btn-sm btn-primary", "data-testid": "compare-button", disabled: true, text: "Compare" });
    self.compareButton.addEventListener("click", function () { self.hooks.onCompare(); });
    self.clearButton = el("button", { type: "button", className: "btn btn-sm", text: "Clear selection", hidden: true });
    self.clearButton.addEventListener("click", function () { self.model.selected.clear(); self.hooks.onSelect(); self.render(); });

    const toolbar = el("div", { className: "table-toolbar" }, [
      self.statusSelect, self.paramSelect, self.low, self.high, self.picker, self.brushNote,
      el("span", { className: "spacer" }), self.clearButton, self.compareButton,
    ]);
    self.table = el("table", { className: "data trial-table", "data-testid": "trial-table" });
    // Live updates redraw the rows several times a second. A redraw between a button's
    // press and its release would swallow the click (the pressed button is gone), so
    // redraws wait while a pointer is down on the table and run once it is released,
    // after the click has been handled (or after 2 s, should the release never arrive).
    self.pressing = false;
    self.pending = false;
    self.table.addEventListener("pointerdown", function () {
      self.pressing = true;
      self.pressedAt = Date.now();
    });
    function release() {
      if (!self.pressing) return;
      self.pressing = false;
      if (self.pending) {
        self.pending = false;
        window.setTimeout(function () { self.render(); }, 0);
      }
    }
    window.addEventListener("pointerup", release, true);
    window.addEventListener("pointercancel", release, true);
    self.pager = el("div", { className: "pager" });
    self.root.replaceChildren(toolbar, el("div", { className: "table-wrap trials-wrap" }, [self.table]), self.pager);
  };

  TrialTable.prototype.value = function (row, key) {
    if (key.startsWith("param:")) return row.params ? row.params[key.slice(6)] : undefined;
    if (key === "duration") return row.started === null || row.started === undefined ? null : (row.finished !== null && row.finished !== undefined ? row.finished : this.model.now()) - row.started;
    return row[key];
  };

  TrialTable.prototype.visible = function () {
    const self = this;
    const range = self.range;
    const lowN = range.low === "" ? null : Number(range.low);
    const highN = range.high === "" ? null : Number(range.high);
    return self.model.rows().filter(function (row) {
      if (self.status && row.status !== self.status) return false;
      if (self.model.brushed && !self.model.brushed.has(row.number)) return false;
      if (range.name) {
        const v = row.params ? row.params[range.name] : undefined;
        if (typeof v === "number") {
          if (lowN !== null && Number.isFinite(lowN) && v < lowN) return false;
          if (highN !== null && Number.isFinite(highN) && v > highN) return false;
        } else if (range.low && String(v).indexOf(range.low) < 0) {
          return false;  // text parameters: "min" is a substring to look for
        }
      }
      return true;
    });
  };

  function compare(a, b) {
    const aMissing = a === null || a === undefined || a === "";
    const bMissing = b === null || b === undefined || b === "";
    if (aMissing || bMissing) return aMissing === bMissing ? 0 : (aMissing ? 1 : -1);
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  TrialTable.prototype.render = function () {
    const self = this;
    if (self.pressing && Date.now() - self.pressedAt < 2000) { self.pending = true; return; }
    self.pressing = false;
    const cols = self.columns().filter(function (c) { return !self.hidden.has(c.key); });
    const rows = self.visible();
    const key = self.sort.key, dir = self.sort.dir;
    rows.sort(function (a, b) {
      const c = compare(self.value(a, key), self.value(b, key));
      // Missing values sort last whichever the direction.
      const av = self.value(a, key), bv = self.value(b, key);
      if (av === null || av === undefined || bv === null || bv === undefined) return c || (a.number - b.number);
      return (c * dir) || (a.number - b.number);
    });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    self.page = Math.min(self.page, pages - 1);
    const shown = rows.slice(self.page * PAGE, self.page * PAGE + PAGE);

    const head = el("tr", {}, [el("th", { className: "select-col", "aria-label": "Select" })].concat(cols.map(function (c) {
      const th = el("th", { className: (c.num ? "num " : "") + "sortable-col", "data-col": c.key, role: "button", title: "Sort" }, [c.label]);
      if (c.key === key) th.dataset.sorted = dir > 0 ? "asc" : "desc";
      th.addEventListener("click", function () {
        self.sort = { key: c.key, dir: self.sort.key === c.key ? -self.sort.dir : 1 };
        self.render();
      });
      return th;
    })).concat([el("th", { "aria-label": "Actions" })]));

    const best = self.model.job.best_number;
    const body = shown.map(function (row) {
      const tr = el("tr", { "data-testid": "trial-row", "data-number": row.number, "data-status": row.status });
      if (row.number === best) { tr.classList.add("best-row"); tr.dataset.best = "true"; }
      if (self.model.selected.has(row.number)) tr.classList.add("selected-row");
      const box = el("input", { type: "checkbox", "aria-label": "Select trial " + row.number, "data-testid": "select-trial" });
      box.checked = self.model.selected.has(row.number);
      box.addEventListener("change", function () {
        if (box.checked) {
          if (self.model.selected.size >= MAX_SELECTED) { box.checked = false; return; }
          self.model.selected.add(row.number);
        } else {
          self.model.selected.delete(row.number);
        }
        self.hooks.onSelect();
        self.render();
      });
      tr.append(el("td", { className: "select-col" }, [box]));
      for (const c of cols) tr.append(self.cell(row, c));
      tr.append(el("td", { className: "row-actions" }, [self.action(row)]));
      return tr;
    });
    self.table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, body));

    const total = self.model.rows().length;
    self.pager.replaceChildren(
      el("span", { className: "muted", "data-testid": "table-count", text: rows.length === total ? total + " trials" : rows.length + " of " + total + " trials" }),
      el("span", { className: "spacer" }),
      self.pageButton("‹ Prev", self.page > 0, function () { self.page -= 1; }),
      el("span", { className: "muted", text: "Page " + (self.page + 1) + " of " + pages }),
      self.pageButton("Next ›", self.page < pages - 1, function () { self.page += 1; })
    );
    const n = self.model.selected.size;
    self.compareButton.disabled = n < 2;
    self.compareButton.textContent = n >= 2 ? "Compare " + n + " trials" : "Compare (select 2–4)";
    self.clearButton.hidden = n === 0;
    if (self.model.brushed) {
      self.brushNote.hidden = false;
      self.brushNote.replaceChildren("Filtered by the parallel-coordinates selection ",
        el("button", { type: "button", className: "link-button", text: "clear", onclick: function () { self.hooks.onClearBrush(); } }));
    } else {
      self.brushNote.hidden = true;
    }
  };

  TrialTable.prototype.pageButton = function (label, enabled, go) {
    const self = this;
    const button = el("button", { type: "button", className: "btn btn-sm", text: label, disabled: !enabled });
    button.addEventListener("click", function () { go(); self.render(); });
    return button;
  };

  TrialTable.prototype.cell = function (row, col) {
    const v = this.value(row, col.key);
    const cls = (col.num ? "num " : "") + (col.mono ? "mono" : "");
    if (col.key === "number") {
      const link = el("a", { href: this.model.trialUrl(row.number), text: String(row.number) });
      const parts = [link];
      if (row.number === this.model.job.best_number) parts.push(" ", el("span", { className: "tag tag-on", text: "best" }));
      return el("td", { className: cls }, parts);
    }
    if (col.key === "status") {
      const parts = [F.badge(row.status)];
      if (row.stopping && row.status === "running") parts.push(el("span", { className: "muted small", text: " stopping…" }));
      return el("td", { "data-testid": "trial-status" }, parts);
    }
    if (col.key === "value") return el("td", { className: cls, "data-testid": "trial-value", text: F.metric(v) });
    if (col.key === "duration") return el("td", { className: cls, text: F.duration(v) });
    if (col.key === "reports") return el("td", { className: cls, text: v ? String(v) : "—" });
    if (col.key === "reason") return el("td", { className: "muted truncate", title: v || "", text: v || "" });
    if (col.key === "algorithm") return el("td", {}, v ? [el("span", { className: "tag", text: v })] : ["—"]);
    return el("td", { className: cls, text: F.param(v) });
  };

  TrialTable.prototype.action = function (row) {
    const self = this;
    if (row.status !== "running" && row.status !== "queued") return "";
    const button = el("button", { type: "button", className: "btn btn-sm btn-danger-outline", "data-testid": "stop-trial", text: row.status === "queued" ? "Cancel" : "Stop" });
    button.disabled = !!row.stopping;
    button.addEventListener("click", function () {
      button.disabled = true;
      self.hooks.onStop(row);
    });
    return button;
  };

  window.SweepTrialTable = TrialTable;
})();
