"""Settings: one typed source of truth, read from NEARZERO_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"


class Settings(BaseSettings):
    """nearzero's settings. Each field is read from ``NEARZERO_<FIELD>``.

    database_url: SQLAlchemy URL; the embedded default is a SQLite file under var/.
    secret_key: signs session cookies and CSRF tokens; must be set in production.
    env: ``development`` or ``production`` (production refuses the default secret and demo data).
    host, port: where ``nearzero serve`` listens.
    default_unit: the unit shown when none is chosen (the bundled plan is ``zhangqiu``).
    session_max_age: seconds a log-in lasts.
    inclusion_max_body_bytes: largest request body the carbon-inclusion partner API accepts
        [bytes]; a larger batch is refused with 413 before it is read or parsed (default 20 MiB).
    inclusion_points_valid_months: how long carbon-inclusion points stay valid [months after
        the behaviour]; empty (the default) means points never expire.
    """

    model_config = SettingsConfigDict(env_prefix="NEARZERO_")

    database_url: str = "sqlite:///var/nearzero.sqlite3"
    secret_key: str = DEV_SECRET
    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    default_unit: str = "zhangqiu"
    session_max_age: int = 8 * 3600
    inclusion_max_body_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    inclusion_points_valid_months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (
            self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "NEARZERO_SECRET_KEY must be set to 32+ random characters in production"
            )
        return self
