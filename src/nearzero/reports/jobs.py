"""Report builds in background threads, kept in memory so a page can poll their progress.

The store is bounded (at most ``max_jobs`` kept, at most ``max_running`` building at once) and
forgets a job ``ttl`` seconds after it was started. A job is visible only to its owner, and
an owner has at most one build in progress at a time, background or not
(:meth:`JobStore.building` holds the place of a build the browser waits for).
Jobs do not survive a restart; the page simply starts a new one.

:class:`BuildCache` keeps built files by key (unit, year, format, data version, day), so a
second download of unchanged data is not built again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from nearzero.reports.model import BuiltFile, Progress

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Busy(Exception):
    """Too many builds are running or kept, or the owner's own build is still running; try
    again shortly."""


@dataclass
class Job:
    id: str
    owner: str
    label: str
    started: float
    state: str = QUEUED
    step: str = ""
    fraction: float = 0.0
    error: str = ""
    result: BuiltFile | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "label": self.label,
            "state": self.state,
            "step": self.step,
            "fraction": round(self.fraction, 3),
            "error": self.error,
        }
        if self.result is not None:
            out |= {"filename": self.result.filename, "size": len(self.result.data)}
        return out


class JobStore:
    """Start builds in threads; look them up by id and owner; prune old ones."""

    def __init__(
        self,
        max_jobs: int = 10,
        max_running: int = 2,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_jobs, self.max_running, self.ttl, self.clock = max_jobs, max_running, ttl, clock
        self._jobs: dict[str, Job] = {}
        self._building: dict[str, str] = {}  # owner -> label of their build in progress
        self._lock = threading.Lock()

    def _claim(self, owner: str, label: str) -> None:
        """Mark ``owner`` as building (lock held); :class:`Busy` if they already are."""
        if owner in self._building:
            raise Busy(
                f"build: 每位用户同一时间只能生成一份报告，请等待{self._building[owner]}完成 — "
                f"your build {self._building[owner]} is still running; wait for it to finish"
            )
        self._building[owner] = label

    def _release(self, owner: str) -> None:
        with self._lock:
            self._building.pop(owner, None)

    @contextmanager
    def building(self, owner: str, label: str) -> Iterator[None]:
        """Hold ``owner``'s one build place while a build runs in the request (a download
        the browser waits for); raises :class:`Busy` when their other build still runs."""
        with self._lock:
            self._claim(owner, label)
        try:
            yield
        finally:
            self._release(owner)

    def _prune(self) -> None:
        now = self.clock()
        for key in [k for k, j in self._jobs.items() if now - j.started > self.ttl]:
            del self._jobs[key]
        finished = sorted(
            (j for j in self._jobs.values() if j.state in (DONE, FAILED)), key=lambda j: j.started
        )
        while len(self._jobs) >= self.max_jobs and finished:
            del self._jobs[finished.pop(0).id]

    def start(self, owner: str, label: str, work: Callable[[Progress], BuiltFile]) -> Job:
        """Run ``work(progress)`` in a thread; raises :class:`Busy` when the store is full."""
        with self._lock:
            self._prune()
            running = sum(j.state in (QUEUED, RUNNING) for j in self._jobs.values())
            if running >= self.max_running or len(self._jobs) >= self.max_jobs:
                raise Busy(
                    f"build: 正在生成{running}份报告，请稍后再试 — {running} builds are running; "
                    "try again shortly"
                )
            self._claim(owner, label)
            job = Job(uuid.uuid4().hex, owner, label, self.clock())
            self._jobs[job.id] = job

        def progress(step: str, fraction: float) -> None:
            job.step, job.fraction = step, fraction

        def run() -> None:
            job.state = RUNNING
            try:
                try:
                    result = work(progress)
                finally:  # free the owner's place before the job shows as finished
                    self._release(owner)
            except Exception as exc:  # the page shows what went wrong; the thread must not die
                job.state, job.error = FAILED, f"{type(exc).__name__}: {exc}"
                return
            job.result = result
            job.fraction, job.state = 1.0, DONE

        threading.Thread(target=run, name=f"report-job-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job with ``job_id`` if ``owner`` started it and it has not been pruned."""
        with self._lock:
            self._prune()
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """Block until the job is finished (for tests and the CLI); None if unknown."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self._jobs.get(job_id)
            if job is None or job.state in (DONE, FAILED):
                return job
            time.sleep(0.05)
        return self._jobs.get(job_id)


class BuildCache:
    """Built files by key, the least recently used dropped first; at most ``max_entries``
    files and ``max_bytes`` [bytes] together (a file larger than that is not kept)."""

    def __init__(self, max_entries: int = 16, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._files: OrderedDict[Hashable, BuiltFile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> BuiltFile | None:
        with self._lock:
            found = self._files.get(key)
            if found is not None:
                self._files.move_to_end(key)
            return found

    def put(self, key: Hashable, built: BuiltFile) -> None:
        if len(built.data) > self.max_bytes:
            return
        with self._lock:
            self._files[key] = built
            self._files.move_to_end(key)
            while len(self._files) > self.max_entries or self._size() > self.max_bytes:
                self._files.popitem(last=False)

    def _size(self) -> int:
        return sum(len(f.data) for f in self._files.values())

    def __len__(self) -> int:
        return len(self._files)
