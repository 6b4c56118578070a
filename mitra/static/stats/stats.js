// Dashboards: sortable child table and ranked bars, auto-submitting indicator choice, print button.
// Everything works without this script (links, forms, server-drawn charts); it only adds comfort.
(function () {
  "use strict";

  function sortTable(table, column, type, th) {
    const body = table.tBodies[0];
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const rows = Array.from(body.rows);
    rows.sort(function (a, b) {
      const x = a.cells[column].dataset.sort || "", y = b.cells[column].dataset.sort || "";
      let order;
      if (type === "number") {
        // Empty cells (no figure) always go last.
        if (x === "" || y === "") return (x === "") - (y === "");
        order = parseFloat(x) - parseFloat(y);
      } else {
        order = x.localeCompare(y, document.documentElement.lang || "id");
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function sortBars(button) {
    const box = button.closest(".chart-box");
    const svg = box.querySelector("svg[data-row]");
    if (!svg) return;
    const row = parseFloat(svg.dataset.row);
    const bars = Array.from(svg.querySelectorAll("g.bar"));
    const byName = button.dataset.sortBars === "name";
    bars.sort(function (a, b) {
      if (byName) return a.dataset.name.localeCompare(b.dataset.name, "id");
      return parseFloat(b.dataset.value) - parseFloat(a.dataset.value);
    });
    bars.forEach(function (bar, index) { bar.setAttribute("transform", "translate(0 " + index * row + ")"); });
    box.querySelectorAll("[data-sort-bars]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("thead th").forEach(function (th, index) {
        const button = th.querySelector(".sort-button");
        if (button) button.addEventListener("click", function () { sortTable(table, index, button.dataset.type, th); });
      });
    });
    document.querySelectorAll("[data-sort-bars]").forEach(function (button) {
      button.addEventListener("click", function () { sortBars(button); });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
