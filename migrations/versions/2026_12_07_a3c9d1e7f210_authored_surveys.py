"""surveys a community writes itself: authored_surveys, and versions counted per owner

Revision ID: a3c9d1e7f210
Revises: 7b2f9e1c0d34
Create Date: 2026-12-07 17:20:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.types import UTCDateTime


revision = 'a3c9d1e7f210'
down_revision = '7b2f9e1c0d34'
branch_labels = None
depends_on = None

BANK_ONLY = sa.text("authored_survey_id IS NULL")


def upgrade():
    op.create_table(
        'authored_surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('draft', sa.JSON(), nullable=False),
        sa.Column('published_fingerprint', sa.String(length=64), nullable=True),
        sa.Column('copied_from', sa.String(length=120), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_authored_surveys_community_id_communities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authored_surveys')),
        sa.UniqueConstraint('community_id', 'key', name=op.f('uq_authored_surveys_community_id')),
    )
    op.create_index(op.f('ix_authored_surveys_community_id'), 'authored_surveys', ['community_id'])
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authored_survey_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_surveys_authored_survey_id_authored_surveys'), 'authored_surveys',
                                    ['authored_survey_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(op.f('ix_surveys_authored_survey_id'), ['authored_survey_id'])
        batch_op.drop_constraint('uq_surveys_key', type_='unique')
        batch_op.create_unique_constraint('uq_authored_survey_version', ['authored_survey_id', 'version'])
    op.create_index('uq_bank_survey_version', 'surveys', ['key', 'version'], unique=True,
                    postgresql_where=BANK_ONLY, sqlite_where=BANK_ONLY)


def downgrade():
    op.drop_index('uq_bank_survey_version', table_name='surveys')
    op.execute("DELETE FROM surveys WHERE authored_survey_id IS NOT NULL")
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint('uq_authored_survey_version', type_='unique')
        batch_op.create_unique_constraint('uq_surveys_key', ['key', 'version'])
        batch_op.drop_index(op.f('ix_surveys_authored_survey_id'))
        batch_op.drop_constraint(op.f('fk_surveys_authored_survey_id_authored_surveys'), type_='foreignkey')
        batch_op.drop_column('authored_survey_id')
    op.drop_index(op.f('ix_authored_surveys_community_id'), table_name='authored_surveys')
    op.drop_table('authored_surveys')
