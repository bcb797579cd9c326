from flask import Blueprint

bp = Blueprint("auth", __name__)
# The views attach themselves to bp when app.auth.routes is imported, which register_blueprints
# does: importing app.auth.access (the access rules services use) must not pull in the views,
# and through them the tasks and every service.
