"""Queries of the two-high project list, its sources and the indicator ledger."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.ledger import SqlLedger
from nearzero.store.tables.enterprise import EnterpriseReport
from nearzero.store.tables.twohigh import (
    TwoHighEvidence,
    TwoHighNeed,
    TwoHighProject,
    TwoHighRatio,
    TwoHighReduction,
    TwoHighRequirement,
    TwoHighSource,
    TwoHighStageChange,
)
from nearzero.twohigh.bank import TWOHIGH_CHART


def ledger(session: Session) -> SqlLedger:
    """The two-high indicator ledger on the session's transaction."""
    return SqlLedger(session, TWOHIGH_CHART)


def projects(session: Session, unit_id: int) -> list[TwoHighProject]:
    return list(
        session.scalars(
            select(TwoHighProject)
            .where(TwoHighProject.unit_id == unit_id)
            .order_by(TwoHighProject.code)
        )
    )


def project(session: Session, unit_id: int, code: str) -> TwoHighProject | None:
    return session.scalars(
        select(TwoHighProject).where(TwoHighProject.unit_id == unit_id, TwoHighProject.code == code)
    ).first()


def project_for_update(session: Session, unit_id: int, code: str) -> TwoHighProject | None:
    """The project row locked for the rest of the transaction (PostgreSQL), so that two
    movements for the same project are checked against its requirement one after the other."""
    return session.scalars(
        select(TwoHighProject)
        .where(TwoHighProject.unit_id == unit_id, TwoHighProject.code == code)
        .with_for_update()
    ).first()


def stage_changes(session: Session, project_id: int) -> list[TwoHighStageChange]:
    return list(
        session.scalars(
            select(TwoHighStageChange)
            .where(TwoHighStageChange.project_id == project_id)
            .order_by(TwoHighStageChange.id)
        )
    )


def needs(session: Session, project_id: int) -> list[TwoHighNeed]:
    return list(
        session.scalars(
            select(TwoHighNeed).where(TwoHighNeed.project_id == project_id).order_by(TwoHighNeed.id)
        )
    )


def need(session: Session, project_id: int, dimension: str) -> TwoHighNeed | None:
    return session.scalars(
        select(TwoHighNeed).where(
            TwoHighNeed.project_id == project_id, TwoHighNeed.dimension == dimension
        )
    ).first()


def requirements(
    session: Session, project_id: int, *, current_only: bool = True
) -> list[TwoHighRequirement]:
    query = select(TwoHighRequirement).where(TwoHighRequirement.project_id == project_id)
    if current_only:
        query = query.where(TwoHighRequirement.current.is_(True))
    return list(session.scalars(query.order_by(TwoHighRequirement.id)))


def current_requirements(session: Session, unit_id: int) -> dict[str, list[TwoHighRequirement]]:
    """Project code → its current requirements, for every project of the unit."""
    rows = session.execute(
        select(TwoHighProject.code, TwoHighRequirement)
        .join(TwoHighRequirement, TwoHighRequirement.project_id == TwoHighProject.id)
        .where(TwoHighProject.unit_id == unit_id, TwoHighRequirement.current.is_(True))
        .order_by(TwoHighRequirement.id)
    )
    out: dict[str, list[TwoHighRequirement]] = defaultdict(list)
    for code, req in rows:
        out[code].append(req)
    return dict(out)


def office_ratios(session: Session, unit_id: int) -> list[TwoHighRatio]:
    return list(
        session.scalars(
            select(TwoHighRatio).where(TwoHighRatio.unit_id == unit_id).order_by(TwoHighRatio.id)
        )
    )


def office_ratio(session: Session, unit_id: int, ratio_id: str) -> TwoHighRatio | None:
    return session.scalars(
        select(TwoHighRatio).where(
            TwoHighRatio.unit_id == unit_id, TwoHighRatio.ratio_id == ratio_id
        )
    ).first()


def sources(session: Session, unit_id: int) -> list[TwoHighSource]:
    return list(
        session.scalars(
            select(TwoHighSource)
            .where(TwoHighSource.unit_id == unit_id)
            .order_by(TwoHighSource.code)
        )
    )


def source(session: Session, unit_id: int, code: str) -> TwoHighSource | None:
    return session.scalars(
        select(TwoHighSource).where(TwoHighSource.unit_id == unit_id, TwoHighSource.code == code)
    ).first()


def reductions(session: Session, source_id: int) -> list[TwoHighReduction]:
    return list(
        session.scalars(
            select(TwoHighReduction)
            .where(TwoHighReduction.source_id == source_id)
            .order_by(TwoHighReduction.id)
        )
    )


def reductions_of_unit(session: Session, unit_id: int) -> dict[str, list[TwoHighReduction]]:
    """Source code → its reductions."""
    rows = session.execute(
        select(TwoHighSource.code, TwoHighReduction)
        .join(TwoHighReduction, TwoHighReduction.source_id == TwoHighSource.id)
        .where(TwoHighSource.unit_id == unit_id)
        .order_by(TwoHighReduction.id)
    )
    out: dict[str, list[TwoHighReduction]] = defaultdict(list)
    for code, red in rows:
        out[code].append(red)
    return dict(out)


def evidence_of(session: Session, source_id: int) -> list[TwoHighEvidence]:
    return list(
        session.scalars(
            select(TwoHighEvidence)
            .where(TwoHighEvidence.source_id == source_id)
            .order_by(TwoHighEvidence.id)
        )
    )


def evidence(session: Session, evidence_id: int) -> TwoHighEvidence | None:
    return session.get(TwoHighEvidence, evidence_id)


def firm_emissions(session: Session, enterprise_id: int) -> dict[int, Decimal]:
    """A firm's emissions per year [t CO2]: the verified figure where there is one, else
    the reported one."""
    rows = session.execute(
        select(
            EnterpriseReport.year, EnterpriseReport.verified_tco2, EnterpriseReport.reported_tco2
        ).where(EnterpriseReport.enterprise_id == enterprise_id)
    )
    return {
        int(r.year): Decimal(r.verified_tco2 if r.verified_tco2 is not None else r.reported_tco2)
        for r in rows
    }
