"""User accounts: Argon2 password hashes, the password policy, roles, server-side log-in
sessions with idle and absolute time-outs, log-in rate limits and lock-outs, the office's
user administration, and the demo accounts. Every write is in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import string
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.store import tables as m, units as unit_store, users as store
from nearzero.store.base import utcnow
from nearzero.store.tables.users import UserSession

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters

MIN_PASSWORD = 12
"""The policy's shortest password [characters] for accounts made or reset by the office."""
MIN_DEMO_PASSWORD = 8
"""The shortest password of the demo accounts, which are made without the policy."""
CHARACTER_CLASSES = (
    ("小写字母", "lower-case letters", frozenset(string.ascii_lowercase)),
    ("大写字母", "upper-case letters", frozenset(string.ascii_uppercase)),
    ("数字", "digits", frozenset(string.digits)),
)
"""Classes a password mixes; anything else (symbols, CJK …) counts as a fourth class."""
LAST_SEEN_EVERY = dt.timedelta(minutes=1)
"""A session's last-seen time is written at most this often (not once per request)."""
ANONYMOUS = "anonymous"
"""The audit log's actor for log-in attempts that did not succeed."""


# --------------------------------------------------------------------------- passwords


def password_problems(password: str, username: str) -> list[str]:
    """What the password policy finds wrong with ``password`` for ``username`` (zh and en).

    At least :data:`MIN_PASSWORD` characters, not the username (in any case, or reversed),
    and not only one class of character (letters of one case, digits, or symbols).
    """
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(
            f"密码至少{MIN_PASSWORD}个字符，当前{len(password)}个 "
            f"(password: at least {MIN_PASSWORD} characters, got {len(password)})"
        )
    lowered = password.strip().lower()
    if username and lowered in (username.strip().lower(), username.strip().lower()[::-1]):
        problems.append("密码不能与用户名相同 (password: must not be the username)")
    classes = {
        next((i for i, (_, _, chars) in enumerate(CHARACTER_CLASSES) if c in chars), 3)
        for c in password
    }
    if password and len(classes) < 2:
        problems.append(
            "密码须混合至少两类字符：小写字母、大写字母、数字、符号 "
            "(password: mix at least two kinds of character: lower-case letters, "
            "upper-case letters, digits, symbols)"
        )
    return problems


def check_password_policy(password: str, username: str) -> None:
    """Raise :class:`InvalidInput` naming every rule ``password`` breaks."""
    problems = password_problems(password, username)
    if problems:
        raise InvalidInput("；".join(problems), problems)


def generated_password() -> str:
    """A random temporary password that meets the policy (16 characters)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if not password_problems(candidate, ""):
            return candidate


@cache
def _dummy_hash() -> str:
    """An Argon2 hash of a random password, checked for unknown users (same time spent)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --------------------------------------------------------------------------- accounts


def actor_of(user: m.UserAccount) -> Actor:
    department = user.department.code if user.department else None
    return Actor(user.username, Role(user.role), department, user.unit_id)


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        zh, _, en = what.partition(" (")  # "创建用户 (create users)"
        raise PermissionDenied(
            f"users: 只有专班办公室可以{zh} — only the office may {en.rstrip(')') or zh}"
        )


def _department(
    session: Session, role: Role, unit: m.DemoUnit | None, department_code: str | None
) -> m.Department | None:
    """The department an account belongs to: an editor needs one; the others have none."""
    if role is not Role.EDITOR:
        return None
    if unit is None or not department_code:
        raise InvalidInput(
            "department: 部门填报员须属于一个单位的部门 — "
            "an editor belongs to a department of a unit"
        )
    department = unit_store.department(session, unit.id, department_code)
    if department is None:
        raise InvalidInput(
            f"department: 单位“{unit.code}”没有部门“{department_code}” — "
            f"unit {unit.code!r} has no department {department_code!r}"
        )
    return department


