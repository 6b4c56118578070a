// Mitra Lapangan: the PSM's offline field app. Everything shown comes from IndexedDB (db.js);
// the network is only used to sync (sync.js), so the app works the same without signal.
import * as db from "./db.js";
import { syncNow } from "./sync.js";
import { screen } from "./screens.js";
import { clearDevice } from "./logout.js";

const L = JSON.parse(document.getElementById("lapangan-labels").textContent);
const body = document.body;
const view = document.getElementById("view");
const notice = document.getElementById("notice");
const lang = document.documentElement.lang || "id";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function say(text, kind = "info") {
  notice.hidden = !text;
  notice.textContent = text || "";
  notice.className = `field-notice notice-${kind}`;
}

function route() {
  return decodeURIComponent(location.hash.replace(/^#/, "")) || "jatuh-tempo";
}

let seq = 0;
function newEntry(kind, data, extra = {}) {
  seq += 1;
  return {
    uuid: crypto.randomUUID(),
    kind,
    data,
    base_version: null,
    created_at: new Date().toISOString(),
    seq: Date.now() * 1000 + (seq % 1000),
    state: "pending",
    resolve: null,
    ...extra,
  };
}

function pendingAgain(entry, data) {
  return { ...entry, data, state: "pending", errors: null, message: null, server: null, mine: null };
}

async function context() {
  const working = await db.get("working", "set");
  const ws = working ? working.value : null;
  return {
    L,
    lang,
    ws,
    lookups: (ws && ws.lookups) || {},
    user: await db.getMeta("user"),
    syncing,
    entries: await db.outbox(),
    savePerson,
    saveCase,
    saveStep,
    saveReport,
  };
}

async function savePerson(data, existing, caseEntry) {
  const user = await db.getMeta("user");
  const person = { ...data.person, village: user && user.village ? user.village.code : "" };
  const entry = existing ? pendingAgain(existing, person) : newEntry("beneficiary", person);
  entry.title = person.full_name;
  const caseData = { ...data.case, beneficiary_ref: entry.uuid, categories: person.categories, opened_on: person.consent_on };
  const second = caseEntry ? pendingAgain(caseEntry, caseData) : newEntry("case", caseData);
  second.title = person.full_name;
  await db.put("outbox", entry);
  await db.put("outbox", second);
  await saved();
}

/** A new case corrected alone: its person was sent already (the entry names the person's
 * server id, or the person's entry, which the server resolves through its receipt). */
async function saveCase(data, existing) {
  await db.put("outbox", pendingAgain(existing, { ...existing.data, ...data }));
  await saved();
}

/** The case an entry names: the one on the phone, else (a correction) the one it was made on. */
function caseReference(found, existing) {
  if (found) return found.local ? { case_ref: found.id } : { case: found.id };
  return existing.data.case_ref ? { case_ref: existing.data.case_ref } : { case: existing.data.case };
}

async function saveStep(kind, found, data, existing) {
  // A correction is sent even when its case has left the lists since (closed, handed over, or
  // made here and sent meanwhile): the server applies it while the case is still the PSM's, or
  // answers why not. Only a new entry needs its case on the phone.
  if (!found && !existing) {
    say(L.case_gone, "warn");
    return;
  }
  const full = { ...data, ...caseReference(found, existing) };
  const entry = existing ? pendingAgain(existing, full) : newEntry(kind, full, { base_version: found.local ? null : found.version });
  if (found) entry.title = found.person ? found.person.full_name : "";
  await db.put("outbox", entry);
  await saved();
}

async function saveReport(data, existing) {
  const entry = existing ? pendingAgain(existing, data) : newEntry("report", data);
  await db.put("outbox", entry);
  await saved();
}

let keepNotice = false;

async function saved() {
  say(L.saved_offline);
  keepNotice = true; // the move to the outbox must not wipe this message
  location.hash = "#kiriman";
  askBackgroundSync();
  if (navigator.onLine) send();
}

async function askBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register("mitra-kirim");
  } catch (error) {
    // No Background Sync (Firefox, Safari): the `online` event and the button send instead.
  }
}

async function render() {
  const ctx = await context();
  const count = ctx.entries.length;
  document.getElementById("unsent-count").textContent = String(count);
  document.getElementById("unsent").classList.toggle("has-unsent", count > 0);
  const user = ctx.user;
  document.getElementById("who").textContent = user ? [user.username, user.village && user.village.name].filter(Boolean).join(" · ") : "\u00a0";
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? L.online : L.offline;
  net.className = `net ${navigator.onLine ? "net-on" : "net-off"}`;
  const current = route();
  for (const tab of document.querySelectorAll("[data-tab]")) {
    const active = current.split("/")[0] === tab.dataset.tab;
    tab.classList.toggle("active", active);
    if (active) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  view.replaceChildren(...screen(ctx, current).filter(Boolean));
}

const MESSAGES = { offline: ["offline_note", "info"], login: ["login_needed", "warn"], forbidden: ["forbidden", "warn"], error: ["server_error", "warn"] };

let syncing = false;

async function send() {
  const button = document.getElementById("send-now");
  button.disabled = true;
  button.textContent = L.sending;
  syncing = true;
  try {
    const token = csrfToken();
    if (token) await db.setMeta("csrf", token); // for the service worker's Background Sync
    const result = await syncNow(token);
    if (result.status === "ok") {
      const left = (await db.outbox()).filter((e) => e.state !== "pending").length;
      if (result.wiped) say(L.other_user, "warn");
      else if (left) say(L.needs_attention, "warn");
      else if (result.push && result.push.applied) say(L.sent_ok, "ok");
    } else {
      const [key, kind] = MESSAGES[result.status] || MESSAGES.error;
      say(L[key], kind);
      if (result.status === "login") showLogin();
    }
  } finally {
    syncing = false;
    button.disabled = false;
    button.textContent = L.send_now;
    await render();
  }
}

function showLogin() {
  const link = document.createElement("a");
  link.href = body.dataset.login;
  link.textContent = L.log_in;
  notice.append(" ", link);
}

async function onClick(event) {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const uuid = button.closest("[data-uuid]").dataset.uuid;
  const entry = await db.get("outbox", uuid);
  if (!entry) return;
  if (button.dataset.action === "discard") {
    if (!window.confirm(L.discard_confirm)) return;
    await db.del("outbox", uuid);
    await render();
  } else if (button.dataset.action === "overwrite") {
    const version = entry.server && entry.server.version;
    await db.put("outbox", { ...pendingAgain(entry, entry.data), resolve: "overwrite", base_version: version ?? entry.base_version });
    await send();
  }
}

async function logout() {
  if (!(await clearDevice(L.logout_confirm))) return;
  const form = document.createElement("form");
  form.method = "post";
  form.action = body.dataset.logout;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = csrfToken();
  form.append(token);
  document.body.append(form);
  form.submit();
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope, type: "module" }).catch(() => null);
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "sync") send();
  });
}

async function start() {
  window.addEventListener("hashchange", () => {
    if (!keepNotice) say("");
    keepNotice = false;
    render().then(() => window.scrollTo(0, 0));
  });
  window.addEventListener("online", () => send());
  window.addEventListener("offline", () => render());
  document.getElementById("send-now").addEventListener("click", () => send());
  document.getElementById("logout").addEventListener("click", () => logout());
  view.addEventListener("click", onClick);
  syncing = true; // the first screen says "loading", not "connect once", while the pull runs
  await render();
  await send();
  // The worker fills its cache after the first sync: on one bar of signal the PSM's cases come
  // before the files of the next start.
  registerWorker();
}

start();
