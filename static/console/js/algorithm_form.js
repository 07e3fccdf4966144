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

  const autoSearch = form.querySelector("#id_auto_search");
  const autoBody = form.querySelector("[data-auto-search-body]");
  autoSearch.addEventListener("change", function () { autoBody.hidden = !autoSearch.checked; });

  form.querySelectorAll(".algo-card input[name=sa]").forEach(function (box) {
    box.addEventListener("change", function () {
      const card = box.closest(".algo-card");
      card.classList.toggle("selected", box.checked);
      card.querySelector("[data-algo-params]").hidden = !box.checked;
    });
  });

  // Take the user to the first message after a refused save.
  const firstError = form.querySelector(".has-error, .row-error");
  if (firstError) firstError.scrollIntoView({ block: "center" });
  syncSource();
})();
