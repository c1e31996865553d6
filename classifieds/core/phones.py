"""Phone display helpers."""

from __future__ import annotations

import phonenumbers


def format_phone(e164: str) -> str:
    """``+998901234567`` -> ``+998 90 123 45 67``."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 998:
        national = str(number.national_number)
        if len(national) == 9:
            return f"+998 {national[:2]} {national[2:5]} {national[5:7]} {national[7:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """``+998901234567`` -> ``+998 90 *** ** 67``: operator code and last two digits only."""
    if not e164:
        return ""
    formatted = format_phone(e164)
    digits_seen = 0
    total_digits = sum(ch.isdigit() for ch in formatted)
    keep_head = len("99890") if formatted.startswith("+998") else 4
    out = []
    for ch in formatted:
        if ch.isdigit():
            digits_seen += 1
            out.append(ch if digits_seen <= keep_head or digits_seen > total_digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)