def _user(session: Session, username: str) -> m.UserAccount:
    user = store.any_user(session, username.strip())
    if user is None:
        raise NotFound(f"用户不存在 (no user {username!r})")
    return user


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    unit: m.DemoUnit | None = None,
    department_code: str | None = None,
    *,
    policy: bool = True,
    must_change_password: bool = False,
) -> m.UserAccount:
    """A new account. With ``policy`` (the admin page and the CLI) the password must meet
    :func:`password_problems`; the demo accounts are made without it."""
    _require_admin(actor, "创建用户 (create users)")
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise InvalidInput(
            "username: 用户名为1至64个字符，不含空格 — 1 to 64 characters, no spaces"
        )
    if policy:
        check_password_policy(password, username)
    elif len(password) < MIN_DEMO_PASSWORD:
        raise InvalidInput(
            f"password: 密码至少{MIN_DEMO_PASSWORD}个字符 — at least {MIN_DEMO_PASSWORD} characters"
        )
    if store.username_taken(session, username):
        raise InvalidInput(f"username: 用户名“{username}”已被使用 — {username!r} is taken")
    department = _department(session, role, unit, department_code)
    user = m.UserAccount(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=_hasher.hash(password),
        role=role.value,
        unit_id=unit.id if unit else None,
        department=department,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    new = {"role": role.value, "department": department.code if department else None}
    audit.record(
        session, actor, "user.create", "user", username, None, new, unit.code if unit else ""
    )
    return user


def authenticate(session: Session, username: str, password: str) -> m.UserAccount | None:
    """The active user with these credentials, or None (same answer for unknown and wrong).

    An unknown or disabled user's password is checked against a dummy Argon2 hash, so the
    answer takes as long as for a known user with a wrong password.
    """
    user = store.active_user(session, username.strip())
    if user is None:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def get_user(session: Session, username: str) -> m.UserAccount | None:
    return store.active_user(session, username)


def set_role(
    session: Session,
    actor: Actor,
    username: str,
    role: Role,
    unit: m.DemoUnit | None = None,
    department_code: str | None = None,
) -> m.UserAccount:
    """Give an account a role (and, for an editor, a department of ``unit``)."""
    _require_admin(actor, "分配角色 (assign roles)")
    user = _user(session, username)
    if user.username == actor.username:
        raise InvalidInput("不能修改自己的角色 (you cannot change your own role)")
    department = _department(session, role, unit, department_code)
    old = {"role": user.role, "department": user.department.code if user.department else None}
    user.role = role.value
    user.department = department
    if unit is not None:
        user.unit_id = unit.id
    session.flush()
    new = {"role": role.value, "department": department.code if department else None}
    audit.record(
        session, actor, "user.set_role", "user", user.username, old, new, unit.code if unit else ""
    )
    return user


def reset_password(
    session: Session, actor: Actor, username: str, password: str | None = None
) -> str:
    """Set a temporary password (generated when none is given) that the user must change at
    the next log-in; every session of the user ends. Returns the temporary password."""
    _require_admin(actor, "重置密码 (reset passwords)")
    user = _user(session, username)
    temporary = password or generated_password()
    check_password_policy(temporary, user.username)
    now = utcnow()
    user.password_hash = _hasher.hash(temporary)
    user.must_change_password = True
    user.password_changed_at = now
    ended = store.end_sessions_of(session, user.id, now, "password_reset")
    audit.record(
        session,
        actor,
        "user.reset_password",
        "user",
        user.username,
        None,
        {"must_change_password": True, "sessions_ended": ended},
    )
    return temporary


def set_active(session: Session, actor: Actor, username: str, active: bool) -> m.UserAccount:
    """Disable an account (every session of it ends at once) or enable it again."""
    _require_admin(actor, "停用或启用用户 (disable or enable users)")
    user = _user(session, username)
    if user.username == actor.username:
        raise InvalidInput("不能停用自己的账户 (you cannot disable your own account)")
    old = {"active": user.active}
    user.active = active
    ended = 0 if active else store.end_sessions_of(session, user.id, utcnow(), "disabled")
    session.flush()
    action = "user.enable" if active else "user.disable"
    audit.record(
        session, actor, action, "user", user.username, old, {"active": active, "ended": ended}
    )
    return user


def change_password(
    session: Session, user: m.UserAccount, current: str, new: str, keep: UserSession | None
) -> None:
    """The user's own change: the current password is checked, the new one must meet the
    policy and differ from it; every other session of the user ends."""
    if not _verify(user.password_hash, current):
        raise InvalidInput("当前密码不正确 (current password: wrong)")
    if new == current:
        raise InvalidInput("新密码不能与当前密码相同 (new password: must differ from the current)")
    check_password_policy(new, user.username)
    now = utcnow()
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    user.password_changed_at = now
    ended = store.end_sessions_of(
        session, user.id, now, "password_changed", keep=keep.id if keep else None
    )
    audit.record(
        session,
        actor_of(user),
        "user.change_password",
        "user",
        user.username,
        None,
        {"sessions_ended": ended},
    )


# --------------------------------------------------------------------------- log-in


@dataclass(frozen=True)
class LoginPolicy:
    """Rate limits, lock-outs and session time-outs (from the settings of the same names)."""

    max_failures: int = 5
    """Failed log-ins of one account within ``window`` that lock it [attempts]."""
    max_failures_per_address: int = 20
    """Failed log-ins from one address within ``window`` that lock it [attempts]."""
    window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=8)

    @classmethod
    def from_settings(cls, settings: Any) -> LoginPolicy:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            window=dt.timedelta(seconds=settings.login_window),
            lockout=dt.timedelta(seconds=settings.login_lockout),
            idle=dt.timedelta(seconds=settings.session_idle_timeout),
            absolute=dt.timedelta(seconds=settings.session_max_age),
        )


