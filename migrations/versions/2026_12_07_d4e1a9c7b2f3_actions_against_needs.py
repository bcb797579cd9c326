"""actions against needs: what a community did about what it heard

Revision ID: d4e1a9c7b2f3
Revises: a3c9d1e7f210
Create Date: 2026-12-07 19:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.types import UTCDateTime


revision = 'd4e1a9c7b2f3'
down_revision = 'a3c9d1e7f210'
branch_labels = None
depends_on = None


SECTORS = ('executive_and_council', 'government', 'companies', 'educational_centres', 'method_developers',
           'welfare_and_health', 'work_study_companies', 'educational_institutes', 'ngos', 'trade_unions',
           'citizens', 'citizen_initiatives')
STATUSES = ('planned', 'under_way', 'done', 'dropped')


def upgrade():
    op.create_table(
        'actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('description', sa.JSON(), nullable=False),
        sa.Column('needs', sa.JSON(), nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('groups', sa.JSON(), nullable=False),
        sa.Column('carried_by', sa.String(length=200), nullable=False),
        sa.Column('sector', sa.Enum(*SECTORS, name='partnersector', native_enum=False), nullable=True),
        sa.Column('status', sa.Enum(*STATUSES, name='actionstatus', native_enum=False), nullable=False),
        sa.Column('dropped_reason', sa.JSON(), nullable=True),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_actions_progress_0_to_100')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_actions_community_id_communities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_actions_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_actions')),
    )
    op.create_index(op.f('ix_actions_community_id'), 'actions', ['community_id'])
    op.create_index(op.f('ix_actions_round_id'), 'actions', ['round_id'])
    op.create_table(
        'action_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('text', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_updates_action_id_actions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_action_updates_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_updates')),
    )
    op.create_index(op.f('ix_action_updates_action_id'), 'action_updates', ['action_id'])
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_record_actions', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('may_record_actions')
    op.drop_index(op.f('ix_action_updates_action_id'), table_name='action_updates')
    op.drop_table('action_updates')
    op.drop_index(op.f('ix_actions_round_id'), table_name='actions')
    op.drop_index(op.f('ix_actions_community_id'), table_name='actions')
    op.drop_table('actions')
