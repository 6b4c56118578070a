// IndexedDB "mitra-lapangan": the PSM's working set as last pulled ("working"), the entries not
// sent yet ("outbox", by client uuid) and "meta" (cursor, username, CSRF token). Used by the page
// and by the service worker, so nothing here touches the DOM.
export const DB_NAME = "mitra-lapangan";
const STORES = ["meta", "outbox", "working"];
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta", { keyPath: "key" });
        db.createObjectStore("outbox", { keyPath: "uuid" });
        db.createObjectStore("working", { keyPath: "key" });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A logout in another tab deletes the database: let it, instead of blocking it.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
    });
  }
  return opening;
}

async function run(store, mode, action) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, "readonly", (s) => s.get(key));
export const all = (store) => run(store, "readonly", (s) => s.getAll());
export const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
export const del = (store, key) => run(store, "readwrite", (s) => s.delete(key));

export async function getMeta(key) {
  const row = await get("meta", key);
  return row ? row.value : null;
}

export const setMeta = (key, value) => put("meta", { key, value });

export async function outbox() {
  const rows = await all("outbox");
  return rows.sort((a, b) => a.seq - b.seq);
}

/** Empties every store (another user opened the app on this phone). */
export async function wipeStores() {
  for (const store of STORES) await run(store, "readwrite", (s) => s.clear());
}

/** Logout: the database, the app's caches and its service worker go; nothing of the PSM stays. */
export async function wipeDevice() {
  if (opening) {
    try { (await opening).close(); } catch (e) { /* it never opened */ }
    opening = null;
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = () => resolve();
    // Blocked by a tab that does not let go: it closes on versionchange; do not hang the logout.
    request.onblocked = () => setTimeout(resolve, 1000);
  });
  if (self.caches) {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("mitra-lapangan")).map((n) => caches.delete(n)));
  }
  if (self.navigator && navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
    const registrations = await navigator.serviceWorker.getRegistrations();
    await Promise.all(registrations.map((r) => r.unregister()));
  }
}