@dataclass(frozen=True)
class LoginResult:
    """A log-in's answer: the user and the new session's raw id (the cookie), or neither and,
    when the account or address is locked, until when [UTC]."""

    user: m.UserAccount | None
    token: str | None
    locked_until: dt.datetime | None = None
    retry_after: int = 0
    """Seconds until the lock-out ends (0 when not locked) [s]."""

    @classmethod
    def locked(cls, until: dt.datetime | None, now: dt.datetime) -> LoginResult:
        wait = 0 if until is None else max(1, math.ceil((until - now).total_seconds()))
        return cls(None, None, until, wait)


def token_digest(token: str) -> str:
    """SHA-256 (hex) of a session id: the table keeps only this, never the id itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _locked_until(
    session: Session, username: str, address: str, policy: LoginPolicy, now: dt.datetime
) -> dt.datetime | None:
    ends = []
    account = store.latest_attempt_at(session, ("account_locked",), username=username)
    if account is not None:
        ends.append(_aware(account) + policy.lockout)
    by_address = store.latest_attempt_at(session, ("address_locked",), address=address)
    if by_address is not None:
        ends.append(_aware(by_address) + policy.lockout)
    until = max(ends, default=None)
    return until if until is not None and until > now else None


def _since(now: dt.datetime, policy: LoginPolicy, *resets: dt.datetime | None) -> dt.datetime:
    return max([now - policy.window, *(_aware(r) for r in resets if r is not None)])


def _lock_if_due(
    session: Session, username: str, address: str, policy: LoginPolicy, now: dt.datetime
) -> dt.datetime | None:
    """Lock the account and/or the address if this failure reached their limit."""
    locked = False
    reset = store.latest_attempt_at(session, ("account_locked", "ok"), username=username)
    since = _since(now, policy, reset)
    if store.failures_since(session, since, username=username) >= policy.max_failures:
        store.add_attempt(session, now, username, address, "account_locked")
        locked = True
        _audit_lockout(session, username, address, "account", now + policy.lockout)
    reset = store.latest_attempt_at(session, ("address_locked",), address=address)
    since = _since(now, policy, reset)
    if store.failures_since(session, since, address=address) >= policy.max_failures_per_address:
        store.add_attempt(session, now, username, address, "address_locked")
        locked = True
        _audit_lockout(session, username, address, "address", now + policy.lockout)
    return now + policy.lockout if locked else None


def _audit_lockout(
    session: Session, username: str, address: str, scope: str, until: dt.datetime
) -> None:
    new = {"scope": scope, "address": address, "until": until.isoformat()}
    anonymous = Actor(ANONYMOUS, Role.VIEWER)
    audit.record(session, anonymous, "user.lockout", "user", username, None, new)


def log_in(
    session: Session,
    username: str,
    password: str,
    address: str,
    policy: LoginPolicy,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a log-in against the lock-outs and the credentials; on success open a session.

    Every outcome is in the audit log (``user.login``, ``user.login_failed``,
    ``user.lockout``, ``user.login_refused`` while locked). Unknown and known usernames are
    limited, locked and timed alike, so the answer does not tell whether an account exists.
    """
    now = now or utcnow()
    name = username.strip()[:64]
    address = address[:64]
    anonymous = Actor(ANONYMOUS, Role.VIEWER)
    prune(session, policy, now)
    until = _locked_until(session, name, address, policy, now)
    if until is not None:
        store.add_attempt(session, now, name, address, "refused")
        new = {"address": address, "until": until.isoformat()}
        audit.record(session, anonymous, "user.login_refused", "user", name, None, new)
        return LoginResult.locked(until, now)
    user = authenticate(session, name, password)
    if user is None:
        store.add_attempt(session, now, name, address, "failed")
        audit.record(
            session, anonymous, "user.login_failed", "user", name, None, {"address": address}
        )
        return LoginResult.locked(_lock_if_due(session, name, address, policy, now), now)
    store.add_attempt(session, now, name, address, "ok")
    token = secrets.token_urlsafe(32)
    store.add_session(session, user, token_digest(token), now, address)
    audit.record(session, actor_of(user), "user.login", "user", name, None, {"address": address})
    return LoginResult(user, token)


