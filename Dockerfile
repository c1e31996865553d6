# syntax=docker/dockerfile:1
# Bozor's image: web (gunicorn, the default command) and worker (python manage.py run_huey) both run it.
# deploy/compose.yaml builds and runs it; CI lints this file with hadolint (classifieds/ops/tests/test_stack.py).
ARG PYTHON_IMAGE=python:3.13-slim-bookworm

# --- build: the virtualenv from the pinned requirements, the code, and the collected static files ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    BOZOR_VAR_DIR=/app/var
RUN python -m venv /opt/venv
WORKDIR /app
# Requirements first: the dependency layer is rebuilt only when the pins change.
COPY requirements.txt ./
RUN pip install --no-cache-dir --requirement requirements.txt
COPY . .
# With DEBUG off pages reference the hashed, compressed files and their manifest, so they are made here,
# once, into the image. The key only lets settings load; it is never used to sign anything.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && rm -f "$BOZOR_VAR_DIR/huey.sqlite3" \
    && python -m compileall -q classifieds

# --- runtime: the same base, the virtualenv and the app, run as an unprivileged user ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=classifieds.settings \
    BOZOR_VAR_DIR=/app/var
RUN groupadd --system --gid 10001 bozor \
    && useradd --system --no-log-init --uid 10001 --gid bozor --home-dir /app --shell /usr/sbin/nologin bozor
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# Code and static files stay root's (read-only to the app); only the fallbacks that write (media and mail
# when no bucket or SMTP is set) are the app user's.
RUN mkdir -p /app/var/media /app/var/mail && chown bozor:bozor /app/var/media /app/var/mail
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "classifieds.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "30", "--access-logfile", "-"]
