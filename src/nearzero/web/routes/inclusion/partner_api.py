"""The partner API: batches of behaviour records and relayed consents, each request signed.

No session and no CSRF: every request is signed (see :mod:`nearzero.inclusion.security`)
with the headers ``X-NZ-Partner``, ``X-NZ-Timestamp`` (Unix seconds), ``X-NZ-Nonce`` and
``X-NZ-Signature`` (hex).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from nearzero.inclusion.choices import ReasonCode
from nearzero.inclusion.security import SignedRequest
from nearzero.services.access import Action
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.services.inclusion import partners as svc
from nearzero.web.deps import SettingsDep, allow
from nearzero.web.routes.inclusion import master_key

router = APIRouter(tags=["partner API"])


# ----------------------------------------------------------------- the documented shapes
# The routes read the raw body (its bytes are signed), so the request and answer shapes are
# declared here for the schema (/api/docs, docs/partner-api.md), not parsed by FastAPI.

QUANTITY = {
    "oneOf": [
        {"type": "number"},
        {"type": "string"},
        {
            "type": "object",
            "properties": {"value": {"type": ["number", "string"]}, "unit": {"type": "string"}},
            "required": ["value", "unit"],
        },
    ]
}
RECORD = {
    "type": "object",
    "properties": {
        "partner_record_id": {"type": "string", "maxLength": 128},
        "resident_id": {"type": "string"},
        "scenario": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "distance_km": {"type": ["number", "string"]},
        "energy_kwh": {"type": ["number", "string"]},
        "mass_kg": {"type": ["number", "string"]},
        "installed_capacity_kw": {"type": ["number", "string"]},
        "distance": QUANTITY,
        "energy": QUANTITY,
        "mass": QUANTITY,
        "installed_capacity": QUANTITY,
    },
    "required": ["partner_record_id", "resident_id", "scenario", "start", "end"],
}
CONSENT = {
    "type": "object",
    "properties": {
        "phone": {"type": "string"},
        "id_card": {"type": "string"},
        "resident_id": {"type": "string"},
        "scenario": {"type": "string"},
        "granted": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
    },
    "required": ["scenario"],
}
SIGNED_BODY = {
    "description": "The exact bytes signed (see docs/partner-api.md, Signing).",
    "required": True,
}


class RecordResult(BaseModel):
    index: int
    partner_record_id: str | None
    status: Literal["accepted", "rejected"]
    grams: int
    reason: str
    detail: str


class BatchAnswer(BaseModel):
    """Per-record results in batch order and the totals (also the answer of a refused
    signature, 401, with ``batch_reason`` set and every record rejected)."""

    batch: str
    partner: str
    records: int
    accepted: int
    credited_g: int
    rejected: dict[str, int]
    batch_reason: str | None
    results: list[RecordResult]


class ConsentAnswer(BaseModel):
    resident_id: str
    scenario: str
    granted: bool


class ConsentsAnswer(BaseModel):
    consents: list[ConsentAnswer]


class Refused(BaseModel):
    """A request refused whole; ``error`` names the field or the header."""

    error: str


class TooLarge(Refused):
    limit_bytes: int
    size_bytes: int | None


BATCH_DOC: dict[str, Any] = {
    "requestBody": SIGNED_BODY
    | {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"records": {"type": "array", "items": RECORD}},
                    "required": ["records"],
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}
CONSENTS_DOC: dict[str, Any] = {
    "requestBody": SIGNED_BODY
    | {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"consents": {"type": "array", "items": CONSENT}},
                    "required": ["consents"],
                }
            }
        },
    }
}

AUTH_FAILURES = {
    ReasonCode.UNKNOWN_PARTNER,
    ReasonCode.BAD_SIGNATURE,
    ReasonCode.STALE_TIMESTAMP,
    ReasonCode.REPLAYED_NONCE,
}


class BodyTooLarge(Exception):
    """A request body over ``inclusion_max_body_bytes``; nothing was read past the limit."""

    def __init__(self, size: int | None, limit: int) -> None:
        self.size, self.limit = size, limit
        said = f"{size:,} bytes" if size is not None else "more bytes"
        super().__init__(
            f"body: {said} is over the limit of {limit:,} bytes for one request "
            "(NEARZERO_INCLUSION_MAX_BODY_BYTES); split the batch"
        )

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": str(self), "limit_bytes": self.limit, "size_bytes": self.size},
            status_code=413,
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with :class:`BodyTooLarge` once it passes ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before anything is read; a body
    without one (chunked) is read until it passes the limit and no further.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared), limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(None, limit)
        parts.append(chunk)
    return b"".join(parts)


H = Annotated[str, Header()]


async def _signed(
    request: Request, limit: int, partner: str, timestamp: str, nonce: str, signature: str
) -> SignedRequest:
    try:
        ts = int(timestamp)
    except ValueError:
        ts = -1
    return SignedRequest(partner, ts, nonce, await read_body(request, limit), signature)


@router.post(
    "/api/inclusion/batches",
    dependencies=[allow(Action.PARTNER)],
    response_model=BatchAnswer,
    openapi_extra=BATCH_DOC,
    responses={
        400: {"model": Refused, "description": "a body that cannot be read"},
        401: {"model": BatchAnswer, "description": "refused signature: batch_reason says why"},
        413: {"model": TooLarge, "description": "body over the limit, nothing read"},
    },
)
async def api_batch(
    request: Request,
    settings: SettingsDep,
    x_nz_partner: H = "",
    x_nz_timestamp: H = "",
    x_nz_nonce: H = "",
    x_nz_signature: H = "",
) -> Response:
    """A partner batch (JSON ``{"records": [...]}``, JSON lines or CSV); per-record results.

    A body over ``inclusion_max_body_bytes`` is refused with 413 before it is parsed (and
    before the signature is checked or the nonce remembered): nothing is stored.
    """
    limit = int(settings.inclusion_max_body_bytes)
    try:
        signed = await _signed(
            request, limit, x_nz_partner, x_nz_timestamp, x_nz_nonce, x_nz_signature
        )
    except BodyTooLarge as exc:
        return exc.response()
    try:
        report = await run_in_threadpool(  # a large batch must not block the event loop
            svc.handle_signed_batch,
            request.app.state.engine,
            master_key(settings),
            signed,
            request.headers.get("content-type", "application/json"),
            int(time.time()),
        )
    except InvalidInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    payload = report.summary() | {"results": [r.as_dict() for r in report.results]}
    status = 401 if report.batch_reason in AUTH_FAILURES else 200
    return JSONResponse(payload, status_code=status)


@router.post(
    "/api/inclusion/consents",
    dependencies=[allow(Action.PARTNER)],
    response_model=ConsentsAnswer,
    openapi_extra=CONSENTS_DOC,
    responses={
        400: {"model": Refused, "description": "a bad item, named; nothing stored"},
        401: {"model": Refused, "description": "refused signature"},
        413: {"model": TooLarge, "description": "body over the limit, nothing read"},
    },
)
async def api_consents(
    request: Request,
    settings: SettingsDep,
    x_nz_partner: H = "",
    x_nz_timestamp: H = "",
    x_nz_nonce: H = "",
    x_nz_signature: H = "",
) -> Response:
    """Consents relayed by a partner (with the resident's authorisation); returns pseudonyms."""
    limit = int(settings.inclusion_max_body_bytes)
    try:
        signed = await _signed(
            request, limit, x_nz_partner, x_nz_timestamp, x_nz_nonce, x_nz_signature
        )
    except BodyTooLarge as exc:
        return exc.response()
    try:
        done = await run_in_threadpool(
            svc.handle_signed_consents,
            request.app.state.engine,
            master_key(settings),
            signed,
            int(time.time()),
        )
    except PermissionDenied as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    except InvalidInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"consents": done})
