"""Settings: where the platform keeps its data and which database runs the control plane.

Everything on the embedded default lives in one data directory (SQLite control plane, domain data, keys).
``PUBDATA_DATABASE_URL`` moves the control plane to PostgreSQL (``postgresql+psycopg://…``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PUBDATA_", extra="ignore")

    data_dir: Path = Field(default=Path("./pubdata-data"))
    database_url: str | None = None
    # The hash a new ledger is created with; an existing ledger keeps the one it was created with.
    ledger_hash: Literal["sm3", "sha256"] = "sm3"
    # What signs tree heads: SM2 (GB/T 32918) or Ed25519. Unset: SM2 for a new data directory, and Ed25519 for
    # one that already signs with an Ed25519 key; heads signed by an earlier key keep verifying either way.
    ledger_signer: Literal["sm2", "ed25519"] | None = None
    # The demo: an organisation without a registered key gets one made and held by the platform (under
    # keys/organisations/) at its first signature. In production set this off: each organisation registers
    # its own public key and signs off-platform.
    platform_held_keys: bool = True
    # Largest request body accepted, in bytes; bigger bodies get 413 before they are read.
    max_body_bytes: int = 1_048_576
    # Largest data file a department may upload in one load.
    max_upload_bytes: int = 2 * 1024**3
    token_days: int = 90
    session_hours: int = 12
    # Cookies marked Secure only when served over HTTPS (set this behind a TLS proxy).
    secure_cookies: bool = False
    # How an operator's evaluation result follows from its scores (``authorization.rules.EvaluationRule``):
    # pass needs every dimension ≥ pass_each and the mean ≥ pass_mean; a mean below fail_mean fails; anything
    # between is a rectification. Another result needs the evaluator's written reason.
    evaluation_pass_each: int = Field(default=60, ge=0, le=100)
    evaluation_pass_mean: int = Field(default=70, ge=0, le=100)
    evaluation_fail_mean: int = Field(default=50, ge=0, le=100)
    # How many working days the operator has to answer a data demand (scenarios.rules).
    demand_answer_days: int = Field(default=10, ge=1, le=60)
    # 三(三)3: a providing department answers a quality ticket within 5 working days.
    quality_answer_days: int = Field(default=5, ge=1, le=60)
    # Authorization letters a consumer may have checked against the registry in a day (Asia/Shanghai; one per
    # letter, matched or not): a bank's day of 1,000 applicants and their corrections. Each check says whether a
    # name leads an enterprise, so the bound caps the guesses a consumer can try (privacy.rules).
    letter_checks_per_day: int = Field(default=2000, ge=1, le=100_000)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pubdata.sqlite3').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def domain_dir(self) -> Path:
        """Where raw data lives; nothing in it is ever served as rows."""
        return self.data_dir / "domain"

    @property
    def mock_dir(self) -> Path:
        """Mock data for the development sandbox: synthetic, made by the platform, outside the domain."""
        return self.data_dir / "mock"

    @property
    def work_dir(self) -> Path:
        """Scratch space for development runs on mock data."""
        return self.data_dir / "work"

    def prepare_dirs(self) -> None:
        for folder in (self.data_dir, self.keys_dir, self.domain_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.keys_dir.chmod(0o700)
