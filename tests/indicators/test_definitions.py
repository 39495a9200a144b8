"""The catalogue keeps a unit's indicator definitions by its plan revision (issue #13 item 8):
read once per process, never mistaken for another database's unit of the same code and id,
and the migration that adds the revision keeps every row of the units it rewrites."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from sqlalchemy import event, text

from nearzero.indicators.catalogue import bundled_plan_path, parse_plan
from nearzero.services import indicators as svc, plans
from nearzero.services.context import Actor
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade


def plan_data() -> Any:
    return yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))


def load(url: str, data: Any) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            plans.load_plan(session, parse_plan(data), Actor.system("test"))
    finally:
        engine.dispose()


def names(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = svc.get_unit(session, "zhangqiu")
            return {v.row.code: v.row.name_zh for v in svc.catalogue(session, unit)}
    finally:
        engine.dispose()


def test_two_databases_with_the_same_unit_code_and_ids_keep_their_own_definitions(tmp_path):
    """Same code, same row ids, different plans: each database's pages show its own plan."""
    first, second = f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"
    data = plan_data()
    renamed = copy.deepcopy(data)
    renamed["indicators"][0]["name_zh"] = "改名后的指标"
    load(first, data)
    load(second, renamed)
    code = str(data["indicators"][0]["code"])
    assert names(first)[code] == data["indicators"][0]["name_zh"]
    assert names(second)[code] == "改名后的指标"
    assert names(first)[code] == data["indicators"][0]["name_zh"]  # and again, from the cache


def test_the_definitions_are_read_once_per_plan_revision(zhangqiu_url):
    engine = make_engine(zhangqiu_url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    try:
        with transaction(session_factory(engine)) as session:
            unit = svc.get_unit(session, "zhangqiu")
            svc.catalogue(session, unit)
            seen.clear()
            views = svc.catalogue(session, unit)
            assert views and not [q for q in seen if "indicator_part" in q]
            assert len(views) == len(svc.catalogue(session, unit, None))
            one = svc.catalogue(session, unit, views[3].row.code)
            assert [v.row.code for v in one] == [views[3].row.code]
            assert one[0].spec == views[3].spec
    finally:
        engine.dispose()


def test_the_plan_revision_migration_keeps_every_row_and_gives_each_unit_its_own(database_url):
    """0018 rebuilds ``demo_unit`` on SQLite: with foreign keys on, dropping the old table
    would delete every unit's categories, indicators and values by cascade."""
    upgrade(database_url, "0017")
    engine = make_engine(database_url)
    try:
        with engine.begin() as con:
            for code in ("a", "b"):
                con.execute(
                    text(
                        "INSERT INTO demo_unit (code, kind, name_zh, name_en, province_zh, "
                        "office_zh, base_year, target_year, plan_title_zh, plan_document_no) "
                        "VALUES (:c, 'city', 'U', 'U', '', '', 2020, 2025, '', '')"
                    ),
                    {"c": code},
                )
            con.execute(
                text(
                    "INSERT INTO category (unit_id, code, name_zh, name_en, position) "
                    "SELECT id, 'c', 'c', 'c', 0 FROM demo_unit"
                )
            )
            con.execute(
                text(
                    "INSERT INTO indicator_cycle (unit_id, evaluation_year, confirmation, "
                    "set_by, set_at) SELECT id, 2024, true, 'office', CURRENT_TIMESTAMP "
                    "FROM demo_unit"
                )
            )
        upgrade(database_url)
        with engine.begin() as con:
            revisions = con.execute(text("SELECT plan_revision FROM demo_unit")).scalars().all()
            assert len(revisions) == 2 and len(set(revisions)) == 2 and all(revisions)
            assert con.execute(text("SELECT count(*) FROM category")).scalar_one() == 2
            assert con.execute(text("SELECT count(*) FROM indicator_cycle")).scalar_one() == 2
    finally:
        engine.dispose()
