// The screens: the due list, the PSM's cases and people (with what was made on this phone and
// not sent yet), the outbox with each entry's answer, and the entry forms.
import { el, fieldRows, otherErrors, readFields } from "./forms.js";

const KIND_LABEL = { beneficiary: "kind_beneficiary", case: "kind_case", intervention: "kind_intervention", referral: "kind_referral", report: "kind_report" };

function formatDate(iso, lang) {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options = { day: "numeric", month: "short", year: "numeric" };
  if (iso.length > 10) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
  return date.toLocaleString(lang, options);
}

function people(ctx) {
  const byId = new Map((ctx.ws ? ctx.ws.beneficiaries : []).map((b) => [b.id, b]));
  for (const e of ctx.entries) if (e.kind === "beneficiary") byId.set(e.uuid, { id: e.uuid, full_name: e.data.full_name, age: e.data.estimated_age, local: true });
  return byId;
}

/** The pulled cases and the cases made here (not sent yet), each with its person. */
function cases(ctx) {
  const who = people(ctx);
  const list = (ctx.ws ? ctx.ws.cases : []).map((c) => ({ ...c, person: who.get(c.beneficiary_id) }));
  for (const e of ctx.entries) {
    if (e.kind !== "case") continue;
    const person = who.get(e.data.beneficiary_ref || e.data.beneficiary);
    list.push({ id: e.uuid, local: true, person, opened_on: e.data.opened_on, priority: e.data.priority });
  }
  return list;
}

export function findCase(ctx, id) {
  return cases(ctx).find((c) => c.id === id) || null;
}

function mark(L) {
  return el("span", { class: "badge badge-local" }, L.not_sent_mark);
}

function caseItem(ctx, c) {
  const { L } = ctx;
  const name = c.person ? c.person.full_name : "—";
  const head = el("p", { class: "item-head" }, el("strong", {}, name));
  if (c.overdue) head.append(" ", el("span", { class: "badge badge-late" }, L.overdue));
  if (c.local) head.append(" ", mark(L));
  const facts = [];
  if (c.status_label) facts.push(c.status_label);
  if (c.priority_label) facts.push(`${L.priority}: ${c.priority_label}`);
  if (c.next_follow_up_on) facts.push(`${L.follow_up}: ${formatDate(c.next_follow_up_on, ctx.lang)}`);
  else if (c.opened_on) facts.push(`${L.opened}: ${formatDate(c.opened_on, ctx.lang)}`);
  const actions = el("p", { class: "item-actions" },
    el("a", { class: "button small", href: `#kunjungan/${c.id}` }, L.record_visit), " ",
    el("a", { class: "button small secondary", href: `#rujukan/${c.id}` }, L.referral));
  return el("li", { class: "item" }, head, el("p", { class: "muted" }, facts.join(" · ")), actions);
}

function list(items, empty) {
  if (!items.length) return el("p", { class: "empty" }, empty);
  return el("ul", { class: "items" }, ...items);
}

/** The two things a PSM starts from a list: a new person with a case, an activity report. */
function startActions(L) {
  return el("p", { class: "screen-actions" },
    el("a", { class: "button small", href: "#orang-baru" }, `+ ${L.new_person}`),
    el("a", { class: "button small secondary", href: "#laporan" }, `+ ${L.report}`));
}

function notLoaded(ctx) {
  if (ctx.ws) return null;
  return ctx.syncing ? el("p", { class: "info-box" }, ctx.L.loading) : el("p", { class: "warning-box" }, ctx.L.not_loaded);
}

function dueScreen(ctx) {
  const all = new Map(cases(ctx).map((c) => [c.id, c]));
  const due = (ctx.ws ? ctx.ws.due : []).map((id) => all.get(id)).filter(Boolean);
  return [el("h1", {}, ctx.L.tab_due), startActions(ctx.L), notLoaded(ctx), list(due.map((c) => caseItem(ctx, c)), ctx.L.no_due)];
}

function casesScreen(ctx) {
  const items = cases(ctx).map((c) => caseItem(ctx, c));
  return [el("h1", {}, ctx.L.tab_cases), startActions(ctx.L), notLoaded(ctx), list(items, ctx.L.no_cases)];
}

function peopleScreen(ctx) {
  const { L } = ctx;
  const items = Array.from(people(ctx).values(), (p) => {
    const facts = [p.age !== null && p.age !== undefined && p.age !== "" ? `${L.age} ${p.age}` : "", p.nik_masked || "", p.village_name || ""].filter(Boolean);
    const head = el("p", { class: "item-head" }, el("strong", {}, p.full_name));
    if (p.local) head.append(" ", mark(L));
    return el("li", { class: "item" }, head, facts.length ? el("p", { class: "muted" }, facts.join(" · ")) : null);
  });
  return [el("h1", {}, L.tab_people), startActions(L), notLoaded(ctx), list(items, L.no_people)];
}

