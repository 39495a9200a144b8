"""The ``nearzero`` command. It parses options and calls services; no logic lives here."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nearzero.services.context import Actor, ServiceError


class _Deferred(ModuleType):
    """A module imported on first use, so that `nearzero --help` and a command that does not
    need the database, pint or pandas do not pay for importing them (issue #13 item 6)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)


def _deferred(module: str, name: str) -> Any:
    """A callable (a class or a function) of ``module``, imported when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


if TYPE_CHECKING:  # the real names for the type checker; the deferred ones at run time
    from sqlalchemy.orm import Session

    from nearzero.indicators import catalogue
    from nearzero.indicators.catalogue import bundled_plan_path, load_plan
    from nearzero.services import indicators as indicator_service, plans, users
    from nearzero.settings import Settings
    from nearzero.store.db import make_engine, session_factory, transaction
    from nearzero.store.migrate import upgrade
else:
    catalogue = _Deferred("nearzero.indicators.catalogue")
    indicator_service = _Deferred("nearzero.services.indicators")
    plans = _Deferred("nearzero.services.plans")
    users = _Deferred("nearzero.services.users")
    bundled_plan_path = _deferred("nearzero.indicators.catalogue", "bundled_plan_path")
    load_plan = _deferred("nearzero.indicators.catalogue", "load_plan")
    Settings = _deferred("nearzero.settings", "Settings")
    make_engine = _deferred("nearzero.store.db", "make_engine")
    session_factory = _deferred("nearzero.store.db", "session_factory")
    transaction = _deferred("nearzero.store.db", "transaction")
    upgrade = _deferred("nearzero.store.migrate", "upgrade")

app = typer.Typer(help="nearzero: run a near-zero-carbon city demonstration.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="The bundled demonstration data (Zhangqiu).", no_args_is_help=True)
plan_app = typer.Typer(help="Demonstration units' plans.", no_args_is_help=True)
ind_app = typer.Typer(help="The indicator system.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(plan_app, name="plan")
app.add_typer(ind_app, name="indicators")


secret_app = typer.Typer(help="The installation's secret (sessions, partner keys, tokens).")
app.add_typer(secret_app, name="secret")


@app.command("backup")
def backup_command(out: Annotated[Path, typer.Argument(help="the backup zip to write")]) -> None:
    """A consistent snapshot of the whole database (while the server runs) as one zip."""
    from nearzero.store.backup import backup

    engine = make_engine(Settings().database_url)
    try:
        manifest = backup(engine, out)
    finally:
        engine.dispose()
    typer.echo(
        f"{out}: {len(manifest.tables)} tables, {manifest.rows} rows, "
        f"schema {manifest.revision} ({manifest.dialect})"
    )


@app.command("restore")
def restore_command(source: Annotated[Path, typer.Argument(help="a backup zip")]) -> None:
    """Restore a backup into a new, empty database (migrated first); all or nothing."""
    import zipfile

    from alembic.util import CommandError

    from nearzero.store.backup import BackupError, read_manifest, restore

    url = Settings().database_url
    try:
        with zipfile.ZipFile(source) as archive:
            revision = read_manifest(archive, str(source)).revision
    except (OSError, zipfile.BadZipFile, BackupError) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    engine = make_engine(url)
    try:
        upgrade(url, revision)
        manifest = restore(engine, source)
    except (BackupError, CommandError) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(f"restored {manifest.rows} rows of {len(manifest.tables)} tables from {source}")


audit_app = typer.Typer(help="The audit log (tamper-evident hash chain).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; exit 1 if an entry was edited, inserted or deleted.

    Prints the newest entry's hash: note it somewhere else (the dossier, a letter) to tell
    later whether the chain from then on was rewritten whole.
    """
    from nearzero.services import audit as audit_service

    with _db() as session:
        check = audit_service.verify(session)
    for broken in check.breaks:
        typer.echo(f"entry {broken.id}: {broken.problem}")
    state = "intact" if check.intact else f"BROKEN at {len(check.breaks)} place(s)"
    typer.echo(
        f"audit log: {check.entries} entries, chain {state}; "
        f"newest {check.head_id} {check.head_hash}"
    )
    if not check.intact:
        raise typer.Exit(1)


@secret_app.command("init")
def secret_init() -> None:
    """Make the installation's secret in the data folder (mode 0600) unless it exists."""
    from nearzero.settings import secret_path, write_secret

    data_dir = Path(os.environ.get("NEARZERO_DATA_DIR", "var"))
    existed = secret_path(data_dir).exists()
    write_secret(data_dir)
    typer.echo(f"{secret_path(data_dir)} {'kept (it exists)' if existed else 'written'}")


@secret_app.command("rotate")
def secret_rotate() -> None:
    """Replace the secret: every session ends, partner keys and resident links change.

    Partners' HMAC secrets are derived from it: give each partner its new secret (the
    partner page's key rotation) and send residents their new links.
    """
    from nearzero.settings import secret_path, write_secret

    if os.environ.get("NEARZERO_SECRET_KEY"):
        typer.echo("NEARZERO_SECRET_KEY is set: rotate it where it is set", err=True)
        raise typer.Exit(2)
    data_dir = Path(os.environ.get("NEARZERO_DATA_DIR", "var"))
    write_secret(data_dir, replace=True)
    with _db() as session:  # log-ins are server-side: end them with the old secret
        ended = users.end_all_sessions(session, Actor.system("cli"))
    typer.echo(
        f"{secret_path(data_dir)} replaced: {ended} sessions ended; issue partners their new "
        "keys and residents their new links"
    )


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
    except catalogue.PlanError as exc:
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
        from nearzero.services.enterprise import registry as ent_registry

        ent_registry.load_bundled(session, Actor.system("demo"), unit)  # the plan's firms
        from nearzero.services import twohigh

        if not twohigh.ledger_view(session, unit).projects:  # the plan's two-high case
            twohigh.load_example(session, Actor.system("demo"), unit)
        from nearzero.services import inventory

        inventory_years = inventory.years(session, unit)
        if not inventory_years:
            runs = inventory.load_example_years(session, Actor.system("demo"), unit)
            inventory_years = [r.year for r in runs]
        from nearzero.services.inclusion import demo as inclusion_demo

        now = datetime.now(UTC)
        master = settings.secret_key.encode()
        demo_rides = inclusion_demo.register_demo(session, unit, master, now)
    if demo_rides:
        from nearzero.services.inclusion import partners as inclusion_service

        engine = make_engine(settings.database_url)
        try:
            report = inclusion_service.ingest(
                engine, inclusion_demo.PARTNER, demo_rides, now=now, sync_indicator=False
            )
        finally:
            engine.dispose()
        console.print(
            f"carbon inclusion demo: {report.records} rides, {report.accepted} credited "
            f"（示例数据 / illustrative）"
        )
    console.print("Zhangqiu plan " + ("loaded" if loaded else "already loaded"))
    console.print(
        "GHG inventory years on record: "
        + ", ".join(map(str, inventory_years))
        + "（示例，部分数据为假设 / illustrative example）"
    )
    console.print(
        f"Log in at http://{settings.host}:{settings.port}/login with password "
        f"[bold]{users.DEMO_PASSWORD}[/bold] as one of:"
    )
    for username, role, department, name in users.DEMO_ACCOUNTS:
        where = f"（{department}）" if department else ""
        console.print(f"  {username:<8} {role.label_zh}{where} {name}")
    token = _demo_resident_token(settings.secret_key.encode())
    console.print(
        f"A demo resident's page: http://{settings.host}:{settings.port}/inclusion/me/{token}",
        soft_wrap=True,
        highlight=False,
    )


def _demo_resident_token(master: bytes) -> str:
    """The page token of the first demo resident."""
    from nearzero.services.inclusion import resident as inclusion_service
    from nearzero.services.inclusion.demo import demo_pseudonyms

    return inclusion_service.resident_token(master, demo_pseudonyms(master)[0])


@ind_app.command("evaluate")
def indicators_evaluate(
    year: Annotated[
        int | None,
        typer.Option("--year", help="The year to evaluate (default: the evaluation year)."),
    ] = None,
    unit: UnitOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON (docs/json.md).")] = False,
) -> None:
    """Every indicator's status in YEAR and the provincial acceptance rule."""
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            chosen = (
                year if year is not None else indicator_service.evaluation_year(session, target)
            )
            ev = indicator_service.evaluate_unit(session, target, chosen)
            data = indicator_service.evaluation_to_dict(ev)
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_evaluation(data)


@ind_app.command("year")
def indicators_year(
    year: Annotated[
        int | None, typer.Argument(help="The evaluation year to set (omit to show it).")
    ] = None,
    unit: UnitOpt = None,
) -> None:
    """Show or set the evaluation year: the default year of every page, report and dossier.

    A year after the current calendar year (China Standard Time) is refused."""
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            if year is not None:
                indicator_service.set_evaluation_year(session, Actor.system("cli"), target, year)
            cycle = indicator_service.data_cycle(session, target)
    except ServiceError as exc:
        _fail(str(exc))
    note = "" if cycle.chosen else "（专班办公室尚未设定，默认为上一年度 — not set: last year）"
    due = cycle.deadline.isoformat() if cycle.deadline else "未设定 (not set)"
    console.print(
        f"评估年度 evaluation year: {cycle.evaluation_year}{note}\n"
        f"填报截止日期 deadline: {due}\n"
        f"数值确认 confirmation: {'开启 on' if cycle.confirmation else '关闭 off'}",
        highlight=False,
        soft_wrap=True,
    )


@ind_app.command("deadline")
def indicators_deadline(
    year: Annotated[int, typer.Argument(help="The year whose values are due.")],
    due: Annotated[str, typer.Argument(help="The deadline, YYYY-MM-DD (China Standard Time).")],
    unit: UnitOpt = None,
) -> None:
    """Set the office's deadline for the departments' values of YEAR."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(due)
    except ValueError:
        _fail(f"due: expected a date YYYY-MM-DD, got {due!r}")
        return
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            indicator_service.set_deadline(session, Actor.system("cli"), target, year, day)
    except ServiceError as exc:
        _fail(str(exc))
    console.print(f"{year}年数据填报截止日期：{day.isoformat()} — deadline set", highlight=False)


@ind_app.command("confirmation")
def indicators_confirmation(
    state: Annotated[str, typer.Argument(help="on: values count once confirmed; off: once saved.")],
    unit: UnitOpt = None,
) -> None:
    """Switch the office's confirmation of departments' values on or off."""
    if state not in ("on", "off"):
        _fail(f"state: expected on or off, got {state!r}")
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            indicator_service.set_confirmation(session, Actor.system("cli"), target, state == "on")
    except ServiceError as exc:
        _fail(str(exc))
    console.print(f"数值确认 confirmation: {state}", highlight=False)


def _print_evaluation(data: dict[str, Any]) -> None:
    labels = {
        "met": "[green]完成[/]",
        "not_met": "[red]未完成[/]",
        "no_data": "无数据",
        "needs_assessment": "[yellow]待评估[/]",
    }
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
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each builds the app).")
    ] = 1,
) -> None:
    """Serve the dashboard (several workers: behind a reverse proxy, see docs/deployment.md)."""
    import uvicorn

    from nearzero.web.serving import HTTP_PROTOCOL

    settings = Settings()
    host, port = host or settings.host, port or settings.port
    console.print(f"nearzero dashboard: http://{host}:{port}/")
    if workers > 1:  # each worker process builds the app from the same NEARZERO_* settings
        uvicorn.run(
            "nearzero.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=HTTP_PROTOCOL,
            log_level="info",
            # uvicorn kills a worker that does not answer its ping within this many seconds;
            # its 5 s default killed every worker still importing on a busy 2-core machine
            timeout_worker_healthcheck=60,
        )
        return
    from nearzero.web.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, http=HTTP_PROTOCOL, log_level="info")


# --------------------------------------------------------------------------- Excel workbooks


@ind_app.command("export")
def indicators_export(
    path: Annotated[Path, typer.Argument(help="The .xlsx file to write.")],
    year: Annotated[
        int | None,
        typer.Option("--year", help="The year to fill in (default: the evaluation year)."),
    ] = None,
    unit: UnitOpt = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="Only this department's indicators (its code)."),
    ] = None,
) -> None:
    """Write the Excel template a department fills in (values on record prefilled)."""
    from nearzero.services import workbook

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            chosen = (
                year if year is not None else indicator_service.evaluation_year(session, target)
            )
            rows = workbook.export_template(session, target, path, chosen, department)
            name = target.name_zh
    except ServiceError as exc:
        _fail(str(exc))
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

    try:
        with _db() as session:
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
    import atexit
    import gc

    # Importing what a build reads and the build itself allocate millions of objects that live
    # until the process ends: collecting every 50,000 allocations, and the oldest generation
    # rarely, instead of every 700 takes a fifth off the build, at the same peak memory.
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    # At exit the interpreter collects them all again as it clears the modules, a third of a
    # second after the file is written: frozen at exit, they are skipped (refcounts still free
    # them; the system takes back the rest). Registered once; runs when the process ends.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    from nearzero.reports.offload import worker_processes

    # Forked first, before the imports below, the database and the progress bar's thread: one
    # worker imports matplotlib and draws the charts, one imports WeasyPrint and lays out the
    # PDF, while this process imports the services and gathers the data.
    roles = ("charts",) if kind == "docx" else ("charts", "pdf")
    try:
        with worker_processes(*roles):
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            from nearzero.services import report

            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
            )
            try:
                with _db() as session, Progress(*columns, console=err, transient=True) as bar:
                    task = bar.add_task("准备", total=1.0)
                    target = indicator_service.get_unit(session, unit)
                    built = report.build_file(
                        session,
                        target,
                        year,
                        kind,
                        lambda step, fraction: bar.update(
                            task, completed=fraction, description=step
                        ),
                    )
            except ServiceError as exc:
                _fail(str(exc))
    finally:
        gc.set_threshold(*threshold)  # as it was (the tests build in their own process)
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
    labels = {
        "planned": "未开工",
        "under_way": "实施中",
        "done": "[green]已完成[/]",
        "late": "[red]逾期[/]",
    }
    for p in data["projects"]:
        reduction = p["reduction"] or {}
        amount = reduction.get("reduction_t")
        table.add_row(
            str(p["number"]),
            p["name_zh"],
            p["due_text"],
            ",".join(p["departments"]),
            labels[p["stage"]],
            f"{p['percent']}%",
            "未量化" if amount is None else f"{amount:,.0f}",
        )
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
            late = [
                (v.number, v.row.content_zh, v.row.due_text, -v.status.days_to_due)
                for v in board.late
            ]
            soon = [
                (v.number, v.row.content_zh, v.row.due_text, v.status.days_to_due)
                for v in board.due_soon
            ]
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


# --------------------------------------------------------------------------- GHG inventory

inv_app = typer.Typer(
    help="GHG inventory (温室气体清单): template, compute, export, store.", no_args_is_help=True
)
app.add_typer(inv_app, name="inventory")

GwpOpt = Annotated[str, typer.Option("--gwp", help="GWP set: SAR, AR4, AR5 or AR6 (100-year).")]


def _read_activity(path: Path) -> Any:
    from nearzero.services import inventory_files as inventory

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        return inventory.read_activity(path.name, path.read_bytes(), max_bytes=None)
    except ServiceError as exc:
        _fail_listing(exc)


def _year_or_latest(activity: Any, year: int | None) -> int | None:
    """The year asked for, else the latest year the activity file holds."""
    years: list[int] = activity.years
    return year if year is not None or not years else years[-1]


def _fail_listing(exc: ServiceError) -> None:
    """Print the error and, for a rejected file, every row and field at fault; exit 2."""
    errors = getattr(exc, "errors", [str(exc)])
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    for line in errors if errors != [str(exc)] else []:
        err.print(f"  {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _print_inventory(result: Any) -> None:
    from nearzero.accounting.categories import Sector
    from nearzero.accounting.gwp import GAS_GROUPS
    from nearzero.reports.inventory_tables import sector_gas_table

    grid = sector_gas_table(result)
    t = result.totals
    gwp_set = result.lineage.gwp_set
    table = Table(title=f"{result.region} {result.year}年 温室气体清单（tCO2e，GWP {gwp_set}）")
    table.add_column("部门")
    for gas in (*GAS_GROUPS, "合计"):
        table.add_column(gas, justify="right")
    for key, label in [(s.value, s.label_zh) for s in Sector] + [("memo", "间接排放（备忘）")]:
        cells = grid[key]
        total = sum(c.tco2e for c in cells.values())
        table.add_row(
            label,
            *(f"{c.tco2e:,.1f}" if c.reported else "/".join(c.keys) for c in cells.values()),
            f"{total:,.1f}" if any(c.reported for c in cells.values()) else "",
        )
    console.print(table)
    console.print(
        f"总排放量（不含土地利用变化和林业）{t.direct_excl_lulucf:,.1f} tCO2e；"
        f"（含）{t.direct_incl_lulucf:,.1f} tCO2e；间接排放 {t.indirect:,.1f} tCO2e；"
        f"GPC BASIC {t.basic:,.1f}，BASIC+ {t.basic_plus:,.1f}",
        highlight=False,
        soft_wrap=True,
    )
    lineage = result.lineage
    if lineage.illustrative_rows:
        console.print(
            f"[yellow]示例（部分数据为假设）：{len(lineage.illustrative_rows)}行为假设数据[/]",
            highlight=False,
        )
    if lineage.to_confirm:
        console.print(f"待确认因子 {len(lineage.to_confirm)} 个", highlight=False)


@inv_app.command("template")
def inventory_template(
    path: Annotated[Path, typer.Argument(help="The .xlsx file to write.")],
    year: Annotated[int, typer.Option("--year", help="The inventory year.")] = 2022,
) -> None:
    """Write the Excel activity template: a metadata sheet and one sheet per sector."""
    from nearzero.accounting.activity import write_template

    write_template(path, year)
    console.print(f"已生成清单活动数据模板 {path} — template written", highlight=False)


@inv_app.command("compute")
def inventory_compute(
    path: Annotated[
        Path, typer.Argument(help="Activity data: .xlsx, .yaml, .json, or facility lines .csv.")
    ],
    gwp: GwpOpt = "AR5",
    year: Annotated[
        int | None, typer.Option("--year", help="Year (default: the file's latest).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.inventory.result/1).")
    ] = False,
) -> None:
    """Compute an inventory year from a file (no database): sector × gas table or JSON."""
    from nearzero.accounting.codec import result_to_dict
    from nearzero.services import inventory_files as inventory

    activity = _read_activity(path)
    try:
        result = inventory.compute(activity, gwp_set=gwp, year=_year_or_latest(activity, year))
    except ServiceError as exc:
        _fail_listing(exc)
    if as_json:
        typer.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))
        return
    _print_inventory(result)


@inv_app.command("export")
def inventory_export(
    out: Annotated[Path, typer.Argument(help="The .xlsx or .docx file to write.")],
    activity: Annotated[
        Path | None,
        typer.Option("--activity", help="Compute from this file instead of the database."),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="The inventory year.")] = None,
    gwp: GwpOpt = "AR5",
    unit: UnitOpt = None,
) -> None:
    """The inventory tables in the layout of the provincial guideline, as Excel or Word."""
    from nearzero.reports import inventory_tables
    from nearzero.services import inventory
    from nearzero.services.context import NotFound

    if out.suffix not in (".xlsx", ".docx"):
        _fail(f"{out}: expected a .xlsx or .docx file name")
    try:
        if activity is not None:
            data = _read_activity(activity)
            result = inventory.compute(data, gwp_set=gwp, year=_year_or_latest(data, year))
        else:
            with _db() as session:
                target = indicator_service.get_unit(session, unit)
                known = inventory.years(session, target)
                chosen = year if year is not None else (known[-1] if known else 0)
                run = inventory.latest_run(session, target, chosen, gwp)
                if run is None:
                    raise NotFound(f"no {gwp} inventory of {chosen} on record (inventory load)")
                result = inventory.result_of(run)
    except ServiceError as exc:
        _fail_listing(exc)
    build = inventory_tables.build_xlsx if out.suffix == ".xlsx" else inventory_tables.build_docx
    out.write_bytes(build(result))
    console.print(f"已导出 {result.region}{result.year}年温室气体清单表 → {out}", highlight=False)


@inv_app.command("load")
def inventory_load(
    path: Annotated[
        Path, typer.Argument(help="Activity data: .xlsx, .yaml, .json, or facility lines .csv.")
    ],
    year: Annotated[int, typer.Option("--year", help="The inventory year to store.")],
    unit: UnitOpt = None,
) -> None:
    """Store the activity data of YEAR and compute it (a rejected file stores nothing)."""
    from nearzero.services import inventory

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            run = inventory.load_dataset(
                session,
                Actor.system("cli"),
                target,
                path.name,
                path.read_bytes(),
                year,
                max_bytes=None,  # a local file: no upload bound
            )
            result = inventory.result_of(run)
    except ServiceError as exc:
        _fail_listing(exc)
    console.print(f"已保存 {path.name} 的 {year} 年活动数据，清单运行 #{run.id}", highlight=False)
    _print_inventory(result)


@inv_app.command("example")
def inventory_example(unit: UnitOpt = None) -> None:
    """Load the bundled illustrative Zhangqiu inventory (示例，部分数据为假设)."""
    from nearzero.services import inventory

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            runs = inventory.load_example_years(session, Actor.system("cli"), target)
            result = inventory.result_of(runs[-1])
    except ServiceError as exc:
        _fail_listing(exc)
    loaded = "，".join(f"{r.year}年 #{r.id}" for r in runs)
    console.print(f"已加载示例清单（部分数据为假设），清单运行 {loaded}", highlight=False)
    _print_inventory(result)


@inv_app.command("series")
def inventory_series(
    unit: UnitOpt = None,
    gwp: GwpOpt = "AR5",
    as_json: Annotated[
        bool, typer.Option("--json", help="A list of nearzero.inventory.result/1.")
    ] = False,
) -> None:
    """Every inventory year on record with its totals (the latest run of each year)."""
    from nearzero.accounting.codec import result_to_dict
    from nearzero.services import inventory

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            results = inventory.series(session, target, gwp)
    except ServiceError as exc:
        _fail_listing(exc)
    if as_json:
        docs = [result_to_dict(r) for r in results.values()]
        typer.echo(json.dumps(docs, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"温室气体清单时间序列（tCO2e，GWP {gwp}）")
    for col in ("年份", "不含LULUCF", "含LULUCF", "间接排放", "人均 t/人", "万元GDP t/万元"):
        table.add_column(col, justify="right")
    for year, r in results.items():
        t = r.totals
        table.add_row(
            str(year),
            f"{t.direct_excl_lulucf:,.1f}",
            f"{t.direct_incl_lulucf:,.1f}",
            f"{t.indirect:,.1f}",
            f"{r.per_capita['direct_excl_lulucf']:.3f}" if r.per_capita else "",
            f"{r.per_gdp['direct_excl_lulucf']:.4f}" if r.per_gdp else "",
        )
    console.print(table)


@inv_app.command("factor")
def inventory_factor(
    factor_id: Annotated[str, typer.Argument(help="An id of your own, e.g. zq_ncv_coal.")],
    parameter: Annotated[str, typer.Argument(help="The parameter, e.g. ncv, ef_ch4, grid_ef.")],
    subject: Annotated[str, typer.Argument(help="Its subject (fuel, species …) or *.")],
    value: Annotated[float, typer.Argument(help="The value.")],
    factor_unit: Annotated[str, typer.Argument(help="Its unit, e.g. GJ/t.")],
    source: Annotated[str, typer.Option("--source", help="Citation: document, table, page.")],
    year: Annotated[int | None, typer.Option("--year", help="Only for this year.")] = None,
    unit: UnitOpt = None,
) -> None:
    """Add or change a local (Tier 2) factor, recalculate every year and list what changed."""
    from nearzero.services import inventory

    entry = inventory.LocalFactorInput(
        factor_id, parameter, subject, value, factor_unit, source, year
    )
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            changes = inventory.set_local_factor(session, Actor.system("cli"), target, entry)
            listed = changes.changes
    except ServiceError as exc:
        _fail_listing(exc)
    console.print(
        f"已保存本地因子 {factor_id}，重算 {len(changes.runs)} 个清单年度", highlight=False
    )
    for c in listed:
        console.print(
            f"  {c['year']} {c['row_id']} {c['gas']}: {c['old_tco2e']:,.1f} → "
            f"{c['new_tco2e']:,.1f} tCO2e（{', '.join(c['changed_factors'])}）",
            highlight=False,
            soft_wrap=True,
        )


@inv_app.command("feed")
def inventory_feed(
    year: Annotated[int, typer.Option("--year", help="The inventory year.")],
    industry_va: Annotated[
        float | None, typer.Option("--industry-va", help="Industrial value added [万元].")
    ] = None,
    industry_source: Annotated[
        str, typer.Option("--industry-source", help="Where the industrial value added is from.")
    ] = "",
    allow_illustrative: Annotated[
        bool, typer.Option("--allow-illustrative", help="Accept a run with assumed rows.")
    ] = False,
    unit: UnitOpt = None,
) -> None:
    """Write indicators 1, 2, 3 (and 13 with --industry-va) from the year's AR5 inventory."""
    from nearzero.services import inventory

    industry = (
        inventory.IndustryValueAdded(industry_va, industry_source)
        if industry_va is not None
        else None
    )
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            values = inventory.feed_indicators(
                session, Actor.system("cli"), target, year, industry, allow_illustrative
            )
    except ServiceError as exc:
        _fail_listing(exc)
    for code, value in values.items():
        console.print(f"指标 {code}：{value:,.4f}", highlight=False)


# --------------------------------------------------------------------------- carbon inclusion

inc_app = typer.Typer(
    help="Carbon inclusion (碳普惠): partner batches, statistics, points expiry.",
    no_args_is_help=True,
)
app.add_typer(inc_app, name="inclusion")


@inc_app.command("ingest")
def inclusion_ingest(
    file: Annotated[Path, typer.Argument(help="Batch file: .csv (header row) or .jsonl.")],
    partner: Annotated[str, typer.Option("--partner", help="The partner's code.")],
    chunk: Annotated[
        int, typer.Option("--chunk", help="Records per transaction (whole residents).")
    ] = 100_000,
) -> None:
    """Validate and credit a partner batch; writes FILE.results.csv with each record's result."""
    from rich.progress import Progress

    from nearzero.services.inclusion import partners as inclusion_service

    if not file.is_file():
        _fail(f"no file {file}")
    try:
        items = inclusion_service.read_file(file)
    except ServiceError as exc:
        _fail(f"{file.name}: {exc}")
    engine = make_engine(Settings().database_url)
    try:
        # refreshed on each chunk, not by a thread of its own: the intake forks its
        # validation worker only from a process without other threads
        with Progress(console=err, transient=True, auto_refresh=False) as bar:
            task = bar.add_task(f"{file.name}", total=len(items))
            report = inclusion_service.ingest(
                engine,
                partner,
                items,
                chunk_size=chunk,
                progress=lambda done, total: bar.update(task, completed=done, refresh=True),
            )
    finally:
        engine.dispose()
    out = inclusion_service.write_results(report, file)
    s = report.summary()
    console.print(
        f"{s['records']} records: {s['accepted']} accepted ({s['credited_g']} g), "
        f"rejected {s['rejected'] or 0}; results in {out}",
        highlight=False,
    )
    if report.batch_reason is not None:
        _fail(f"batch refused: {report.batch_reason.value}", code=1)


@inc_app.command("expire")
def inclusion_expire(
    as_of: Annotated[
        str, typer.Option("--as-of", help="Expire what was due by the end of this day (UTC+8).")
    ],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit code (default: the default unit).")
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            help="Points validity [months] (default: the unit's rules, points_valid_months, "
            "else NEARZERO_INCLUSION_POINTS_VALID_MONTHS).",
        ),
    ] = None,
) -> None:
    """Post the expiry of points unspent past their validity; running it again posts nothing."""
    from datetime import date

    from nearzero.services.inclusion import redemption as inclusion_service, rules as rules_service

    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        _fail(f"--as-of: expected a date like 2025-06-30, got {as_of!r}")
    settings = Settings()
    try:
        with _db(settings) as session:
            target = indicator_service.get_unit(session, unit or settings.default_unit)
            if months is None:
                months = rules_service.points_validity(
                    rules_service.rules(session, target), settings.inclusion_points_valid_months
                )
            run = inclusion_service.expire_points(session, Actor.system("cli"), target, day, months)
    except ServiceError as exc:
        _fail(str(exc))
    console.print(
        f"{run.unit} as of {run.as_of} ({run.months} months): {run.transactions} expiry "
        f"transactions, {run.points} points, {run.residents} residents",
        highlight=False,
        soft_wrap=True,
    )


