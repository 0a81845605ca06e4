/*
 * The ticket desk: card numbers judged as they are typed (length, digits, Damm check digit), the status
 * panel fetched once a number is complete, −/+ steppers limited by the card, and focus put where the next
 * person in the queue needs it. The server checks everything again; this only saves the desk time.
 *
 * Needs scanner.js loaded first (window.KaikuScanner.dammValid). Texts come from data-msg-* attributes.
 * The desk's number input fetches its status with htmx on the "card-ready" event this script sends.
 */
(() => {
  "use strict";

  const MESSAGES = { "not-digits": "msgNotDigits", length: "msgLength", "check-digit": "msgCheckDigit" };
  const lastReady = new WeakMap();
  const processed = new WeakSet();
  let recordAfterCheck = false;

  document.documentElement.classList.add("js");

  function bare(raw) {
    return raw.replace(/[\s-]/g, "");
  }

  function judge(raw) {
    const digits = bare(raw);
    if (digits === "") {
      return "empty";
    }
    if (!/^\d+$/.test(digits)) {
      return "not-digits";
    }
    if (digits.length < 10) {
      return "partial";
    }
    if (digits.length > 10) {
      return "length";
    }
    return window.KaikuScanner.dammValid(digits) ? "complete" : "check-digit";
  }

  function message(input, verdict) {
    const owner = input.closest("[data-msg-check-digit]");
    const key = MESSAGES[verdict];
    return owner && key ? owner.dataset[key] || "" : "";
  }

  function feedbackOf(input) {
    if (input.dataset.feedback) {
      return document.getElementById(input.dataset.feedback);
    }
    // A row of the paper list: the hint goes right after its input.
    let hint = input.parentElement.querySelector(".card-number-hint");
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "card-number-hint";
      hint.id = `${input.id}_hint`;
      hint.setAttribute("aria-live", "polite");
      input.after(hint);
      const described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? `${described} ${hint.id}` : hint.id);
    }
    return hint;
  }

  function show(input, text) {
    feedbackOf(input).textContent = text;
    if (text) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  function statusPanel() {
    return document.getElementById("card-status");
  }

  // "Visit recorded" belongs to the previous person in the queue (the latest visits list keeps it): once the
  // next card is checked it gives its place on a phone's screen to the answer and the record button.
  function dropRecordedNotice() {
    const messages = document.querySelector("#main > .messages");
    if (messages && messages.querySelector(".notice--success")) {
      messages.querySelectorAll(".notice--success").forEach((notice) => notice.remove());
      if (!messages.childElementCount) {
        messages.remove();
      }
    }
  }

  function askStatus(input) {
    dropRecordedNotice();
    lastReady.set(input, bare(input.value));
    // Right after a visit is recorded the desk's content is new and htmx attaches its triggers only when the
    // swap settles: a scanner that types the next number within those milliseconds would otherwise start no
    // check. Only an input htmx has not processed yet is processed here (processing a known one again would
    // forget its request in flight, which clearing the number must be able to abort).
    if (window.htmx && !processed.has(input)) {
      window.htmx.process(input);
    }
    input.dispatchEvent(new CustomEvent("card-ready"));
  }

  function clearStatus(input) {
    lastReady.delete(input);
    const panel = statusPanel();
    if (panel && panel.childElementCount) {
      if (window.htmx) {
        window.htmx.trigger(input, "htmx:abort");
      }
      panel.replaceChildren();
      configureParty();
    }
  }

  function numberTyped(input) {
    const verdict = judge(input.value);
    show(input, message(input, verdict));
    if (!input.hasAttribute("hx-get")) {
      return;
    }
    if (verdict === "complete") {
      if (lastReady.get(input) !== bare(input.value)) {
        askStatus(input);
      }
    } else {
      clearStatus(input);
    }
  }

  function checkNow(input) {
    const verdict = judge(input.value);
    if (verdict === "complete") {
      show(input, "");
      recordAfterCheck = true;
      askStatus(input);
      return;
    }
    show(input, message(input, verdict === "partial" || verdict === "empty" ? "length" : verdict));
    input.focus();
  }

  // Steppers -----------------------------------------------------------------------------------------------

  function stepper(name) {
    return document.querySelector(`.desk-form [data-stepper="${name}"]`);
  }

  function limits(input) {
    return {
      min: input.min === "" ? 0 : Number(input.min),
      max: input.max === "" ? Infinity : Number(input.max),
    };
  }

  function refreshButtons(box) {
    const input = box.querySelector("input");
    const { min, max } = limits(input);
    const value = Number(input.value) || 0;
    for (const button of box.querySelectorAll("[data-step]")) {
      const stuck = input.disabled || (Number(button.dataset.step) < 0 ? value <= min : value >= max);
      button.setAttribute("aria-disabled", String(stuck));
    }
  }

  function setStepper(box, { hidden = false, disabled = false, max = null, note = "" }) {
    if (!box) {
      return;
    }
    const input = box.querySelector("input");
    box.hidden = hidden;
    input.disabled = disabled;
    if (max === null) {
      input.removeAttribute("max");
    } else {
      input.max = String(max);
    }
    const { min, max: top } = limits(input);
    const value = Number(input.value) || 0;
    if (hidden || disabled) {
      input.value = "0";
    } else if (value > top || value < min) {
      input.value = String(Math.min(Math.max(value, min), top));
    }
    box.querySelector("[data-stepper-note]").textContent = note;
    refreshButtons(box);
  }

  function configureParty() {
    const party = document.querySelector(".desk-form .party");
    if (!party) {
      return;
    }
    const check = document.querySelector("#card-status [data-card-type]");
    const type = check ? check.dataset.cardType : null;
    const cardChildren = check ? Number(check.dataset.children) : null;
    const select = document.querySelector(".desk-form select.offering");
    const option = select ? select.selectedOptions[0] : null;
    const course = Boolean(option && option.dataset.kind === "course");
    const texts = party.dataset;

    if (type === "community") {
      setStepper(stepper("children"), { hidden: true });
      setStepper(stepper("clients"), {});
    } else {
      const children = { max: cardChildren };
      if (type === "personal" && cardChildren === 0) {
        Object.assign(children, { disabled: true, note: texts.msgNoChildren });
      } else if (course) {
        Object.assign(children, { disabled: true, note: texts.msgCourse });
      }
      setStepper(stepper("children"), children);
      setStepper(stepper("clients"), { hidden: true });
    }
    setStepper(stepper("assistants"), { max: Number(stepper("assistants").querySelector("input").max) || null });
  }

  function step(button) {
    const box = button.closest("[data-stepper]");
    const input = box.querySelector("input");
    if (input.disabled) {
      return;
    }
    const { min, max } = limits(input);
    const value = Math.min(Math.max((Number(input.value) || 0) + Number(button.dataset.step), min), max);
    input.value = String(value);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const party = box.closest(".party");
    const atCardLimit = box.dataset.stepper === "children" && value === max && Number(button.dataset.step) > 0;
    box.querySelector("[data-stepper-note]").textContent = atCardLimit && party ? party.dataset.msgMostChildren : "";
    refreshButtons(box);
  }

  // Events -------------------------------------------------------------------------------------------------

  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-card-number]")) {
      numberTyped(event.target);
    }
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches(".desk-form select.offering")) {
      configureParty();
    }
  });

  document.addEventListener("keydown", (event) => {
    // Enter (also the one a keyboard-wedge scanner sends) checks the card instead of recording a visit
    // before the worker has seen the answer.
    if (event.key === "Enter" && event.target.matches("[data-card-number][hx-get]")) {
      event.preventDefault();
      checkNow(event.target);
    }
  });

  document.addEventListener("click", (event) => {
    const stepButton = event.target.closest("[data-step]");
    if (stepButton) {
      step(stepButton);
      return;
    }
    const checkButton = event.target.closest("[data-check-button]");
    if (checkButton) {
      event.preventDefault();
      checkNow(checkButton.form.querySelector("[data-card-number]"));
    }
  });

  document.addEventListener("htmx:afterProcessNode", (event) => {
    if (event.target.matches && event.target.matches("[data-card-number]")) {
      processed.add(event.target);
    }
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    const target = event.detail.target;
    const config = event.detail.requestConfig;
    const asked = config ? new URL(config.path, window.location.href).pathname : null;
    if (target && target.id === "card-status" && asked && xhr.responseURL
        && new URL(xhr.responseURL).pathname !== asked) {
      // Redirected (the session ended): a whole page does not belong in the status panel; reload to log in.
      event.detail.shouldSwap = false;
      window.location.reload();
      return;
    }
    // A refusal page (403, 404, 409) replaces the desk's content like any answer, instead of nothing happening.
    const html = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/html");
    if (xhr.status >= 400 && xhr.status < 500 && html) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (target && target.id === "card-status") {
      configureParty();
      const valid = target.querySelector('[data-card-status="valid"]');
      if (recordAfterCheck && valid) {
        document.querySelector(".desk-record").focus();
      }
      recordAfterCheck = false;
      return;
    }
    const main = document.getElementById("main");
    if (main && main.isConnected && (!target || target.id === "main" || !target.isConnected)) {
      configureParty();
      const first = main.querySelector("[autofocus]") || main;
      first.focus();
    }
  });

  configureParty();
})();
