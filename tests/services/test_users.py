"""User accounts on SQLite and PostgreSQL: the password policy, log-in rate limits and
lock-outs, server-side sessions and their time-outs, the office's administration; every
write in the audit log."""

import datetime as dt
import hashlib
import time

import pytest
from sqlalchemy import func, select

from nearzero.services import audit, users as svc
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.store.tables.users import LoginAttempt, UserAccount, UserSession

OFFICE = Actor("office", Role.ADMIN)
STRONG = "Green-city-2025"
POLICY = svc.LoginPolicy()
T0 = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)


def actions(session, username):
    """The audit log's actions on ``username``, oldest first."""
    rows = audit.entries(session, "user", username)
    return [e.action for e in reversed(rows) if e.entity_key == username]


# --------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    ("password", "username", "zh", "en"),
    [
        ("Short-1", "alice", "至少12个字符", "at least 12 characters, got 7"),
        ("alicealice12", "alicealice12", "不能与用户名相同", "must not be the username"),
        ("abcdefghijklmn", "alice", "至少两类字符", "at least two kinds of character"),
        ("12345678901234", "alice", "至少两类字符", "at least two kinds of character"),
    ],
)
def test_password_policy_names_the_rule_in_chinese_and_english(password, username, zh, en):
    problems = svc.password_problems(password, username)
    assert any(zh in p and en in p for p in problems), problems
    with pytest.raises(InvalidInput) as refused:
        svc.check_password_policy(password, username)
    assert zh in str(refused.value) and en in str(refused.value)


@pytest.mark.parametrize(
    "password", [STRONG, "zhangqiu-demo", "长江黄河泰山济南章丘abc", "abcdefghijK1"]
)
def test_password_policy_accepts_mixed_passwords(password):
    assert svc.password_problems(password, "alice") == []


def test_generated_passwords_meet_the_policy():
    for _ in range(50):
        assert svc.password_problems(svc.generated_password(), "") == []


def test_creating_a_user_applies_the_policy_and_needs_the_office(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        with pytest.raises(InvalidInput, match="at least 12 characters"):
            svc.create_user(session, OFFICE, "alice", "short-1", Role.VIEWER, unit=unit)
        with pytest.raises(PermissionDenied):
            svc.create_user(session, Actor("drc", Role.EDITOR), "bob", STRONG, Role.VIEWER)
        with pytest.raises(InvalidInput, match="department"):
            svc.create_user(session, OFFICE, "carol", STRONG, Role.EDITOR, unit=unit)
        svc.create_user(session, OFFICE, "verifier1", STRONG, Role.VERIFIER, unit=unit)
        user = svc.create_user(session, OFFICE, "alice", STRONG, Role.EDITOR, "Alice", unit, "drc")
        assert user.department.code == "drc" and user.role == "editor"
        assert actions(session, "alice") == ["user.create"]
        # the demo accounts are made without the policy and again find nothing to do
        assert svc.ensure_demo_accounts(session, unit) == []


# --------------------------------------------------------------------------- log-in


def test_unknown_and_known_users_take_the_same_time(sessions):
    """An unknown user's password is checked against a dummy Argon2 hash: without it the
    answer would come back in well under a millisecond instead of an Argon2 verification."""
    with transaction(sessions) as session:
        svc.authenticate(session, "nobody", "warm-up")  # the dummy hash is made once
        known, unknown = [], []
        for _ in range(5):
            start = time.perf_counter()
            assert svc.authenticate(session, "office", "wrong-password") is None
            known.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert svc.authenticate(session, "nobody-here", "wrong-password") is None
            unknown.append(time.perf_counter() - start)
    fast, slow = min(min(known), min(unknown)), max(min(known), min(unknown))
    assert fast > 0.5 * slow, (known, unknown)


def test_account_lockout_after_five_failures_then_release(sessions):
    with transaction(sessions) as session:
        for n in range(4):
            result = svc.log_in(session, "office", "wrong", "10.0.0.1", POLICY, T0)
            assert result.user is None and result.locked_until is None, n
        fifth = svc.log_in(session, "office", "wrong", "10.0.0.1", POLICY, T0)
        assert fifth.locked_until == T0 + POLICY.lockout
        assert fifth.retry_after == 15 * 60
        # locked: even the right password is refused, from any address, without a session
        later = T0 + dt.timedelta(minutes=5)
        refused = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.9", POLICY, later)
        assert refused.token is None and refused.locked_until == T0 + POLICY.lockout
        assert refused.retry_after == 10 * 60
        # other accounts are not locked
        assert svc.log_in(session, "viewer", svc.DEMO_PASSWORD, "10.0.0.9", POLICY, later).token
        after = T0 + POLICY.lockout + dt.timedelta(seconds=1)
        ok = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.1", POLICY, after)
        assert ok.user is not None and ok.token
        assert actions(session, "office")[1:] == [
            *["user.login_failed"] * 5,
            "user.lockout",
            "user.login_refused",
            "user.login",
        ]
        lockout = next(
            e for e in audit.entries(session, "user", "office") if e.action == "user.lockout"
        )
        assert lockout.new["scope"] == "account" and lockout.new["address"] == "10.0.0.1"


def test_failures_outside_the_window_do_not_add_up(sessions):
    with transaction(sessions) as session:
        for n in range(8):
            at = T0 + n * dt.timedelta(minutes=4)  # at most four within any 15 minutes
            assert (
                svc.log_in(session, "office", "wrong", "10.0.0.1", POLICY, at).locked_until is None
            )


def test_unknown_usernames_are_locked_alike(sessions):
    with transaction(sessions) as session:
        results = [svc.log_in(session, "ghost", "x", "10.0.0.2", POLICY, T0) for _ in range(5)]
        assert [r.locked_until is not None for r in results] == [False] * 4 + [True]
        assert actions(session, "ghost")[-1] == "user.lockout"


def test_address_lockout_across_usernames(sessions):
    policy = svc.LoginPolicy(max_failures_per_address=3)
    with transaction(sessions) as session:
        assert svc.log_in(session, "a1", "x", "10.0.0.3", policy, T0).locked_until is None
        assert svc.log_in(session, "a2", "x", "10.0.0.3", policy, T0).locked_until is None
        assert svc.log_in(session, "a3", "x", "10.0.0.3", policy, T0).locked_until is not None
        blocked = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.3", policy, T0)
        assert blocked.token is None and blocked.locked_until is not None
        elsewhere = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.4", policy, T0)
        assert elsewhere.token is not None
        lockout = audit.entries(session, "user", "a3")[0]
        assert lockout.action == "user.lockout" and lockout.new["scope"] == "address"
        outcomes = session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id))
        assert list(outcomes) == ["failed", "failed", "failed", "address_locked", "refused", "ok"]


