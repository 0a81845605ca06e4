"""Signed card QR codes for the offline desk (issue 14): Ed25519 over number, valid-until, children, card type.

A card printed from now on carries in its QR code `KK1.<signature>.<type><children>.<valid until>.<number>`,
e.g. `KK1.3q…Zg.P2.20271231.1234567897`: the signature (base64url, no padding) covers the text without it,
`KK1.P2.20271231.1234567897`. The code still ends with the card number, so every scanner that read the old
plain number reads the number from the new code too. An enrolled desk holds only the public key; it can check
a card offline without holding any card list or holder data.

The private key is `KAIKUKANTA_CARD_SIGNING_KEY` (32 bytes, base64url) in production; without it one is
derived from `SECRET_KEY` (HKDF-SHA256), which suits development and tests only.
"""

import base64
import datetime
import functools

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .models import CardType

VERSION = "KK1"
TYPE_LETTERS = {CardType.PERSONAL: "P", CardType.COMMUNITY: "C"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def _private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "KAIKUKANTA_CARD_SIGNING_KEY", "")
    if configured:
        seed = _unb64(configured)
    else:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"kaikukanta card signing key").derive(settings.SECRET_KEY.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key() -> str:
    """The raw 32-byte public key, base64url: what an enrolled device verifies card codes with."""
    raw = _private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64(raw)


def signed_text(*, number: str, card_type: str, children: int, valid_until: datetime.date) -> str:
    return f"{VERSION}.{TYPE_LETTERS[card_type]}{children}.{valid_until:%Y%m%d}.{number}"


def qr_payload(card) -> str:
    """What a printed card's QR code holds."""
    text = signed_text(number=card.number, card_type=card.card_type, children=card.children,
                       valid_until=card.valid_until)
    signature = _b64(_private_key().sign(text.encode()))
    return f"{VERSION}.{signature}.{text[len(VERSION) + 1:]}"


def verify(payload: str, key: str | None = None) -> bool:
    """Whether a QR code's text is a card code this register signed (the server-side twin of desk.js's check)."""
    parts = payload.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        return False
    text = ".".join([VERSION, *parts[2:]])
    public = (Ed25519PublicKey.from_public_bytes(_unb64(key)) if key is not None
              else _private_key().public_key())
    try:
        public.verify(_unb64(parts[1]), text.encode())
    except Exception:  # noqa: BLE001 - any malformed or wrong signature is simply not verified
        return False
    return True
