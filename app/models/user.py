"""People who log in: admins, coordinators, stakeholders. Respondents never have accounts."""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.community import Community
from app.models.types import UTCDateTime, str_enum, utcnow


class Role(enum.Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    STAKEHOLDER = "stakeholder"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # May create top-level communities (a new city or partnership). The first account made with
    # `flask users create` is one; everything else is decided per community by memberships.
    site_admin: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        # scrypt, werkzeug's default: memory-hard, salted.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def password_mark(self) -> str:
        """A short keyed fingerprint of the password hash: it changes whenever the password does.

        Logins and reset links carry it, so that a new password ends the logins elsewhere and
        voids old links; it reveals nothing about the hash (keyed with the SECRET_KEY).
        """
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, self.password_hash.encode(), hashlib.sha256).hexdigest()[:24]

    # The login this user object was loaded through (or is being logged in with): its token is
    # what the session and the "keep me logged in" cookie hold. Not a column.
    login_token = None

    def get_id(self) -> str:
        """What a session and a "keep me logged in" cookie hold (Flask-Login's alternative
        token): the token of one login, kept on the server (Login), so that ending that login
        (logout, a new password, deactivation) makes every copy of either cookie useless."""
        if self.login_token is None:
            raise RuntimeError("log in through app.services.accounts.begin_login, which makes the token")
        return self.login_token

    @property
    def coordinates(self) -> bool:
        """Whether the person shapes rounds anywhere (their menu offers "Coordinate")."""
        return self.site_admin or any(m.role in (Role.ADMIN, Role.COORDINATOR) for m in self.memberships)

    @property
    def reads_reports(self) -> bool:
        """Whether the person may read some community's reports (every role may)."""
        return self.site_admin or bool(self.memberships)

    def role_in(self, community_id: int) -> Role | None:
        for membership in self.memberships:
            if membership.community_id == community_id:
                return membership.role
        return None


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    # A stakeholder (a partner organisation's person) whom the community's admins let record
    # the actions their organisation takes (app.coordinate.actions); coordinators always may.
    may_record_actions: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    user: Mapped[User] = relationship(back_populates="memberships")
    community: Mapped[Community] = relationship()


class Login(db.Model):
    """One login on one device: a session, and its "keep me logged in" cookie if it has one.

    The cookies hold only a random token; its keyed hash is here. Logging out ends this login,
    a new password or deactivation ends them all: a copy of the cookie taken before opens
    nothing after (app.auth.access.load_user)."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
