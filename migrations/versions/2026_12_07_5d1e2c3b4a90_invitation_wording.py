"""a round's own invitation wording, per language

Revision ID: 5d1e2c3b4a90
Revises: 187e4798edec
Create Date: 2026-12-07 14:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d1e2c3b4a90'
down_revision = '187e4798edec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_texts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('invitation_texts')
