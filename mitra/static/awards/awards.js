// Criteria form: the running total of the weights, so the officer sees it reach 100 while typing.
(function () {
  "use strict";
  function update() {
    const out = document.getElementById("weight-live");
    if (!out) return;
    let total = 0;
    document.querySelectorAll("fieldset.criterion").forEach(function (row) {
      const weight = row.querySelector("input[name$='-weight']");
      const remove = row.querySelector("input[name$='-DELETE']");
      if (!weight || (remove && remove.checked)) return;
      const value = parseFloat((weight.value || "").replace(",", "."));
      if (!isNaN(value)) total += value;
    });
    total = Math.round(total * 100) / 100;
    out.textContent = out.dataset.label + ": " + String(total).replace(".", ",") + " / 100";
    out.className = total === 100 ? "total ok" : "total bad";
  }
  document.addEventListener("input", update);
  document.addEventListener("change", update);
  document.addEventListener("DOMContentLoaded", update);
})();

// Ranking: each total opens the row under it with the criterion-by-criterion trace. Without the
// script every trace stays visible, so nothing is hidden from a reader.
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll("[data-trace]").forEach(function (row) { row.hidden = true; });
    document.querySelectorAll(".trace-toggle").forEach(function (button) {
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        const row = document.getElementById(button.getAttribute("aria-controls"));
        if (!row) return;
        row.hidden = !row.hidden;
        document.querySelectorAll(".trace-toggle[aria-controls='" + row.id + "']").forEach(function (b) {
          b.setAttribute("aria-expanded", row.hidden ? "false" : "true");
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
