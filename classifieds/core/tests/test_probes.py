import pytest
from django.db import connection


class TestHealthz:
    def test_it_answers_without_touching_the_database(self, client):
        # No django_db mark: any database access here would raise.
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_it_has_no_language_prefix(self, client):
        assert client.get("/uz/healthz").status_code == 404

    def test_it_rejects_post(self, client):
        assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
class TestReadiness:
    def test_it_is_ready_when_every_dependency_answers(self, client):
        response = client.get("/readiness")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"] == {"database": "ok", "cache": "ok", "queue": "ok", "search": "ok"}


@pytest.mark.django_db(transaction=True)
class TestReadinessWhenTheDatabaseIsDown:
    def test_it_answers_503_and_names_the_database(self, client):
        # A database that does not exist: the server refuses the connection for real.
        real_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = "bozor_no_such_database"
        try:
            response = client.get("/readiness")
        finally:
            connection.close()
            connection.settings_dict["NAME"] = real_name
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "fail"
        assert "database" in body["failing"]
        assert body["checks"]["database"].startswith("error")
        assert body["checks"]["queue"] == "ok"
