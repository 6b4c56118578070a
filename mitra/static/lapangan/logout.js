// Logging out clears the phone: the field app's IndexedDB (working set, unsent entries), its
// caches and its service worker go before the logout is posted (issue 14: "logout clears the
// device store"). Bound to the site's logout forms (data-clears-device) and used by the app.
import { DB_NAME, outbox, wipeDevice } from "./db.js";

async function hasStore() {
  if (!self.indexedDB) return false;
  if (!indexedDB.databases) return true; // cannot tell: open it (and delete it) to be sure
  const found = await indexedDB.databases();
  return found.some((d) => d.name === DB_NAME);
}

/** Clears the device; answers false when the PSM chose to keep unsent entries (no logout). */
export async function clearDevice(question) {
  try {
    if (await hasStore()) {
      const unsent = (await outbox()).length;
      if (unsent && question && !window.confirm(question)) return false;
    }
    await wipeDevice();
  } catch (error) {
    // A broken store must not keep anyone logged in: log out anyway.
  }
  return true;
}

for (const form of document.querySelectorAll("form[data-clears-device]")) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.cleared) return;
    event.preventDefault();
    if (await clearDevice(form.dataset.clearsDevice)) {
      form.dataset.cleared = "1";
      form.submit();
    }
  });
}
