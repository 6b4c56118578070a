// The entry forms: their fields (names as the API's *In schemas), building them from the pulled
// lookups and reading them back into an entry's data.

export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// type: text | textarea | date | number | select (lookup) | checks (lookup, several) | check
const PERSON = [
  { section: "person_section" },
  { name: "full_name", type: "text", required: true, maxlength: 200 },
  { name: "nik", type: "text", inputmode: "numeric", maxlength: 16, pattern: "[0-9]{16}" },
  { name: "sex", type: "select", lookup: "sexes", required: true },
  { name: "birth_date", type: "date" },
  { name: "estimated_age", type: "number", min: 0, max: 130 },
  { name: "address", type: "textarea", required: true },
  { name: "categories", type: "checks", lookup: "pmks", required: true },
  { section: "consent_section" },
  { name: "consent_by", type: "text", required: true },
  { name: "consent_relation", type: "select", lookup: "consent_relations", required: true },
  { name: "consent_on", type: "date", required: true, initial: today },
  { name: "consent_method", type: "select", lookup: "consent_methods", required: true },
];
const CASE = [
  { section: "case_section" },
  { name: "priority", type: "select", lookup: "priorities", required: true, initial: () => "normal" },
];
// A new case corrected alone, its person already sent: what the person form gave it, too.
const CASE_FIX = [
  ...CASE,
  { name: "opened_on", type: "date", required: true, initial: today },
  { name: "categories", type: "checks", lookup: "pmks", required: true },
];
const VISIT = [
  { name: "kind", type: "select", lookup: "intervention_kinds", required: true, initial: () => "home_visit" },
  { name: "on", type: "date", required: true, initial: today },
  { name: "place", type: "text" },
  { name: "notes", type: "textarea" },
  { name: "assessment", type: "textarea" },
  { name: "next_follow_up_on", type: "date" },
];
const REFERRAL = [
  { name: "programme", type: "select", lookup: "programmes", required: true },
  { name: "sent_on", type: "date", required: true, initial: today },
  { name: "target_detail", type: "text" },
  { name: "notes", type: "textarea" },
];
const REACHED = ["children_m", "children_f", "adults_m", "adults_f", "elderly_m", "elderly_f"];
const REPORT = [
  { name: "on", type: "date", required: true, initial: today },
  { name: "activity_type", type: "select", lookup: "activity_types", required: true },
  { name: "description", type: "textarea", required: true },
  { section: "reached_section" },
  ...REACHED.map((n) => ({ name: `reached_${n}`, type: "number", min: 0, initial: () => 0, half: true })),
  { name: "submit", type: "check" },
];

export const FIELDS = { person: PERSON, case: CASE, case_fix: CASE_FIX, intervention: VISIT, referral: REFERRAL, report: REPORT };

function options(lookups, name) {
  // Lookups come as [{value, label}] (PMKS as [{number, name}]); plain strings are accepted too.
  return (lookups[name] || []).map((o) => {
    if (typeof o !== "object") return { value: String(o), label: String(o) };
    if ("number" in o) return { value: String(o.number), label: `${o.number}. ${o.name}` };
    return { value: String(o.value), label: o.label };
  });
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
export { el };

function errorText(errors, name) {
  const found = errors && errors[name];
  if (!found) return "";
  return Array.isArray(found) ? found.join(" ") : String(found);
}

function control(field, id, value, L, lookups) {
  const common = { id, name: field.name, required: !!field.required };
  if (field.type === "textarea") return el("textarea", { ...common, rows: 3 }, value ?? "");
  if (field.type === "select") {
    const select = el("select", common, el("option", { value: "" }, L.choose));
    for (const o of options(lookups, field.lookup)) {
      select.append(el("option", { value: o.value, selected: String(value ?? "") === o.value }, o.label));
    }
    return select;
  }
  if (field.type === "checks") {
    const chosen = new Set((value || []).map(String));
    const box = el("div", { class: "checks", id });
    for (const o of options(lookups, field.lookup)) {
      box.append(el("label", {}, el("input", { type: "checkbox", name: field.name, value: o.value, checked: chosen.has(o.value) }), " ", o.label));
    }
    return box;
  }
  if (field.type === "check") return el("input", { ...common, type: "checkbox", checked: !!value });
  const attrs = { ...common, type: field.type, value: value ?? "" };
  for (const key of ["min", "max", "maxlength", "pattern", "inputmode"]) if (key in field) attrs[key] = field[key];
  return el("input", attrs);
}

/** The fields of `kind` as form rows, filled from `values`, with the server's `errors`. */
export function fieldRows(kind, { L, lookups, values = {}, errors = null, prefix = kind }) {
  const rows = [];
  let group = null;
  for (const field of FIELDS[kind]) {
    if (field.section) {
      group = el("fieldset", { class: "group" }, el("legend", {}, L[field.section]));
      rows.push(group);
      continue;
    }
    const id = `${prefix}-${field.name}`;
    const value = field.name in values ? values[field.name] : field.initial ? field.initial() : "";
    const message = errorText(errors, field.name);
    const row = el("div", { class: `field${message ? " has-error" : ""}${field.half ? " half" : ""}${field.type === "check" ? " check" : ""}` });
    const label = el("label", { for: id }, L[field.name] || field.name, field.required ? el("span", { class: "req", "aria-hidden": "true" }, " *") : null);
    const input = control(field, id, value, L, lookups);
    if (message) {
      input.setAttribute("aria-describedby", `${id}-error`);
      input.setAttribute("aria-invalid", "true");
    }
    if (field.type === "checks") {
      const legend = el("legend", {}, L[field.name], field.required ? el("span", { class: "req", "aria-hidden": "true" }, " *") : null);
      row.append(el("fieldset", { class: "choices" }, legend, input));
    } else if (field.type === "check") {
      label.prepend(input, " ");
      row.append(label);
    } else {
      row.append(label, input);
    }
    if (message) row.append(el("p", { class: "error", id: `${id}-error` }, message));
    (group || { append: (n) => rows.push(n) }).append(row);
  }
  return rows;
}

/** Errors the form has no field for (a wrong reference, a rule across fields). */
export function otherErrors(kinds, errors) {
  if (!errors) return [];
  const names = new Set(kinds.flatMap((k) => FIELDS[k].map((f) => f.name)));
  return Object.entries(errors).filter(([name]) => !names.has(name)).map(([, m]) => (Array.isArray(m) ? m.join(" ") : String(m)));
}

/** The data of `kind` read back from `form`, typed as the API wants it. */
export function readFields(kind, form, prefix = kind) {
  const data = {};
  for (const field of FIELDS[kind]) {
    if (field.section) continue;
    if (field.type === "checks") {
      const boxes = form.querySelectorAll(`#${prefix}-${field.name} input:checked`);
      data[field.name] = Array.from(boxes, (b) => Number(b.value));
      continue;
    }
    const input = form.querySelector(`#${prefix}-${field.name}`);
    if (field.type === "check") data[field.name] = input.checked;
    else if (field.type === "number") data[field.name] = input.value === "" ? (field.initial ? 0 : null) : Number(input.value);
    else if (field.type === "date") data[field.name] = input.value || null;
    else data[field.name] = input.value.trim();
  }
  return data;
}
