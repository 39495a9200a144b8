"""Partner request signatures and resident pseudonyms (pure functions, keyed hashes).

Signed requests
---------------
A partner signs each batch with its own secret (HMAC-SHA256). The string to sign
binds the partner id, a Unix timestamp [s], a one-time nonce and the SHA-256 of the
exact body bytes::

    NZ1-HMAC-SHA256\\n{partner_id}\\n{timestamp}\\n{nonce}\\n{hex(sha256(body))}

The body is the canonical JSON of the batch (:func:`canonical_json`: sorted keys,
no insignificant whitespace, UTF-8), so both sides produce the same bytes from the
same data. Verification (:func:`verify_request`) checks, in order: the partner is
known, the signature matches (constant-time compare), the timestamp is within the
window of the server time, and the (partner, nonce) pair was not seen before. The
store only has to remember nonces for the length of the window, because older
timestamps are refused anyway.

Pseudonyms
----------
Residents are known to the core only by a pseudonym: HMAC-SHA256 under a platform
secret of the normalised phone number or ID number (:func:`pseudonymise`). The raw
value is never stored; the same person gets the same pseudonym from every partner
that uses the same normalisation, and without the secret a pseudonym cannot be
reversed by enumerating the (small) space of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from nearzero.inclusion.choices import ReasonCode

SIGNATURE_SCHEME = "NZ1-HMAC-SHA256"
DEFAULT_WINDOW_S = 300
"""Allowed clock difference between partner and platform [s] (engineering choice)."""

_NONCE_RE = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")


def canonical_json(obj: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, compact, UTF-8, no NaN."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def string_to_sign(partner_id: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The exact bytes a partner signs (see the module docstring)."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{SIGNATURE_SCHEME}\n{partner_id}\n{timestamp}\n{nonce}\n{digest}".encode()


def sign(secret: bytes, partner_id: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The hex HMAC-SHA256 signature of a request."""
    return hmac.new(
        secret, string_to_sign(partner_id, timestamp, nonce, body), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """A partner batch as received: who, when [Unix s], nonce, raw body, signature (hex)."""

    partner_id: str
    timestamp: int
    nonce: str
    body: bytes
    signature: str


def nonce_seen(seen: Container[tuple[str, str]], partner_id: str, nonce: str) -> bool:
    """Whether this partner already used this nonce (``seen`` holds (partner, nonce) pairs)."""
    return (partner_id, nonce) in seen


def timestamp_fresh(timestamp: int, now_s: int, window_s: int = DEFAULT_WINDOW_S) -> bool:
    """Whether ``timestamp`` is within ``window_s`` seconds of ``now_s`` (either side)."""
    return abs(now_s - timestamp) <= window_s


def verify_request(
    request: SignedRequest,
    secrets: Mapping[str, bytes],
    now_s: int,
    seen_nonces: Container[tuple[str, str]],
    window_s: int = DEFAULT_WINDOW_S,
) -> ReasonCode | None:
    """None when the request is authentic and fresh, else the batch-level reason code.

    secrets : partner id → that partner's HMAC secret.
    seen_nonces : (partner id, nonce) pairs already used within the window.
    The caller records ``(request.partner_id, request.nonce)`` as seen once it returns None.
    """
    secret = secrets.get(request.partner_id)
    if secret is None:
        return ReasonCode.UNKNOWN_PARTNER
    if not _NONCE_RE.match(request.nonce) or isinstance(request.timestamp, bool):
        return ReasonCode.BAD_SIGNATURE
    expected = sign(secret, request.partner_id, request.timestamp, request.nonce, request.body)
    if not hmac.compare_digest(expected, request.signature.strip().lower()):
        return ReasonCode.BAD_SIGNATURE
    if not timestamp_fresh(request.timestamp, now_s, window_s):
        return ReasonCode.STALE_TIMESTAMP
    if nonce_seen(seen_nonces, request.partner_id, request.nonce):
        return ReasonCode.REPLAYED_NONCE
    return None


# --------------------------------------------------------------------------- pseudonyms


class IdKind(StrEnum):
    """What a raw resident identifier is; part of the hashed text, so kinds never collide."""

    PHONE = "phone"
    ID_CARD = "id_card"
    PARTNER_UID = "partner_uid"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_identifier(raw: str, kind: IdKind) -> str:
    """The canonical text of a phone number or ID number; ValueError when it is not one.

    Phone: mainland mobile number, 11 digits starting with 1, with an optional +86/0086
    prefix, spaces and hyphens removed. ID card: 18-character 居民身份证号码 with a valid
    GB 11643-1999 check character (upper-case X).
    """
    text = re.sub(r"[\s\-]", "", raw)
    if kind is IdKind.PHONE:
        text = re.sub(r"^(\+86|0086)", "", text)
        if not re.fullmatch(r"1\d{10}", text):
            raise ValueError("not a mainland mobile number (11 digits starting with 1)")
        return text
    if kind is IdKind.ID_CARD:
        text = text.upper()
        if not re.fullmatch(r"\d{17}[\dX]", text):
            raise ValueError("not an 18-character resident ID number")
        total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != text[17]:
            raise ValueError("resident ID number check character does not match")
        return text
    if not text:
        raise ValueError("empty identifier")
    return text


def pseudonymise(raw: str, secret: bytes, kind: IdKind = IdKind.PHONE) -> str:
    """The resident pseudonym: hex HMAC-SHA256(secret, "{kind}:{normalised raw}").

    The raw value is used only inside this call; store and pass on the result only.
    Raises ValueError for an identifier that does not normalise, and for a secret
    shorter than 32 bytes (a short key would make the pseudonym guessable).
    """
    if len(secret) < 32:
        raise ValueError("the pseudonym secret must be at least 32 bytes")
    text = f"{kind.value}:{normalise_identifier(raw, kind)}"
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
