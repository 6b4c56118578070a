// Phone layout: the menu button, and tables that become stacked cards on a narrow screen.
// Without this script the menu opens as the link's :target and wide tables scroll in their box.
(function () {
  "use strict";
  function setUpMenu() {
    const button = document.querySelector(".menu-toggle");
    const menu = document.getElementById("main-menu");
    if (!button || !menu) return;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    button.addEventListener("click", function (e) {
      e.preventDefault();
      set(button.getAttribute("aria-expanded") !== "true");
    });
    button.addEventListener("keydown", function (e) {  // a link acting as a button takes Space too
      if (e.key === " ") { e.preventDefault(); button.click(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.classList.contains("open")) { set(false); button.focus(); }
    });
  }

  // Each body cell gets its column's heading as data-label, shown before the value on a phone,
  // and its content moves into one span so the label and the value make two grid columns. Cells
  // added later by htmx are labelled when they arrive.
  function labelTable(table) {
    if (table.classList.contains("keep")) return;
    const headRows = table.tHead ? table.tHead.rows : [];
    if (!headRows.length) return;
    const labels = [];
    for (const th of headRows[headRows.length - 1].cells) {
      // The label shows what the heading shows: not a sort arrow, nor words for screen readers.
      const shown = th.cloneNode(true);
      shown.querySelectorAll(".visually-hidden, [aria-hidden='true']").forEach((el) => el.remove());
      const text = shown.textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < th.colSpan; i++) labels.push(text);
    }
    for (const body of [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])]) {
      for (const row of body.rows) {
        let col = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label")) {
            cell.dataset.label = cell.colSpan === 1 ? labels[col] || "" : "";
            const value = document.createElement("span");
            value.className = "cell";
            while (cell.firstChild) value.appendChild(cell.firstChild);
            // A cell with only blanks (no actions for this row) shows no label without a value.
            if (!value.textContent.trim() && !value.querySelector("input, select, textarea, button, img, svg")) {
              value.textContent = "";
            }
            cell.appendChild(value);
          }
          col += cell.colSpan;
        }
      }
    }
    table.dataset.stack = "";
  }

  function labelTables(root) {
    const table = root.closest ? root.closest("table.table") : null;
    if (table) labelTable(table);
    else if (root.querySelectorAll) root.querySelectorAll("table.table").forEach(labelTable);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    labelTables(document);
    if (window.htmx) window.htmx.onLoad(labelTables);
  });
})();
