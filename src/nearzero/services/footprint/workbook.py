"""The Excel template for a product system's foreground data, and its reader.

Three sheets a person fills in (plus 说明, the instructions and the footprint factors one may
name): ``产品系统`` (the functional unit and the method choices, one item a row), ``流`` (the
flows, one a row) and ``过程`` (the processes' exchanges, one a row; a process's name, stage
and reference flow on its first row). The reader checks every cell it needs, refusing with
the sheet, row and column and what was expected; what the cells mean together (a flow without
provider, units that do not convert) is checked by the engine, which names the process and
exchange. The upload passes :func:`nearzero.services.xlsx_guard.check_xlsx` before openpyxl
reads it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from nearzero.footprint.factors import footprint_library
from nearzero.footprint.fileformat import SCHEMA, parse
from nearzero.footprint.model import FootprintError, ProductSystem
from nearzero.services.context import InvalidInput
from nearzero.services.xlsx_guard import check_xlsx

SYSTEM, FLOWS, PROCESSES, HELP = "产品系统", "流", "过程", "说明"
#: 产品系统: (label, key, kind, required)
SYSTEM_ROWS: tuple[tuple[str, str, str, bool], ...] = (
    ("产品名称 name", "name", "text", True),
    ("功能单位 functional_unit", "functional_unit", "text", True),
    ("基准流（流编号）reference_flow", "reference_flow", "text", True),
    ("数量 amount", "amount", "number", True),
    ("单位 unit", "unit", "text", True),
    ("系统边界 boundary", "boundary", "text", False),
    ("分配方法 allocation（mass / economic / system_expansion）", "allocation", "text", False),
    ("GWP gwp_set", "gwp_set", "text", False),
)
#: 流 and 过程 columns: (header, key, kind, required)
FLOW_COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    ("编号 id", "id", "text", True),
    ("名称 name", "name", "text", False),
    ("单位 unit", "unit", "text", True),
    ("类型 kind（product / elementary）", "kind", "text", False),
    ("类别 family（fossil / biogenic / land_use_change / aircraft）", "family", "text", False),
    ("气体 gas", "gas", "text", False),
    ("特征化因子 cf（kgCO2e/单位）", "cf", "number", False),
)
PROCESS_COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    ("过程编号 process", "process", "text", True),
    ("过程名称 name", "process_name", "text", False),
    ("生命周期阶段 stage", "stage", "text", False),
    ("基准流 reference", "reference", "text", False),
    ("流 flow", "flow", "text", True),
    ("数量 amount", "amount", "number", True),
    ("单位 unit", "unit", "text", True),
    ("方向 direction（input / output）", "direction", "text", False),
    ("供应过程 provider", "provider", "text", False),
    ("碳足迹因子 factor", "factor", "text", False),
    ("质量 mass（kg）", "mass", "number", False),
    ("价值 price（元）", "price", "number", False),
    ("替代产品 substitutes", "substitutes", "text", False),
    ("取舍 cut_off（是/否）", "cut_off", "bool", False),
)
#: An example a person can overwrite: 1 t of a product made with electricity and coal.
EXAMPLE_SYSTEM = (
    "示例产品（illustrative）",
    "1 t 示例产品，出厂",
    "product",
    1,
    "t",
    "cradle-to-gate",
)
EXAMPLE_FLOWS = (
    ("product", "示例产品", "t", "product", "", "", None),
    ("coal", "原煤", "t", "product", "", "", None),
    ("co2", "CO2 化石", "kg", "elementary", "fossil", "CO2", None),
)
EXAMPLE_PROCESSES = (
    ("plant", "本厂生产", "production", "product", "product", 1, "t", "output"),
    ("plant", "", "", "", "coal", 0.2, "t", "input", "mine"),
    ("plant", "", "", "", "electricity", 80, "kWh", "input", "", "cn_elec_fp_2024_national"),
    ("plant", "", "", "", "co2", 400, "kg", "output"),
    ("mine", "原煤开采", "raw materials", "coal", "coal", 1, "t", "output"),
    ("mine", "", "", "", "co2", 15, "kg", "output"),
)
TRUE = {"是", "true", "yes", "1", "y", "t"}
FALSE = {"否", "false", "no", "0", "n", "f", ""}
HEAD = PatternFill("solid", fgColor="D9E2F3")


def template() -> bytes:
    """The Excel template (.xlsx bytes) with an illustrative example filled in."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SYSTEM
    sheet.append(["项目", "填写"])
    for (label, _key, _kind, _req), value in zip(
        SYSTEM_ROWS, (*EXAMPLE_SYSTEM, "", ""), strict=True
    ):
        sheet.append([label, value])
    flows = book.create_sheet(FLOWS)
    flows.append([c[0] for c in FLOW_COLUMNS])
    for flow_row in EXAMPLE_FLOWS:
        flows.append(list(flow_row))
    processes = book.create_sheet(PROCESSES)
    processes.append([c[0] for c in PROCESS_COLUMNS])
    for process_row in EXAMPLE_PROCESSES:
        processes.append(list(process_row))
    notes = book.create_sheet(HELP)
    for line in (
        ["产品碳足迹前景数据模板（GB/T 24067-2024）。示例数据为假设，请替换为本企业数据。"],
        ["“产品系统”：功能单位与方法选择；“流”：产品与温室气体；“过程”：每行一项输入或输出。"],
        ["数量均为非负数，方向（input/output）表示输入或输出；温室气体的 input 表示吸收（清除）。"],
        ["外购电力等背景输入在“碳足迹因子”列填写下列因子编号，不需要定义流。"],
        [],
        ["因子编号", "说明", "数值", "单位", "年份", "来源", "状态"],
    ):
        notes.append(line)
    for r in footprint_library().records:
        status = "待确认" if r.status == "to_confirm" else "已核实"
        notes.append(
            [r.factor_id, r.source_table, r.value, r.unit, r.year, r.source_document, status]
        )
    for ws in (sheet, flows, processes):
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEAD
        for i in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(i)].width = 22
    sheet.column_dimensions["A"].width = 52
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _where(sheet: str, row: int, column: int, header: str) -> str:
    return f"sheet {sheet!r}, row {row}, column {get_column_letter(column)} ({header})"


