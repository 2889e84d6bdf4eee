"""Phone numbers as reports keep them: E.164 (Indonesian numbers may be written locally).

libphonenumber (the phonenumbers package) decides, but its import costs some 6% of the API
function's cold start: the package loads its number matcher and every country's alternate
formats with it. Nearly every number a reporter gives is an Indonesian mobile number,
written 0812… or +62 812…; those are recognised here by libphonenumber's own rules for
Indonesia (national prefix 0, mobile numbers ``8[1-35-9]`` and 7 to 10 more digits, a
range no other kind of Indonesian number shares), and any other number goes to
phonenumbers. tests/unit/test_phones.py checks the rule against the installed metadata
and the answers against phonenumbers'.
"""

from __future__ import annotations

import re

# libphonenumber's ID metadata: the mobile numbers' national number pattern
ID_MOBILE = r"8[1-35-9]\d{7,10}"
# 0 (the national prefix) or +62, then digits, optionally in groups split by one space or
# hyphen (0812-3456-7890, +62 812 3456 7890)
_LOCAL_OR_ID = re.compile(r"(?:0|\+62[ -]?)([0-9]+(?:[ -][0-9]+)*)", re.ASCII)
_MOBILE = re.compile(ID_MOBILE, re.ASCII)


def indonesian_mobile(value: str) -> str | None:
    """The E.164 form of an Indonesian mobile number written one of the common ways, or
    None when the number is anything else (phonenumbers must decide)."""
    m = _LOCAL_OR_ID.fullmatch(value)
    if m is None:
        return None
    national = m.group(1).replace(" ", "").replace("-", "")
    if not _MOBILE.fullmatch(national):
        return None
    return "+62" + national


def to_e164(value: str, region: str = "ID") -> str:
    """A valid phone number in E.164; ValueError when it is not one (numbers without a
    country code are read as the region's)."""
    if region == "ID":
        known = indonesian_mobile(value)
        if known is not None:
            return known
    import phonenumbers  # loaded on first use: only for numbers the shortcut leaves

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
