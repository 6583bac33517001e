"""One settings object; every knob has an environment variable (prefix ``BETTERHEAP_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings. Each field is documented in docs/settings.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="BETTERHEAP_")

    data_dir: Path = Field(default=Path(".betterheap"), description="Where events, spool and metadata live.")
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8000, description="Port `serve` listens on.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, description="Largest accepted ingestion request body (after decompression)."
    )
    max_batch_messages: int = Field(
        default=10_000, description="Most messages accepted in one batch request."
    )
    future_clamp_hours: float = Field(
        default=23.0, description="Events more than this far in the future are clamped to receive time."
    )
    spool_segment_bytes: int = Field(
        default=64 * 1024 * 1024, description="Size at which the durable spool starts a new segment file."
    )
    loader_batch_bytes: int = Field(
        default=32 * 1024 * 1024, description="Most spooled bytes the loader commits in one transaction."
    )

    loader_processes: int = Field(
        default=1,
        description="Worker processes preparing spooled events for the store while serving (0: in-process).",
    )
    audit_retention_days: int = Field(
        default=90,
        ge=1,
        description="Days the audit log keeps who asked what and the SQL that ran (never result rows).",
    )
    llm_provider: Literal["none", "openai", "anthropic"] = Field(
        default="none",
        description="LLM for the chat: none (no-LLM parser), openai (OpenAI-compatible endpoint), anthropic.",
    )
    llm_base_url: str = Field(
        default="https://api.openai.com/v1",
        description="The LLM endpoint: e.g. http://127.0.0.1:11434/v1 for Ollama, https://api.anthropic.com.",
    )
    llm_api_key: str = Field(default="", description="The LLM endpoint's API key (never logged).", repr=False)
    llm_model: str = Field(default="gpt-4o-mini", description="The model name the endpoint knows.")
    query_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest a chat answer's or a guarded SQL query may run before it is stopped.",
    )

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.duckdb"

    @property
    def meta_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'meta.db'}"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def server_file(self) -> Path:
        return self.data_dir / "server.json"


def load_settings(data_dir: Path | None = None) -> Settings:
    """Settings from the environment, with ``data_dir`` overridden when given."""
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings
