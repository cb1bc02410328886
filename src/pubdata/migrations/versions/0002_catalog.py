"""catalogue and registration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:32:04.175312
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("submission", sa.Text(), nullable=False),
        sa.Column("submitted_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("notice_until", sa.Date(), nullable=True),
        sa.Column("registered_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["organisation.id"], name=op.f("fk_registration_applicant_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("number", name=op.f("uq_registration_number")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("base_library", sa.String(length=32), nullable=False),
        sa.Column("update_frequency", sa.String(length=16), nullable=False),
        sa.Column("time_span", sa.String(length=100), nullable=False),
        sa.Column("sharing", sa.String(length=16), nullable=False),
        sa.Column("opening", sa.String(length=16), nullable=False),
        sa.Column("declared_grade", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("registration_number", sa.String(length=32), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=True),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisation.id"], name=op.f("fk_resource_provider_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
        sa.UniqueConstraint("code", name=op.f("uq_resource_code")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_resource_registration_number")),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_base_library"), ["base_library"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_grade"), ["grade"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_state"), ["state"], unique=False)

    op.create_table(
        "resource_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("schema_digest", sa.String(length=64), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("source_encoding", sa.String(length=16), nullable=True),
        sa.Column("confirmed_not_sensitive", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.Integer(), nullable=False),
        sa.Column("loaded_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["loaded_by"], ["app_user.id"], name=op.f("fk_resource_version_loaded_by_app_user")),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_resource_version_resource_id_resource")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_version")),
        sa.UniqueConstraint("resource_id", "number", name=op.f("uq_resource_version_resource_id")),
    )
    with op.batch_alter_table("resource_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_version_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_version_resource_id"), ["resource_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resource_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_version_resource_id"))
        batch_op.drop_index(batch_op.f("ix_resource_version_ledger_seq"))

    op.drop_table("resource_version")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_state"))
        batch_op.drop_index(batch_op.f("ix_resource_sector"))
        batch_op.drop_index(batch_op.f("ix_resource_provider_id"))
        batch_op.drop_index(batch_op.f("ix_resource_name"))
        batch_op.drop_index(batch_op.f("ix_resource_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_resource_grade"))
        batch_op.drop_index(batch_op.f("ix_resource_base_library"))

    op.drop_table("resource")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_subject_id"))
        batch_op.drop_index(batch_op.f("ix_registration_state"))
        batch_op.drop_index(batch_op.f("ix_registration_ledger_seq"))

    op.drop_table("registration")
