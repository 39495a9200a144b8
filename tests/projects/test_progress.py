"""Stage and alerts of a key project from its progress updates and a date."""

import datetime as dt

from nearzero.projects.choices import Stage
from nearzero.projects.progress import Update, progress_by, project_status

D = dt.date
DUE = D(2024, 12, 31)  # 2024年底


def test_no_update_is_planned_before_due_and_late_after():
    assert project_status(DUE, [], D(2024, 6, 1)).stage is Stage.PLANNED
    late = project_status(DUE, [], D(2025, 1, 1))
    assert late.stage is Stage.LATE and late.late and late.days_to_due == -1


def test_newest_update_sets_the_stage_and_percent():
    updates = [
        Update(D(2024, 3, 1), Stage.UNDER_WAY, 20),
        Update(D(2024, 5, 1), Stage.UNDER_WAY, 60),
    ]
    status = project_status(DUE, updates, D(2024, 6, 1))
    assert (status.stage, status.percent, status.last_update) == (
        Stage.UNDER_WAY,
        60,
        D(2024, 5, 1),
    )
    # past due and not done: late, the percent stays what was reported
    late = project_status(DUE, updates, D(2025, 2, 1))
    assert (late.stage, late.percent) == (Stage.LATE, 60)


def test_done_counts_100_and_is_never_late():
    updates = [Update(D(2025, 2, 10), Stage.DONE, 80)]
    status = project_status(DUE, updates, D(2025, 6, 1))
    assert status.stage is Stage.DONE and status.percent == 100
    assert status.done_on == D(2025, 2, 10) and status.done_late and not status.late
    assert not status.due_soon


def test_reopened_project_is_no_longer_done():
    updates = [
        Update(D(2024, 3, 1), Stage.DONE),
        Update(D(2024, 4, 1), Stage.UNDER_WAY, 90),
    ]
    status = project_status(DUE, updates, D(2024, 5, 1))
    assert status.stage is Stage.UNDER_WAY and status.done_on is None


def test_done_on_is_the_first_of_the_final_run_of_done_reports():
    updates = [
        Update(D(2024, 3, 1), Stage.DONE),
        Update(D(2024, 4, 1), Stage.UNDER_WAY),
        Update(D(2024, 5, 1), Stage.DONE),
        Update(D(2024, 6, 1), Stage.DONE),
    ]
    assert project_status(DUE, updates, D(2024, 7, 1)).done_on == D(2024, 5, 1)


def test_updates_after_the_date_are_not_known_yet_and_ties_go_to_the_last_recorded():
    updates = [Update(D(2024, 5, 1), Stage.UNDER_WAY, 10), Update(D(2024, 9, 1), Stage.DONE)]
    assert project_status(DUE, updates, D(2024, 6, 1)).stage is Stage.UNDER_WAY
    same_day = [Update(D(2024, 5, 1), Stage.UNDER_WAY, 10), Update(D(2024, 5, 1), Stage.PLANNED)]
    assert project_status(DUE, same_day, D(2024, 6, 1)).stage is Stage.PLANNED


def test_due_soon_window():
    # DUE - 90 days = 2024-10-02: on that day the project is due within 90 days
    assert project_status(DUE, [], D(2024, 10, 2)).due_soon
    assert not project_status(DUE, [], D(2024, 10, 1)).due_soon
    assert project_status(DUE, [], D(2024, 12, 2), soon_days=30).due_soon
    assert not project_status(DUE, [], D(2025, 1, 2)).due_soon  # late, not "due soon"


def test_progress_by_category_and_department():
    as_of = D(2025, 1, 15)
    done = project_status(DUE, [Update(D(2024, 11, 1), Stage.DONE)], as_of)
    late = project_status(DUE, [Update(D(2024, 11, 1), Stage.UNDER_WAY, 50)], as_of)
    planned = project_status(D(2025, 12, 31), [], as_of)
    groups = progress_by([("energy", done), ("energy", late), ("sinks", planned), ("drc", late)])
    energy, sinks, drc = groups
    assert (energy.key, energy.total, energy.done, energy.by_stage[Stage.LATE]) == (
        "energy",
        2,
        1,
        1,
    )
    assert energy.mean_percent == 75.0  # (100 + 50) / 2
    assert sinks.by_stage[Stage.PLANNED] == 1 and sinks.mean_percent == 0
    assert drc.total == 1