@inc_app.command("rules")
def inclusion_rules(
    unit: UnitOpt = None,
    save: Annotated[
        Path | None, typer.Option("--save", help="Save this YAML as the unit's new scheme.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why the rules change.")] = "",
) -> None:
    """Show the unit's platform rules in force (YAML), or save a new version with --save."""
    from nearzero.services.inclusion import rules as rules_service

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            if save is not None:
                if not save.is_file():
                    _fail(f"{save}: no such file")
                source = save.read_text(encoding="utf-8")
                rules_service.save_scheme(session, Actor.system("cli"), target, source, note)
            in_force = rules_service.rules(session, target)
    except ServiceError as exc:
        _fail(f"{save}: {exc}" if save is not None else str(exc))
    if save is not None:
        console.print(f"saved {save} as the scheme of {target.code}", highlight=False)
        return
    typer.echo(in_force.yaml_text.rstrip("\n"))
    unset = in_force.scheme.unset()
    typer.echo(f"# origin: {in_force.origin}; not set yet ({len(unset)}): {', '.join(unset)}")


@inc_app.command("publish-methodology")
def inclusion_publish_methodology(
    path: Annotated[Path, typer.Argument(help="A methodology version as YAML.")],
) -> None:
    """Publish a methodology version (a new id@version; the text is checked first)."""
    from nearzero.services.inclusion import rules as rules_service

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        with _db() as session:
            published = rules_service.publish_methodology(
                session, Actor.system("cli"), path.read_text(encoding="utf-8")
            )
    except ServiceError as exc:
        _fail(f"{path}: {exc}")
    console.print(f"published {published.ref} ({published.scenario.value})", highlight=False)


