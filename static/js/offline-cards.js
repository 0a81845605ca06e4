/*
 * Card checks without the register: the signed QR code of a card (kaikukanta/cards/signing.py) verified with
 * WebCrypto's Ed25519 and the public key of the device's bundle, and the revocation list of closed numbers.
 *
 * A card code is `KK1.<signature>.<type><children>.<valid until>.<number>`; the signature (base64url) covers
 * `KK1.<type><children>.<valid until>.<number>`. The device holds no list of valid numbers, so a typed number
 * or an old card without a signed code is "unverified": recorded, and judged by the register at sync.
 *
 * window.KaikuOfflineCards.judge({number, scanned}, {bundle, revoked, today}) resolves to one of
 *   {verdict: "valid", number, cardType, children, validUntil, verified: true}
 *   {verdict: "unverified", number, verified: false}
 *   {verdict: "closed" | "expired" | "not-genuine", number}
 * where `scanned` is the text the scanner decoded (KaikuScanner.fill keeps it on the input), if any.
 */
(() => {
  "use strict";

  const VERSION = "KK1";
  const TYPES = { P: "personal", C: "community" };
  const keys = new Map();

  function unbase64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
    const binary = atob(padded);
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  }

  function publicKey(raw) {
    if (!keys.has(raw)) {
      keys.set(raw, crypto.subtle.importKey("raw", unbase64url(raw), { name: "Ed25519" }, false, ["verify"]));
    }
    return keys.get(raw);
  }

  function isCardCode(text) {
    return typeof text === "string" && text.trim().startsWith(`${VERSION}.`);
  }

  // The signed facts of a card code, or null when it is malformed or its signature does not hold.
  async function verify(text, rawKey) {
    const parts = text.trim().split(".");
    if (parts.length !== 5 || parts[0] !== VERSION || !rawKey) {
      return null;
    }
    const [, signature, party, validUntil, number] = parts;
    const facts = /^([PC])(\d{1,2})$/.exec(party);
    if (!facts || !/^\d{8}$/.test(validUntil) || !/^\d{10}$/.test(number)) {
      return null;
    }
    try {
      const signed = new TextEncoder().encode([VERSION, party, validUntil, number].join("."));
      const genuine = await crypto.subtle.verify({ name: "Ed25519" }, await publicKey(rawKey),
        unbase64url(signature), signed);
      if (!genuine) {
        return null;
      }
    } catch (error) {
      return null;
    }
    return {
      number, cardType: TYPES[facts[1]], children: Number(facts[2]),
      validUntil: `${validUntil.slice(0, 4)}-${validUntil.slice(4, 6)}-${validUntil.slice(6)}`,
    };
  }

  async function judge({ number, scanned }, { bundle, revoked, today }) {
    if (revoked && revoked.has(number)) {
      return { verdict: "closed", number };
    }
    if (!isCardCode(scanned)) {
      return { verdict: "unverified", number, verified: false };
    }
    const facts = await verify(scanned, bundle && bundle.public_key);
    if (!facts || facts.number !== number) {
      return { verdict: "not-genuine", number };
    }
    if (facts.validUntil < today) {
      return { verdict: "expired", number, validUntil: facts.validUntil };
    }
    return { verdict: "valid", verified: true, ...facts };
  }

  window.KaikuOfflineCards = { judge, verify, isCardCode };
})();
