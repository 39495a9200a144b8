"""Queries on enterprises: the registry, facilities, annual reports, evidence, allowances and
efficiency values of a unit. ORM objects only; no row read by position."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from nearzero.store.tables.enterprise import (
    Enterprise,
    EnterpriseAllowance,
    EnterpriseEfficiency,
    EnterpriseEvidence,
    EnterpriseFacility,
    EnterpriseReport,
)
from nearzero.store.tables.users import UserAccount


def enterprises(session: Session, unit_id: int) -> list[Enterprise]:
    """The enterprises of a unit by name, with their facilities loaded."""
    query = (
        select(Enterprise)
        .where(Enterprise.unit_id == unit_id)
        .options(selectinload(Enterprise.facilities))
        .order_by(Enterprise.id)
    )
    return list(session.scalars(query))


def enterprise(session: Session, unit_id: int, key: str) -> Enterprise | None:
    """The enterprise ``key`` of a unit (facilities loaded), or None."""
    query = (
        select(Enterprise)
        .where(Enterprise.unit_id == unit_id, Enterprise.key == key)
        .options(selectinload(Enterprise.facilities))
    )
    return session.scalars(query).one_or_none()


def enterprise_by_code(session: Session, unit_id: int, credit_code: str) -> Enterprise | None:
    """The enterprise of a unit with this unified social credit code, or None."""
    query = select(Enterprise).where(
        Enterprise.unit_id == unit_id, Enterprise.credit_code == credit_code
    )
    return session.scalars(query).one_or_none()


def facility(session: Session, enterprise_id: int, key: str) -> EnterpriseFacility | None:
    query = select(EnterpriseFacility).where(
        EnterpriseFacility.enterprise_id == enterprise_id, EnterpriseFacility.key == key
    )
    return session.scalars(query).one_or_none()


def reports_of_unit(
    session: Session, unit_id: int, year: int | None = None, verifier: str | None = None
) -> list[EnterpriseReport]:
    """The reports of a unit's enterprises (of one year, of one verifier), newest year first."""
    query = (
        select(EnterpriseReport)
        .join(Enterprise, EnterpriseReport.enterprise_id == Enterprise.id)
        .where(Enterprise.unit_id == unit_id)
        .options(selectinload(EnterpriseReport.enterprise))
        .order_by(EnterpriseReport.year.desc(), Enterprise.id)
    )
    if year is not None:
        query = query.where(EnterpriseReport.year == year)
    if verifier is not None:
        query = query.where(EnterpriseReport.verifier == verifier)
    return list(session.scalars(query))


def reports_of(session: Session, enterprise_id: int) -> list[EnterpriseReport]:
    """An enterprise's reports, newest year first."""
    query = (
        select(EnterpriseReport)
        .where(EnterpriseReport.enterprise_id == enterprise_id)
        .order_by(EnterpriseReport.year.desc())
    )
    return list(session.scalars(query))


def report(session: Session, report_id: int) -> EnterpriseReport | None:
    query = (
        select(EnterpriseReport)
        .where(EnterpriseReport.id == report_id)
        .options(selectinload(EnterpriseReport.enterprise))
    )
    return session.scalars(query).one_or_none()


def report_of_year(session: Session, enterprise_id: int, year: int) -> EnterpriseReport | None:
    query = select(EnterpriseReport).where(
        EnterpriseReport.enterprise_id == enterprise_id, EnterpriseReport.year == year
    )
    return session.scalars(query).one_or_none()


def report_years(session: Session, unit_id: int) -> list[int]:
    """The years with at least one report in the unit, newest first."""
    query = (
        select(EnterpriseReport.year)
        .join(Enterprise, EnterpriseReport.enterprise_id == Enterprise.id)
        .where(Enterprise.unit_id == unit_id)
        .distinct()
        .order_by(EnterpriseReport.year.desc())
    )
    return list(session.scalars(query))


