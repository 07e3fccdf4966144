// Create/edit algorithm page: reveal the parts that belong to a choice.
(function () {
  "use strict";
  const form = document.querySelector("form.algorithm-form");
  if (!form) return;

  function syncSource() {
    const checked = form.querySelector("input[name=code_source]:checked");
    const source = checked ? checked.value : "upload";
    form.querySelectorAll("[data-source]").forEach(function (block) {
      block.hidden = block.dataset.source !== source;
    });
  }
  form.querySelectorAll("input[name=code_source]").forEach(function (radio) {
    radio.addEventListener("change", syncSource);
  });

  // A single .py file is the whole package, so it is the boot file: choosing one fills an
  // empty boot file (or one filled this way before); a typed one is left alone.
  const codeInput = form.querySelector("#id_code");
  const bootInput = form.querySelector("#id_boot_file");
  if (codeInput && bootInput) {
    let filled = "";
    codeInput.addEventListener("change", function () {
      const file = codeInput.files && codeInput.files[0];
      if (!file || !/\.py$/i.test(file.name)) return;
      if (bootInput.value.trim() !== "" && bootInput.value !== filled) return;
      bootInput.value = filled = file.name;
    });
  }

  const autoSearch = form.querySelector("#id_auto_search");
  const autoBody = form.querySelector("[data-auto-search-body]");
  autoSearch.addEventListener("change", function () { autoBody.hidden = !autoSearch.checked; });

  // The order the search algorithms are ticked in is kept (sa_order): the first is the
  // default on a new job's page. Each ticked card shows its place.
  const orderInput = form.querySelector("[data-sa-order]");
  const boxes = Array.from(form.querySelectorAll(".algo-card input[name=sa]"));
  let order = orderInput.value.split(",").filter(function (name) {
    return boxes.some(function (box) { return box.checked && box.value === name; });
  });
  boxes.forEach(function (box) {
    if (box.checked && order.indexOf(box.value) < 0) order.push(box.value);
  });
  function showOrder() {
    orderInput.value = order.join(",");
    boxes.forEach(function (box) {
      const badge = box.closest(".algo-card").querySelector("[data-algo-order]");
      const place = order.indexOf(box.value) + 1;
      badge.hidden = place === 0;
      badge.textContent = place === 0 ? "" : place === 1 ? "1 · default" : String(place);
    });
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      const card = box.closest(".algo-card");
      card.classList.toggle("selected", box.checked);
      card.querySelector("[data-algo-params]").hidden = !box.checked;
      order = order.filter(function (name) { return name !== box.value; });
      if (box.checked) order.push(box.value);
      showOrder();
    });
  });
  showOrder();

  // "Fill the table from it": post the form as typed, asking for the table merged with the
  // script's --help (nothing is saved); a plain button, so Enter in a field still saves.
  const fill = form.querySelector("[data-fill-from-help]");
  if (fill) {
    fill.addEventListener("click", function () {
      const flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "fill_from_help";
      flag.value = "1";
      form.appendChild(flag);
      form.submit();
    });
  }

  // Take the user to the first message after a refused save.
  const firstError = form.querySelector(".has-error, .row-error");
  if (firstError) firstError.scrollIntoView({ block: "center" });
  syncSource();
})();
