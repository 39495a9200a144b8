"""Intake validation: a partner batch in, every record accepted (with a credit) or rejected.

Pure and set-based. The caller (the intake service) hands over, besides the batch, an
:class:`~nearzero.inclusion.batch.IntakeContext` with what the store already knows
(partners and their scenarios, consents, keys and trips already credited, grams already
credited per resident, scenario, day and year); the store can query exactly what is
needed with :func:`~nearzero.inclusion.batch.context_scope`.

The rules, their order and why the outcome does not depend on the order of the records
are those of the one rule set, :func:`nearzero.inclusion.columnar.validate_columns`.
:func:`validate_batch` presents its columns as one :class:`Outcome` per item (the record,
its :class:`Credit` with the full methodology result, the reason and detail), also for a
batch refused as a whole (every item then carries the batch's reason);
:func:`intake_request` verifies a signed partner request first.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping, Sequence
from typing import Any

from nearzero.inclusion.batch import (
    BatchResult,
    Consent,
    Credit,
    CreditedPeriod,
    CreditedTrip,
    IntakeContext,
    Outcome,
    RecordedUse,
    Scope,
    context_scope,
)
from nearzero.inclusion.choices import ReasonCode
from nearzero.inclusion.columnar import REASONS, ColumnarResult, validate_columns
from nearzero.inclusion.records import BehaviourRecord
from nearzero.inclusion.security import DEFAULT_WINDOW_S, SignedRequest, verify_request

__all__ = [
    "BatchResult",
    "Consent",
    "Credit",
    "CreditedPeriod",
    "CreditedTrip",
    "IntakeContext",
    "Outcome",
    "RecordedUse",
    "Scope",
    "context_scope",
    "intake_request",
    "outcomes",
    "validate_batch",
]


def validate_batch(
    partner_id: str,
    items: Sequence[BehaviourRecord | Mapping[str, Any]],
    ctx: IntakeContext,
    batch_reason: ReasonCode | None = None,
) -> BatchResult:
    """Validate one partner batch; every item gets an :class:`Outcome`, in batch order.

    items : records, or the partner's JSON objects (parsed with
        :func:`~nearzero.inclusion.records.record_from_mapping`).
    batch_reason : the reason from :func:`~nearzero.inclusion.security.verify_request`
        when the request failed it; every record then gets that reason.
    """
    result = validate_columns(
        partner_id,
        items,
        ctx,
        batch_reason=batch_reason,
        keep_reductions=True,
        keep_records=True,
    )
    return outcomes(result, items)


def outcomes(
    result: ColumnarResult, items: Sequence[BehaviourRecord | Mapping[str, Any]]
) -> BatchResult:
    """The columns of :func:`~nearzero.inclusion.columnar.validate_columns` (run with
    ``keep_reductions`` and ``keep_records``) as one :class:`Outcome` per item."""
    out: list[Outcome] = []
    batch = result.batch_reason is not None
    for i, item in enumerate(items):
        reason = result.reason_of(i)
        record = None if batch else result.records.get(i)
        if record is None and not batch and isinstance(item, BehaviourRecord):
            record = item  # a record the checks refused as malformed
        credit = None
        if reason is None:
            assert record is not None
            k = int(result.capped[i])
            credit = Credit(
                record, result.reductions[i], int(result.grams[i]), None if k < 0 else REASONS[k]
            )
        out.append(
            Outcome(
                i,
                result.partner_id,
                result.partner_record_id[i],
                reason,
                result.detail_of(i),
                record,
                credit,
                result.ref_of(i),
            )
        )
    return BatchResult(result.partner_id, tuple(out), result.batch_reason)


def intake_request(
    request: SignedRequest,
    ctx: IntakeContext,
    secrets: Mapping[str, bytes],
    now_s: int,
    seen_nonces: Container[tuple[str, str]],
    window_s: int = DEFAULT_WINDOW_S,
) -> BatchResult:
    """Verify a signed partner request and validate its batch (body ``{"records": [...]}``).

    A request that fails verification gets a result in which every record carries the
    batch-level reason; a body that is not a JSON object with a ``records`` list gives no
    outcomes and ``batch_reason`` MALFORMED (or the verification reason).
    """
    reason = verify_request(request, secrets, now_s, seen_nonces, window_s)
    try:
        body = json.loads(request.body.decode("utf-8"))
        items = body["records"] if isinstance(body, Mapping) else None
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError):
        items = None
    if not isinstance(items, list):
        return BatchResult(request.partner_id, (), reason or ReasonCode.MALFORMED)
    return validate_batch(request.partner_id, items, ctx, batch_reason=reason)
