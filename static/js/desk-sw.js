/*
 * The offline desk's service worker (served at /desk/sw.js by kaikukanta/visits/offline_views.py, which puts
 * SHELL_VERSION, SHELL_PAGE and SHELL_FILES in front of this file).
 *
 * - On install it caches the desk's shell: the offline desk's page as the signed-in device last got it, and
 *   every style sheet, script and icon the page loads. A new version (any of those files changed) installs a
 *   new cache and drops the old ones once active.
 * - Pages under /desk/ are asked from the network first; a good answer of the offline desk's page refreshes
 *   the cached copy. With the network gone (or the server answering 5xx), any desk page answers with the
 *   cached offline desk, which works without the server (its data lives in IndexedDB, see offline-store.js).
 * - The shell's static files come from the cache first (their version is the cache's name).
 * - Nothing else is touched: API requests always go to the network, so a queued visit is never "sent" to a
 *   cache, and the card register is never cached.
 */
/* global SHELL_VERSION, SHELL_PAGE, SHELL_FILES */
"use strict";

const CACHE = `kaikukanta-desk-${SHELL_VERSION}`;
const CACHE_PREFIX = "kaikukanta-desk-";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // The page with the session's cookie (same origin): the desk of the signed-in user. Signed out, the
    // answer is the login page: the previous version's copy of the desk is kept instead.
    const answer = await fetch(new Request(SHELL_PAGE, { credentials: "same-origin" })).catch(() => null);
    const previous = await caches.match(SHELL_PAGE);
    if (answer && answer.ok && !answer.redirected) {
      await cache.put(SHELL_PAGE, answer);
    } else if (previous) {
      await cache.put(SHELL_PAGE, previous);
    }
    await cache.addAll(SHELL_FILES.filter((url) => url !== SHELL_PAGE));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

function isShellPage(url) {
  return url.pathname === SHELL_PAGE;
}

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    // Only the desk's own page, as the signed-in user got it: a redirect to the login page is not a desk.
    if (answer.ok && !answer.redirected && isShellPage(new URL(request.url))) {
      await cache.put(SHELL_PAGE, answer.clone());
    }
    // The server there but failing (a proxy's 502, a database down): the desk still works from the device.
    if (answer.status >= 500) {
      return (await cache.match(SHELL_PAGE)) || answer;
    }
    return answer;
  } catch (error) {
    const cached = await cache.match(SHELL_PAGE);
    if (cached) {
      return cached;
    }
    throw error;
  }
}

async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith(self.registration.scope.replace(self.location.origin, ""))) {
    event.respondWith(page(request));
    return;
  }
  if (SHELL_FILES.includes(url.pathname) && !isShellPage(url)) {
    event.respondWith(shellFile(request));
  }
});
