"""The ``nearzero`` command. It parses options and calls services; no logic lives here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from nearzero.indicators.catalogue import PlanError, bundled_plan_path, load_plan
from nearzero.services import indicators as indicator_service
from nearzero.services import plans, users
from nearzero.services.context import Actor, ServiceError
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade

app = typer.Typer(help="nearzero: run a near-zero-carbon city demonstration.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="The bundled demonstration data (Zhangqiu).", no_args_is_help=True)
plan_app = typer.Typer(help="Demonstration units' plans.", no_args_is_help=True)
ind_app = typer.Typer(help="The indicator system.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(plan_app, name="plan")
app.add_typer(ind_app, name="indicators")

console = Console()
err = Console(stderr=True)

UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="Unit code (default: the first loaded).")
]


@contextmanager
def _db(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction on the configured database; the engine is closed afterwards."""
    engine = make_engine((settings or Settings()).database_url)
    try:
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    settings = Settings()
    upgrade(settings.database_url)
    console.print(f"database at {settings.database_url} is up to date")


def _load(path: Path, actor: Actor) -> bool:
    try:
        plan = load_plan(path)
    except PlanError as exc:
        _fail(str(exc))
    with _db() as session:
        if plans.unit_exists(session, plan.unit.code):
            return False
        plans.load_plan(session, plan, actor, source=f"{plan.unit.plan_title_zh}（{path.name}）")
    return True


@plan_app.command("load")
def plan_load(path: Path) -> None:
    """Load a unit's plan file (YAML, the shape of data/units/zhangqiu.yaml)."""
    if not _load(path, Actor.system("cli")):
        _fail(f"the unit of {path} is already loaded")
    console.print(f"loaded {path}")


@demo_app.command("load")
def demo_load() -> None:
    """Load the bundled Zhangqiu plan and the demo accounts (skips what is already there)."""
    settings = Settings()
    if settings.env == "production":
        _fail("demo data is refused in production")
    loaded = _load(bundled_plan_path("zhangqiu"), Actor.system("demo"))
    with _db(settings) as session:
        unit = indicator_service.get_unit(session, "zhangqiu")
        users.ensure_demo_accounts(session, unit)
        if loaded:
            from nearzero.services import projects as project_service

            project_service.load_bundled_figures(session, Actor.system("demo"), unit)
    console.print("Zhangqiu plan " + ("loaded" if loaded else "already loaded"))
    console.print(
        f"Log in at http://{settings.host}:{settings.port}/login with password "
        f"[bold]{users.DEMO_PASSWORD}[/bold] as one of:"
    )
    for username, role, department, name in users.DEMO_ACCOUNTS:
        where = f"（{department}）" if department else ""
        console.print(f"  {username:<8} {role.label_zh}{where} {name}")


@ind_app.command("evaluate")
def indicators_evaluate(
    year: Annotated[int, typer.Option("--year", help="The year to evaluate.")],
    unit: UnitOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON (docs/json.md).")] = False,
) -> None:
    """Every indicator's status in YEAR and the provincial acceptance rule."""
    try:
        with _db() as session:
            ev = indicator_service.evaluate_unit(
                session, indicator_service.get_unit(session, unit), year
            )
            data = indicator_service.evaluation_to_dict(ev)
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_evaluation(data)


