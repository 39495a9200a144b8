"""Charts and PDF layout in worker processes (issue #13 item 7): the same bytes as drawn in
the calling process, errors raised in the caller, a dead worker replaced by the caller, and
no worker left behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from nearzero.reports import charts, offload
from nearzero.reports.model import Figure

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")

NAMES = ["能源", "建筑", "交通"]


def workers() -> dict[str, object]:
    return dict(offload._WORKERS.get() or {})


def test_outside_the_context_a_chart_is_drawn_here_and_now():
    png = offload.category_chart(NAMES, [3, 2, 1], [4, 4, 2], [0, 1, 0])
    assert png == charts.category_chart(NAMES, [3, 2, 1], [4, 4, 2], [0, 1, 0])
    assert workers() == {}


def test_charts_drawn_in_the_worker_are_the_charts_drawn_here():
    trend = {
        "years": [2020, 2021, 2022],
        "unit": "万吨",
        "series": [{"name": "排放", "data": [10.0, None, 8.5]}],
        "targets": [{"value": 7.0}],
        "projection": {"year": 2025, "value": 7.2},
    }
    with offload.worker_processes("charts"):
        pending = [
            offload.category_chart(NAMES, [3, 2, 1], [4, 4, 2]),
            offload.trend_chart(trend, "二氧化碳排放总量"),
            offload.contribution_chart(["电力", "运输", "回收"], [5.0, 1.5, -0.5], "kg"),
        ]
        assert all(isinstance(p, offload.Pending) for p in pending)
        # read in another order than sent: each gets its own reply
        got = [Figure(p, "图").png for p in reversed(pending)][::-1]
    assert got == [
        charts.category_chart(NAMES, [3, 2, 1], [4, 4, 2]),
        charts.trend_chart(trend, "二氧化碳排放总量"),
        charts.contribution_chart(["电力", "运输", "回收"], [5.0, 1.5, -0.5], "kg"),
    ]


def test_an_error_in_the_worker_is_raised_in_the_caller():
    with offload.worker_processes("charts"):
        broken = offload.category_chart(NAMES, [1, 2], [3, 4, 5])  # met is one short
        assert isinstance(broken, offload.Pending)
        with pytest.raises(ValueError, match="zip"):
            broken.result()
        # and the worker still answers
        assert offload.category_chart(["x"], [1], [1]).result()[:4] == b"\x89PNG"  # type: ignore[union-attr]


def test_a_dead_worker_is_replaced_by_the_caller():
    with offload.worker_processes("charts"):
        worker = workers()["charts"]
        os.kill(worker._process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
        worker._process.join()  # type: ignore[attr-defined]
        sent_after = offload.category_chart(["x"], [1], [1])
        assert isinstance(sent_after, bytes | offload.Pending)
        png = sent_after if isinstance(sent_after, bytes) else sent_after.result()
    assert png == charts.category_chart(["x"], [1], [1])


def test_the_pdf_is_laid_out_in_its_worker():
    from nearzero.reports import pdf

    html = "<h1>章丘区</h1><p>近零碳城市示范创建 2022 年度评估</p>"
    with offload.worker_processes("pdf"):
        pid = workers()["pdf"]._process.pid  # type: ignore[attr-defined]
        assert pid != os.getpid()
        laid_out = offload.layout_pdf(html)
    assert laid_out.startswith(b"%PDF-")
    here = pdf.layout_pdf(html)
    assert len(laid_out) == pytest.approx(len(here), rel=0.01)  # only the creation time differs


def test_ctrl_c_is_left_to_the_parent():
    handler = signal.getsignal(signal.SIGINT)
    with offload.worker_processes("charts"):
        assert signal.getsignal(signal.SIGINT) == handler  # the parent's is as it was
        worker = workers()["charts"]
        os.kill(worker._process.pid, signal.SIGINT)  # type: ignore[attr-defined]
        png = offload.category_chart(["x"], [1], [1])
        assert isinstance(png, offload.Pending)
        assert png.result() == charts.category_chart(["x"], [1], [1])
        assert worker._process.is_alive()  # type: ignore[attr-defined]
        assert worker._process.exitcode is None  # type: ignore[attr-defined]


def test_no_worker_outlives_the_context():
    with offload.worker_processes("charts", "pdf"):
        processes = [w._process for w in workers().values()]  # type: ignore[attr-defined]
        assert all(p.is_alive() for p in processes)
    assert workers() == {}
    assert not any(p.is_alive() for p in processes)


def test_a_worker_ends_when_its_parent_dies():
    """Each worker closes the parent's ends of the pipes it inherited, so a parent killed
    mid-build leaves no worker waiting on a pipe that never closes."""
    code = (
        "import os, sys, time\n"
        "from nearzero.reports import offload\n"
        "with offload.worker_processes('charts', 'pdf'):\n"
        "    ws = offload._WORKERS.get()\n"
        "    print(' '.join(str(w._process.pid) for w in ws.values()), flush=True)\n"
        "    time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        parent.kill()
    deadline = time.monotonic() + 30
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in pids if _running(p)]
    assert alive == []


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie reparented to init does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
