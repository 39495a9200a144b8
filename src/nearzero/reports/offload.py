"""Charts and PDF layout in worker processes of their own, for a build from the command line.

A report built from the command line spends most of its time importing: SQLAlchemy, pint and
the services (0.9 s) to gather the data, matplotlib (0.4 s) to draw the charts, WeasyPrint
(0.5 s) to lay out the PDF. In one process they run one after the other. Inside
:func:`worker_processes`, two processes are forked at the start, before anything heavy is
imported and before any thread or connection exists: one imports matplotlib and draws a first
chart (the fonts), the other imports WeasyPrint and lays out a first page, while the command
imports the services and gathers the data. Each chart is then drawn in the first worker while
the sections are assembled (a figure holds a :class:`Pending` image until it is written), and
the PDF is laid out in the second from the finished HTML. On two cores the imports overlap
and the drawing overlaps the assembling; the result is the same bytes.

Outside :func:`worker_processes` (the web server's builds, the tests that call the builders)
every call runs in the calling thread, as it always did. A worker that dies, or a machine
without ``fork``, costs only the time: the call is made in the calling process instead.

Workers are plain forked processes answering one request at a time over a pipe, not a
``ProcessPoolExecutor``: a pool starts a thread as it forks, so the second pool would be
forked from a process that already runs one.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext
from typing import Any

_CHARTS = "nearzero.reports.charts"
_PDF = "nearzero.reports.pdf"


def _call(module: str, name: str, args: tuple[Any, ...]) -> Any:
    return getattr(import_module(module), name)(*args)


def _warm_charts() -> None:
    """matplotlib imported and its CJK fonts found: a chart's first draw loads them."""
    _call(_CHARTS, "category_chart", (["预热"], [1], [1]))


def _warm_pdf() -> None:
    """WeasyPrint imported and a first CJK page laid out (fontconfig, the fonts' first use)."""
    _call(_PDF, "layout_pdf", ("<p>近零碳 2025</p>",))


_WARM_UP = {"charts": _warm_charts, "pdf": _warm_pdf}


