/*
 * The offline desk's storage: one IndexedDB database per browser profile and origin, shared by every tab.
 *
 *   state   key → value: "device" ({credential, id, name, venue_id, user}), "bundle" (GET /offline/bundle),
 *           "revocations" ({numbers, generated_at}), "leases" ({offering id: lease}), "sync" ({last_at,
 *           last_error, failures}), "revoked" (true once the server said the device is revoked)
 *   visits  every visit recorded on this device, in order (`seq`, auto-incremented), unique by its
 *           idempotency key (`key`): status "queued" (waiting to be sent), "stored" or "conflict" (with the
 *           server's code and message). Sent visits are kept until the next day, for today's list.
 *
 * window.KaikuOfflineStore = {get, put, del, addVisit, visits, queued, updateVisit, removeVisit, prune}; every
 * call returns a promise. Only this file knows the database's layout.
 */
(() => {
  "use strict";

  const NAME = "kaikukanta-desk";
  const VERSION = 1;
  let opening = null;

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function done(transaction) {
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onabort = () => reject(transaction.error);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  function open() {
    if (!opening) {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("state");
        const visits = db.createObjectStore("visits", { keyPath: "seq", autoIncrement: true });
        visits.createIndex("key", "key", { unique: true });
        visits.createIndex("status", "status");
      };
      opening = promised(request).then((db) => {
        // Another tab upgrading the database later: let it, this tab reopens on its next call.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        return db;
      });
    }
    return opening;
  }

  async function run(stores, mode, work) {
    const db = await open();
    const transaction = db.transaction(stores, mode);
    const result = work(transaction);
    await done(transaction);
    return result instanceof IDBRequest ? result.result : result;
  }

  function get(key) {
    return run("state", "readonly", (t) => t.objectStore("state").get(key));
  }

  function put(key, value) {
    return run("state", "readwrite", (t) => { t.objectStore("state").put(value, key); });
  }

  function del(key) {
    return run("state", "readwrite", (t) => { t.objectStore("state").delete(key); });
  }

  // A visit with a key already stored (a double tap, the same form sent twice) is not added again:
  // resolves to false then.
  async function addVisit(visit) {
    const db = await open();
    const transaction = db.transaction("visits", "readwrite");
    const store = transaction.objectStore("visits");
    const existing = await promised(store.index("key").get(visit.key));
    if (existing) {
      await done(transaction);
      return false;
    }
    store.add({ ...visit, status: "queued" });
    await done(transaction);
    return true;
  }

  function visits() {
    return run("visits", "readonly", (t) => t.objectStore("visits").getAll());
  }

  // The queued visits, oldest first, at most `limit`.
  function queued(limit) {
    return run("visits", "readonly", (t) => t.objectStore("visits").index("status").getAll("queued", limit))
      .then((rows) => rows.sort((a, b) => a.seq - b.seq));
  }

  // Change a visit found by its key, if it is still there; resolves to the changed visit (or null).
  async function updateVisit(key, change) {
    const db = await open();
    const transaction = db.transaction("visits", "readwrite");
    const store = transaction.objectStore("visits");
    const visit = await promised(store.index("key").get(key));
    let changed = null;
    if (visit) {
      changed = { ...visit, ...change(visit) };
      store.put(changed);
    }
    await done(transaction);
    return changed;
  }

  // Undo: only a visit still waiting to be sent can be taken back here; resolves to whether it was.
  async function removeVisit(key) {
    const db = await open();
    const transaction = db.transaction("visits", "readwrite");
    const store = transaction.objectStore("visits");
    const visit = await promised(store.index("key").get(key));
    const removable = Boolean(visit && visit.status === "queued");
    if (removable) {
      store.delete(visit.seq);
    }
    await done(transaction);
    return removable;
  }

  // Visits of days before `day` (YYYY-MM-DD) that were sent are the register's now (stored, or in the venue's
  // conflict inbox): drop the device's copies. Queued ones stay until they are sent, whatever their day.
  async function prune(day) {
    const db = await open();
    const transaction = db.transaction("visits", "readwrite");
    const store = transaction.objectStore("visits");
    const sent = [...await promised(store.index("status").getAll("stored")),
      ...await promised(store.index("status").getAll("conflict"))];
    for (const visit of sent) {
      if (visit.used_on < day) {
        store.delete(visit.seq);
      }
    }
    await done(transaction);
  }

  window.KaikuOfflineStore = { get, put, del, addVisit, visits, queued, updateVisit, removeVisit, prune };
})();