def _value(raw: Any, kind: str, where: Callable[[], str]) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            try:
                return float(str(raw).strip().replace(",", ""))
            except ValueError:
                raise InvalidInput(
                    f"{where()}: “{raw}”不是数字 — {raw!r} is not a number"
                ) from None
        return float(raw)
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise InvalidInput(f"{where()}: “{raw}”应为“是”或“否” — {raw!r}: expected 是 or 否")
    return str(raw).strip()


def _fixed(text: str) -> Callable[[], str]:
    return lambda: text


def _rows(
    book: Any, sheet: str, columns: Sequence[tuple[str, str, str, bool]]
) -> list[tuple[int, dict[str, Any]]]:
    if sheet not in book.sheetnames:
        raise InvalidInput(
            f"sheet {sheet!r}: 缺少该工作表，应使用模板的工作表 — "
            "missing; expected the sheets of the template"
        )
    ws = book[sheet]
    out = []
    for r, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        cells = list(values)[: len(columns)] + [None] * max(0, len(columns) - len(values))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        row: dict[str, Any] = {}
        for c, ((header, key, kind, required), raw) in enumerate(
            zip(columns, cells, strict=True), start=1
        ):

            def where(c: int = c, header: str = header, r: int = r) -> str:
                return _where(sheet, r, c, header)

            value = _value(raw, kind, where)
            if value is None and required:
                raise InvalidInput(f"{where()}: 必填 — required")
            if value is not None:
                row[key] = value
        out.append((r, row))
    return out


def read_workbook(data: bytes, name: str = "workbook.xlsx") -> ProductSystem:
    """A product system from the filled-in template (bytes); refusals name sheet, row, column."""
    check_xlsx(data, name)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(
            f"{name}: 不是Excel工作簿（.xlsx） — not an Excel workbook (.xlsx): {exc}"
        ) from None
    try:
        return _read(book, name)
    finally:
        book.close()


def _read(book: Any, name: str) -> ProductSystem:
    if SYSTEM not in book.sheetnames:
        raise InvalidInput(
            f"sheet {SYSTEM!r}: 缺少该工作表，应使用模板的工作表 — "
            "missing; expected the sheets of the template"
        )
    system: dict[str, Any] = {"schema": SCHEMA}
    found = {
        str(row[0]).strip(): (r, row[1] if len(row) > 1 else None)
        for r, row in enumerate(book[SYSTEM].iter_rows(min_row=2, values_only=True), start=2)
        if row and row[0] is not None
    }
    for label, key, kind, required in SYSTEM_ROWS:
        r, raw = found.get(label, (0, None))
        where = f"sheet {SYSTEM!r}, row {r}, column B ({label})" if r else f"sheet {SYSTEM!r}"
        value = _value(raw, kind, _fixed(where))
        if value is None:
            if required:
                raise InvalidInput(f"{where}: 必填“{label}” — {label} is required")
            continue
        system[key] = value
    flows = []
    for _r, row in _rows(book, FLOWS, FLOW_COLUMNS):
        flows.append(row)
    processes: dict[str, dict[str, Any]] = {}
    rows_of: dict[str, list[int]] = {}
    for r, row in _rows(book, PROCESSES, PROCESS_COLUMNS):
        pid = row.pop("process")
        p = processes.setdefault(pid, {"id": pid, "exchanges": []})
        rows_of.setdefault(pid, []).append(r)
        for key, target in (
            ("process_name", "name"),
            ("stage", "stage"),
            ("reference", "reference"),
        ):
            value = row.pop(key, None)
            if value is not None and target not in p:
                p[target] = value
        p["exchanges"].append(row)
    for pid, p in processes.items():
        if "reference" not in p:
            first = rows_of[pid][0]
            raise InvalidInput(
                f"{_where(PROCESSES, first, 4, PROCESS_COLUMNS[3][0])}: "
                f"过程“{pid}”的第一行须为其参考流 — "
                f"process {pid!r} needs its reference flow on its first row"
            )
    system["flows"] = flows
    system["processes"] = list(processes.values())
    try:
        return parse(system, name)
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None
