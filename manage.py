#!/usr/bin/env python3
"""Django's command-line utility for Bozor."""

import os
import signal
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
    # A SIGTERM (make run's Ctrl-C, a supervisor) exits normally, so exit hooks run: the
    # last process using the embedded PostgreSQL stops it instead of leaving it behind.
    if "runserver" in sys.argv and "--noreload" not in sys.argv and os.environ.get("RUN_MAIN") != "true":
        # The autoreloader's parent: it would SIGKILL its child (the one holding the database)
        # on the way out. Let the child exit first; the parent then returns with its code.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
