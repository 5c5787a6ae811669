"""Flask extensions, created once and bound in `create_app`."""

import flask_smorest
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest.pagination import PaginationMetadataSchema
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming))
migrate = Migrate()


class Api(flask_smorest.Api):
    """flask-smorest's, with the `X-Pagination` header documented as what it is: JSON in a
    header (`content`). flask-smorest gives it an object `schema`, which OpenAPI 3 reads as
    `total,0,total_pages,0` (style simple), not as the JSON the header carries."""

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata (JSON)",
            "content": {"application/json": {"schema": PaginationMetadataSchema}}}, lazy=True)


api = Api()
login_manager = LoginManager()  # browser sessions (the API uses tokens only)
csrf = CSRFProtect()  # every form; the /api/v1 blueprints are exempt (bearer tokens, no cookies)
babel = Babel()  # 简体中文 by default, English on the header switch
