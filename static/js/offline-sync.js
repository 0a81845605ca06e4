/*
 * The offline desk's conversation with the server (API.md, "Devices and the offline desk"):
 *
 * - enrol(code, name, csrfToken): POST /api/v1/devices/enrol with the signed-in session; the device's
 *   credential (`kkd_…`, shown once) is kept in IndexedDB and sent as a bearer token from then on;
 * - refresh(): the bundle (offerings, rules, the card-signing public key) and the revocation list, and the
 *   device's leases of today's quota topped up (a third of an offering's quota, asked again when less than
 *   half of it is left unpromised);
 * - sync(): the queued visits, oldest first, in batches of at most 100 to POST /api/v1/offline/visits. Each
 *   outcome is kept with its visit: `stored` and `conflict` (with the server's message, in the venue's
 *   conflict inbox) leave the queue, `retry` stays. A failed send is tried again with exponential backoff
 *   (2 s doubling to 5 min), or after the `Retry-After` of a `429` (the server judging other devices'
 *   syncs). Only one tab sends at a time (the Web Locks API); every change is announced to the other tabs
 *   on a BroadcastChannel.
 *
 * window.KaikuOfflineSync = {enrol, refresh, sync, schedule, leaseLeft, promised, today, channel, LOCK}.
 * Needs offline-store.js first.
 */
