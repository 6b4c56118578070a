// Region picker: turns a region-code box into cascading selects (province > regency > district >
// village) fed by /api/v1/regions. The box stays the form's value, so the form works without this.
(function () {
  "use strict";
  const API = "/api/v1/regions/";
  const LABELS = document.documentElement.lang === "en"
    ? ["Province", "Regency/city", "District", "Village", "(none: national)"]
    : ["Provinsi", "Kabupaten/kota", "Kecamatan", "Desa/kelurahan", "(tidak ada: nasional)"];

  async function fetchJSON(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) return [];
    return res.json();
  }

  function digits(code) { return (code || "").replace(/\./g, ""); }

  function makeSelect(level, rows, selected) {
    const sel = document.createElement("select");
    sel.setAttribute("aria-label", LABELS[level]);
    sel.dataset.level = String(level);
    const blank = document.createElement("option");
    blank.value = "";
    blank.textContent = "— " + LABELS[level] + " —";
    sel.appendChild(blank);
    for (const r of rows) {
      const opt = document.createElement("option");
      opt.value = r.code;
      opt.textContent = r.name + " (" + r.dotted_code + ")";
      if (r.code === selected) opt.selected = true;
      sel.appendChild(opt);
    }
    return sel;
  }

  async function build(picker) {
    const input = picker.querySelector("input");
    if (!input || input.disabled) return;
    const current = digits(input.value);
    const lengths = [2, 4, 6, 10];
    input.type = "hidden";
    const holder = document.createElement("span");
    holder.className = "region-picker-selects";
    picker.appendChild(holder);

    async function render(fromLevel, parentCode) {
      // Drop the selects below the one that changed, then offer the next level.
      for (const s of Array.from(holder.querySelectorAll("select"))) {
        if (Number(s.dataset.level) >= fromLevel) s.remove();
      }
      if (fromLevel > 3) return;
      const rows = fromLevel === 0 ? await fetchJSON(API + "provinces")
        : await fetchJSON(API + parentCode + "/children");
      if (!rows.length) return;
      let want = current.length >= lengths[fromLevel] ? current.slice(0, lengths[fromLevel]) : "";
      // A level with one choice (the path to the user's own area) is chosen for them.
      if (!want && rows.length === 1) {
        want = rows[0].code;
        if (!input.value || input.value.replace(/\./g, "").length < want.length) input.value = want;
      }
      const sel = makeSelect(fromLevel, rows, want);
      holder.appendChild(sel);
      sel.addEventListener("change", function () {
        input.value = sel.value || (fromLevel === 0 ? "" : parentCode);
        input.dispatchEvent(new Event("change", { bubbles: true }));
        if (sel.value) render(fromLevel + 1, sel.value);
        else render(fromLevel + 1, "");
      });
      if (want) await render(fromLevel + 1, want);
    }
    await render(0, "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".region-picker").forEach(build);
  });
})();
