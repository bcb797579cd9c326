"""community names and round titles in the community's other languages

Revision ID: 7b2f9e1c0d34
Revises: 5d1e2c3b4a90
Create Date: 2026-12-07 15:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7b2f9e1c0d34'
down_revision = '5d1e2c3b4a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_translations', sa.JSON(), nullable=True))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_translations', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('title_translations')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('name_translations')