def evidence_of(session: Session, enterprise_id: int, year: int) -> list[EnterpriseEvidence]:
    """The evidence files of an enterprise's year in upload order."""
    query = (
        select(EnterpriseEvidence)
        .where(EnterpriseEvidence.enterprise_id == enterprise_id, EnterpriseEvidence.year == year)
        .order_by(EnterpriseEvidence.id)
    )
    return list(session.scalars(query))


def filed_items(session: Session, unit_id: int, year: int) -> set[tuple[str, int, int, str]]:
    """(enterprise key, year, month, item) of every calendar item filed in a unit's year."""
    query = (
        select(
            Enterprise.key,
            EnterpriseEvidence.year,
            EnterpriseEvidence.month,
            EnterpriseEvidence.item,
        )
        .join(Enterprise, EnterpriseEvidence.enterprise_id == Enterprise.id)
        .where(
            Enterprise.unit_id == unit_id,
            EnterpriseEvidence.year == year,
            EnterpriseEvidence.month.is_not(None),
            EnterpriseEvidence.item != "",
        )
    )
    return {(r.key, r.year, r.month, r.item) for r in session.execute(query)}


def evidence(session: Session, evidence_id: int) -> EnterpriseEvidence | None:
    return session.get(EnterpriseEvidence, evidence_id)


def allowances(session: Session, unit_id: int, year: int) -> list[EnterpriseAllowance]:
    """The allowance rows of a unit's enterprises for ``year``."""
    query = (
        select(EnterpriseAllowance)
        .join(Enterprise, EnterpriseAllowance.enterprise_id == Enterprise.id)
        .where(Enterprise.unit_id == unit_id, EnterpriseAllowance.year == year)
    )
    return list(session.scalars(query))


def allowance(session: Session, enterprise_id: int, year: int) -> EnterpriseAllowance | None:
    query = select(EnterpriseAllowance).where(
        EnterpriseAllowance.enterprise_id == enterprise_id, EnterpriseAllowance.year == year
    )
    return session.scalars(query).one_or_none()


def efficiencies(
    session: Session, unit_id: int, year: int
) -> list[tuple[EnterpriseFacility, EnterpriseEfficiency]]:
    """(facility, value) of a unit's facilities with a value for ``year``."""
    query = (
        select(EnterpriseFacility, EnterpriseEfficiency)
        .join(EnterpriseEfficiency, EnterpriseEfficiency.facility_id == EnterpriseFacility.id)
        .join(Enterprise, EnterpriseFacility.enterprise_id == Enterprise.id)
        .where(Enterprise.unit_id == unit_id, EnterpriseEfficiency.year == year)
        .order_by(Enterprise.id, EnterpriseFacility.id)
    )
    return [(row.EnterpriseFacility, row.EnterpriseEfficiency) for row in session.execute(query)]


def efficiency(session: Session, facility_id: int, year: int) -> EnterpriseEfficiency | None:
    query = select(EnterpriseEfficiency).where(
        EnterpriseEfficiency.facility_id == facility_id, EnterpriseEfficiency.year == year
    )
    return session.scalars(query).one_or_none()


def counts(session: Session, unit_id: int | None = None) -> dict[str, int]:
    """Rows in each enterprise table (of one unit when given): for checks that nothing was
    written."""
    out: dict[str, int] = {}
    for name, table in (
        ("enterprise", Enterprise),
        ("facility", EnterpriseFacility),
        ("report", EnterpriseReport),
        ("evidence", EnterpriseEvidence),
        ("allowance", EnterpriseAllowance),
        ("efficiency", EnterpriseEfficiency),
    ):
        query = select(func.count()).select_from(table)
        if unit_id is not None and table is Enterprise:
            query = query.where(Enterprise.unit_id == unit_id)
        out[name] = int(session.scalar(query) or 0)
    return out


def verifier_usernames(session: Session) -> list[str]:
    """The active accounts with role ``verifier``, by username."""
    query = (
        select(UserAccount.username)
        .where(UserAccount.role == "verifier", UserAccount.active)
        .order_by(UserAccount.username)
    )
    return list(session.scalars(query))
