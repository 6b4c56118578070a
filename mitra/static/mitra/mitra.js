// Region picker: turns a region-code box into cascading selects (province > regency > district >
// village) fed by /api/v1/regions. The box stays the form's value, so the form works without this.
(function () {
  "use strict";
  const API = "/api/v1/regions/";
  // The names of the levels and of their empty options come translated from the widget
  // (data-levels, data-choose); these are the fallback for a picker without them.
  const FALLBACK = document.documentElement.lang === "en"
    ? [["Province", "Regency/city", "District", "Village"],
       ["— Choose a province —", "— Choose a regency/city —", "— Choose a district —", "— Choose a village —"]]
    : [["Provinsi", "Kabupaten/kota", "Kecamatan", "Desa/kelurahan"],
       ["— Pilih provinsi —", "— Pilih kabupaten/kota —", "— Pilih kecamatan —", "— Pilih desa/kelurahan —"]];

  function labelsOf(picker, key, fallback) {
    try {
      const list = JSON.parse(picker.dataset[key] || "null");
      if (Array.isArray(list) && list.length === 4) return list;
    } catch (e) { /* a broken attribute falls back */ }
    return fallback;
  }

  async function fetchJSON(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) return [];
    return res.json();
  }

  function digits(code) { return (code || "").replace(/\./g, ""); }

  function makeSelect(labels, level, rows, selected) {
    const sel = document.createElement("select");
    sel.setAttribute("aria-label", labels.levels[level]);
    sel.dataset.level = String(level);
    const blank = document.createElement("option");
    blank.value = "";
    blank.textContent = labels.choose[level];
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
    const labels = {
      levels: labelsOf(picker, "levels", FALLBACK[0]),
      choose: labelsOf(picker, "choose", FALLBACK[1]),
    };
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
      const sel = makeSelect(labels, fromLevel, rows, want);
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
