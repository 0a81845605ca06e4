/*
 * Card scanner: reads a card's QR code or Code 39 barcode with the camera and types the number into an input.
 *
 * Contract, for any page:
 *   <button type="button" data-scan-for="INPUT_ID" hidden data-scan-title="…" data-scan-hint="…"
 *           data-scan-close="…" data-scan-failed="…">Scan</button>
 *   (in a template: {% include "visits/scan_button.html" with for_id="INPUT_ID" %}, texts translated there)
 *   <script src="{% static 'js/scanner.js' %}" data-zxing="{% static 'vendor/zxing-library.min.js' %}" defer></script>
 *   and css/desk.css for the look of the camera dialog (.scanner).
 *
 * - The button is rendered hidden; this script shows it only when the browser has a camera API
 *   (navigator.mediaDevices.getUserMedia), also in content htmx swaps in later.
 * - A click opens the back camera in a modal dialog. Codes are decoded with window.BarcodeDetector (formats
 *   qr_code and code_39) where the browser supports them, else with the vendored ZXing (global `ZXing`,
 *   loaded from data-zxing on first use only, as it is large).
 * - The first code that holds a card number — 10 digits whose Damm check digit is right; the QR code may hold
 *   just the number or a URL ending with it — is written into the input as 10 bare digits, the input gets an
 *   "input" and a "change" event, the camera is switched off and the dialog closed (focus back on the button).
 * - window.KaikuScanner = {digitsFrom, dammValid, fill, open, close}:
 *     digitsFrom(text)  the 10 digits a decoded text holds, or null;
 *     dammValid(digits) whether 10 digits carry a right check digit (kaikukanta/core/damm.py);
 *     fill(input, text) what a successful scan does to the input (the number typed in, the whole text kept
 *                       in input.dataset.scannedText); returns false when text holds no number;
 *     open(button), close() the camera dialog.
 */
(() => {
  "use strict";

  const DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
  ];
  const FORMATS = ["qr_code", "code_39"];
  const RETRY_MS = 120;
  const zxingSource = document.currentScript ? document.currentScript.dataset.zxing : null;
  let session = null;

  function dammValid(digits) {
    if (!/^\d{10}$/.test(digits)) {
      return false;
    }
    let interim = 0;
    for (const digit of digits) {
      interim = DAMM[interim][Number(digit)];
    }
    return interim === 0;
  }

  function digitsFrom(text) {
    if (typeof text !== "string") {
      return null;
    }
    // Some Code 39 decoders keep the start and stop characters.
    const trimmed = text.trim().replace(/^\*+|\*+$/g, "");
    const bare = trimmed.replace(/[\s-]/g, "");
    if (/^\d{10}$/.test(bare)) {
      return bare;
    }
    const tail = /(?:^|\D)(\d{10})\/?$/.exec(trimmed);
    return tail ? tail[1] : null;
  }

  function fill(input, text) {
    const digits = digitsFrom(text);
    if (!digits) {
      return false;
    }
    input.value = digits;
    // The whole decoded text stays with the input: the offline desk verifies a signed card code from it.
    input.dataset.scannedText = text.trim();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function cameraAvailable() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function revealButtons(root) {
    if (!root.querySelectorAll) {
      return;
    }
    for (const button of root.querySelectorAll("[data-scan-for]")) {
      button.hidden = !cameraAvailable();
    }
  }

  function buildDialog(button) {
    const dialog = document.createElement("dialog");
    dialog.className = "scanner";
    const title = document.createElement("h2");
    title.id = "scanner-title";
    title.textContent = button.dataset.scanTitle || "";
    dialog.setAttribute("aria-labelledby", title.id);
    const hint = document.createElement("p");
    hint.textContent = button.dataset.scanHint || "";
    const video = document.createElement("video");
    video.className = "scanner__video";
    video.muted = true;
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-hidden", "true");
    const failure = document.createElement("p");
    failure.className = "scanner__failure";
    failure.setAttribute("role", "alert");
    const closer = document.createElement("button");
    closer.type = "button";
    closer.className = "button button--secondary scanner__close";
    closer.textContent = button.dataset.scanClose || "×";
    closer.addEventListener("click", close);
    dialog.append(title, hint, video, failure, closer);
    dialog.addEventListener("close", close);
    return dialog;
  }

  function accept(current, text) {
    const digits = digitsFrom(text);
    // A misread frame rarely passes the check digit; keep looking until one does.
    if (current.closed || !digits || !dammValid(digits)) {
      return false;
    }
    close();
    fill(current.input, text);
    return true;
  }

  async function nativeFormats() {
    if (!("BarcodeDetector" in window)) {
      return [];
    }
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      return FORMATS.filter((format) => supported.includes(format));
    } catch (error) {
      return [];
    }
  }

  function detectNatively(current, video, formats) {
    const detector = new window.BarcodeDetector({ formats });
    const tick = async () => {
      if (current.closed) {
        return;
      }
      try {
        if (video.readyState >= video.HAVE_CURRENT_DATA) {
          for (const code of await detector.detect(video)) {
            if (accept(current, code.rawValue)) {
              return;
            }
          }
        }
      } catch (error) {
        // A frame that cannot be read: the next one may.
      }
      if (!current.closed) {
        current.timer = window.setTimeout(tick, RETRY_MS);
      }
    };
    tick();
  }

  function loadZXing() {
    if (window.ZXing) {
      return Promise.resolve(window.ZXing);
    }
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = zxingSource;
      script.addEventListener("load", () => resolve(window.ZXing));
      script.addEventListener("error", reject);
      document.head.append(script);
    });
  }

  async function decodeWithZXing(current, video) {
    const ZXing = await loadZXing();
    if (current.closed) {
      return;
    }
    const hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.CODE_39]);
    current.reader = new ZXing.BrowserMultiFormatReader(hints);
    current.reader.decodeFromStream(current.stream, video, (result) => {
      if (result) {
        accept(current, result.getText());
      }
    }).catch(() => {});
  }

  function showFailure(current) {
    current.dialog.querySelector(".scanner__failure").textContent = current.button.dataset.scanFailed || "";
  }

  async function open(button) {
    const input = document.getElementById(button.dataset.scanFor);
    if (!input || session || !cameraAvailable()) {
      return;
    }
    const dialog = buildDialog(button);
    document.body.append(dialog);
    const current = { button, input, dialog, stream: null, reader: null, timer: null, closed: false };
    session = current;
    dialog.showModal();
    try {
      current.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } }, audio: false,
      });
    } catch (error) {
      showFailure(current);
      return;
    }
    if (current.closed) {
      current.stream.getTracks().forEach((track) => track.stop());
      return;
    }
    const video = dialog.querySelector("video");
    try {
      const formats = await nativeFormats();
      if (formats.length) {
        video.srcObject = current.stream;
        await video.play();
        detectNatively(current, video, formats);
      } else {
        await decodeWithZXing(current, video);
      }
    } catch (error) {
      if (!current.closed) {
        showFailure(current);
      }
    }
  }

  function close() {
    const current = session;
    if (!current) {
      return;
    }
    session = null;
    current.closed = true;
    window.clearTimeout(current.timer);
    if (current.reader) {
      current.reader.reset();
    }
    if (current.stream) {
      current.stream.getTracks().forEach((track) => track.stop());
    }
    if (current.dialog.open) {
      current.dialog.close();
    }
    current.dialog.remove();
    current.button.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-scan-for]");
    if (button) {
      open(button);
    }
  });
  document.addEventListener("htmx:load", (event) => revealButtons(event.target));
  revealButtons(document);

  window.KaikuScanner = { digitsFrom, dammValid, fill, open, close };
})();
