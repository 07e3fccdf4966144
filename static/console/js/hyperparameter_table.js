// Hyperparameter table editor: add, remove and reorder rows.
// Inputs are named hp-<i>-<column>; rows are renumbered after every change so the
// server reads them in the order shown.
(function () {
  "use strict";
  const body = document.querySelector("[data-hp-body]");
  const template = document.getElementById("hp-row-template");
  const addButton = document.querySelector("[data-hp-add]");
  const empty = document.querySelector("[data-hp-empty]");
  if (!body || !template || !addButton) return;

  function renumber() {
    const rows = body.querySelectorAll("tr.hp-row");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[data-col]").forEach(function (input) {
        input.name = "hp-" + i + "-" + input.dataset.col;
      });
      const no = row.querySelector(".row-no");
      if (no) no.textContent = String(i + 1);
      row.querySelector('[data-action="up"]').disabled = i === 0;
      row.querySelector('[data-action="down"]').disabled = i === rows.length - 1;
    });
    if (empty) empty.hidden = rows.length > 0;
  }

  // Placeholders hint only at what a type takes: a range for numbers, an enumeration for
  // strings, neither for booleans.
  function syncType(row) {
    const select = row.querySelector('[data-col="type"]');
    if (!select) return;
    const type = select.value;
    row.dataset.type = type;
    row.querySelectorAll('[data-col="min"], [data-col="max"], [data-col="choices"]').forEach(function (input) {
      input.placeholder = input.dataset["placeholder" + type.charAt(0).toUpperCase() + type.slice(1)] || "";
    });
  }

  function addRow() {
    const fragment = template.content.cloneNode(true);
    const row = fragment.querySelector("tr");
    body.appendChild(fragment);
    renumber();
    syncType(row);
    row.querySelector('[data-col="name"]').focus();
  }

  addButton.addEventListener("click", addRow);
  body.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const row = button.closest("tr");
    const action = button.dataset.action;
    if (action === "remove") {
      row.remove();
    } else if (action === "up" && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    }
    renumber();
  });
  body.addEventListener("change", function (event) {
    if (event.target.matches('[data-col="type"]')) syncType(event.target.closest("tr"));
  });
  body.querySelectorAll("tr.hp-row").forEach(syncType);
  renumber();
})();
