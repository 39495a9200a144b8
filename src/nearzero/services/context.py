"""Who is acting, what they may do, and the errors a use case raises."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    ADMIN = "admin"  # the working-group office: everything, assessments, assigned targets, users
    EDITOR = "editor"  # a department: the values of the indicators it owns
    VIEWER = "viewer"  # reviewers: read only
    VERIFIER = "verifier"  # a verification body: only the enterprise reports assigned to it

    @property
    def label_zh(self) -> str:
        return {
            "admin": "管理员（专班办公室）",
            "editor": "部门填报员",
            "viewer": "只读",
            "verifier": "核查机构",
        }[self.value]


class DepartmentLike(Protocol):
    """What :meth:`Actor.acts_for` reads of a department (the stored row has both)."""

    @property
    def code(self) -> str: ...

    @property
    def unit_id(self) -> int: ...


@dataclass(frozen=True)
class Actor:
    """The person (or process) behind a call; recorded in the audit log."""

    username: str
    role: Role
    department: str | None = None  # department code, for editors
    unit_id: int | None = None  # the unit an editor's department belongs to

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(name, Role.ADMIN)

    def acts_for(self, departments: Iterable[DepartmentLike]) -> bool:
        """Whether this actor may write for something these departments own.

        Admins (the working-group office) may write everything; a department editor only
        what one of its own departments (of its own unit) owns; viewers nothing.
        """
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.EDITOR and self.department:
            return any(d.code == self.department and d.unit_id == self.unit_id for d in departments)
        return False


class ServiceError(Exception):
    """Base of the errors use cases raise; the message is for the person who acted."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class InvalidInput(ServiceError):
    """Input that cannot be taken; ``errors`` lists each problem with where it is."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [message]