// ---- the outbox ---------------------------------------------------------------------------------

const SERVER_FIELDS = ["full_name", "status_label", "priority_label", "next_follow_up_on", "updated_by_name", "updated_at"];
const SERVER_LABEL = { status_label: "status", priority_label: "priority", next_follow_up_on: "follow_up", updated_by_name: "updated_by", updated_at: "updated_at", full_name: "full_name" };

function lookupLabel(ctx, name, value) {
  const names = { kind: "intervention_kinds", programme: "programmes", activity_type: "activity_types", sex: "sexes", priority: "priorities", consent_method: "consent_methods", consent_relation: "consent_relations" };
  const found = (ctx.lookups[names[name]] || []).find((o) => String(o.value) === String(value));
  return found ? found.label : value;
}

function facts(rows) {
  return el("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v === null || v === undefined || v === "" ? "—" : String(v))]));
}

function conflictView(ctx, entry) {
  const { L } = ctx;
  const server = entry.server || {};
  const serverRows = SERVER_FIELDS.filter((k) => k in server).map((k) => [L[SERVER_LABEL[k]], /_(on|at)$/.test(k) ? formatDate(server[k], ctx.lang) : server[k]]);
  const mine = entry.mine || entry.data;
  const mineRows = Object.entries(mine).filter(([k]) => L[k] && !k.endsWith("_ref")).map(([k, v]) => [L[k], /_on$|^on$/.test(k) ? formatDate(v, ctx.lang) : lookupLabel(ctx, k, v)]);
  return el("div", { class: "compare" },
    el("section", {}, el("h3", {}, L.server_version), facts(serverRows)),
    el("section", {}, el("h3", {}, L.my_version), facts(mineRows)));
}

/** An entry naming an earlier one that is neither on the phone nor known to the server (it was
 * discarded): no correction can send it, only discarding it helps. */
function orphaned(ctx, entry) {
  const ref = ["beneficiary_ref", "case_ref"].find((name) => entry.data[name]);
  if (entry.state !== "invalid" || !ref || !(entry.errors && ref in entry.errors)) return false;
  return !ctx.entries.some((e) => e.uuid === entry.data[ref]);
}

function outboxItem(ctx, entry) {
  const { L } = ctx;
  const head = el("p", { class: "item-head" }, el("strong", {}, L[KIND_LABEL[entry.kind]]));
  if (entry.title) head.append(" · ", entry.title);
  head.append(" ", el("span", { class: `badge badge-${entry.state}` }, L[`state_${entry.state}`]));
  const item = el("li", { class: `item outbox-${entry.state}`, "data-uuid": entry.uuid }, head);
  item.append(el("p", { class: "muted" }, formatDate(entry.created_at, ctx.lang)));
  const ref = entry.data.beneficiary_ref || entry.data.case_ref;
  const errorNames = Object.keys(entry.errors || {});
  const waiting = entry.state === "invalid" && errorNames.length && errorNames.every((k) => k.endsWith("_ref")) && ctx.entries.some((e) => e.uuid === ref);
  const orphan = orphaned(ctx, entry);
  if (waiting) item.append(el("p", { class: "entry-message" }, L.waits_for_earlier));
  else if (orphan) item.append(el("p", { class: "entry-message" }, L.orphaned));
  else if (entry.message) item.append(el("p", { class: "entry-message" }, entry.message));
  const actions = el("p", { class: "item-actions" });
  if (entry.state === "invalid" && !waiting && !orphan) {
    const problems = Object.entries(entry.errors || {}).map(([k, m]) => el("li", {}, `${L[k] || k}: ${Array.isArray(m) ? m.join(" ") : m}`));
    if (problems.length) item.append(el("ul", { class: "entry-errors" }, ...problems));
  }
  if (entry.state === "invalid" && !orphan) actions.append(el("a", { class: "button small", href: `#ubah/${entry.uuid}` }, L.fix), " ");
  if (entry.state === "conflict") {
    if (!entry.message) item.append(el("p", {}, L.conflict_help));
    item.append(conflictView(ctx, entry));
    actions.append(el("button", { type: "button", class: "button small", "data-action": "overwrite" }, L.send_anyway), " ");
  }
  if (entry.state !== "pending") actions.append(el("button", { type: "button", class: "button small danger", "data-action": "discard" }, L.discard));
  if (actions.childNodes.length) item.append(actions);
  return item;
}

function outboxScreen(ctx) {
  const view = [el("h1", {}, ctx.L.tab_outbox), list(ctx.entries.map((e) => outboxItem(ctx, e)), ctx.L.outbox_empty)];
  return view;
}

// ---- forms --------------------------------------------------------------------------------------

function formScreen(ctx, title, kinds, { values = {}, errors = {}, onSave }) {
  const { L } = ctx;
  const form = el("form", { class: "form entry-form", novalidate: false });
  const others = kinds.flatMap((k) => otherErrors([k], errors[k]));
  if (others.length || kinds.some((k) => errors[k])) {
    form.append(el("div", { class: "form-errors", role: "alert" }, el("p", {}, L.errors_top), ...others.map((m) => el("p", {}, m))));
  }
  for (const kind of kinds) form.append(...fieldRows(kind, { L, lookups: ctx.lookups, values: values[kind] || {}, errors: errors[kind] }));
  form.append(el("p", { class: "form-actions" }, el("button", { type: "submit", class: "button" }, L.save), " ", el("a", { href: "#kiriman", class: "button secondary" }, L.cancel)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(kinds.map((k) => [k, readFields(k, form)]));
    onSave(data);
  });
  return [el("h1", {}, title), notLoaded(ctx), form];
}

export function personForm(ctx, existing = null) {
  const kinds = ["person", "case"];
  const caseEntry = existing && ctx.entries.find((e) => e.kind === "case" && e.data.beneficiary_ref === existing.uuid);
  const values = existing ? { person: existing.data, case: caseEntry ? caseEntry.data : {} } : {};
  const errors = existing ? { person: existing.errors, case: caseEntry && caseEntry.errors } : {};
  return formScreen(ctx, ctx.L.new_person, kinds, { values, errors, onSave: (data) => ctx.savePerson(data, existing, caseEntry) });
}

export function caseStepForm(ctx, kind, caseId, existing = null) {
  const found = findCase(ctx, caseId);
  const name = found && found.person ? found.person.full_name : (existing && existing.title) || "—";
  const title = `${ctx.L[KIND_LABEL[kind]]}: ${name}`;
  if (!found && !existing) {
    // A link to a case that left the lists since (closed, handed over): say so, no form.
    return [el("h1", {}, title), notLoaded(ctx) || el("p", { class: "warning-box" }, ctx.L.case_gone)];
  }
  const values = existing ? { [kind]: existing.data } : {};
  const errors = existing ? { [kind]: existing.errors } : {};
  return formScreen(ctx, title, [kind], { values, errors, onSave: (data) => ctx.saveStep(kind, found, data[kind], existing) });
}

export function reportForm(ctx, existing = null) {
  const values = existing ? { report: existing.data } : {};
  const errors = existing ? { report: existing.errors } : {};
  return formScreen(ctx, ctx.L.report, ["report"], { values, errors, onSave: (data) => ctx.saveReport(data.report, existing) });
}

/** A new case to correct whose person was sent already (or a case the person form cannot
 * show): the case's own fields, sent with the person's server id or reference. */
function caseFixForm(ctx, existing) {
  const { L } = ctx;
  const title = `${L.kind_case}: ${existing.title || "—"}`;
  const view = formScreen(ctx, title, ["case_fix"], {
    values: { case_fix: existing.data },
    errors: { case_fix: existing.errors },
    onSave: (data) => ctx.saveCase(data.case_fix, existing),
  });
  view.splice(1, 0, el("p", { class: "info-box" }, L.person_sent));
  return view;
}

function orphanScreen(ctx, entry) {
  const { L } = ctx;
  return [el("h1", {}, `${L[KIND_LABEL[entry.kind]]}: ${entry.title || "—"}`),
    el("p", { class: "warning-box" }, L.orphaned),
    el("p", {}, el("a", { class: "button secondary", href: "#kiriman" }, L.back_to_outbox))];
}

function editScreen(ctx, uuid) {
  const entry = ctx.entries.find((e) => e.uuid === uuid);
  if (!entry) return outboxScreen(ctx);
  if (orphaned(ctx, entry)) return orphanScreen(ctx, entry);
  if (entry.kind === "beneficiary") return personForm(ctx, entry);
  if (entry.kind === "case") {
    const person = ctx.entries.find((e) => e.uuid === entry.data.beneficiary_ref);
    return person ? personForm(ctx, person) : caseFixForm(ctx, entry);
  }
  if (entry.kind === "report") return reportForm(ctx, entry);
  return caseStepForm(ctx, entry.kind, entry.data.case || entry.data.case_ref, entry);
}

/** The screen for a route (the part of the address after #). */
export function screen(ctx, route) {
  const [name, arg] = route.split("/");
  switch (name) {
    case "kasus": return casesScreen(ctx);
    case "penerima": return peopleScreen(ctx);
    case "kiriman": return outboxScreen(ctx);
    case "orang-baru": return personForm(ctx);
    case "kunjungan": return caseStepForm(ctx, "intervention", arg);
    case "rujukan": return caseStepForm(ctx, "referral", arg);
    case "laporan": return reportForm(ctx);
    case "ubah": return editScreen(ctx, arg);
    default: return dueScreen(ctx);
  }
}