INCLUSION_ACTOR = Actor.system("cli")
"""The audit log's actor for the partner and consent commands (as the office's forms)."""


@inc_app.command("publish-scenario")
def inclusion_publish_scenario(
    path: Annotated[Path, typer.Argument(help="A scenario as YAML (one scenarios.yaml item).")],
) -> None:
    """Add a scenario as data: code, labels, activity kind, record fields, claim (checked)."""
    from nearzero.services.inclusion import rules as rules_service

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        with _db() as session:
            added = rules_service.publish_scenario(
                session, INCLUSION_ACTOR, path.read_text(encoding="utf-8")
            )
    except ServiceError as exc:
        _fail(f"{path}: {exc}")
    console.print(
        f"scenario {added.value} ({added.label_zh}; {added.activity.value}, {added.claim.value})",
        highlight=False,
    )


inc_partners_app = typer.Typer(
    help="Partners (申报机构): add, list, rotate a key, disable.", no_args_is_help=True
)
inc_app.add_typer(inc_partners_app, name="partners")
inc_consents_app = typer.Typer(help="Consents relayed by a partner: import.", no_args_is_help=True)
inc_app.add_typer(inc_consents_app, name="consents")


def _master(settings: Settings) -> bytes:
    """The installation's secret, from which partner keys are derived (as the web does)."""
    return str(settings.secret_key).encode()