def _serve(conn: Connection, role: str, not_ours: list[Connection]) -> None:
    """A worker's life: warm up, then answer each ``(module, name, args)`` with
    ``(True, result)`` or ``(False, exception)`` until the pipe closes.

    ``not_ours``: the parent's ends of this and the earlier workers' pipes, inherited by the
    fork and closed at once, so that the pipe reads as closed when the parent closes its end
    or dies. Ctrl-C is the parent's to handle: a terminal sends it to the whole process
    group, and the worker ends when the parent closes the pipe (no traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for end in not_ours:
        end.close()
    try:
        _WARM_UP[role]()
    except Exception:  # noqa: BLE001 - a failed warm-up only leaves the imports to the first call
        pass
    while True:
        try:
            module, name, args = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, _call(module, name, args))
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the caller
            reply = (False, exc)
        conn.send(reply)


class _Worker:
    """One forked worker process; requests are answered in the order they were sent."""

    def __init__(self, context: ForkContext, role: str, earlier: Sequence[_Worker] = ()) -> None:
        self._conn, theirs = context.Pipe()
        not_ours = [self._conn, *(w._conn for w in earlier)]
        self._process = context.Process(
            target=_serve, args=(theirs, role, not_ours), name=f"nearzero-{role}", daemon=True
        )
        main = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGINT)
        if main:  # ignored from the fork on (the worker sets it again, for another thread)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self._process.start()
        finally:
            if main:
                signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        theirs.close()
        self._sent = 0
        self._read = 0
        self._replies: dict[int, tuple[bool, Any]] = {}

    def submit(self, module: str, name: str, args: tuple[Any, ...]) -> Pending:
        try:
            self._conn.send((module, name, args))
        except (OSError, ValueError):  # the worker is gone (or the pipe closed): do it here
            return Pending(None, 0, module, name, args)
        self._sent += 1
        return Pending(self, self._sent - 1, module, name, args)

    def reply(self, n: int) -> tuple[bool, Any]:
        """The reply to request ``n``, reading (and keeping) the earlier ones first.
        Raises EOFError or OSError when the worker is gone."""
        while n not in self._replies:
            self._replies[self._read] = self._conn.recv()
            self._read += 1
        return self._replies.pop(n)

    def close(self) -> None:
        self._conn.close()  # the worker reads EOF and ends
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


class Pending:
    """A result being made in a worker: :meth:`result` waits for it, or makes it in this
    process if the worker died; an exception raised in the worker is raised here."""

    def __init__(
        self, worker: _Worker | None, n: int, module: str, name: str, args: tuple[Any, ...]
    ) -> None:
        self._worker = worker
        self._n = n
        self._call = (module, name, args)
        self._done: tuple[bool, Any] | None = None

    def result(self) -> Any:
        if self._done is None:
            try:
                if self._worker is None:
                    raise EOFError
                self._done = self._worker.reply(self._n)
            except (EOFError, OSError):
                self._done = (True, _call(*self._call))
        ok, value = self._done
        if not ok:
            raise value
        return value


_WORKERS: ContextVar[Mapping[str, _Worker] | None] = ContextVar(
    "nearzero_build_workers", default=None
)


@contextmanager
def worker_processes(*roles: str) -> Iterator[None]:
    """Fork a worker for each of ``roles`` (``"charts"``, ``"pdf"``) for the calls made in
    this context. Enter it before importing what the build needs and before opening the
    database or starting a thread: the workers are forked as it is entered."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield
        return
    context = multiprocessing.get_context("fork")
    workers: dict[str, _Worker] = {}
    for role in roles:
        if role in _WARM_UP:
            workers[role] = _Worker(context, role, list(workers.values()))
    token = _WORKERS.set(workers)
    try:
        yield
    finally:
        _WORKERS.reset(token)
        for worker in workers.values():
            worker.close()


def _run(role: str, module: str, name: str, *args: Any) -> Any:
    """``module.name(*args)`` in the role's worker (a :class:`Pending`) or, outside
    :func:`worker_processes`, here and now (the result itself)."""
    worker = (_WORKERS.get() or {}).get(role)
    if worker is None:
        return _call(module, name, args)
    return worker.submit(module, name, args)


# The charts of :mod:`nearzero.reports.charts`, as PNG bytes or a Pending of them.


def category_chart(
    names: Sequence[str],
    met: Sequence[int],
    totals: Sequence[int],
    no_data: Sequence[int] | None = None,
) -> bytes | Pending:
    """:func:`nearzero.reports.charts.category_chart`, drawn in the charts worker if any."""
    return _run(  # type: ignore[no-any-return]
        "charts",
        _CHARTS,
        "category_chart",
        list(names),
        list(met),
        list(totals),
        None if no_data is None else list(no_data),
    )


def trend_chart(data: dict[str, Any], title: str) -> bytes | Pending:
    """:func:`nearzero.reports.charts.trend_chart`, drawn in the charts worker if any."""
    return _run("charts", _CHARTS, "trend_chart", data, title)  # type: ignore[no-any-return]


def contribution_chart(
    labels: Sequence[str], values: Sequence[float], unit: str
) -> bytes | Pending:
    """:func:`nearzero.reports.charts.contribution_chart`, drawn in the charts worker if any."""
    return _run(  # type: ignore[no-any-return]
        "charts", _CHARTS, "contribution_chart", list(labels), list(values), unit
    )


def layout_pdf(html: str) -> bytes:
    """:func:`nearzero.reports.pdf.layout_pdf`: laid out in the PDF worker if any."""
    done = _run("pdf", _PDF, "layout_pdf", html)
    return done.result() if isinstance(done, Pending) else done  # type: ignore[no-any-return]
