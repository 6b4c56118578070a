{% autoescape off %}// Mitra Lapangan service worker (scope /lapangan/). Rendered by mitra/field/views.py: the cache
// name carries a digest of the precached files, so a release replaces the old cache.
import { syncNow } from {{ sync_module }};

const CACHE = "{{ cache_name }}";
const PRECACHE = {{ precache }};
const SHELL = {{ shell }};

self.addEventListener("install", (event) => {
  // cache: "reload" skips the HTTP cache so a new release never precaches an old file.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("mitra-lapangan") && n !== CACHE).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

function keepable(response) {
  // Only the real page or file: a redirect to the login page must never become the shell.
  return response && response.ok && !response.redirected && response.type === "basic";
}

async function fromCacheThenNetwork(request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key || request, { ignoreSearch: !!key });
  const fresh = fetch(request).then((response) => {
    if (keepable(response)) cache.put(key || request, response.clone());
    return response;
  });
  if (cached) {
    // The app opens at once from the cache; a newer shell (language, release) is kept for the
    // next start. A failed refresh (no signal) is normal here.
    fresh.catch(() => null);
    return cached;
  }
  return fresh;
}

async function staticFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (keepable(response)) cache.put(request, response.clone());
  return response;
}

async function apiNetworkOnly(request) {
  // The PSM's data lives in IndexedDB, never in Cache Storage: without signal the app is told
  // plainly (503 "offline") and works from what it pulled last.
  try {
    return await fetch(request);
  } catch (error) {
    return new Response(JSON.stringify({ offline: true }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/v1/sync/")) {
    event.respondWith(apiNetworkOnly(request));
  } else if (request.mode === "navigate" && url.pathname === SHELL) {
    event.respondWith(fromCacheThenNetwork(request, SHELL));
  } else if (url.pathname.startsWith("/static/") || PRECACHE.includes(url.pathname)) {
    event.respondWith(staticFirst(request));
  }
});

// Background Sync: the browser wakes the worker when the connection is back. An open app sends
// itself (it shows the answers); otherwise the worker sends. Throwing asks the browser to retry.
self.addEventListener("sync", (event) => {
  if (event.tag !== "mitra-kirim") return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window" });
    if (windows.length) {
      windows.forEach((client) => client.postMessage({ type: "sync" }));
      return;
    }
    const result = await syncNow();
    if (result.status === "offline") throw new Error("still offline");
  })());
});
{% endautoescape %}
