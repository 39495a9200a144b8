"""The acceptance dossier: workbook, report in both formats, evidence files, SHA-256 manifest."""

import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nearzero.reports.dossier import CONTENTS, MANIFEST, Entry, Missing, build_dossier
from nearzero.services import report as svc
from nearzero.services.indicators import get_unit
from nearzero.store import tables as m
from nearzero.store.db import transaction

STEM = "济南市章丘区_2022年度评估报告"


def add_evidence(session, number, filename, content):
    project = session.scalar(select(m.KeyProject).where(m.KeyProject.number == number))
    row = m.ProjectEvidence(
        project_id=project.id,
        filename=filename,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by="drc",
    )
    session.add(row)
    return row.sha256


@pytest.fixture
def dossier(sessions, tmp_path):
    store = tmp_path / "evidence"
    store.mkdir()
    present = b"%PDF-1.4 acceptance letter"
    tampered = b"%PDF-1.4 original"
    with transaction(sessions) as session:
        sha = add_evidence(session, 3, "并网验收单.pdf", present)
        (store / sha).write_bytes(present)
        add_evidence(session, 3, "../并网验收单.pdf", present)  # same name once made safe
        add_evidence(session, 10, "开工证明.pdf", b"%PDF-1.4 never stored")
        bad = add_evidence(session, 11, "验收报告.pdf", tampered)
        (store / bad).write_bytes(b"%PDF-1.4 changed afterwards")
    steps = []
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        built = svc.build_file(
            session, unit, 2022, "dossier", lambda s, f: steps.append(f), evidence_store=store
        )
    return built, steps, present


def test_dossier_holds_every_file_the_manifest_matches_and_the_workbook(dossier):
    built, steps, present = dossier
    assert built.filename == "济南市章丘区_2022年度验收材料.zip"
    assert steps == sorted(steps) and steps[-1] == 1.0
    archive = zipfile.ZipFile(io.BytesIO(built.data))
    names = archive.namelist()
    evidence = "佐证材料/03_光伏发电项目/并网验收单.pdf"
    assert set(names) >= {
        "2022年指标完成情况.xlsx",
        f"{STEM}.docx",
        f"{STEM}.pdf",
        evidence,
        MANIFEST,
        CONTENTS,
    }
    assert archive.read(evidence) == present
    assert archive.read(f"{STEM}.pdf").startswith(b"%PDF")
    manifest = json.loads(archive.read(MANIFEST))
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(names) - {MANIFEST, CONTENTS}
    for path, entry in listed.items():
        data = archive.read(path)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert len(data) == entry["size"]
    duplicate = [p for p in listed if p.startswith("佐证材料/03_") and p != evidence]
    assert len(duplicate) == 1 and duplicate[0].endswith("_并网验收单.pdf")  # no "../"
    missing = {x["path"]: x["reason"] for x in manifest["missing"]}
    assert missing["佐证材料/10_燃气机组热电项目/开工证明.pdf"].startswith("文件缺失")
    assert (
        missing["佐证材料/11_有机废气资源回收利用项目/验收报告.pdf"]
        == "文件内容与登记的SHA-256不符"
    )
    contents = archive.read(CONTENTS).decode("utf-8-sig")
    for path, entry in listed.items():
        assert f"{entry['sha256']}  {path}" in contents
    assert "缺失文件" in contents and "开工证明.pdf" in contents

    # the indicator workbook: values per year (numbers), target, status, basis, evidence
    book = load_workbook(io.BytesIO(archive.read("2022年指标完成情况.xlsx")))
    assert book.sheetnames == ["主要指标", "任务目标", "验收条件"]
    sheet = book["主要指标"]
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    by_code = {r[col["序号"]]: r for r in rows if not str(r[col["指标名称"]]).startswith("其中")}
    assert sorted(by_code, key=int) == [str(n) for n in range(1, 36)]
    no1 = by_code["1"]
    assert no1[col["2022年"]] == 8537813.87  # a number, not text
    assert no1[col["完成情况"]] == "完成" and no1[col["判定依据"]] == "数据计算"
    assert no1[col["目标值"]] == pytest.approx(9290749.01)
    no3 = by_code["3"]
    assert no3[col["完成情况"]] == "未完成" and no3[col["差距"]] == pytest.approx(0.0286)
    no4 = by_code["4"]
    assert no4[col["判定依据"]] == "办公室评估"
    assert "华明水泥" in no4[col["办公室评估与佐证"]]
    accept = [[c.value for c in r] for r in book["验收条件"].iter_rows()]
    assert accept[1][:3] == ["约束指标", 18, 12]


def test_dossier_builder_alone():
    data = build_dossier(
        "t", [Entry("a.txt", "A", b"a")], [Missing("b.txt", "B", "0" * 64, "文件缺失")]
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["a.txt", MANIFEST, CONTENTS]
    manifest = json.loads(archive.read(MANIFEST))
    assert manifest["files"][0]["sha256"] == hashlib.sha256(b"a").hexdigest()
    assert manifest["missing"][0]["path"] == "b.txt"
