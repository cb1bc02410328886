"""Catalogue tables: resources and their immutable data versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Resource(Audited, Base):
    """A public data resource (公共数据资源) as its department describes it in the catalogue."""

    __tablename__ = "resource"
    guard = Guard(("数据资源", "resource"), "catalog.read", "catalog.not-found", {"provider": "provider_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    sector: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    base_library: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    update_frequency: Mapped[str] = mapped_column(String(16), nullable=False)
    time_span: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    sharing: Mapped[str] = mapped_column(String(16), nullable=False)
    opening: Mapped[str] = mapped_column(String(16), nullable=False)
    declared_grade: Mapped[str] = mapped_column(String(16), nullable=False)
    grade: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    # The schema: canonical JSON of a list of FieldSpec.
    fields: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    registration_number: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    current_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ResourceVersion(Audited, Base):
    """One load of a resource's data: an immutable Parquet file in the domain, with its digests."""

    __tablename__ = "resource_version"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    row_count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    schema_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Relative to the domain directory; the file is never served.
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)
    source_format: Mapped[str] = mapped_column(String(16), nullable=False)
    source_encoding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Columns that looked like personal data and the department confirmed are not, as canonical JSON.
    confirmed_not_sensitive: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    loaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class LoadReport(Audited, Base):
    """What one load found (加载报告): the rows read, kept and rejected, and each problem's row, column and rule —
    never a value. Kept for a page's loads, so the result is shown on a GET (a refresh loads nothing again), and
    for every load that keeps the good rows, so its report of the bad ones can be downloaded."""

    __tablename__ = "load_report"
    guard = Guard(("加载报告", "load report"), "catalog.read", "catalog.not-found", {"provider": "provider_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), nullable=False, index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    # The version the load made; None when the source was refused.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("resource_version.id"), nullable=True, unique=True)
    keep_good_rows: Mapped[bool] = mapped_column(Boolean, nullable=False)
    source_format: Mapped[str] = mapped_column(String(16), nullable=False)
    source_encoding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rows_read: Mapped[int] = mapped_column(BigInteger, nullable=False)
    rows_kept: Mapped[int] = mapped_column(BigInteger, nullable=False)
    rows_rejected: Mapped[int] = mapped_column(BigInteger, nullable=False)
    problem_count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Canonical JSON: [{"row", "column", "rule"}] (the first ``loading.MAX_REPORT``) and [{"column", "looks_like",
    # "share"}]. Rules and positions only: a value never reaches the control plane.
    problems: Mapped[str] = mapped_column(Text, nullable=False)
    lookalikes: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    loaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class DataAlert(Audited, Base):
    """A version's file found damaged or missing (数据文件告警): raised once per version, by the platform, for the
    bureau and the department that provides the resource (``catalog.integrity``)."""

    __tablename__ = "data_alert"
    guard = Guard(("数据文件告警", "data file alert"), "catalog.read", "catalog.not-found", {"provider": "provider_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), nullable=False, index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("resource_version.id"), nullable=False, unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    # missing | unreadable | size | digest (``engines.files.PROBLEMS``)
    problem: Mapped[str] = mapped_column(String(16), nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SourceConnection(Audited, Base):
    """A department database the bureau approved as a source of loads (数据源连接), for one department.

    Stored as parts, never as a URL a provider typed: the parts are checked by ``rules.source_url_refusal``
    when approved and again at every load. The password is sealed (SM4-GCM, ``common.sealing``) and is never
    read back out of the platform: no answer, page, log or ledger entry carries it.
    """

    __tablename__ = "source_connection"
    guard = Guard(("数据源连接", "source connection"), "source.read", "catalog.not-found", {"provider": "provider_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    driver: Mapped[str] = mapped_column(String(40), nullable=False)
    host: Mapped[str] = mapped_column(String(253), nullable=False)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    database: Mapped[str] = mapped_column(String(128), nullable=False)
    username: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Connection options (sslmode, charset …) as canonical JSON of a string → string object.
    options: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    password_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    disabled_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
