"""User accounts: Argon2 password hashes, roles, the demo accounts."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.store import tables as m
from nearzero.store import units as unit_store
from nearzero.store import users as store

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
MIN_PASSWORD = 8


def actor_of(user: m.UserAccount) -> Actor:
    department = user.department.code if user.department else None
    return Actor(user.username, Role(user.role), department, user.unit_id)


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    unit: m.DemoUnit | None = None,
    department_code: str | None = None,
) -> m.UserAccount:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only an administrator creates accounts")
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput("username: 1 to 64 characters")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: at least {MIN_PASSWORD} characters")
    if store.username_taken(session, username):
        raise InvalidInput(f"username: {username!r} is taken")
    department = None
    if role is Role.EDITOR:
        if unit is None or not department_code:
            raise InvalidInput("department: an editor belongs to a department of a unit")
        department = unit_store.department(session, unit.id, department_code)
        if department is None:
            raise InvalidInput(
                f"department: unit {unit.code!r} has no department {department_code!r}"
            )
    user = m.UserAccount(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role.value,
        unit_id=unit.id if unit else None,
        department=department,
    )
    session.add(user)
    session.flush()
    new = {"role": role.value, "department": department_code}
    audit.record(
        session, actor, "user.create", "user", username, None, new, unit.code if unit else ""
    )
    return user


def authenticate(session: Session, username: str, password: str) -> m.UserAccount | None:
    """The active user with these credentials, or None (same answer for unknown and wrong)."""
    user = store.active_user(session, username.strip())
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def get_user(session: Session, username: str) -> m.UserAccount | None:
    return store.active_user(session, username)


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
        if get_user(session, username) is None:
            create_user(session, system, username, password, role, name, unit, department)
            created.append(username)
    return created