def _show_key(key: Any) -> None:
    typer.echo(f"{key.partner}: key id {key.key_id}")
    typer.echo(f"secret (shown once; give it to the partner): {key.secret_hex}")


@inc_partners_app.command("add")
def inclusion_partners_add(
    code: Annotated[str, typer.Argument(help="The partner's code, e.g. ride-code.")],
    name: Annotated[str, typer.Option("--name", help="The partner's name (中文).")],
    scenario: Annotated[
        list[str], typer.Option("--scenario", help="A scenario it may report (repeat).")
    ],
    unit: UnitOpt = None,
) -> None:
    """Register a partner with its scenarios; prints its key's secret once."""
    from nearzero.services.inclusion import partners as partner_service

    settings = Settings()
    try:
        with _db(settings) as session:
            target = indicator_service.get_unit(session, unit)
            key = partner_service.create_partner(
                session, INCLUSION_ACTOR, _master(settings), target, code, name, scenario
            )
    except ServiceError as exc:
        _fail(str(exc))
    _show_key(key)


@inc_partners_app.command("list")
def inclusion_partners_list(unit: UnitOpt = None) -> None:
    """The unit's partners: code, name, scenarios, state, key id and its fingerprint."""
    from nearzero.services.inclusion import partners as partner_service

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            rows = [
                (
                    p.code,
                    p.name_zh,
                    ",".join(p.scenarios),
                    "active" if p.active else "disabled",
                    p.key_id,
                    p.secret_fingerprint,
                )
                for p in partner_service.partners(session, target)
            ]
    except ServiceError as exc:
        _fail(str(exc))
    for row in rows:
        typer.echo("\t".join(row))