def prune(session: Session, policy: LoginPolicy, now: dt.datetime) -> tuple[int, int]:
    """Forget what no rule reads any more, at each log-in: attempts older than the rate
    window and the lock-out (neither counts them) and sessions that cannot be used again
    (ended, idle or past the absolute time-out). How many attempts and sessions went.

    Without it both tables grow with every log-in for ever; the audit log keeps every
    log-in, failure and lock-out all the same."""
    return store.prune(
        session,
        attempts_before=now - max(policy.window, policy.lockout),
        seen_after=now - policy.idle,
        created_after=now - policy.absolute,
    )


def session_of(
    session: Session, token: str | None, policy: LoginPolicy, now: dt.datetime | None = None
) -> UserSession | None:
    """The open session whose id is ``token`` and its active user, or None: unknown, logged
    out, ended by an administrator, idle longer than ``policy.idle`` or older than
    ``policy.absolute`` (such a session is ended). The last-seen time is written at most
    once a minute."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = store.open_session(session, token_digest(token))
    if row is None:
        return None
    reason = ""
    if not row.user.active:
        reason = "disabled"
    elif now - _aware(row.created_at) > policy.absolute:
        reason = "expired"
    elif now - _aware(row.last_seen_at) > policy.idle:
        reason = "idle"
    if reason:
        store.end_session(session, row, now, reason)
        return None
    if now - _aware(row.last_seen_at) >= LAST_SEEN_EVERY:
        row.last_seen_at = now
    return row


def log_out(session: Session, token: str | None) -> None:
    """End the session whose id is ``token`` (nothing when there is none)."""
    if not token:
        return
    row = store.open_session(session, token_digest(token))
    if row is None:
        return
    store.end_session(session, row, utcnow(), "logout")
    audit.record(session, actor_of(row.user), "user.logout", "user", row.user.username, None, None)


def end_all_sessions(session: Session, actor: Actor, reason: str = "secret_rotated") -> int:
    """Log everybody out (e.g. when the installation's secret is rotated); how many ended."""
    _require_admin(actor, "结束所有会话 (end every session)")
    ended = store.end_all_sessions(session, utcnow(), reason)
    audit.record(session, actor, "user.end_all_sessions", "user", "*", None, {"ended": ended})
    return ended


# --------------------------------------------------------------------------- the office's page


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    role: str
    unit: str
    department: str
    active: bool
    must_change_password: bool
    open_sessions: int


@dataclass(frozen=True)
class DepartmentChoice:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class UserAdminPage:
    """The office's user page: every account, the roles and the unit's departments."""

    unit: m.DemoUnit
    users: list[UserRow]
    roles: list[Role]
    departments: list[DepartmentChoice]


def list_users(
    session: Session, actor: Actor, policy: LoginPolicy, now: dt.datetime | None = None
) -> list[UserRow]:
    """Every account, with its sessions still usable (not ended, not timed out)."""
    _require_admin(actor, "查看用户列表 (list users)")
    now = now or utcnow()
    units = store.unit_codes(session)
    return [
        UserRow(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit=units.get(user.unit_id, "") if user.unit_id else "",
            department=user.department.code if user.department else "",
            active=user.active,
            must_change_password=user.must_change_password,
            open_sessions=store.open_session_count(
                session, user.id, now - policy.idle, now - policy.absolute
            ),
        )
        for user in store.all_users(session)
    ]


def user_admin_page(
    session: Session, actor: Actor, unit: m.DemoUnit, policy: LoginPolicy
) -> UserAdminPage:
    departments = [
        DepartmentChoice(d.code, d.name_zh, d.name_en)
        for d in store.departments_of(session, unit.id)
    ]
    return UserAdminPage(unit, list_users(session, actor, policy), list(Role), departments)


# --------------------------------------------------------------------------- demo accounts

# The demo accounts `make run` creates: the office, two departments, a reviewer.
DEMO_ACCOUNTS = (
    ("office", Role.ADMIN, None, "专班办公室"),
    ("drc", Role.EDITOR, "drc", "区发展和改革局填报员"),
    ("eeb", Role.EDITOR, "eeb", "区生态环境分局填报员"),
    ("viewer", Role.VIEWER, None, "省市审阅"),
)


# The demo password is printed by `make run`; a production deployment refuses demo accounts.
DEMO_PASSWORD = "zhangqiu-demo"


def ensure_demo_accounts(
    session: Session, unit: m.DemoUnit, password: str = DEMO_PASSWORD
) -> list[str]:
    """Create the demo accounts that are missing; returns the usernames created."""
    created = []
    system = Actor.system("demo")
    for username, role, department, name in DEMO_ACCOUNTS:
        if store.username_taken(session, username):
            continue
        create_user(session, system, username, password, role, name, unit, department, policy=False)
        created.append(username)
    return created
