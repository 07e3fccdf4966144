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
      // The default's other control (a text box or true/false) is disabled, so never posted.
      row.querySelectorAll("[data-default-input]").forEach(function (input) {
        input.name = "hp-" + i + "-default";
      });
      const no = row.querySelector(".row-no");
      if (no) no.textContent = String(i + 1);
      row.querySelector('[data-action="up"]').disabled = i === 0;
      row.querySelector('[data-action="down"]').disabled = i === rows.length - 1;
    });
    if (empty) empty.hidden = rows.length > 0;
  }

  // The flags the server reads as true or false (algorithms.spec_values).
  const TRUE_TEXT = ["true", "1", "on", "yes"];
  const FALSE_TEXT = ["false", "0", "off", "no"];

  // A bool's default is a true/false choice, any other type's a text box. Only the shown
  // one is enabled (and posted); the other keeps what it held, for a switch back. Switching
  // to bool carries over a typed flag ("True", "no").
  function syncDefault(row, type, switched) {
    const text = row.querySelector('[data-default-input="text"]');
    const choice = row.querySelector('[data-default-input="bool"]');
    if (!text || !choice) return;
    const isBool = type === "bool";
    if (isBool && switched && choice.disabled) {
      const typed = text.value.trim().toLowerCase();
      Array.from(choice.options).slice(3).forEach(function (option) { option.remove(); });
      choice.value = TRUE_TEXT.indexOf(typed) >= 0 ? "true" : FALSE_TEXT.indexOf(typed) >= 0 ? "false" : "";
    }
    [[text, !isBool], [choice, isBool]].forEach(function (pair) {
      const input = pair[0];
      const shown = pair[1];
      input.disabled = !shown;
      input.hidden = !shown;
      if (shown) input.dataset.col = "default";
      else delete input.dataset.col;
    });
  }

  // Placeholders hint only at what a type takes: a range for numbers, an enumeration for
  // strings, neither for booleans.
  function syncType(row, switched) {
    const select = row.querySelector('[data-col="type"]');
    if (!select) return;
    const type = select.value;
    row.dataset.type = type;
    syncDefault(row, type, switched);
    row.querySelectorAll('[data-col="min"], [data-col="max"], [data-col="choices"]').forEach(function (input) {
      input.placeholder = input.dataset["placeholder" + type.charAt(0).toUpperCase() + type.slice(1)] || "";
    });
  }

  function addRow() {
    const fragment = template.content.cloneNode(true);
    const row = fragment.querySelector("tr");
    body.appendChild(fragment);
    renumber();
    syncType(row, false);
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
    if (event.target.matches('[data-col="type"]')) syncType(event.target.closest("tr"), true);
  });
  body.querySelectorAll("tr.hp-row").forEach(function (row) { syncType(row, false); });
  renumber();
})();
