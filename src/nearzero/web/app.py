"""The FastAPI application: ``create_app(settings)`` builds it; ``nearzero serve`` runs it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from nearzero import __version__
from nearzero.enterprise.registry import sector_name
from nearzero.formatting import china_time, fmt
from nearzero.indicators.choices import Status
from nearzero.services.context import NotFound
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory
from nearzero.web.deps import AccessDenied, CsrfFailed, LoginRequired, RenderedRefusal
from nearzero.web.i18n import (
    due_label,
    label_of,
    localise,
    name_in,
    target_label,
    translate,
    unit_label,
)
from nearzero.web.punctuation import PagePunctuation
from nearzero.web.routes import (
    admin,
    api,
    audit,
    enterprise,
    footprint,
    inventory,
    pages,
    projects,
    reports,
    twohigh,
    workbook,
)
from nearzero.web.routes.inclusion import (
    office as inclusion_office,
    partner_api as inclusion_api,
    resident as inclusion_resident,
)
from nearzero.web.security import BodyLimit, OriginCheck, SecurityHeaders

HERE = Path(__file__).parent
OPENAPI_URL = "/api/openapi.json"
API_DOCS = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>nearzero 碳普惠合作方接口</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-schema="{OPENAPI_URL}"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # The schema documents the partner API only (machines call it); the dashboard's HTML forms
    # are out of it. Its page is served from the vendored Swagger UI (no CDN; CSP kept).
    app = FastAPI(
        title="nearzero partner API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
    )
    engine = make_engine(
        settings.database_url,
        {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_pool_overflow,
            "pool_timeout": settings.database_pool_timeout,
        },
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.add_extension(PagePunctuation)
    templates.env.globals.update(t=translate, fmt=fmt, Status=Status, version=__version__)
    templates.env.globals.update(
        localise=localise,
        target_label=target_label,
        unit_label=unit_label,
        due_label=due_label,
        sector_name=sector_name,
        label_of=label_of,
        name_in=name_in,
    )
    templates.env.filters["cst"] = china_time
    app.state.templates = templates

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="nearzero_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.env == "production",
    )

    app.add_middleware(SecurityHeaders, csp=CSP)

    # outermost last: the origin is checked and the body capped before anything reads it
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes, exempt=("/api/inclusion/",))
    app.add_middleware(OriginCheck)

    @app.exception_handler(RequestValidationError)
    async def bad_request_value(request: Request, exc: RequestValidationError) -> Response:
        """A malformed query or form value: JSON for the API, a page naming it for a person."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        lang = request.session.get("lang", "zh")
        fields = (
            "、".join(
                str(e["loc"][-1]) for e in exc.errors() if e.get("loc") and e["loc"][0] != "body"
            )
            or "—"
        )
        return HTMLResponse(
            templates.get_template("error.html").render(
                request=request,
                lang=lang,
                user=None,
                title="bad_request",
                message=translate("bad_request_fields", lang).format(fields=fields),
            ),
            status_code=400,
        )

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> Response:
        """The access-control matrix refused the role this route's action (403)."""
        headers = {"X-Access-Refused": exc.action.value}
        if request.url.path.startswith("/api/"):
            return PlainTextResponse(str(exc), status_code=403, headers=headers)
        lang = request.session.get("lang", "zh")
        return HTMLResponse(
            templates.get_template("error.html").render(
                request=request,
                lang=lang,
                user=None,
                title="access_denied",
                message=translate("access_denied_text", lang),
            ),
            status_code=403,
            headers=headers,
        )

    @app.exception_handler(RenderedRefusal)
    async def refused(request: Request, exc: RenderedRefusal) -> Response:
        return exc.response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return PlainTextResponse("login required", status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return PlainTextResponse(
            "表单已过期或来源不明，请刷新页面后重试 (CSRF check failed)", status_code=403
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if request.url.path.startswith("/api/"):
            return PlainTextResponse(str(exc), status_code=404)
        return HTMLResponse(
            templates.get_template("error.html").render(
                request=request,
                lang=request.session.get("lang", "zh"),
                user=None,
                title="not_found",
                message=str(exc),
            ),
            status_code=404,
        )

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(api.router, include_in_schema=False)
    app.include_router(audit.router, include_in_schema=False)
    app.include_router(admin.router, include_in_schema=False)
    app.include_router(reports.router, include_in_schema=False)
    app.include_router(workbook.router, include_in_schema=False)
    app.include_router(projects.router, include_in_schema=False)
    app.include_router(inventory.router, include_in_schema=False)
    app.include_router(enterprise.router, include_in_schema=False)
    app.include_router(footprint.router, include_in_schema=False)
    app.include_router(twohigh.router, include_in_schema=False)
    app.include_router(inclusion_api.router)
    app.include_router(inclusion_office.router, include_in_schema=False)
    app.include_router(inclusion_resident.router, include_in_schema=False)
    return app