# --------------------------------------------------------------------------- sessions


def test_the_session_id_is_stored_only_as_its_sha256(sessions):
    with transaction(sessions) as session:
        token = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.1", POLICY, T0).token
        row = session.scalar(select(UserSession))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {row.token_hash, row.address, row.ended_reason}
        assert svc.session_of(session, token, POLICY, T0).user.username == "office"
        assert svc.session_of(session, token + "x", POLICY, T0) is None
        assert svc.session_of(session, "", POLICY, T0) is None


def test_idle_and_absolute_timeouts(sessions):
    with transaction(sessions) as session:
        token = svc.log_in(session, "office", svc.DEMO_PASSWORD, "", POLICY, T0).token
        minute = dt.timedelta(minutes=1)
        # last seen is written at most once a minute
        row = svc.session_of(session, token, POLICY, T0 + 30 * dt.timedelta(seconds=1))
        assert svc._aware(row.last_seen_at) == T0
        row = svc.session_of(session, token, POLICY, T0 + minute)
        assert svc._aware(row.last_seen_at) == T0 + minute
        # active every 29 minutes, it lives until the absolute time-out of 8 hours
        at = T0 + minute
        while at + 29 * minute < T0 + POLICY.absolute:
            at += 29 * minute
            assert svc.session_of(session, token, POLICY, at) is not None, at
        assert svc.session_of(session, token, POLICY, T0 + POLICY.absolute + minute) is None
        assert session.scalar(select(UserSession.ended_reason)) == "expired"

        idle = svc.log_in(session, "viewer", svc.DEMO_PASSWORD, "", POLICY, T0).token
        assert svc.session_of(session, idle, POLICY, T0 + 30 * minute) is not None
        assert svc.session_of(session, idle, POLICY, T0 + 61 * minute) is None
        # once ended, it stays ended
        assert svc.session_of(session, idle, POLICY, T0 + 31 * minute) is None


