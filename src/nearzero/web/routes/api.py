"""JSON API: the same stable documents as the CLI's --json (docs/json.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nearzero.services import indicators as svc
from nearzero.web.deps import SessionDep, UnitDep, UserDep

router = APIRouter(prefix="/api")


@router.get("/evaluation")
def evaluation(
    session: SessionDep,
    user: UserDep,
    unit: UnitDep,
    year: Annotated[int, Query(ge=1990, le=2100)],
) -> dict[str, Any]:
    """Every indicator's status in ``year`` and the acceptance rule (schema evaluation/1)."""
    return svc.evaluation_to_dict(svc.evaluate_unit(session, unit, year))
