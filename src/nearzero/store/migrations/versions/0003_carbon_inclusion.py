"""carbon inclusion: partners, residents, consents, records, nonces, merchants, offers,
redemptions; the double-entry ledger (append-only triggers); the inclusion_outcomes view

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:18:02.070942
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OUTCOMES_VIEW = """
CREATE VIEW inclusion_outcomes AS
SELECT p.code AS partner_id, r.partner_record_id, r.resident AS resident_id, r.scenario,
       r.day, r.accepted, r.reason, r.credited_g AS grams, r.computed_g AS computed_grams,
       r.methodology_id, r.methodology_version
FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id
"""
"""One row per record in the shape of nearzero.inclusion.stats.OUTCOMES_SCHEMA."""

APPEND_ONLY = ("ledger_transaction", "ledger_posting")


def _append_only() -> None:
    """Refuse UPDATE and DELETE on the ledger tables (the ledger is append-only)."""
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            name = f"{table}_no_{event.lower()}"
            if dialect == "sqlite":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
                )


def _append_only_function() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )


def upgrade() -> None:
    op.create_table(
        "inclusion_resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_resident")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_inclusion_resident_pseudonym")),
    )
    op.create_table(
        "ledger_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_account")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_ledger_account_kind")),
    )
    op.create_table(
        "ledger_transaction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("aggregated", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transaction")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_transaction_key")),
    )
    op.create_table(
        "inclusion_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_via", sa.String(length=64), nullable=False),
        sa.Column("revoked_via", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["inclusion_resident.id"],
            name=op.f("fk_inclusion_consent_resident_id_inclusion_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_consent")),
    )
    with op.batch_alter_table("inclusion_consent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inclusion_consent_resident", ["resident_id", "scenario"], unique=False
        )

    op.create_table(
        "inclusion_merchant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inclusion_merchant_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_merchant")),
        sa.UniqueConstraint("code", name=op.f("uq_inclusion_merchant_code")),
    )
    op.create_table(
        "inclusion_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inclusion_partner_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_partner")),
        sa.UniqueConstraint("code", name=op.f("uq_inclusion_partner_code")),
        sa.UniqueConstraint("key_id", name=op.f("uq_inclusion_partner_key_id")),
    )
    op.create_table(
        "inclusion_nonce",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["inclusion_partner.id"],
            name=op.f("fk_inclusion_nonce_partner_id_inclusion_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_nonce")),
        sa.UniqueConstraint("partner_id", "nonce", name=op.f("uq_inclusion_nonce_partner_id")),
    )
    with op.batch_alter_table("inclusion_nonce", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inclusion_nonce_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "inclusion_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["inclusion_merchant.id"],
            name=op.f("fk_inclusion_offer_merchant_id_inclusion_merchant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_offer")),
    )
    op.create_table(
        "inclusion_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("partner_record_id", sa.String(length=128), nullable=False),
        sa.Column("resident", sa.String(length=128), nullable=True),
        sa.Column("scenario", sa.String(length=32), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("quantity_unit", sa.String(length=8), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("methodology_id", sa.String(length=64), nullable=True),
        sa.Column("methodology_version", sa.String(length=32), nullable=True),
        sa.Column("computed_g", sa.BigInteger(), nullable=True),
        sa.Column("credited_g", sa.BigInteger(), nullable=False),
        sa.Column("capped_by", sa.String(length=32), nullable=True),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["inclusion_partner.id"],
            name=op.f("fk_inclusion_record_partner_id_inclusion_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["tx_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_inclusion_record_tx_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_record")),
        sa.UniqueConstraint(
            "partner_id", "partner_record_id", name=op.f("uq_inclusion_record_partner_id")
        ),
    )
    with op.batch_alter_table("inclusion_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inclusion_record_resident", ["resident", "start_at"], unique=False
        )
        batch_op.create_index("ix_inclusion_record_tx_id", ["tx_id"], unique=False)

    op.create_table(
        "inclusion_redemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=128), nullable=False),
        sa.Column("resident", sa.String(length=128), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["inclusion_merchant.id"],
            name=op.f("fk_inclusion_redemption_merchant_id_inclusion_merchant"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["inclusion_offer.id"],
            name=op.f("fk_inclusion_redemption_offer_id_inclusion_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["tx_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_inclusion_redemption_tx_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_redemption")),
        sa.UniqueConstraint("client_key", name=op.f("uq_inclusion_redemption_client_key")),
    )
    with op.batch_alter_table("inclusion_redemption", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inclusion_redemption_resident"), ["resident"], unique=False
        )

    op.create_table(
        "ledger_posting",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("methodology", sa.String(length=100), nullable=True),
        sa.Column("trace", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_account.id"],
            name=op.f("fk_ledger_posting_account_id_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["inclusion_record.id"],
            name=op.f("fk_ledger_posting_record_id_inclusion_record"),
        ),
        sa.ForeignKeyConstraint(
            ["tx_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_ledger_posting_tx_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_posting")),
    )
    with op.batch_alter_table("ledger_posting", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_posting_account_id", ["account_id", "asset"], unique=False)
        batch_op.create_index("ix_ledger_posting_tx_id", ["tx_id"], unique=False)
    op.execute(OUTCOMES_VIEW)
    _append_only_function()
    _append_only()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for event in ("update", "delete"):
            on = "" if dialect == "sqlite" else f" ON {table}"
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}{on}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    op.execute("DROP VIEW IF EXISTS inclusion_outcomes")
    with op.batch_alter_table("ledger_posting", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_posting_tx_id")
        batch_op.drop_index("ix_ledger_posting_account_id")

    op.drop_table("ledger_posting")
    with op.batch_alter_table("inclusion_redemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inclusion_redemption_resident"))

    op.drop_table("inclusion_redemption")
    with op.batch_alter_table("inclusion_record", schema=None) as batch_op:
        batch_op.drop_index("ix_inclusion_record_tx_id")
        batch_op.drop_index("ix_inclusion_record_resident")

    op.drop_table("inclusion_record")
    op.drop_table("inclusion_offer")
    with op.batch_alter_table("inclusion_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inclusion_nonce_expires_at"))

    op.drop_table("inclusion_nonce")
    op.drop_table("inclusion_partner")
    op.drop_table("inclusion_merchant")
    with op.batch_alter_table("inclusion_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_inclusion_consent_resident")

    op.drop_table("inclusion_consent")
    op.drop_table("ledger_transaction")
    op.drop_table("ledger_account")
    op.drop_table("inclusion_resident")
