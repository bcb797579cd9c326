"""results published back to citizens, and the addresses of those who asked to be told

Revision ID: e5f2b8d3c1a4
Revises: d4e1a9c7b2f3
Create Date: 2026-12-07 19:31:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.types import UTCDateTime


revision = 'e5f2b8d3c1a4'
down_revision = 'd4e1a9c7b2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'results_publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('show_needs', sa.Boolean(), nullable=False),
        sa.Column('show_turnout', sa.Boolean(), nullable=False),
        sa.Column('show_profile', sa.Boolean(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('notified_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_results_publications_round_id_rounds'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_results_publications_published_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_results_publications')),
        sa.UniqueConstraint('round_id', name=op.f('uq_results_publications_round_id')),
    )
    # No sequence, no time, no language: nothing that could join an address to a response.
    op.create_table(
        'results_subscribers',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_results_subscribers_round_id_rounds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_results_subscribers')),
        sa.UniqueConstraint('round_id', 'email', name=op.f('uq_results_subscribers_round_id')),
    )


def downgrade():
    op.drop_table('results_subscribers')
    op.drop_table('results_publications')
