"""Benchmark: the annual report and the dossier from the command line, issue #13 item 7.

Each command is run end to end as a subprocess on a demo database this bench builds in a temp
dir (`nearzero db upgrade`, `nearzero demo load`), several runs each, the minimum and the median
printed beside `python -c pass` (process start, the floor) and beside the target:

- `nearzero report --format docx` (target ≤ 1.5 s);
- `nearzero report --format pdf` (target ≤ 3 s);
- `nearzero dossier` (workbook, the report as docx and pdf, evidence; no target of its own).

Beside them, what bounds them, measured in the same run: `nearzero --help` (the CLI's start),
importing what a report reads (`nearzero.services.report` and every section's service),
importing the charts (matplotlib; both formats draw them), and WeasyPrint's own floor: its
import, and its import plus one trivial page in the report's CJK fonts laid out and written in
the same process. Last, inside one process that has imported everything: gathering the data,
the charts and sections, writing the docx, laying out and writing the PDF (WeasyPrint's share
of the report itself). Each line also gives the CPU time (user + system) of its fastest run,
which drifts less than wall time on a shared machine.

The report commands fork two workers as they start (:mod:`nearzero.reports.offload`): one
imports matplotlib and draws the charts, one imports WeasyPrint and lays out the PDF, while the
command imports the services and gathers the data. On two free cores their imports overlap;
the per-step lines below are the one-process costs that the overlap hides.

Bytecode is cached (PYTHONPYCACHEPREFIX in the temp dir, one untimed warm-up run), as it is
after `make venv` and a first run: a PYTHONDONTWRITEBYTECODE environment would otherwise time
compiling the sources in every run.

Run: uv run python bench/bench_reports.py [--runs N] [--year Y]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

from bench_startup import NEARZERO

TRIVIAL_PDF = (
    'import weasyprint; weasyprint.HTML(string=\'<p style="font-family: Noto Serif CJK SC">'
    "近零碳 2022</p>').write_pdf()"
)
# The report's own HTML laid out and written by WeasyPrint, timed inside one process that has
# already imported everything and gathered the data: what the PDF costs beyond start-up.
IN_PROCESS = """
import gc, sys, time
gc.set_threshold(50_000, 20, 100)  # as the CLI
from nearzero.cli import _db
from nearzero.reports.charts import category_chart
from nearzero.reports.pdf import build_pdf
from nearzero.reports.word import build_docx
from nearzero.services import indicators, report
with _db() as session:
    unit = indicators.get_unit(session, None)
    t0 = time.perf_counter()
    data = report.report_data(session, unit, int(sys.argv[1]))
    t1 = time.perf_counter()
    category_chart(["a"], [1], [1])  # the fonts' first load, not the report's charts
    t2 = time.perf_counter()
    built = report.assemble(data, unit, int(sys.argv[1]))
    t3 = time.perf_counter()
    build_docx(built)
    t4 = time.perf_counter()
    build_pdf(built)
    t5 = time.perf_counter()
print(t1 - t0, t3 - t2, t4 - t3, t5 - t4)
"""


def times(cmd: Sequence[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of ``runs`` runs of ``cmd``, after one
    untimed warm-up run. CPU time drifts less than wall time on a shared machine."""
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def line(
    label: str, measured: tuple[list[float], list[float]], floor: float, target: float | None
) -> str:
    wall, cpu = measured
    best = min(wall)
    text = (
        f"{label:<30}: min {best:6.3f} s  median {statistics.median(wall):6.3f} s  "
        f"cpu {min(cpu):6.3f} s  ({best / floor:5.1f}x floor)"
    )
    if target is not None:
        text += f"  target <= {target:g} s: {best / target:4.2f}x"
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=2022, help="the demo data's year")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
            "NEARZERO_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "NEARZERO_DATA_DIR": tmp,
            "PYTHONPYCACHEPREFIX": f"{tmp}/pycache",
        }
        for step in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([NEARZERO, *step], env=env, check=True, stdout=subprocess.DEVNULL)
        year = ["--year", str(args.year)]
        report = [NEARZERO, "report", *year, "--format"]
        py = sys.executable
        rows = [
            ("python -c pass", times([py, "-c", "pass"], env, args.runs), None),
            ("nearzero --help", times([NEARZERO, "--help"], env, args.runs), None),
            (
                "import what a report reads",
                times([py, "-c", "import nearzero.cli, nearzero.services.report"], env, args.runs),
                None,
            ),
            (
                "import the charts (matplotlib)",
                times([py, "-c", "import nearzero.reports.charts"], env, args.runs),
                None,
            ),
            ("import weasyprint", times([py, "-c", "import weasyprint"], env, args.runs), None),
            ("weasyprint: import + 1 page", times([py, "-c", TRIVIAL_PDF], env, args.runs), None),
            (
                "report --format docx",
                times([*report, "docx", "--out", f"{tmp}/r.docx"], env, args.runs),
                1.5,
            ),
            (
                "report --format pdf",
                times([*report, "pdf", "--out", f"{tmp}/r.pdf"], env, args.runs),
                3.0,
            ),
            (
                "dossier",
                times([NEARZERO, "dossier", *year, "--out", f"{tmp}/d.zip"], env, args.runs),
                None,
            ),
        ]
        steps = [
            [
                float(x)
                for x in subprocess.run(
                    [py, "-c", IN_PROCESS, str(args.year)],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()
            ]
            for _ in range(args.runs)
        ]
    floor = min(rows[0][1][0])
    print(f"{args.runs} runs each after a warm-up, demo year {args.year}; floor: python -c pass")
    for label, measured, target in rows:
        print(line(label, measured, floor, target))
    print("inside one process, everything imported (min of the runs):")
    names = ("gather the data", "charts and sections", "write the docx", "lay out, write the pdf")
    for n, name in enumerate(names):
        print(f"  {name:<28}: {min(s[n] for s in steps):6.3f} s")


if __name__ == "__main__":
    main()
