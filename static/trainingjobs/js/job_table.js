// Sortable tables: click a header to sort by its column (numbers as numbers, blanks last),
// click again to reverse. Cells carry their sort value in data-sort.
(function () {
  "use strict";
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    const headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      if (!th.hasAttribute("data-sort-col")) return;
      th.tabIndex = 0;
      function sort() {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          const x = cellValue(a.cells[column]);
          const y = cellValue(b.cells[column]);
          if (x === "" && y === "") return 0;
          if (x === "") return 1;  // blanks last, whichever the direction
          if (y === "") return -1;
          const nx = Number(x);
          const ny = Number(y);
          const order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });

  function cellValue(cell) {
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.dataset.sort : cell.textContent.trim();
  }
})();