(() => {
  "use strict";

  const store = window.KaikuOfflineStore;
  const LOCK = "kaikukanta-desk-sync";
  const BATCH = 100;
  const FIRST_DELAY_MS = 2000;
  const LONGEST_DELAY_MS = 5 * 60 * 1000;
  const REFRESH_MS = 5 * 60 * 1000;
  const RELOOK_MS = 1000;
  const TIMEOUT_MS = 30 * 1000;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("kaikukanta-desk") : null;
  let timer = null;

  class ApiError extends Error {
    constructor(status, body, retryAfter = 0) {
      const error = (body && body.error) || {};
      super(error.message || `HTTP ${status}`);
      this.status = status;
      this.code = error.code || null;
      // Seconds the server asked to wait (`429 throttled` while it judges other devices' syncs).
      this.retryAfter = retryAfter;
    }
  }

  // The device's date in Finland, as the register counts days (YYYY-MM-DD).
  function today() {
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki" }).format(new Date());
  }

  function announce() {
    if (channel) {
      channel.postMessage({ type: "changed" });
    }
    document.dispatchEvent(new CustomEvent("offline-desk:changed"));
  }

  async function call(method, path, body, { credential = null, csrfToken = null } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "fi" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    if (credential) {
      headers.Authorization = `Bearer ${credential}`;
    }
    if (csrfToken) {
      headers["X-CSRFToken"] = csrfToken;
    }
    // A request that hangs (a network half there) is given up, so the sync lock is never held for ever.
    const answer = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: csrfToken ? "same-origin" : "omit", cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const json = answer.status === 204 ? null : await answer.json().catch(() => null);
    if (!answer.ok) {
      throw new ApiError(answer.status, json, Number(answer.headers.get("Retry-After")) || 0);
    }
    return json;
  }

  async function device() {
    const current = await store.get("device");
    if (!current) {
      throw new ApiError(0, { error: { code: "not_enrolled" } });
    }
    return current;
  }

  async function deviceCall(method, path, body) {
    const { credential } = await device();
    try {
      return await call(method, path, body, { credential });
    } catch (error) {
      if (error.code === "device_revoked") {
        await store.put("revoked", true);
        announce();
      }
      throw error;
    }
  }

  async function enrol(code, name, csrfToken) {
    const answer = await call("POST", "/api/v1/devices/enrol", { code, name }, { csrfToken });
    await store.put("device", { credential: answer.credential, ...answer.device });
    await store.del("revoked");
    await store.put("leases", {});
    announce();
    await refresh();
    return answer.device;
  }

  // Tickets of a lease promised on this device and not yet counted by the server: its queued visits.
  async function promised(leaseId) {
    let uses = 0;
    for (const visit of await store.queued()) {
      if (visit.lease_id === leaseId) {
        uses += visit.uses;
      }
    }
    return uses;
  }

  // What the device may still promise under its lease of an offering today (0 without a lease of today).
  async function leaseLeft(offeringId) {
    const lease = ((await store.get("leases")) || {})[offeringId];
    if (!lease || lease.day !== today() || lease.returned) {
      return { lease: null, left: 0 };
    }
    return { lease, left: Math.max(0, lease.tickets - lease.used - (await promised(lease.id))) };
  }

  async function topUpLeases(bundle) {
    const leases = (await store.get("leases")) || {};
    for (const offering of bundle.offerings) {
      if (offering.ticket_quota === null) {
        continue;
      }
      const share = Math.min(500, Math.max(1, Math.ceil(offering.ticket_quota / 3)));
      const { lease, left } = await leaseLeft(offering.id);
      if (left * 2 >= share) {
        continue;
      }
      // The server counts as unused what this device has promised but not sent yet: ask for that on top.
      const unsent = lease ? await promised(lease.id) : 0;
      try {
        // Up to that many unused: the server grants what is free and never shrinks a lease.
        leases[offering.id] = await deviceCall("POST", "/api/v1/offline/leases",
          { offering_id: offering.id, tickets: Math.min(500, share + unsent) });
      } catch (error) {
        if (error.code !== "quota_exhausted") {
          throw error;
        }
      }
    }
    await store.put("leases", leases);
  }

  async function refresh() {
    // The queue first: it is what must not wait (a revoked device still hands it in, as conflicts), and a
    // lease's use on the server is true only once the device's visits under it are sent.
    await sync();
    const bundle = await deviceCall("GET", "/api/v1/offline/bundle");
    await store.put("bundle", bundle);
    const revocations = await deviceCall("GET", "/api/v1/offline/revocations");
    await store.put("revocations", revocations);
    await store.prune(today());
    await topUpLeases(bundle);
    announce();
  }

  async function recordOutcome(visit, result) {
    if (result.outcome === "retry") {
      await store.updateVisit(visit.key, () => ({ code: result.code, message: result.message }));
      return false;
    }
    await store.updateVisit(visit.key, () => ({
      status: result.outcome, visit_id: result.visit_id, conflict_id: result.conflict_id,
      code: result.code, message: result.message, sent_at: new Date().toISOString(),
    }));
    if (result.outcome === "stored" && visit.lease_id) {
      // The server now counts this visit in its lease's use; so does the device until its next refresh.
      const leases = (await store.get("leases")) || {};
      const lease = leases[visit.offering_id];
      if (lease && lease.id === visit.lease_id) {
        lease.used += visit.uses;
        await store.put("leases", leases);
      }
    }
    if (result.code === "device_revoked") {
      await store.put("revoked", true);
    }
    return true;
  }

  function wire(visit) {
    const { key, card_number, used_on, recorded_at, offering_id, children, clients, assistants, lease_id,
      verified } = visit;
    return { key, card_number, used_on, recorded_at, offering_id, children, clients, assistants, lease_id,
      verified };
  }

  // Sends until the queue is empty or something is left to retry. Resolves to whether all was sent.
  async function sendAll() {
    for (;;) {
      const batch = await store.queued(BATCH);
      if (!batch.length) {
        return true;
      }
      const waiting = (await store.queued()).length;
      const answer = await deviceCall("POST", "/api/v1/offline/visits",
        { visits: batch.map(wire), pending: waiting - batch.length });
      const byKey = new Map(answer.results.map((result) => [result.key, result]));
      let settled = true;
      for (const visit of batch) {
        const result = byKey.get(visit.key);
        settled = (result ? await recordOutcome(visit, result) : false) && settled;
      }
      announce();
      if (!settled) {
        return false;
      }
    }
  }

  async function noteSync(error) {
    const previous = (await store.get("sync")) || { failures: 0 };
    const state = error
      ? { ...previous, last_error: error.message, failures: previous.failures + 1 }
      : { last_at: new Date().toISOString(), last_error: null, failures: 0 };
    await store.put("sync", state);
    announce();
    return state;
  }

  // One sync, in whichever tab gets the lock first; the others leave it to that tab.
  async function sync() {
    if (!(await store.get("device"))) {
      return;
    }
    const run = async (lock) => {
      if (!lock) {
        // Another send is under way (in this tab or another): look again shortly, in case it has already
        // read the queue without the visit just recorded.
        window.setTimeout(() => { sync().catch(() => {}); }, RELOOK_MS);
        return;
      }
      let state;
      let retryAfter = 0;
      try {
        state = await noteSync(await sendAll() ? null : new Error("retry"));
      } catch (error) {
        state = await noteSync(error);
        retryAfter = error.retryAfter || 0;
      }
      schedule(state.failures, retryAfter);
    };
    if (navigator.locks) {
      await navigator.locks.request(LOCK, { ifAvailable: true }, run);
    } else {
      await run(true);
    }
  }

  // The next try: soon after a failure, doubling with each one; when the server is busy with other devices'
  // syncs, when it asked (its Retry-After, already spread at random); every REFRESH_MS while all is well.
  function schedule(failures, retryAfter = 0) {
    window.clearTimeout(timer);
    let delay = REFRESH_MS;
    if (retryAfter) {
      delay = retryAfter * 1000 * (0.9 + Math.random() / 5);
    } else if (failures) {
      delay = Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - 1)) * (0.75 + Math.random() / 2);
    }
    timer = window.setTimeout(() => {
      if (navigator.onLine) {
        (failures ? sync() : refresh()).catch(() => {});
      } else {
        schedule(failures);
      }
    }, delay);
  }

  window.KaikuOfflineSync = { enrol, refresh, sync, schedule, leaseLeft, promised, today, channel, LOCK, ApiError };
})();
