"""The cross-check service on SQLite and PostgreSQL: the year's inventory against three
firms' reports, with the enterprise side pinned to figures worked by hand."""

from __future__ import annotations

import pytest

from nearzero.services import inventory
from nearzero.services.context import Actor, PermissionDenied, Role
from nearzero.services.enterprise import report
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction

from . import firms_2022 as ex


def _inventory_co2(session, unit, prefix):
    result, _ = inventory.result_for(session, unit, ex.YEAR)
    return sum(
        r.tonnes
        for r in result.records
        if r.gas == "CO2" and r.scope == 1 and (r.category + ".").startswith(prefix + ".")
    )


def test_crosscheck_by_category(sessions):
    with transaction(sessions) as session:
        ex.load(session)
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        page = report.crosscheck_page(session, ex.OFFICE, unit, ex.YEAR)
        rows = {r.code: r for r in page.rows}
        inv_power = _inventory_co2(session, unit, "1.A.1.a")
        inv_manuf = _inventory_co2(session, unit, "1.A.2")
    assert inv_power > 0 and inv_manuf > 0
    assert list(rows) == ["1.A.1.a", "1.A.2", "2.A.1", "2.B.1"]
    power = rows["1.A.1.a"]
    assert power.enterprise_tco2 == pytest.approx(1796.6666667, abs=1e-6)
    assert power.difference == pytest.approx(inv_power - 1796.6666667, abs=1e-6)
    assert power.share_pct == pytest.approx(1796.6666667 / inv_power * 100)
    assert power.basis == "verified"  # confirmed report: the verified figures
    # 1.A.2.f (cement) is compared at the inventory's level, 1.A.2
    assert rows["1.A.2"].enterprise_tco2 == pytest.approx(4110.7733333, abs=1e-6)
    assert rows["1.A.2"].basis == "reported"
    assert rows["1.A.2"].title_zh == "制造业和建筑业"
    assert rows["2.A.1"].enterprise_tco2 == pytest.approx(53271.4285714, abs=1e-6)
    assert rows["2.B.1"].enterprise_tco2 == pytest.approx(2750 - 1100, abs=1e-6)
    assert rows["2.A.1"].inventory_tco2 == 0 and rows["2.A.1"].share_pct is None
    headers, table = page.table()
    assert headers[0] == "清单类别代码" and table[0][0] == "1.A.1.a"
    assert table[0][3] == pytest.approx(1796.666667, abs=1e-6)


def test_crosscheck_without_inventory_says_why_and_verifiers_are_refused(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        page = report.crosscheck_page(session, ex.OFFICE, unit, 2019)
        assert page.check is None and "尚无清单活动数据" in page.reason and page.rows == ()
        with pytest.raises(PermissionDenied):
            report.crosscheck_page(session, Actor("v", Role.VERIFIER), unit, 2019)