def test_log_out_reset_disable_and_change_end_sessions(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.create_user(session, OFFICE, "alice", STRONG, Role.VIEWER, unit=unit)
        now = svc.utcnow()

        def open_session():
            return svc.log_in(session, "alice", STRONG, "", POLICY, now).token

        one, two = open_session(), open_session()
        svc.log_out(session, one)
        assert svc.session_of(session, one, POLICY) is None
        assert svc.session_of(session, two, POLICY) is not None

        temporary = svc.reset_password(session, OFFICE, "alice")
        assert svc.session_of(session, two, POLICY) is None
        user = session.scalar(select(UserAccount).where(UserAccount.username == "alice"))
        assert user.must_change_password
        assert svc.authenticate(session, "alice", STRONG) is None

        three = svc.log_in(session, "alice", temporary, "", POLICY, now).token
        four = svc.log_in(session, "alice", temporary, "", POLICY, now).token
        current = svc.session_of(session, three, POLICY)
        with pytest.raises(InvalidInput, match="current password"):
            svc.change_password(session, user, "wrong", "Another-pass-42", current)
        with pytest.raises(InvalidInput, match="at least 12 characters"):
            svc.change_password(session, user, temporary, "short", current)
        svc.change_password(session, user, temporary, "Another-pass-42", current)
        assert not user.must_change_password
        assert svc.session_of(session, three, POLICY) is not None  # the one that changed it
        assert svc.session_of(session, four, POLICY) is None

        with pytest.raises(PermissionDenied):
            svc.set_active(session, Actor("viewer", Role.VIEWER), "alice", False)
        with pytest.raises(InvalidInput, match="your own account"):
            svc.set_active(session, OFFICE, "office", False)
        svc.set_active(session, OFFICE, "alice", False)
        assert svc.session_of(session, three, POLICY) is None
        assert svc.log_in(session, "alice", "Another-pass-42", "", POLICY, now).token is None
        svc.set_active(session, OFFICE, "alice", True)
        assert svc.log_in(session, "alice", "Another-pass-42", "", POLICY, now).token

        svc.set_role(session, OFFICE, "alice", Role.EDITOR, unit, "eeb")
        assert user.role == "editor" and user.department.code == "eeb"
        assert actions(session, "alice") == [
            "user.create",
            "user.login",
            "user.login",
            "user.logout",
            "user.reset_password",
            "user.login",
            "user.login",
            "user.change_password",
            "user.disable",
            "user.login_failed",
            "user.enable",
            "user.login",
            "user.set_role",
        ]
        reset = next(e for e in audit.entries(session, "user", "alice") if "reset" in e.action)
        assert temporary not in str(reset.new)


def test_ending_every_session(sessions):
    with transaction(sessions) as session:
        tokens = [
            svc.log_in(session, name, svc.DEMO_PASSWORD, "", POLICY).token
            for name in ("office", "viewer")
        ]
        with pytest.raises(PermissionDenied):
            svc.end_all_sessions(session, Actor("viewer", Role.VIEWER))
        assert svc.end_all_sessions(session, Actor.system("cli")) == 2
        assert [svc.session_of(session, t, POLICY) for t in tokens] == [None, None]
        assert actions(session, "*") == ["user.end_all_sessions"]


# --------------------------------------------------------------------------- what is forgotten


def test_each_log_in_forgets_attempts_and_sessions_no_rule_reads(sessions):
    minute = dt.timedelta(minutes=1)
    with transaction(sessions) as session:
        abandoned = svc.log_in(session, "viewer", svc.DEMO_PASSWORD, "", POLICY, T0).token
        out = svc.log_in(session, "office", svc.DEMO_PASSWORD, "", POLICY, T0).token
        svc.log_out(session, out)
        svc.log_in(session, "ghost", "x", "10.0.0.5", POLICY, T0)
        svc.log_in(session, "office", svc.DEMO_PASSWORD, "", POLICY, T0 + 10 * minute)
        # within the window every attempt stays; the logged-out session is gone
        assert session.scalar(select(func.count(LoginAttempt.id))) == 4
        assert session.scalar(select(func.count(UserSession.id))) == 2
        counts = {u.username: u.open_sessions for u in svc.list_users(session, OFFICE, POLICY, T0)}
        assert counts["office"] == 1 and counts["viewer"] == 1
        # 41 minutes on: the attempts are older than the window, both sessions idle too long
        later = T0 + 41 * minute
        counts = {
            u.username: u.open_sessions for u in svc.list_users(session, OFFICE, POLICY, later)
        }
        assert counts["office"] == 0 and counts["viewer"] == 0  # timed out is not open
        fresh = svc.log_in(session, "office", svc.DEMO_PASSWORD, "", POLICY, later).token
        outcomes = session.scalars(select(LoginAttempt.outcome))
        assert list(outcomes) == ["ok"]
        assert session.scalar(select(func.count(UserSession.id))) == 1
        assert svc.session_of(session, abandoned, POLICY, later) is None
        assert svc.session_of(session, fresh, POLICY, later) is not None
        # the audit log keeps every log-in
        assert actions(session, "office")[-4:] == [
            "user.login",
            "user.logout",
            "user.login",
            "user.login",
        ]
        assert actions(session, "ghost") == ["user.login_failed"]


def test_a_lock_out_longer_than_the_window_outlives_the_pruning(sessions):
    policy = svc.LoginPolicy(window=dt.timedelta(minutes=15), lockout=dt.timedelta(hours=1))
    with transaction(sessions) as session:
        for _ in range(5):
            svc.log_in(session, "office", "wrong", "10.0.0.1", policy, T0)
        at = T0 + dt.timedelta(minutes=45)  # past the window, within the lock-out
        refused = svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.1", policy, at)
        assert refused.token is None and refused.locked_until == T0 + policy.lockout
        after = T0 + policy.lockout + dt.timedelta(seconds=1)
        assert svc.log_in(session, "office", svc.DEMO_PASSWORD, "10.0.0.1", policy, after).token
