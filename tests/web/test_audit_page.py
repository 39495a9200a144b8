"""The office's audit page (issue #11.8): filters, times in China Standard Time (labelled), the
chain's state, an Excel export; department editors are refused."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.formatting import china_time
from nearzero.store.tables import AuditLog
from webclient import log_in, token


def test_office_reads_filters_and_exports_the_audit_log(client: Any, app: Any) -> None:
    page = log_in(client, "office")
    form = {"csrf_token": token(page.text), "year": "2022", "value": "5.6", "source": "核定"}
    saved = client.post("/indicators/21/values?unit=zhangqiu", data=form)
    assert saved.status_code == 200, saved.text

    view = client.get("/audit?unit=zhangqiu")
    assert view.status_code == 200
    assert "时间（北京时间）" in view.text
    assert "哈希链完整" in view.text
    with Session(app.state.engine) as session:
        newest = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert china_time(newest.at) in view.text

    only_office = client.get(f"/audit?unit=zhangqiu&who={newest.actor}")
    assert only_office.status_code == 200
    nobody = client.get("/audit?unit=zhangqiu&who=nobody")
    assert "符合条件0条" in nobody.text
    future = client.get("/audit?unit=zhangqiu&since=2099-01-01")
    assert "符合条件0条" in future.text
    bad = client.get("/audit?unit=zhangqiu&since=yesterday")
    assert bad.status_code == 400
    assert "since" in bad.text

    export = client.get(f"/audit.xlsx?unit=zhangqiu&who={newest.actor}")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "时间（北京时间）"
    assert sheet.max_row >= 2
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {newest.actor}


def test_a_department_editor_cannot_read_the_audit_log(client: Any) -> None:
    log_in(client, "drc")
    assert client.get("/audit?unit=zhangqiu").status_code == 403
    assert client.get("/audit.xlsx?unit=zhangqiu").status_code == 403
