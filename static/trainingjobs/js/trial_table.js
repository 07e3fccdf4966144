// The job page's trial table: sort, filter by status and by a parameter's range, pick
// columns, page through thousands of rows, select rows (highlighted in every chart),
// early-stop a running trial from its row. Draws only the visible page, so a job of
// 10,000 trials costs a sort and 50 rows per redraw, and patches it in place: a live
// report changes the cells it changed, not the table.
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

    self.brushNote = el("span", { className: "brush-note", hidden: true, "data-testid": "brush-note" }, [
      "Filtered by the parallel-coordinates selection ",
      el("button", { type: "button", className: "link-button", text: "clear", onclick: function () { self.hooks.onClearBrush(); } }),
    ]);
    self.compareButton = el("button", { type: "button", className: "btn btn-sm btn-primary", "data-testid": "compare-button", disabled: true, text: "Compare" });
    self.compareButton.addEventListener("click", function () { self.hooks.onCompare(); });
    self.clearButton = el("button", { type: "button", className: "btn btn-sm", text: "Clear selection", hidden: true });
    self.clearButton.addEventListener("click", function () { self.model.selected.clear(); self.hooks.onSelect(); self.render(); });

    const toolbar = el("div", { className: "table-toolbar" }, [
      self.statusSelect, self.paramSelect, self.low, self.high, self.picker, self.brushNote,
      el("span", { className: "spacer" }), self.clearButton, self.compareButton,
    ]);
    self.table = el("table", { className: "data trial-table", "data-testid": "trial-table" });
    // Live updates patch the rows several times a second. A patch between a button's
    // press and its release could still swallow the click (a row moved by a new sort
    // order, a status cell or Stop button replaced as the trial ends), so patches wait
    // while a pointer is down on the table and run once it is released, after the click
    // has been handled (or after 2 s, should the release never arrive).
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
    self.thead = el("thead");
    self.tbody = el("tbody");
    self.table.append(self.thead, self.tbody);
    self.views = new Map();
    self.byNumber = new Map();

    function pageButton(label, step) {
      const button = el("button", { type: "button", className: "btn btn-sm", text: label });
      button.addEventListener("click", function () { self.page += step; self.render(); });
      return button;
    }
    self.pagerParts = {
      count: el("span", { className: "muted", "data-testid": "table-count" }),
      prev: pageButton("‹ Prev", -1),
      label: el("span", { className: "muted" }),
      next: pageButton("Next ›", 1),
    };
    const p = self.pagerParts;
    self.pager = el("div", { className: "pager" }, [p.count, el("span", { className: "spacer" }), p.prev, p.label, p.next]);
    self.root.replaceChildren(toolbar, el("div", { className: "table-wrap trials-wrap" }, [self.table]), self.pager);
  };

  TrialTable.prototype.value = function (row, key) {
    if (key.startsWith("param:")) return row.params ? row.params[key.slice(6)] : undefined;
    if (key === "duration") return row.started === null || row.started === undefined ? null : (row.finished !== null && row.finished !== undefined ? row.finished : this.model.now()) - row.started;
    return row[key];
  };

  // A running trial with no value yet but a report: the table shows that report.
  TrialTable.prototype.latest = function (row) {
    return row.status === "running" && (row.value === null || row.value === undefined) && typeof row.last === "number";
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
    self.byNumber = new Map(rows.map(function (row) { return [row.number, row]; }));

    self.renderHead(cols);
    self.renderBody(shown, cols);

    const total = self.model.rows().length;
    const p = self.pagerParts;
    p.count.textContent = rows.length === total ? total + " trials" : rows.length + " of " + total + " trials";
    p.label.textContent = "Page " + (self.page + 1) + " of " + pages;
    p.prev.disabled = self.page <= 0;
    p.next.disabled = self.page >= pages - 1;
    const n = self.model.selected.size;
    self.compareButton.disabled = n < 2;
    self.compareButton.textContent = n >= 2 ? "Compare " + n + " trials" : "Compare (select 2–4)";
    self.clearButton.hidden = n === 0;
    self.brushNote.hidden = !self.model.brushed;
  };

  // The header is rebuilt only when the columns change; a sort only moves its arrow.
  TrialTable.prototype.renderHead = function (cols) {
    const self = this;
    const signature = cols.map(function (c) { return c.key + "\u0000" + c.label; }).join("\u0001");
    if (self.headSignature !== signature) {
      self.headSignature = signature;
      const head = el("tr", {}, [el("th", { className: "select-col", "aria-label": "Select" })].concat(cols.map(function (c) {
        const th = el("th", { className: (c.num ? "num " : "") + "sortable-col", "data-col": c.key, role: "button", title: "Sort" }, [c.label]);
        th.addEventListener("click", function () {
          self.sort = { key: c.key, dir: self.sort.key === c.key ? -self.sort.dir : 1 };
          self.render();
        });
        return th;
      })).concat([el("th", { "aria-label": "Actions" })]));
      self.thead.replaceChildren(head);
    }
    self.thead.querySelectorAll("th[data-col]").forEach(function (th) {
      if (th.dataset.col === self.sort.key) th.dataset.sorted = self.sort.dir > 0 ? "asc" : "desc";
      else delete th.dataset.sorted;
    });
  };

  // Rows are kept from one render to the next (by trial number) and patched: a cell is
  // replaced only when what it shows changed, a row moves only when the order changed,
  // so a live report touches a few cells, not the whole table, and a row's checkbox and
  // Stop button stay the same elements.
  TrialTable.prototype.renderBody = function (shown, cols) {
    const self = this;
    const colsSignature = self.headSignature;
    const best = self.model.job.best_number;
    const keep = new Map();
    shown.forEach(function (row, i) {
      let view = self.views.get(row.number);
      if (!view || view.cols !== colsSignature) view = self.rowView(row.number, cols, colsSignature);
      keep.set(row.number, view);
      const tr = view.tr;
      if (tr.dataset.status !== row.status) tr.dataset.status = row.status;
      const isBest = row.number === best;
      tr.classList.toggle("best-row", isBest);
      if (isBest) tr.dataset.best = "true"; else delete tr.dataset.best;
      const selected = self.model.selected.has(row.number);
      tr.classList.toggle("selected-row", selected);
      view.box.checked = selected;
      cols.forEach(function (col, k) {
        const signature = self.cellSignature(row, col);
        if (view.signatures[k] === signature) return;
        const td = self.cell(row, col);
        view.cells[k].replaceWith(td);
        view.cells[k] = td;
        view.signatures[k] = signature;
      });
      const live = row.status === "running" || row.status === "queued";
      const action = live ? row.status + (row.stopping ? " stopping" : "") : "";
      if (view.action !== action) {
        view.action = action;
        view.actionCell.replaceChildren(self.action(row));
      }
      const at = self.tbody.children[i];
      if (at !== tr) self.tbody.insertBefore(tr, at || null);
    });
    while (self.tbody.children.length > shown.length) self.tbody.lastElementChild.remove();
    self.views = keep;
  };

  // A row's element with its checkbox and its action cell; its cells start empty and the
  // first patch fills them.
  TrialTable.prototype.rowView = function (number, cols, colsSignature) {
    const self = this;
    const tr = el("tr", { "data-testid": "trial-row", "data-number": number });
    const box = el("input", { type: "checkbox", "aria-label": "Select trial " + number, "data-testid": "select-trial" });
    box.addEventListener("change", function () {
      if (box.checked) {
        if (self.model.selected.size >= MAX_SELECTED) { box.checked = false; return; }
        self.model.selected.add(number);
      } else {
        self.model.selected.delete(number);
      }
      self.hooks.onSelect();
      self.render();
    });
    const cells = cols.map(function () { return el("td"); });
    const actionCell = el("td", { className: "row-actions" });
    tr.append.apply(tr, [el("td", { className: "select-col" }, [box])].concat(cells, [actionCell]));
    return {
      tr: tr, box: box, cells: cells, actionCell: actionCell, cols: colsSignature,
      signatures: cols.map(function () { return null; }), action: null,
    };
  };

  // What a cell shows, as a string: the cell is drawn again only when this changes.
  TrialTable.prototype.cellSignature = function (row, col) {
    const v = this.value(row, col.key);
    if (col.key === "number") return row.number + (row.number === this.model.job.best_number ? " best" : "");
    if (col.key === "status") return row.status + (row.stopping && row.status === "running" ? " stopping" : "");
    if (col.key === "value") return this.latest(row) ? "latest " + row.reports + " " + F.metric(row.last) : F.metric(v);
    if (col.key === "duration") return F.duration(v);
    if (col.key === "reports") return v ? String(v) : "—";
    if (col.key === "reason" || col.key === "algorithm") return v || "";
    return F.param(v);
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
    if (col.key === "value" && this.latest(row)) {
      // Not the trial's value yet: its latest report, muted, as the trial page shows it.
      const latest = el("span", { className: "muted", "data-testid": "trial-latest", title: "latest, report " + row.reports, text: F.metric(row.last) });
      return el("td", { className: cls, "data-testid": "trial-value" }, [latest]);
    }
    if (col.key === "value") return el("td", { className: cls, "data-testid": "trial-value", text: F.metric(v) });
    if (col.key === "duration") return el("td", { className: cls, text: F.duration(v) });
    if (col.key === "reports") return el("td", { className: cls, text: v ? String(v) : "—" });
    if (col.key === "reason") return el("td", { className: "muted reason-cell", title: v || "", text: v || "" });
    if (col.key === "algorithm") return el("td", {}, v ? [el("span", { className: "tag", text: v })] : ["—"]);
    return el("td", { className: cls, text: F.param(v) });
  };

  TrialTable.prototype.action = function (row) {
    const self = this;
    if (row.status !== "running" && row.status !== "queued") return "";
    const number = row.number;
    const button = el("button", { type: "button", className: "btn btn-sm btn-danger-outline", "data-testid": "stop-trial", text: row.status === "queued" ? "Cancel" : "Stop" });
    button.disabled = !!row.stopping;
    button.addEventListener("click", function () {
      button.disabled = true;
      // The row as the table knows it now (a reloaded snapshot makes new row objects).
      self.hooks.onStop(self.byNumber.get(number) || row);
    });
    return button;
  };

  window.SweepTrialTable = TrialTable;
})();