@inc_partners_app.command("rotate-key")
def inclusion_partners_rotate_key(
    code: Annotated[str, typer.Argument(help="The partner's code.")],
    unit: UnitOpt = None,
) -> None:
    """A new key for the partner (the old one stops working at once); prints it once."""
    from nearzero.services.inclusion import partners as partner_service

    settings = Settings()
    try:
        with _db(settings) as session:
            target = indicator_service.get_unit(session, unit)
            key = partner_service.rotate_key(
                session, INCLUSION_ACTOR, _master(settings), code, target
            )
    except ServiceError as exc:
        _fail(str(exc))
    _show_key(key)


@inc_partners_app.command("disable")
def inclusion_partners_disable(
    code: Annotated[str, typer.Argument(help="The partner's code.")],
    unit: UnitOpt = None,
) -> None:
    """Disable a partner: its requests are refused (unknown_partner); its credits stay."""
    from nearzero.services.inclusion import partners as partner_service

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            found = partner_service.get_partner(session, code, target)
            partner_service.update_partner(
                session, INCLUSION_ACTOR, code, list(found.scenarios), False, unit=target
            )
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{code}: disabled")


@inc_consents_app.command("import")
def inclusion_consents_import(
    file: Annotated[
        Path,
        typer.Argument(
            help=".csv (phone,id_card,resident_id,scenario,granted,at), "
            '.jsonl, or .json {"consents": [...]}.'
        ),
    ],
    partner: Annotated[str, typer.Option("--partner", help="The partner that relayed them.")],
) -> None:
    """Import consents a partner relayed, checked as the partner API checks them (all or
    nothing); prints each resident's pseudonym, scenario and state (tab-separated)."""
    from nearzero.services.inclusion import partners as partner_service

    if not file.is_file():
        _fail(f"no file {file}")
    settings = Settings()
    try:
        items = partner_service.read_consents(file)
        with _db(settings) as session:
            done = partner_service.import_consents(
                session, INCLUSION_ACTOR, _master(settings), partner, items
            )
    except ServiceError as exc:
        _fail(f"{file.name}: {exc}")
    for row in done:
        state = "granted" if row["granted"] else "withdrawn"
        typer.echo(f"{row['resident_id']}\t{row['scenario']}\t{state}")
    err.print(f"{len(done)} consents imported for {partner}", highlight=False)


