"""Who is acting, what they may do, and the errors a use case raises."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # the working-group office: everything, assessments, assigned targets, users
    EDITOR = "editor"  # a department: the values of the indicators it owns
    VIEWER = "viewer"  # reviewers: read only

    @property
    def label_zh(self) -> str:
        return {"admin": "管理员（专班办公室）", "editor": "部门填报员", "viewer": "只读"}[
            self.value
        ]


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
