// Talking to /api/v1/sync/ (SYNC_SPEC.md): pull the working set, push the outbox, file each
// entry's answer. Shared by the page and the service worker's Background Sync.
import * as db from "./db.js";

const PULL = "/api/v1/sync/pull";
const PUSH = "/api/v1/sync/push";
const BATCH = 100; // the server's limit per push
const JSON_HEADERS = { Accept: "application/json" };

function answerStatus(response) {
  if (response.status === 401 || response.redirected) return "login";
  if (response.status === 403) return "forbidden";
  if (response.status === 503) return "offline"; // the service worker's "no connection"
  return response.ok ? "ok" : "error";
}

/** Pulls the working set. A pull for another user than the one whose data is on the phone
 * empties the phone first: one device, one PSM's data. */
export async function pull(again = false) {
  const cursor = again ? null : await db.getMeta("cursor");
  let response;
  try {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    response = await fetch(PULL + query, { credentials: "same-origin", headers: JSON_HEADERS, cache: "no-store" });
  } catch (error) {
    return { status: "offline" };
  }
  const status = answerStatus(response);
  if (status !== "ok") return { status };
  const body = await response.json();
  const known = await db.getMeta("username");
  let wiped = false;
  if (known && known !== body.user.username) {
    await db.wipeStores();
    wiped = true;
  }
  await db.setMeta("username", body.user.username);
  await db.setMeta("user", body.user);
  if (body.changed && body.working_set) {
    await db.put("working", { key: "set", value: body.working_set });
    await db.setMeta("cursor", body.cursor);
  } else if (!again && (wiped || !(await db.get("working", "set")))) {
    return pull(true); // "unchanged" but nothing stored here: ask for the whole set
  }
  await db.setMeta("pulled_at", body.server_time);
  return { status: "ok", changed: body.changed, wiped };
}

function refOf(entry) {
  return entry.data.beneficiary_ref || entry.data.case_ref || null;
}

/** The pending entries to send, in the order they were made. An entry that names an earlier
 * one (a case for a new person, a visit on a new case) waits while that one is held back. */
function sendable(entries) {
  const held = new Set(entries.filter((e) => e.state !== "pending").map((e) => e.uuid));
  const out = [];
  for (const entry of entries) {
    if (entry.state !== "pending") continue;
    if (held.has(refOf(entry))) held.add(entry.uuid);
    else out.push(entry);
  }
  return out;
}

async function file(entry, result) {
  if (result.status === "applied" || result.status === "duplicate") {
    await db.del("outbox", entry.uuid); // the payload (possibly a NIK) leaves the phone
    return true;
  }
  const known = ["invalid", "conflict", "refused"].includes(result.status);
  await db.put("outbox", {
    ...entry,
    state: known ? result.status : "pending",
    message: result.message || null,
    errors: result.errors || null,
    server: result.server || null,
    mine: result.mine || null,
  });
  return false;
}

// The reference an entry makes to an earlier entry of each kind, and the field naming the row.
const LINKS = { beneficiary: ["beneficiary_ref", "beneficiary"], case: ["case_ref", "case"] };

/** Entries that named an entry the server has written (`made`: its uuid -> the row's id) now
 * name the row itself. A case left to correct after its new person was sent is then sent on its
 * own, with the person's server id: it needs neither the person's entry, gone from the phone,
 * nor the person's receipt on the server. */
async function relink(made) {
  if (!made.size) return;
  for (const entry of await db.outbox()) {
    let data = entry.data;
    for (const [ref, field] of Object.values(LINKS)) {
      if (!made.has(data[ref])) continue;
      data = { ...data, [field]: made.get(data[ref]) };
      delete data[ref];
    }
    if (data !== entry.data) await db.put("outbox", { ...entry, data });
  }
}

/** Sends the outbox; answers {status, sent, applied}. */
export async function push(csrf) {
  const made = new Map();
  try {
    return await pushEntries(csrf, made);
  } finally {
    // After every chunk is filed: filing writes back the copy of an entry that was sent.
    await relink(made);
  }
}

async function pushEntries(csrf, made) {
  const entries = sendable(await db.outbox());
  let sent = 0;
  let applied = 0;
  for (let i = 0; i < entries.length; i += BATCH) {
    const chunk = entries.slice(i, i + BATCH);
    const body = {
      entries: chunk.map((e) => ({
        uuid: e.uuid,
        kind: e.kind,
        base_version: e.base_version,
        created_at: e.created_at,
        data: e.data,
        resolve: e.resolve || null,
      })),
    };
    let response;
    try {
      response = await fetch(PUSH, {
        method: "POST",
        credentials: "same-origin",
        headers: { ...JSON_HEADERS, "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      return { status: "offline", sent, applied };
    }
    const status = answerStatus(response);
    if (status !== "ok") return { status, sent, applied };
    const answer = await response.json();
    const byUuid = new Map(chunk.map((e) => [e.uuid, e]));
    for (const result of answer.results || []) {
      const entry = byUuid.get(result.uuid);
      if (!entry) continue;
      sent += 1;
      if (!(await file(entry, result))) continue;
      applied += 1;
      if (LINKS[entry.kind] && result.object) made.set(entry.uuid, result.object.id);
    }
  }
  return { status: "ok", sent, applied };
}

let running = null;
let queued = null;

/** Pull (who is logged in, what changed), push, and pull again when something was written.
 * One at a time: the start, the `online` event and the button may all ask at once. Asked while
 * one runs (an entry saved meanwhile, which that run's push did not read), one more run follows
 * it, shared by everyone who asked meanwhile. */
export function syncNow(csrf) {
  if (running) {
    if (!queued) queued = running.catch(() => null).then(() => { queued = null; return syncNow(csrf); });
    return queued;
  }
  running = (async () => {
    const token = csrf || (await db.getMeta("csrf"));
    const first = await pull();
    if (first.status !== "ok") return first;
    const pushed = await push(token);
    if (pushed.status !== "ok") return { ...first, status: pushed.status, push: pushed };
    if (pushed.applied) await pull();
    return { ...first, push: pushed };
  })().finally(() => { running = null; });
  return running;
}
