"""GHG inventory queries: a unit's activity data sets, local factors and runs.

The tables are in :mod:`nearzero.store.tables.inventory`; the use cases (rights, the audit
log, computing) in :mod:`nearzero.services.inventory`. Functions return ORM objects or None;
they never decide what a missing row means.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.inventory import InventoryDataset, InventoryFactor, InventoryRun


def datasets(session: Session, unit_id: int) -> list[InventoryDataset]:
    """The unit's activity data sets, oldest year first."""
    query = select(InventoryDataset).where(InventoryDataset.unit_id == unit_id)
    return list(session.scalars(query.order_by(InventoryDataset.year)))


def dataset_years(session: Session, unit_id: int) -> list[int]:
    """The years of the unit's activity data sets, oldest first (their documents unread)."""
    query = select(InventoryDataset.year).where(InventoryDataset.unit_id == unit_id)
    return list(session.scalars(query.order_by(InventoryDataset.year)))


def dataset(session: Session, unit_id: int, year: int) -> InventoryDataset | None:
    """The unit's activity data of ``year``, or None."""
    query = select(InventoryDataset).where(
        InventoryDataset.unit_id == unit_id, InventoryDataset.year == year
    )
    return session.scalar(query)


def local_factors(session: Session, unit_id: int) -> list[InventoryFactor]:
    """The unit's local (Tier 2) factors by id."""
    query = select(InventoryFactor).where(InventoryFactor.unit_id == unit_id)
    return list(session.scalars(query.order_by(InventoryFactor.factor_id)))


def local_factor(session: Session, unit_id: int, factor_id: str) -> InventoryFactor | None:
    """The unit's local factor ``factor_id``, or None."""
    query = select(InventoryFactor).where(
        InventoryFactor.unit_id == unit_id, InventoryFactor.factor_id == factor_id
    )
    return session.scalar(query)


def latest_run(session: Session, unit_id: int, year: int, gwp_set: str) -> InventoryRun | None:
    """The newest run of ``year`` in ``gwp_set``, or None."""
    query = (
        select(InventoryRun)
        .where(
            InventoryRun.unit_id == unit_id,
            InventoryRun.year == year,
            InventoryRun.gwp_set == gwp_set,
        )
        .order_by(InventoryRun.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def runs(session: Session, unit_id: int, year: int | None = None) -> list[InventoryRun]:
    """The unit's runs (of one year), newest first."""
    query = select(InventoryRun).where(InventoryRun.unit_id == unit_id)
    if year is not None:
        query = query.where(InventoryRun.year == year)
    return list(session.scalars(query.order_by(InventoryRun.id.desc())))


def save(session: Session, row: InventoryDataset | InventoryFactor | InventoryRun) -> None:
    """Write a row (new or changed) and flush, so a new one has its id."""
    session.add(row)
    session.flush()


def delete(session: Session, row: InventoryDataset | InventoryFactor | InventoryRun) -> None:
    """Delete a row and flush."""
    session.delete(row)
    session.flush()
