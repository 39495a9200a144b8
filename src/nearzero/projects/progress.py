"""A project's stage, its alerts, and progress across projects (pure).

The stage is the one the newest progress update reports (``planned`` with none); a project
that is not done when its due date (完成日期, the last day the plan's text means: 2023年底 →
2023-12-31) has passed is ``late``. A project that is not done and due within ``soon_days``
days is *due soon*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nearzero.projects.choices import Stage

#: Days before the due date from which a project that is not done is flagged as due soon.
DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class Update:
    """One progress update as reported: the stage reached on a date and how far along [%]."""

    reported_on: dt.date
    stage: Stage
    percent: int = 0


@dataclass(frozen=True)
class ProjectStatus:
    """Where a project stands on ``as_of``."""

    stage: Stage
    percent: int
    due: dt.date
    as_of: dt.date
    done_on: dt.date | None = None
    last_update: dt.date | None = None
    soon_days: int = DUE_SOON_DAYS

    @property
    def days_to_due(self) -> int:
        """Days from ``as_of`` to the due date; negative once it has passed."""
        return (self.due - self.as_of).days

    @property
    def late(self) -> bool:
        return self.stage is Stage.LATE

    @property
    def due_soon(self) -> bool:
        return self.stage in (Stage.PLANNED, Stage.UNDER_WAY) and self.days_to_due <= self.soon_days

    @property
    def done_late(self) -> bool:
        """Done, but after its due date."""
        return self.done_on is not None and self.done_on > self.due


def project_status(
    due: dt.date, updates: Sequence[Update], as_of: dt.date, soon_days: int = DUE_SOON_DAYS
) -> ProjectStatus:
    """The stage of a project due on ``due`` given its ``updates`` (in the order recorded).

    Updates dated after ``as_of`` are not known yet on that day and are left out; among
    updates of one date the one recorded last wins. ``done_on`` is the date of the first
    ``done`` update not followed by a report of another stage.
    """
    known = sorted(
        (u for u in updates if u.reported_on <= as_of),
        key=lambda u: u.reported_on,  # stable: the recording order breaks ties
    )
    if not known:
        stage = Stage.LATE if as_of > due else Stage.PLANNED
        return ProjectStatus(stage, 0, due, as_of, soon_days=soon_days)
    last = known[-1]
    done_on = None
    if last.stage is Stage.DONE:
        for u in reversed(known):
            if u.stage is not Stage.DONE:
                break
            done_on = u.reported_on
    stage = last.stage
    if stage is not Stage.DONE and as_of > due:
        stage = Stage.LATE
    percent = 100 if last.stage is Stage.DONE else last.percent
    return ProjectStatus(stage, percent, due, as_of, done_on, last.reported_on, soon_days)


@dataclass
class GroupProgress:
    """Progress of the projects of one category or department."""

    key: str
    total: int = 0
    by_stage: dict[Stage, int] = field(default_factory=lambda: dict.fromkeys(Stage, 0))
    percent_sum: int = 0

    @property
    def done(self) -> int:
        return self.by_stage[Stage.DONE]

    @property
    def mean_percent(self) -> float:
        """Mean of the projects' percentages [%] (done counts as 100)."""
        return self.percent_sum / self.total if self.total else 0.0


def progress_by(items: Iterable[tuple[str, ProjectStatus]]) -> list[GroupProgress]:
    """Counts per stage and mean percent for each key, in the order keys first appear.

    Pass one pair per (key, project): a project of two departments is counted in both.
    """
    groups: dict[str, GroupProgress] = {}
    for key, status in items:
        group = groups.setdefault(key, GroupProgress(key))
        group.total += 1
        group.by_stage[status.stage] += 1
        group.percent_sum += status.percent
    return list(groups.values())
