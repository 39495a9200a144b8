"""The FastAPI application: ``create_app(settings)`` builds it; ``nearzero serve`` runs it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from nearzero import __version__
from nearzero.formatting import fmt
from nearzero.indicators.choices import Status
from nearzero.services.context import NotFound
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory
from nearzero.web.deps import CsrfFailed, LoginRequired, RenderedRefusal
from nearzero.web.i18n import translate
from nearzero.web.routes import api, inclusion, inventory, pages, projects, reports

HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="nearzero", version=__version__, docs_url="/api/docs", redoc_url=None)
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(t=translate, fmt=fmt, Status=Status, version=__version__)
    app.state.templates = templates

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="nearzero_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.env == "production",
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

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
                request=request, lang=request.session.get("lang", "zh"), user=None,
                title="not_found", message=str(exc),
            ),
            status_code=404,
        )  # fmt: skip

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(reports.router)
    app.include_router(projects.router)
    app.include_router(inventory.router)
    app.include_router(inclusion.router)
    return app
