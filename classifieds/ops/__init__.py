"""Operations tooling that runs outside the request cycle: backups and the restore drill.

Not a Django app (no models, not in INSTALLED_APPS): command-line modules run with
``python -m classifieds.ops.<module>``; see deploy/runbooks/ and docs/restore-drill.md.
"""