@inc_app.command("stats")
def inclusion_stats(
    period: Annotated[str, typer.Option("--period", help="day, month or year.")] = "month",
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    unit: UnitOpt = None,
) -> None:
    """The unit's participants, records by outcome and reductions by methodology (months and
    years from the kept summaries, days from the records)."""
    from nearzero.inclusion.choices import Period
    from nearzero.services.inclusion import statistics as inclusion_service

    try:
        chosen = Period(period)
    except ValueError:
        _fail("--period: day, month or year")
    settings = Settings()
    try:
        with _db(settings) as session:
            target = indicator_service.get_unit(session, unit or settings.default_unit)
            stats = inclusion_service.statistics(session, target, chosen)
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(stats, default=str, ensure_ascii=False, indent=1, sort_keys=True))
        return
    for name, rows in stats.items():
        table = Table(title=name)
        for col in rows[0].keys() if rows else ["(no rows)"]:
            table.add_column(col)
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        console.print(table)


@inc_app.command("rebuild-summaries")
def inclusion_rebuild_summaries() -> None:
    """Build the carbon-inclusion summaries (credited records per month, participants) again
    from the records; prints how many rows differed (0 when the kept ones were right)."""
    from nearzero.services.inclusion import statistics as inclusion_service

    settings = Settings()
    with _db(settings) as session:
        differed = inclusion_service.rebuild_summaries(session, Actor.system("cli"))
    for table, rows in sorted(differed.items()):
        typer.echo(f"{table}: {rows} rows differed")
    typer.echo(f"summaries rebuilt ({sum(differed.values())} rows differed)")


# --------------------------------------------------------------------------- enterprises

ent_app = typer.Typer(help="Enterprises (重点排放单位): annual reports.", no_args_is_help=True)
ent_report_app = typer.Typer(help="One firm's annual emissions report.", no_args_is_help=True)
app.add_typer(ent_app, name="enterprise")
ent_app.add_typer(ent_report_app, name="report")


@ent_report_app.command("compute")
def enterprise_report_compute(
    path: Annotated[Path, typer.Argument(help="One firm's annual report: .yaml or .json.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.enterprise.report/1).")
    ] = False,
) -> None:
    """Compute one firm's annual report from a file (no database): totals and components."""
    from rich.markup import escape

    from nearzero.enterprise.model import EnterpriseError
    from nearzero.enterprise.report import compute_report
    from nearzero.enterprise.reportfile import read_report, result_to_dict

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        result = compute_report(read_report(path.name, path.read_text(encoding="utf-8")))
    except EnterpriseError as exc:
        _fail(escape(f"{path.name}: {exc}"))  # units in brackets are not markup
    data = result_to_dict(result)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    firm = data["firm"]
    name = f"{firm['name_zh']}（示例）" if data["illustrative"] else firm["name_zh"]
    table = Table(title=f"{name} {data['year']}年 二氧化碳排放（tCO2）")
    for column in ("项", "类别", "tCO2"):
        table.add_column(column, justify="right" if column == "tCO2" else "left")
    for c in data["components"]:
        table.add_row(c["key"], c["kind"], f"{c['tco2']:,.2f}")
    console.print(table)
    t, e = data["totals"], data["energy"]
    console.print(
        f"燃料燃烧 {t['fuel']:,.2f} + 过程 {t['process']:,.2f} + 净购入电力 "
        f"{t['electricity']:,.2f} + 净购入热力 {t['heat']:,.2f} − 回收 {t['recovered']:,.2f} "
        f"= 合计 {t['total']:,.2f} tCO2；化石能源 {e['fossil_tce']:,.2f} tce，综合能耗 "
        f"{e['comprehensive_tce']:,.2f} tce",
        highlight=False,
        soft_wrap=True,
    )
    if data["to_confirm"]:
        rows = ", ".join(s["row_id"] for s in data["to_confirm"])
        console.print(
            f"[yellow]待确认缺省值 {len(data['to_confirm'])} 个：{rows}[/]", highlight=False
        )


@ent_app.command("load")
def enterprise_load(
    path: Annotated[Path, typer.Argument(help="A registry YAML (as data/enterprise/firms.yaml).")],
    unit: UnitOpt = None,
) -> None:
    """Register the firms of a registry file in a unit (firms already registered are kept)."""
    from rich.markup import escape

    from nearzero.services.enterprise import registry as ent_registry

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            result = ent_registry.load_registry_file(
                session, Actor.system("cli"), target, path.name, path.read_bytes()
            )
    except ServiceError as exc:
        _fail(escape(f"{path.name}: {exc}"))
    console.print(
        f"{len(result.added)} enterprise(s) added, {len(result.skipped)} already registered",
        highlight=False,
    )


YearOpt = Annotated[int, typer.Option("--year", help="The reporting year.", min=2000, max=2100)]


@ent_app.command("screen")
def enterprise_screen(
    year: YearOpt,
    unit: UnitOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.enterprise.screening/1).")
    ] = False,
) -> None:
    """Screen a unit's enterprises on their reports of a year (>2,000 tce, key emitters)."""
    from nearzero.services.enterprise import screening as ent_screening

    with _db() as session:
        target = indicator_service.get_unit(session, unit)
        data = ent_screening.screening_to_dict(
            ent_screening.screening_page(session, Actor.system("cli"), target, year)
        )
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{data['unit']} {year}年 重点企业筛查")
    columns = ("企业", "化石能源 tce", "排放 tCO2", ">2000 tce", "重点排放单位候选", "全国碳市场")
    for column in columns:
        table.add_column(column)
    for f in data["firms"]:
        table.add_row(
            f["name_zh"] + ("（示例）" if f["illustrative"] else ""),
            f"{f['fossil_tce']:,.2f}",
            f"{f['emissions_tco2']:,.2f}",
            "是" if f["over_fossil_threshold"] else "",
            f["candidate_basis"] or "",
            f["national_market_sector"] or "",
        )
    console.print(table)
    if data["without_report"]:
        console.print(f"无{year}年报告: " + ", ".join(data["without_report"]), highlight=False)


