"""Smoke tests: Bozor served the way people serve it, driven through its real journeys (see tests/).

Not a Django app (nothing to install): a package only so pytest collects ``tests/`` with the rest
of ``classifieds``.
"""