def _print_evaluation(data: dict[str, Any]) -> None:
    labels = {"met": "[green]完成[/]", "not_met": "[red]未完成[/]", "no_data": "无数据",
              "needs_assessment": "[yellow]待评估[/]"}  # fmt: skip
    table = Table(title=f"{data['unit']['name_zh']} {data['year']}年 指标评估")
    for col in ("序号", "指标名称", "属性", "数值", "目标", "完成情况", "差距", "2025趋势"):
        table.add_column(col)
    attr = {"binding": "约束", "reference": "参考", "featured": "特色", None: "任务"}
    for item in data["indicators"] + data["task_targets"]:
        target = item["target"]
        projection = item["projection"] or {}
        table.add_row(
            item["code"],
            item["name_zh"],
            attr[item["attribute"]],
            "" if item["value"] is None else f"{item['value']:g}",
            f"{target['comparator']} {target['value']:g}"
            if target
            else item["target_text_zh"][:20],
            labels[item["status"]] + ("（评估）" if item["basis"] == "assessment" else ""),
            "" if item["gap"] is None else f"{item['gap']:g}",
            {"on_track": "可达", "off_track": "难达"}.get(projection.get("trend", ""), ""),
        )
    console.print(table)
    a = data["acceptance"]
    console.print(
        f"约束指标 {a['binding']['met']}/{a['binding']['total']}，"
        f"参考指标 {a['reference']['met']}/{a['reference']['total']}"
        f"（需 ≥{a['reference']['required']}），"
        + ("[green]具备验收条件[/]" if a["ready"] else "[red]尚不具备验收条件[/]")
    )


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the dashboard."""
    import uvicorn

    from nearzero.web.app import create_app

    settings = Settings()
    settings = settings.model_copy(
        update={"host": host or settings.host, "port": port or settings.port}
    )
    console.print(f"nearzero dashboard: http://{settings.host}:{settings.port}/")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


# --------------------------------------------------------------------------- Excel workbooks


@ind_app.command("export")
def indicators_export(
    path: Annotated[Path, typer.Argument(help="The .xlsx file to write.")],
    year: Annotated[
        int | None, typer.Option("--year", help="The year to fill in (default: last year).")
    ] = None,
    unit: UnitOpt = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="Only this department's indicators (its code)."),
    ] = None,
) -> None:
    """Write the Excel template a department fills in (values on record prefilled)."""
    import datetime as dt

    from nearzero.services import workbook

    engine = make_engine(Settings().database_url)
    try:
        with transaction(session_factory(engine)) as session:
            target = indicator_service.get_unit(session, unit)
            chosen = year if year is not None else dt.date.today().year - 1
            rows = workbook.export_template(session, target, path, chosen, department)
            name = target.name_zh
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    console.print(
        f"已导出 {name} {chosen}年 指标填报模板：{path}（{rows}行） — template written",
        highlight=False,
        soft_wrap=True,
    )


@ind_app.command("import")
def indicators_import(
    path: Annotated[Path, typer.Argument(help="The filled-in .xlsx template.")],
    unit: UnitOpt = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Import as this user (default: the office, as 'cli')."),
    ] = None,
) -> None:
    """Import a filled-in template; any bad row rejects the whole file (exit code 2)."""
    from nearzero.services import workbook
    from nearzero.services.context import InvalidInput

    engine = make_engine(Settings().database_url)
    try:
        with transaction(session_factory(engine)) as session:
            target = indicator_service.get_unit(session, unit)
            actor = workbook.actor_for(session, as_user, target)
            result = workbook.import_workbook(session, actor, target, path)
    except InvalidInput as exc:
        typer.echo(f"error: {exc}", err=True)
        for line in exc.errors if exc.errors != [str(exc)] else []:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(2) from None
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    console.print(
        f"已导入 {path.name}：读取{result.rows_read}行，新增{result.created}条，"
        f"修改{result.changed}条，未变{result.unchanged}条，跳过{result.skipped}行（无数值和文字）"
        f" — rows read {result.rows_read}, created {result.created}, changed {result.changed}, "
        f"unchanged {result.unchanged}, skipped {result.skipped}",
        highlight=False,
        soft_wrap=True,
    )


# --------------------------------------------------------------------------- annual report


def _build_document(kind: str, year: int, out: Path, unit: str | None) -> None:
    """Build the report (docx/pdf) or the dossier with a progress bar, then write ``out``."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from nearzero.services import report

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())  # fmt: skip
    try:
        with _db() as session, Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("准备", total=1.0)
            target = indicator_service.get_unit(session, unit)
            built = report.build_file(
                session, target, year, kind,
                lambda step, fraction: bar.update(task, completed=fraction, description=step),
            )  # fmt: skip
    except ServiceError as exc:
        _fail(str(exc))
    out.write_bytes(built.data)
    console.print(
        f"已生成 {built.filename} → {out}（{len(built.data) / 1024:.0f} KB）", highlight=False
    )


