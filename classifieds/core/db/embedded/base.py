"""Database engine: Django's PostgreSQL backend on the embedded server.

``ENGINE = "classifieds.core.db.embedded"`` with a ``PGDATA`` key starts the
server on the first connection instead of at settings import, so commands that
never touch the database (collectstatic, makemessages) never start it.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

from classifieds.core.embedded_pg import ensure_server


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        server = ensure_server(
            self.settings_dict["PGDATA"], databases=tuple(filter(None, [self.settings_dict["NAME"]]))
        )
        params["host"] = server.socket_dir
        params["port"] = server.port
        return params
