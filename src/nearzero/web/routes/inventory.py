"""GHG inventory pages: a year's inventory (tables, charts, key categories, uncertainty,
lineage), the trend over years, and the office's upload, example, local factors and indicator
feed. Thin: each route reads its inputs and calls services/inventory.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.accounting.categories import Sector, UnknownCategory, category_title
from nearzero.accounting.gwp import GAS_GROUPS, GWP_SETS
from nearzero.accounting.inventory import InventoryResult
from nearzero.reports import inventory_tables as tables
from nearzero.services import inventory as svc
from nearzero.services.context import InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.indicators import years_on_record
from nearzero.store import tables as m
from nearzero.web.deps import ActorDep, CsrfDep, LangDep, SessionDep, UserDep
from nearzero.web.i18n import translate
from nearzero.web.routes.pages import UnitQ, YearQ, _unit, render

router = APIRouter()

GwpQ = Annotated[str, Query(pattern="^(SAR|AR4|AR5|AR6)$")]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: Categories shown in the uncertainty range chart (largest first).
RANGE_CHART_TOP = 12


def _wan(value: float) -> float:
    return round(value * tables.WAN, 4)


def _sector_name(sector: str, lang: str) -> str:
    return Sector(sector).value if lang == "en" else Sector(sector).label_zh


def category_labeller(lang: str) -> Callable[[str], str]:
    """Title in ``lang`` of a label that starts with a category code ("1.A.1.a CO2");
    empty for a label that does not (a row id)."""

    def title(label: str) -> str:
        try:
            return category_title(label.split(" ", 1)[0], lang)
        except UnknownCategory:
            return ""

    return title


def sector_chart(result: InventoryResult, lang: str) -> dict[str, Any]:
    """Stacked bars [万吨CO2e]: one bar per sector, one stack per gas group (scope 1)."""
    grid = tables.sector_gas_table(result)
    sectors = [s.value for s in Sector]
    return {
        "sectors": [_sector_name(s, lang) for s in sectors],
        "unit": translate("inv_unit_wan_co2e", lang),
        "series": [
            {"name": g, "data": [_wan(grid[s][g].tco2e) for s in sectors]}
            for g in GAS_GROUPS
            if any(grid[s][g].reported for s in sectors)
        ],
    }


def sankey_chart(result: InventoryResult, lang: str) -> dict[str, Any]:
    """Sector → gas flows [万吨CO2e]; a removal flows by its magnitude and is named so."""
    grid = tables.sector_gas_table(result)
    removal = translate("inv_removal", lang)
    links = []
    for s in Sector:
        for g in GAS_GROUPS:
            cell = grid[s.value][g]
            if cell.reported and cell.tco2e != 0:
                name = _sector_name(s.value, lang) + (f"（{removal}）" if cell.tco2e < 0 else "")
                links.append({"source": name, "target": g, "value": abs(_wan(cell.tco2e))})
    nodes = list(dict.fromkeys([link["source"] for link in links] + [g for g in GAS_GROUPS
                               if any(link["target"] == g for link in links)]))  # fmt: skip
    return {"nodes": [{"name": n} for n in nodes], "links": links}


def trend_chart(series: dict[int, InventoryResult], lang: str) -> dict[str, Any]:
    """Stacked bars by sector over the years on record, with the total excl. LULUCF [万吨CO2e]."""
    years = list(series)
    grids = {y: tables.sector_gas_table(r) for y, r in series.items()}
    return {
        "years": [str(y) for y in years],
        "unit": translate("inv_unit_wan_co2e", lang),
        "series": [
            {
                "name": _sector_name(s.value, lang),
                "data": [_wan(sum(c.tco2e for c in grids[y][s.value].values())) for y in years],
            }
            for s in Sector
        ],
        "total": {
            "name": translate("inv_total_excl", lang),
            "data": [_wan(series[y].totals.direct_excl_lulucf) for y in years],
        },
    }


def range_chart(analysis: svc.Analysis, lang: str) -> dict[str, Any]:
    """Monte Carlo 95 % ranges of the largest categories [万吨CO2e] (floating bars)."""
    mc = analysis.monte_carlo
    order = sorted(range(len(mc.labels)), key=lambda i: -abs(float(mc.mean[i])))
    chosen = order[:RANGE_CHART_TOP]
    return {
        "labels": [mc.labels[i] for i in chosen],
        "low": [_wan(float(mc.low[i])) for i in chosen],
        "high": [_wan(float(mc.high[i])) for i in chosen],
        "mean": [_wan(float(mc.mean[i])) for i in chosen],
        "unit": translate("inv_unit_wan_co2e", lang),
        "meanLabel": translate("inv_mean", lang),
        "rangeLabel": translate("inv_range95", lang),
    }


def _page(
    request: Request, session: Session, user: m.UserAccount, lang: str, unit: m.DemoUnit,
    year: int | None, gwp: str, error: InvalidInput | PermissionDenied | None = None,
    message: str | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    known = svc.years(session, unit)
    chosen = year if year in known else (known[-1] if known else None)
    nav_years = years_on_record(session, unit)
    context: dict[str, Any] = {
        "lang": lang, "user": user, "unit": unit, "years": known, "gwp": gwp,
        "year": chosen or (nav_years[-1] if nav_years else unit.base_year),
        "inv_year": chosen, "gwp_sets": list(GWP_SETS), "title": "inventory",
        "is_admin": user.role == Role.ADMIN.value, "message": message,
        "error": str(error) if error else None,
        "errors": getattr(error, "errors", []) if isinstance(error, InvalidInput) else [],
        "factors": svc.local_factors(session, unit), "result": None,
        "label_example": translate("inv_example_label", lang), "formats": ", ".join(svc.FORMATS),
    }  # fmt: skip
    if chosen is not None:
        result, run = svc.result_for(session, unit, chosen, gwp)
        series = svc.series(session, unit, gwp)
        base = series[min(series)] if series else None
        analysis = svc.analyse(result, base)
        t1, t2 = tables.summary_tables(result, lang)
        ds = svc.dataset(session, unit, chosen)
        metadata = svc.activity_of(ds, svc.library_for(session, unit)).metadata
        context |= {
            "result": result, "run": run, "dataset": ds, "series": series,
            "analysis": analysis, "t1": t1, "t2": t2, "t3": tables.category_table(result, lang),
            "t4": tables.notation_table(result, lang),
            "notes": tables.notes(result, with_tables=False, lang=lang),
            "cat_title": category_labeller(lang),
            "history": svc.runs(session, unit, chosen)[:10],
            "indicators": svc.indicator_values(result, metadata, None),
            "charts": {
                "inv-sectors": sector_chart(result, lang),
                "inv-sankey": sankey_chart(result, lang),
                "inv-trend": trend_chart(series, lang),
                "inv-ranges": range_chart(analysis, lang),
            },
        }  # fmt: skip
    return render(request, "inventory.html", context, status_code=status_code)


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep,
    year: YearQ = None, unit: UnitQ = None, gwp: GwpQ = svc.DEFAULT_GWP,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    return _page(request, session, user, lang, the_unit, year, gwp, message=saved)


def _back(unit: m.DemoUnit, year: int | None, saved: str) -> RedirectResponse:
    url = f"/inventory?unit={quote(unit.code)}&saved={saved}"
    return RedirectResponse(url + (f"&year={year}" if year else ""), status_code=303)


def _refused(
    request: Request, session: Session, user: m.UserAccount, lang: str, unit: m.DemoUnit,
    year: int | None, exc: InvalidInput | PermissionDenied,
) -> HTMLResponse:  # fmt: skip
    code = 403 if isinstance(exc, PermissionDenied) else 400
    return _page(request, session, user, lang, unit, year, svc.DEFAULT_GWP, exc, status_code=code)


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: expected a year like 2022, got {text!r}") from None


def _float(text: str, field: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: expected a number, got {text!r}") from None


@router.post("/inventory/upload", dependencies=[CsrfDep])
def upload(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    year: Annotated[str, Form()], file: Annotated[UploadFile, File()], unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        chosen = _int(year, "year")
        data = file.file.read(svc.MAX_FILE_BYTES + 1)
        with session.begin_nested():  # a rejected file leaves nothing behind
            svc.load_dataset(session, actor, the_unit, file.filename or "", data, chosen)
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, lang, the_unit, None, exc)
    return _back(the_unit, chosen, "loaded")


@router.post("/inventory/example", dependencies=[CsrfDep])
def load_example(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        with session.begin_nested():
            run = svc.load_example(session, actor, the_unit)
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, lang, the_unit, None, exc)
    return _back(the_unit, run.year, "example")


@router.post("/inventory/factors", dependencies=[CsrfDep])
def set_factor(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    factor_id: Annotated[str, Form()], parameter: Annotated[str, Form()],
    subject: Annotated[str, Form()], value: Annotated[str, Form()],
    factor_unit: Annotated[str, Form()], source: Annotated[str, Form()],
    factor_year: Annotated[str, Form()] = "", uncertainty_pct: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    back = int(year) if year.isdigit() else None
    try:
        number = _float(value, "value")
        entry = svc.LocalFactorInput(
            factor_id.strip(), parameter.strip(), subject, number if number is not None else -1,
            factor_unit, source, _int(factor_year, "factor_year") if factor_year.strip() else None,
            _float(uncertainty_pct, "uncertainty_pct"),
        )  # fmt: skip
        with session.begin_nested():
            svc.set_local_factor(session, actor, the_unit, entry)
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, lang, the_unit, back, exc)
    return _back(the_unit, back, "recalculated")


@router.post("/inventory/factors/delete", dependencies=[CsrfDep])
def delete_factor(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    factor_id: Annotated[str, Form()], year: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    back = int(year) if year.isdigit() else None
    try:
        with session.begin_nested():
            svc.delete_local_factor(session, actor, the_unit, factor_id)
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, lang, the_unit, back, exc)
    return _back(the_unit, back, "recalculated")


@router.post("/inventory/feed", dependencies=[CsrfDep])
def feed(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    year: Annotated[str, Form()], industry_va: Annotated[str, Form()] = "",
    industry_source: Annotated[str, Form()] = "",
    allow_illustrative: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    back = int(year) if year.isdigit() else None
    try:
        chosen = _int(year, "year")
        va = _float(industry_va, "industry_va")
        industry = svc.IndustryValueAdded(va, industry_source) if va is not None else None
        with session.begin_nested():
            svc.feed_indicators(
                session, actor, the_unit, chosen, industry, allow_illustrative == "1"
            )
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, lang, the_unit, back, exc)
    return _back(the_unit, chosen, "fed")


@router.get("/inventory/export")
def export(
    request: Request, session: SessionDep, user: UserDep,
    format: Annotated[str, Query(pattern="^(xlsx|docx)$")], year: YearQ = None,
    unit: UnitQ = None, gwp: GwpQ = svc.DEFAULT_GWP,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    known = svc.years(session, the_unit)
    chosen = year if year is not None else (known[-1] if known else None)
    if chosen is None:
        raise NotFound(f"{the_unit.name_zh} has no inventory yet")
    result, _ = svc.result_for(session, the_unit, chosen, gwp)
    if format == "xlsx":
        data = tables.build_xlsx(result)
    else:
        data = tables.build_docx(result, the_unit.office_zh)
    name = f"{the_unit.name_zh}{chosen}年温室气体清单（{gwp}）.{format}"
    fallback = f"{the_unit.code}-{chosen}-inventory-{gwp}.{format}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=MEDIA[format], headers={"Content-Disposition": disposition})


@router.get("/inventory/template")
def template(user: UserDep, year: YearQ = None) -> Response:
    import tempfile
    from pathlib import Path

    from nearzero.accounting.activity import write_template

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path, year or 2022)
        data = path.read_bytes()
    disposition = 'attachment; filename="inventory-template.xlsx"; ' + (
        f"filename*=UTF-8''{quote('温室气体清单活动数据模板.xlsx')}"
    )
    return Response(data, media_type=MEDIA["xlsx"], headers={"Content-Disposition": disposition})