@ent_app.command("benchmarks")
def enterprise_benchmarks(
    year: YearOpt,
    unit: UnitOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.enterprise.benchmarks/1).")
    ] = False,
) -> None:
    """Facilities against the energy-efficiency benchmarks of a year, and indicator 15."""
    from nearzero.services.enterprise import benchmarks as ent_benchmarks

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            data = ent_benchmarks.benchmarks_to_dict(
                ent_benchmarks.benchmark_page(session, Actor.system("cli"), target, year)
            )
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{data['unit']} {year}年 能效标杆（指标15）")
    for column in ("行业", "达到标杆产能", "总产能", "占比 %", "完成"):
        table.add_column(column)
    for s in data["indicator_15"]["industries"]:
        table.add_row(
            s["industry"],
            f"{s['capacity_at_benchmark']:,.2f}",
            f"{s['capacity_total']:,.2f}",
            f"{s['share_pct']:.1f}",
            "是" if s["met"] else "否",
        )
    console.print(table)
    console.print(f"{len(data['lines'])} facilities judged; {len(data['levels'])} benchmark rows")


# --------------------------------------------------------------------------- product footprints

fp_app = typer.Typer(
    help="Product carbon footprints (产品碳足迹, GB/T 24067-2024).", no_args_is_help=True
)
app.add_typer(fp_app, name="footprint")


@fp_app.command("compute")
def footprint_compute(
    path: Annotated[
        Path, typer.Argument(help="Product system: .yaml, .json or an openLCA JSON-LD .zip.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.footprint.result/1).")
    ] = False,
    mc: Annotated[int, typer.Option("--mc", help="Monte Carlo draws (0: none).", min=0)] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
) -> None:
    """Compute a product's carbon footprint from a file (no database)."""
    from nearzero.footprint.fileformat import loads
    from nearzero.footprint.model import FootprintError
    from nearzero.footprint.olca import import_zip
    from nearzero.footprint.study import compute, result_to_dict

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".zip":
            system = import_zip(path.read_bytes(), path.name)
        else:
            system = loads(path.read_text(encoding="utf-8"), path.name)
        result = compute(system, draws=mc, seed=seed)
    except FootprintError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))
        return
    _print_footprint(result)


def _print_footprint(result: Any) -> None:
    from nearzero.footprint.model import FAMILIES

    labels = {
        "fossil": "化石",
        "biogenic": "生物源",
        "land_use_change": "土地利用变化",
        "aircraft": "航空运输",
    }
    console.print(
        f"{result.name}：{result.functional_unit}（{result.boundary}，分配 "
        f"{result.allocation or '无'}，GWP {result.gwp_set}）",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"产品碳足迹 {result.total:,.4g} kgCO2e", highlight=False)
    table = Table(title="按类别（kgCO2e）")
    for col in ("类别", "排放", "清除", "净值"):
        table.add_column(col, justify="right" if col != "类别" else "left")
    for name in FAMILIES:
        f = result.by_family[name]
        table.add_row(labels[name], f"{f.emissions:,.4g}", f"{f.removals:,.4g}", f"{f.net:,.4g}")
    console.print(table)
    table = Table(title="过程贡献（kgCO2e）")
    for col in ("过程", "阶段", "贡献", "占比"):
        table.add_column(col, justify="right" if col in ("贡献", "占比") else "left")
    for row in result.processes:
        table.add_row(row.label, row.stage, f"{row.value:,.4g}", f"{row.share:.1%}")
    console.print(table)
    for row in result.sensitivity:
        value = row.error or f"{row.total:,.4g} kgCO2e"
        mark = "（所选）" if row.chosen else ""
        console.print(
            f"分配敏感性 {row.method}{mark}：{value}", highlight=False, soft_wrap=True, markup=False
        )
    if result.uncertainty is not None:
        u = result.uncertainty
        console.print(
            f"蒙特卡洛 {u.draws} 次（seed {u.seed}）：均值 {u.mean:,.4g}，95% 区间 "
            f"{u.p2_5:,.4g} – {u.p97_5:,.4g} kgCO2e",
            highlight=False,
        )
    if result.cut_off:
        console.print(f"取舍（未计入）{len(result.cut_off)} 项", highlight=False)
    if result.to_confirm:
        console.print(
            f"[yellow]待确认因子 {len(result.to_confirm)} 个：{', '.join(result.to_confirm)}[/]",
            highlight=False,
            soft_wrap=True,
        )


@fp_app.command("report")
def footprint_report(
    path: Annotated[
        Path,
        typer.Argument(help="Product system: .yaml, .json, an openLCA JSON-LD .zip or .xlsx."),
    ],
    out: Annotated[Path, typer.Option("--out", help="The report: a .docx or .pdf file.")],
    mc: Annotated[int, typer.Option("--mc", help="Monte Carlo draws (0: none).", min=0)] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    firm: Annotated[str, typer.Option("--firm", help="The commissioning firm's name.")] = "",
    year: Annotated[
        int | None, typer.Option("--year", help="The year the data describe.", min=1900)
    ] = None,
) -> None:
    """Write the study report (GB/T 24067-2024 §8) of a product system as Word or PDF."""
    from nearzero.reports.offload import worker_processes

    kind = out.suffix.lower().lstrip(".")
    if kind not in ("docx", "pdf"):
        _fail(f"--out: {out.name} — expected a .docx or .pdf file")
    if not path.is_file():
        _fail(f"{path}: no such file")
    # as `nearzero report`: the chart (and the PDF layout) drawn in workers forked before the
    # heavy imports, while this process reads and computes the study
    with worker_processes(*(("charts",) if kind == "docx" else ("charts", "pdf"))):
        from nearzero.footprint.model import FootprintError
        from nearzero.footprint.study import compute
        from nearzero.services.footprint import files, workbook

        try:
            data = path.read_bytes()
            if path.suffix.lower() == ".xlsx":
                system = workbook.read_workbook(data, path.name)
            else:
                system = files.read_system(path.name, data)
            result = compute(system, draws=mc, seed=seed)
            info = files.study_info(firm=firm, year=year)
            built = files.build_report(system, result, info, kind)
        except FootprintError as exc:
            _fail(str(exc))
        except ServiceError as exc:
            _fail_listing(exc)
    out.write_bytes(built.data)
    console.print(
        f"{out}（{len(built.data):,} 字节）：产品碳足迹 {result.total:,.6g} kgCO2e",
        highlight=False,
    )


users_app = typer.Typer(
    help="User accounts: add, list, set roles, reset passwords, disable.", no_args_is_help=True
)
app.add_typer(users_app, name="users")
USERS_ACTOR = Actor.system("cli")
"""The audit log's actor for the user commands (whoever runs them has the database)."""
RoleArg = Annotated[str, typer.Argument(help="admin, editor, viewer or verifier")]
DepartmentOpt = Annotated[
    str | None, typer.Option("--department", help="Department code (an editor needs one).")
]


def _role_of(value: str) -> Any:
    from nearzero.services.context import Role

    try:
        return Role(value)
    except ValueError:
        _fail(f"role: one of {', '.join(r.value for r in Role)}, not {value!r}")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="admin, editor, viewer or verifier")],
    department: DepartmentOpt = None,
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password: Annotated[
        str | None, typer.Option("--password", help="Initial password (generated if omitted).")
    ] = None,
    unit: UnitOpt = None,
) -> None:
    """Add a user; they must change the password at the first log-in."""
    initial = password or users.generated_password()
    try:
        with _db() as session:
            found = indicator_service.get_unit(session, unit)
            users.create_user(
                session,
                USERS_ACTOR,
                username,
                initial,
                _role_of(role),
                name,
                found,
                department,
                must_change_password=True,
            )
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{username}: added ({role}); must change the password at the first log-in")
    if password is None:
        typer.echo(f"initial password: {initial}")


