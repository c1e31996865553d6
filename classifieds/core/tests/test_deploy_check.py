import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SMS_"))},
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-only-secret-" + "y" * 30,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "bozor.uz,www.bozor.uz",
        "BASE_URL": "https://bozor.uz",
        "DATABASE_URL": "postgres://bozor:secret@db.internal:5432/bozor",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "EMAIL_SMTP_URL": "smtp://mailer:secret@smtp.internal:587",
        "SMS_BACKEND": "eskiz",
        "SMS_LOGIN": "sms@bozor.uz",
        "SMS_PASSWORD": "eskiz-secret",
        "BOZOR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