@app.command("report")
def report_command(
    year: Annotated[int, typer.Option("--year", help="The year to report on.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="docx or pdf.")] = "pdf",
    unit: UnitOpt = None,
) -> None:
    """The annual evaluation report (近零碳城市示范创建年度评估报告) as Word or PDF."""
    if fmt not in ("docx", "pdf"):
        _fail(f"--format: expected docx or pdf, got {fmt!r}")
    _build_document(fmt, year, out, unit)


@app.command("dossier")
def dossier_command(
    year: Annotated[int, typer.Option("--year", help="The year of the dossier.")],
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    unit: UnitOpt = None,
) -> None:
    """The acceptance dossier: indicator workbook, report (docx, pdf), evidence, manifest."""
    _build_document("dossier", year, out, unit)


# --------------------------------------------------------------------------- key projects

proj_app = typer.Typer(help="Key projects (重点工程): stages, alerts.", no_args_is_help=True)
app.add_typer(proj_app, name="projects")

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate on this date (YYYY-MM-DD; default today).")
]


def _as_of(text: str | None) -> Any:
    import datetime as dt

    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of: expected a date like 2025-06-30, got {text!r}")


@proj_app.command("list")
def projects_list(
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.projects.list/1).")
    ] = False,
) -> None:
    """Every key project with its stage, due date and expected annual reduction."""
    from nearzero.services import projects as project_service

    day = _as_of(as_of)
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            items = project_service.views(session, target, day)
            data = project_service.views_to_dict(target, items, day)
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{data['unit']['name_zh']} 重点工程（截至 {data['as_of']}）")
    for col in ("序号", "项目名称", "完成日期", "责任部门", "状态", "进度", "预计年减排量 t/a"):
        table.add_column(col)
    labels = {"planned": "未开工", "under_way": "实施中", "done": "[green]已完成[/]",
              "late": "[red]逾期[/]"}  # fmt: skip
    for p in data["projects"]:
        reduction = p["reduction"] or {}
        amount = reduction.get("reduction_t")
        table.add_row(
            str(p["number"]), p["name_zh"], p["due_text"], ",".join(p["departments"]),
            labels[p["stage"]], f"{p['percent']}%",
            "未量化" if amount is None else f"{amount:,.0f}",
        )  # fmt: skip
    console.print(table)


@proj_app.command("alerts")
def projects_alerts(
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    days: Annotated[int, typer.Option("--days", help="Due-soon window in days.")] = 90,
) -> None:
    """Projects that are late (past due, not done) or due within --days days."""
    from nearzero.services import projects as project_service

    day = _as_of(as_of)
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            board = project_service.board(session, target, day, soon_days=days)
            late = [(v.number, v.row.content_zh, v.row.due_text, -v.status.days_to_due)
                    for v in board.late]  # fmt: skip
            soon = [(v.number, v.row.content_zh, v.row.due_text, v.status.days_to_due)
                    for v in board.due_soon]  # fmt: skip
    except ServiceError as exc:
        _fail(str(exc))
    console.print(
        f"截至 {day}：逾期未完成 {len(late)} 项，{days}天内到期 {len(soon)} 项", highlight=False
    )
    for number, content, due, overdue in late:
        console.print(
            f"[red]逾期[/] {number:>2}. {content}（{due}，已逾期{overdue}天）", highlight=False
        )
    for number, content, due, left in soon:
        console.print(
            f"[yellow]将到期[/] {number:>2}. {content}（{due}，剩{left}天）", highlight=False
        )
