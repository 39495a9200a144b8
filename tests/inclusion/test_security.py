"""Partner signatures (HMAC-SHA256 over timestamp, nonce and body) and pseudonyms."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, strategies as st

from nearzero.inclusion.choices import ReasonCode
from nearzero.inclusion.security import (
    IdKind,
    SignedRequest,
    canonical_json,
    nonce_seen,
    normalise_identifier,
    pseudonymise,
    sign,
    string_to_sign,
    timestamp_fresh,
    verify_request,
)

SECRET = b"partner-secret-0123456789abcdef-0123"
SECRETS = {"bus-co": SECRET}
NOW = 1_735_689_600  # 2025-01-01T00:00:00Z
NONCE = "n0nce-abcdef-123456"
BODY = canonical_json({"records": [{"partner_record_id": "r1", "scenario": "bus"}]})


def _request(
    partner_id: str = "bus-co", nonce: str = NONCE, signature: str | None = None
) -> SignedRequest:
    sig = sign(SECRET, partner_id, NOW, nonce, BODY) if signature is None else signature
    return SignedRequest(partner_id, NOW, nonce, BODY, sig)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "章丘"}) == '{"a":"章丘","b":1}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_signature_matches_an_independent_hmac() -> None:
    text = string_to_sign("bus-co", NOW, NONCE, BODY)
    assert text.split(b"\n")[:4] == [
        b"NZ1-HMAC-SHA256",
        b"bus-co",
        str(NOW).encode(),
        NONCE.encode(),
    ]
    expected = hmac.new(SECRET, text, hashlib.sha256).hexdigest()
    assert sign(SECRET, "bus-co", NOW, NONCE, BODY) == expected


def test_valid_request_verifies() -> None:
    assert verify_request(_request(), SECRETS, NOW + 10, seen_nonces=set()) is None


def test_wrong_signature() -> None:
    req = _request(signature="0" * 64)
    assert verify_request(req, SECRETS, NOW, set()) is ReasonCode.BAD_SIGNATURE
    other_key = sign(b"another-secret-0123456789abcdef-x", "bus-co", NOW, NONCE, BODY)
    assert (
        verify_request(_request(signature=other_key), SECRETS, NOW, set())
        is ReasonCode.BAD_SIGNATURE
    )


def test_tampered_body_timestamp_or_nonce_fails_the_signature() -> None:
    good = _request()
    for changed in (
        SignedRequest(good.partner_id, good.timestamp, good.nonce, BODY + b" ", good.signature),
        SignedRequest(good.partner_id, good.timestamp + 1, good.nonce, BODY, good.signature),
        SignedRequest(good.partner_id, good.timestamp, good.nonce + "x", BODY, good.signature),
    ):
        assert verify_request(changed, SECRETS, NOW, set()) is ReasonCode.BAD_SIGNATURE


def test_replayed_nonce() -> None:
    req = _request()
    seen = {("bus-co", NONCE)}
    assert nonce_seen(seen, "bus-co", NONCE)
    assert not nonce_seen(seen, "bike-co", NONCE)  # nonces are per partner
    assert verify_request(req, SECRETS, NOW, seen) is ReasonCode.REPLAYED_NONCE


def test_stale_and_future_timestamps() -> None:
    assert verify_request(_request(), SECRETS, NOW + 301, set()) is ReasonCode.STALE_TIMESTAMP
    assert verify_request(_request(), SECRETS, NOW - 301, set()) is ReasonCode.STALE_TIMESTAMP
    assert verify_request(_request(), SECRETS, NOW + 300, set()) is None
    assert timestamp_fresh(NOW, NOW + 60, window_s=60)
    assert not timestamp_fresh(NOW, NOW + 61, window_s=60)


def test_unknown_partner_and_bad_nonce() -> None:
    assert (
        verify_request(_request(partner_id="nobody"), SECRETS, NOW, set())
        is ReasonCode.UNKNOWN_PARTNER
    )
    assert verify_request(_request(nonce="short"), SECRETS, NOW, set()) is ReasonCode.BAD_SIGNATURE


KEY = b"k" * 32


def test_pseudonym_is_keyed_and_normalised() -> None:
    a = pseudonymise("138 0013 8000", KEY)
    assert a == pseudonymise("+86 13800138000", KEY) == pseudonymise("13800138000", KEY)
    assert len(a) == 64 and "13800138000" not in a
    assert a != pseudonymise("13800138000", b"x" * 32)  # another secret, another pseudonym
    expected = hmac.new(KEY, b"phone:13800138000", hashlib.sha256).hexdigest()
    assert a == expected


def test_id_card_check_character_and_kinds_do_not_collide() -> None:
    # GB 11643-1999 example number 11010519491231002X (check character X)
    assert normalise_identifier("11010519491231002x", IdKind.ID_CARD) == "11010519491231002X"
    with pytest.raises(ValueError, match="check character"):
        normalise_identifier("110105194912310021", IdKind.ID_CARD)
    phone = "13800138000"
    assert pseudonymise(phone, KEY, IdKind.PARTNER_UID) != pseudonymise(phone, KEY, IdKind.PHONE)
    with pytest.raises(ValueError, match="mobile"):
        pseudonymise("12345", KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonymise("13800138000", b"short")


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_pseudonyms_are_stable_and_distinct(phone: str) -> None:
    p = pseudonymise(phone, KEY)
    assert p == pseudonymise(phone, KEY)
    other = phone[:-1] + str((int(phone[-1]) + 1) % 10)
    assert pseudonymise(other, KEY) != p