@users_app.command("list")
def users_list() -> None:
    """Every account with its role, unit, department, state and open sessions."""
    settings = Settings()
    with _db(settings) as session:
        rows = users.list_users(session, USERS_ACTOR, users.LoginPolicy.from_settings(settings))
    table = Table(title="users")
    for col in ("username", "name", "role", "unit", "department", "state", "sessions"):
        table.add_column(col)
    for row in rows:
        state = "disabled" if not row.active else "must-change" * row.must_change_password
        table.add_row(
            row.username,
            row.display_name,
            row.role,
            row.unit,
            row.department,
            state or "active",
            str(row.open_sessions),
        )
    console.print(table)


@users_app.command("set-role")
def users_set_role(
    username: str, role: RoleArg, department: DepartmentOpt = None, unit: UnitOpt = None
) -> None:
    """Give a user a role (an editor also a department of the unit)."""
    try:
        with _db() as session:
            found = indicator_service.get_unit(session, unit)
            users.set_role(session, USERS_ACTOR, username, _role_of(role), found, department)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{username}: role {role}" + (f", department {department}" if department else ""))


@users_app.command("reset-password")
def users_reset_password(
    username: str,
    password: Annotated[
        str | None, typer.Option("--password", help="Temporary password (generated if omitted).")
    ] = None,
) -> None:
    """Set a temporary password the user must change at the next log-in; their sessions end."""
    try:
        with _db() as session:
            temporary = users.reset_password(session, USERS_ACTOR, username, password)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{username}: password reset; sessions ended; must change it at the next log-in")
    if password is None:
        typer.echo(f"temporary password: {temporary}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user: they cannot log in and every session of theirs ends at once."""
    try:
        with _db() as session:
            users.set_active(session, USERS_ACTOR, username, False)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{username}: disabled; sessions ended")


# --------------------------------------------------------------------------- two-high ledger

th_app = typer.Typer(
    help="Two-high projects and the emission-indicator ledger (两高项目碳排放指标台账).",
    no_args_is_help=True,
)
app.add_typer(th_app, name="twohigh")


@th_app.command("load")
def twohigh_load(
    path: Annotated[
        Path,
        typer.Argument(
            help="a YAML ledger file, or an Excel workbook (.xlsx) in the template's shape"
        ),
    ],
    unit: UnitOpt = None,
) -> None:
    """Load ratios, projects (with their new amounts) and sources; all or nothing."""
    from nearzero.services import twohigh

    workbook = path.suffix.lower() == ".xlsx"
    try:
        if workbook:
            with path.open("rb") as handle:
                content = handle.read(twohigh.MAX_WORKBOOK_BYTES + 1)
        else:
            text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: {exc}")
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            actor = Actor.system("cli")
            if workbook:
                counts = twohigh.load_workbook_file(session, actor, target, content, path.name)
            else:
                counts = twohigh.load_file(session, actor, target, text, path.name)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(
        f"{path.name}: {counts['ratios']} ratios, {counts['projects']} projects, "
        f"{counts['sources']} sources, {counts['movements']} movements loaded"
    )


@th_app.command("template")
def twohigh_template(
    path: Annotated[Path, typer.Argument(help="where to write the blank ledger workbook (.xlsx)")],
) -> None:
    """Write the blank ledger workbook: its sheets, headers and a notes sheet (what each column
    takes, the codes and Chinese names of the coded values)."""
    from nearzero.services.twohigh.workbook import template_xlsx

    try:
        path.write_bytes(template_xlsx())
    except OSError as exc:
        _fail(f"{path}: {exc}")
    typer.echo(f"wrote {path}")


@th_app.command("ledger")
def twohigh_ledger(
    unit: UnitOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (nearzero.twohigh.ledger/1).")
    ] = False,
) -> None:
    """The ledger: balance by dimension, every project's requirement and trace, indicator 4."""
    from nearzero.services import twohigh

    with _db() as session:
        target = indicator_service.get_unit(session, unit)
        data = twohigh.ledger_to_dict(twohigh.ledger_view(session, target))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for dim, row in data["balance"].items():
        typer.echo(
            f"{dim} [{row['unit']}]: deposited {row['deposited']}, banked {row['banked']}, "
            f"reserved {row['reserved']}, allocated {row['allocated']}, retired {row['retired']}"
        )
    for p in data["projects"]:
        typer.echo(f"{p['code']} {p['name']} ({p['stage']}): substituted={p['substituted']}")
        for r in p["requirements"]:
            sources = ", ".join(f"{s} {a}" for s, a in r["sources"].items()) or "-"
            typer.echo(
                f"  {r['dimension']} 1:{r['ratio']} required {r['required']} {r['unit']}, "
                f"substituted {r['substituted']} from {sources}"
            )
    ind = data["indicator_4"]
    share = "no project going ahead" if ind["share_pct"] is None else f"{ind['share_pct']} %"
    typer.echo(f"indicator 4: {ind['substituted']}/{ind['counted']} substituted ({share})")


@th_app.command("allocate")
def twohigh_allocate(
    project: Annotated[str, typer.Argument(help="the project's code")],
    sources: Annotated[
        list[str],
        typer.Option("--from", help="SOURCE=AMOUNT in the dimension's entry unit (repeatable)"),
    ],
    dimension: Annotated[
        str, typer.Option(help="the dimension (carbon, coal, energy …)")
    ] = "carbon",
    origin: Annotated[
        str, typer.Option(help="th_bank (default) or th_reserved (a reservation)")
    ] = "th_bank",
    key: Annotated[
        str | None, typer.Option(help="a request key: the same key sent again moves once")
    ] = None,
    unit: UnitOpt = None,
) -> None:
    """Allocate indicators to an approved project from one or more sources (all or nothing)."""
    from nearzero.services import twohigh

    parts: list[tuple[str, str]] = []
    for item in sources:
        source, sep, amount = item.partition("=")
        if not sep or not source or not amount:
            _fail(f"--from {item!r}: expected SOURCE=AMOUNT")
        parts.append((source, amount))
    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            for i, (source, amount) in enumerate(parts):
                request = f"{key}.{i}" if key else ""
                entry = twohigh.MoveInput(
                    "allocate", source, dimension, amount, project, origin, request
                )
                twohigh.move(session, Actor.system("cli"), target, entry)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"{project}: allocated from " + ", ".join(f"{s} {a}" for s, a in parts))


@th_app.command("feed")
def twohigh_feed(
    year: Annotated[int, typer.Option(help="the year to record indicator 4 for")],
    unit: UnitOpt = None,
) -> None:
    """Record indicator 4 for a year from the ledger (the office's assessment, computed)."""
    from nearzero.services import twohigh

    try:
        with _db() as session:
            target = indicator_service.get_unit(session, unit)
            met = twohigh.feed_indicator_4(session, Actor.system("cli"), target, year)
    except ServiceError as exc:
        _fail(str(exc))
    typer.echo(f"indicator 4 ({year}): " + ("met" if met else "not met"))
