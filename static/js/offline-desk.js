/*
 * The offline desk's page (kaikukanta/visits/templates/visits/offline.html): enrol the device, check a card
 * on the device, record the visit into the device's queue, today's list with undo, and the plainly visible
 * state (online or not, visits waiting, last sent). Every visit goes through the queue, online or not; online,
 * it is sent at once, so the register's answer (sent, or a conflict with its reason) shows in today's list.
 *
 * Needs scanner.js, desk.js (number feedback and the steppers), offline-store.js, offline-cards.js and
 * offline-sync.js loaded first. Texts come from the data-msg-* attributes of #offline-desk.
 */
(() => {
  "use strict";

  const root = document.getElementById("offline-desk");
  if (!root) {
    return;
  }
  const store = window.KaikuOfflineStore;
  const cards = window.KaikuOfflineCards;
  const sync = window.KaikuOfflineSync;
  const texts = root.dataset;
  const part = (name) => root.querySelector(`[data-${name}]`);
  const deskForm = part("desk");
  const number = deskForm.querySelector("[data-card-number]");
  const offering = deskForm.querySelector("select.offering");
  const statusPanel = document.getElementById("card-status");
  const DOUBLE_TAP_MS = 1500;
  let checked = null;          // the last card judged: {number, scanned, result, key}
  let busy = false;
  let lastRecordedAt = 0;
  let state = {};

  function say(template, values = {}) {
    return (template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  function counted(one, many, count) {
    return count === 1 ? say(one, { count }) : say(many, { count });
  }

  function bare(raw) {
    return raw.replace(/[\s-]/g, "");
  }

  function localDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return new Date(year, month - 1, day).toLocaleDateString(document.documentElement.lang);
  }

  function localTime(iso) {
    return new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  }

  function notice(text, kind = "notice") {
    const box = part(kind === "problem" ? "desk-problem" : "desk-notice");
    const other = part(kind === "problem" ? "desk-notice" : "desk-problem");
    other.hidden = true;
    box.textContent = text;
    box.hidden = !text;
  }

  // State and rendering ------------------------------------------------------------------------------------

  async function load() {
    const [device, bundle, revocations, revoked, syncState, visits] = await Promise.all([
      store.get("device"), store.get("bundle"), store.get("revocations"), store.get("revoked"),
      store.get("sync"), store.visits()]);
    state = { device, bundle, revoked: Boolean(revoked), sync: syncState || {}, visits,
      revokedNumbers: new Set((revocations && revocations.numbers) || []) };
  }

  function renderStatus() {
    const online = navigator.onLine;
    const waiting = state.visits.filter((visit) => visit.status === "queued").length;
    const connection = part("connection");
    connection.textContent = online ? texts.msgOnline : texts.msgOffline;
    connection.classList.toggle("offline-status__connection--offline", !online);
    part("waiting").textContent = waiting
      ? counted(texts.msgWaitingOne, texts.msgWaitingMany, waiting) : texts.msgWaitingNone;
    const last = state.sync.last_at ? say(texts.msgLastSync, { time: localTime(state.sync.last_at) })
      : texts.msgNeverSynced;
    part("last-sync").textContent = state.sync.last_error && waiting ? `${last}. ${texts.msgSyncFailed}` : last;
    part("sync-now").hidden = !(online && waiting && state.device);
  }

  function renderOfferings() {
    const offerings = (state.bundle && state.bundle.offerings) || [];
    const chosen = offering.value;
    const known = new Set([...offering.options].map((option) => option.value));
    const wanted = new Set(["", ...offerings.map((item) => String(item.id))]);
    if (known.size === wanted.size && [...known].every((value) => wanted.has(value))) {
      return;
    }
    offering.replaceChildren(offering.options[0]);
    for (const item of offerings) {
      const option = new Option(item.name, String(item.id));
      option.dataset.kind = item.kind;
      offering.append(option);
    }
    offering.value = wanted.has(chosen) ? chosen : "";
    if (!chosen && offerings.length === 1) {
      offering.value = String(offerings[0].id);
    }
    offering.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function offeringOf(id) {
    return ((state.bundle && state.bundle.offerings) || []).find((item) => String(item.id) === String(id));
  }

  async function renderLease() {
    const item = offeringOf(offering.value);
    const help = part("lease-left");
    if (!item || item.ticket_quota === null) {
      help.textContent = "";
      return;
    }
    const { left } = await sync.leaseLeft(item.id);
    help.textContent = left ? say(texts.msgLeaseLeft, { count: left }) : texts.msgNoLease;
  }

  function visitLine(visit) {
    const item = document.createElement("li");
    item.className = `recent__item recent__item--${visit.status}`;
    item.dataset.visitKey = visit.key;
    const what = document.createElement("span");
    what.className = "recent__what";
    const add = (className, text) => {
      const span = document.createElement("span");
      span.className = className;
      span.textContent = text;
      what.append(span);
    };
    add("recent__time", localTime(visit.recorded_at));
    add("recent__number", visit.card_number);
    add("recent__uses", counted(texts.msgUsesOne, texts.msgUsesMany, visit.uses));
    if (visit.offering_name) {
      add("recent__offering", visit.offering_name);
    }
    if (visit.used_on !== sync.today()) {
      add("recent__day", localDate(visit.used_on));
    }
    const verdict = { queued: texts.msgQueued, stored: texts.msgStored,
      conflict: say(texts.msgConflict, { message: visit.message || visit.code || "" }) }[visit.status];
    add(`recent__outcome recent__outcome--${visit.status}`, verdict);
    item.append(what);
    if (visit.status === "queued") {
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "button button--secondary";
      undo.dataset.undo = visit.key;
      undo.textContent = texts.msgUndo;
      undo.setAttribute("aria-label", `${texts.msgUndo} ${visit.card_number}`);
      item.append(undo);
    }
    return item;
  }

  function renderToday() {
    const day = sync.today();
    const shown = state.visits.filter((visit) => visit.used_on === day || visit.status === "queued")
      .sort((a, b) => b.seq - a.seq);
    const count = (status) => shown.filter((visit) => visit.status === status).length;
    part("today").hidden = !state.device;
    part("today-summary").textContent = say(texts.msgSummary,
      { stored: count("stored"), waiting: count("queued"), conflicts: count("conflict") });
    part("today-list").replaceChildren(...shown.map(visitLine));
  }

  async function render() {
    await load();
    const enrolled = Boolean(state.device) && !state.revoked;
    part("enrol").hidden = enrolled;
    deskForm.hidden = !enrolled;
    const device = part("device");
    device.hidden = !enrolled;
    device.textContent = enrolled ? say(texts.msgEnrolled, { name: state.device.name }) : "";
    if (state.revoked) {
      notice(texts.msgRevoked, "problem");
    }
    renderStatus();
    renderOfferings();
    renderToday();
    await renderLease();
  }

  // Checking a card ----------------------------------------------------------------------------------------

  function statusBox(kind, verdict, lines, data = {}) {
    const box = document.createElement("div");
    box.className = `card-check card-check--${kind}`;
    box.dataset.cardStatus = kind;
    Object.assign(box.dataset, data);
    const head = document.createElement("p");
    head.className = "card-check__verdict";
    const status = document.createElement("span");
    status.className = `status status--${kind === "unverified" ? "expired" : kind}`;
    status.textContent = verdict;
    const shown = document.createElement("span");
    shown.className = "card-check__number";
    shown.textContent = checked.number;
    head.append(status, shown);
    box.append(head, ...lines.map((text) => {
      const line = document.createElement("p");
      line.textContent = text;
      return line;
    }));
    return box;
  }

  function showResult(result) {
    const rules = (state.bundle && state.bundle.rules) || {};
    let box;
    if (result.verdict === "valid") {
      const party = result.cardType === "community"
        ? say(texts.msgCommunity, { count: rules.max_clients })
        : result.children ? counted(texts.msgChildrenOne, texts.msgChildrenSome, result.children)
          : texts.msgChildrenNone;
      box = statusBox("valid", texts.msgValid, [say(texts.msgValidUntil, { date: localDate(result.validUntil) }), party],
        { cardType: result.cardType, children: String(result.children) });
    } else if (result.verdict === "unverified") {
      box = statusBox("unverified", texts.msgUnverified, [texts.msgUnverifiedWhy],
        { cardType: "", children: String(rules.max_children || 99) });
    } else if (result.verdict === "expired") {
      box = statusBox("expired", texts.msgExpired, [say(texts.msgExpiredWhy, { date: localDate(result.validUntil) })]);
    } else if (result.verdict === "closed") {
      box = statusBox("closed", texts.msgClosed, [texts.msgClosedWhy]);
    } else {
      box = statusBox("closed", texts.msgNotGenuine, [texts.msgNotGenuineWhy]);
    }
    statusPanel.replaceChildren(box);
    // desk.js sets the steppers' limits from the panel when the offering changes.
    offering.dispatchEvent(new Event("change", { bubbles: true }));
    const clients = deskForm.querySelector('[data-stepper="clients"] input');
    if (clients && rules.max_clients) {
      clients.max = String(rules.max_clients);
    }
  }

  function scannedText() {
    const scanned = number.dataset.scannedText;
    return scanned && window.KaikuScanner.digitsFrom(scanned) === bare(number.value) ? scanned : null;
  }

  async function check() {
    const digits = bare(number.value);
    if (!/^\d{10}$/.test(digits) || !window.KaikuScanner.dammValid(digits)) {
      return null;
    }
    const scanned = scannedText();
    if (checked && checked.number === digits && checked.scanned === scanned) {
      return checked;
    }
    await load();
    const result = await cards.judge({ number: digits, scanned },
      { bundle: state.bundle, revoked: state.revokedNumbers, today: sync.today() });
    // A new visit for every card checked: the same form sent twice is one visit.
    checked = { number: digits, scanned, result, key: crypto.randomUUID() };
    notice("");
    showResult(result);
    return checked;
  }

  function clearCheck() {
    checked = null;
    statusPanel.replaceChildren();
    offering.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Recording ----------------------------------------------------------------------------------------------

  function count(name) {
    const input = deskForm.querySelector(`[data-stepper="${name}"] input`);
    return input && !input.disabled && !input.closest("[hidden]") ? Math.max(0, Number(input.value) || 0) : 0;
  }

  async function record() {
    if (state.revoked) {
      notice(texts.msgRevoked, "problem");
      return;
    }
    const card = await check();
    if (!card) {
      number.dispatchEvent(new Event("input", { bubbles: true }));
      const feedback = document.getElementById("card-number-feedback");
      if (!feedback.textContent) {
        feedback.textContent = number.dataset.msgLength;
      }
      number.focus();
      return;
    }
    if (!["valid", "unverified"].includes(card.result.verdict)) {
      number.focus();
      return;
    }
    const children = count("children");
    const clients = count("clients");
    const uses = 1 + children + clients;
    const item = offeringOf(offering.value);
    let leaseId = null;
    if (item && item.ticket_quota !== null) {
      let { lease, left } = await sync.leaseLeft(item.id);
      if (left < uses && navigator.onLine) {
        await sync.refresh().catch(() => {});
        ({ lease, left } = await sync.leaseLeft(item.id));
      }
      if (left < uses) {
        notice(left ? texts.msgQuota : texts.msgNoLease, "problem");
        return;
      }
      leaseId = lease.id;
    }
    const added = await store.addVisit({
      key: card.key, card_number: card.number, used_on: sync.today(), recorded_at: new Date().toISOString(),
      offering_id: item ? item.id : null, offering_name: item ? item.name : "", children, clients,
      assistants: count("assistants"), uses, lease_id: leaseId, verified: card.result.verdict === "valid",
    });
    notice(added ? say(texts.msgRecorded, { number: card.number, uses: counted(texts.msgUsesOne, texts.msgUsesMany, uses) })
      : texts.msgAlready);
    lastRecordedAt = Date.now();
    number.value = "";
    delete number.dataset.scannedText;
    number.dispatchEvent(new Event("input", { bubbles: true }));
    deskForm.querySelectorAll("[data-stepper] input").forEach((input) => { input.value = "0"; });
    clearCheck();
    number.focus();
    document.dispatchEvent(new CustomEvent("offline-desk:changed"));
    if (sync.channel) {
      sync.channel.postMessage({ type: "changed" });
    }
    if (navigator.onLine) {
      sync.sync().catch(() => {});
    }
  }

  async function undo(key) {
    // Under the sync lock: a visit is either taken back before it is sent, or it has been sent.
    const taken = navigator.locks
      ? await navigator.locks.request(sync.LOCK, () => store.removeVisit(key))
      : await store.removeVisit(key);
    notice(taken ? texts.msgUndone : texts.msgUndoTooLate, taken ? "notice" : "problem");
    if (sync.channel) {
      sync.channel.postMessage({ type: "changed" });
    }
    await render();
    number.focus();
  }

  async function enrol(form) {
    const error = part("enrol-error");
    error.hidden = true;
    if (!navigator.onLine) {
      error.textContent = texts.msgEnrolOffline;
      error.hidden = false;
      return;
    }
    const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    try {
      await sync.enrol(form.elements.code.value.trim(), form.elements.name.value.trim(), csrf);
    } catch (problem) {
      error.textContent = problem instanceof sync.ApiError && problem.status ? problem.message : texts.msgFailed;
      error.hidden = false;
      return;
    }
    form.reset();
    notice("");
    await render();
    // Enrolled, with the bundle, the revocation list and the leases on the device: ready for offline.
    root.dataset.enrolled = "true";
    number.focus();
  }

  // Events -------------------------------------------------------------------------------------------------

  number.addEventListener("input", () => {
    if (number.dataset.scannedText && !scannedText()) {
      delete number.dataset.scannedText;
    }
    const digits = bare(number.value);
    if (/^\d{10}$/.test(digits) && window.KaikuScanner.dammValid(digits)) {
      check();
    } else if (checked) {
      clearCheck();
    }
  });

  number.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      // Enter (also a keyboard-wedge scanner's) checks the card; recording is the button's.
      event.preventDefault();
      check().then((card) => {
        if (card && ["valid", "unverified"].includes(card.result.verdict)) {
          deskForm.querySelector(".desk-record").focus();
        }
      });
    }
  });

  root.addEventListener("click", (event) => {
    if (event.target.closest("[data-offline-check]")) {
      check();
    } else if (event.target.closest("[data-sync-now]")) {
      sync.sync().catch(() => {});
    } else if (event.target.closest("[data-undo]")) {
      undo(event.target.closest("[data-undo]").dataset.undo);
    }
  });

  offering.addEventListener("change", () => { renderLease(); });

  deskForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    // A double tap: the second tap finds the form already emptied by the first and records nothing.
    if (busy || (!number.value.trim() && Date.now() - lastRecordedAt < DOUBLE_TAP_MS)) {
      return;
    }
    busy = true;
    const button = deskForm.querySelector(".desk-record");
    button.disabled = true;
    try {
      await record();
    } finally {
      busy = false;
      button.disabled = false;
    }
    await render();
  });

  part("enrol-form").addEventListener("submit", (event) => {
    event.preventDefault();
    enrol(event.target);
  });

  const rerender = () => { render(); };
  window.addEventListener("online", () => {
    render();
    sync.refresh().catch(() => {}).then(rerender);
  });
  window.addEventListener("offline", rerender);
  document.addEventListener("offline-desk:changed", rerender);
  if (sync.channel) {
    sync.channel.addEventListener("message", rerender);
  }

  // The service worker keeps the shell for the next time the network is gone.
  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.workerScope }).catch(() => {});
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(() => {});
  }

  render().then(async () => {
    if (state.device && navigator.onLine) {
      await sync.refresh().catch(() => sync.schedule(1));
      await render();
    } else if (state.device) {
      sync.schedule(1);
    }
    root.dataset.ready = "true";
  });
})();
