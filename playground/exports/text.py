"""Text as the exporters show it: every character a run can hold made visible and kept,
so that a picture says what the run did.

`visible` turns control characters (CR, LF, tab, NUL, the Unicode line and paragraph
separators …) into the backslash escapes a programmer writes (`\\r`, `\\n`, `\\t`,
`\\u2028`), so the text stays on one line and says which characters it held; every
other character (quotes, `#`, `;`, markup, emoji, non-Latin text) is kept as it is,
for each format to encode in its own way. `value` writes a value as JSON (strings
quoted; compact, as orjson writes it), as the event holds it. `clip` and `wrap` shorten and fold long text for the
diagrams, always saying how much was left out.
"""

import json
import unicodedata

import orjson

ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# What some reader takes for the end of a line (JavaScript's `.` stops at U+2028/2029,
# Python's str.splitlines at \x1c-\x1e and \x85 as well): never left raw in a label.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _escape(char):
    if char in ESCAPES:
        return ESCAPES[char]
    if char in LINE_BREAKS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
        return f"\\u{ord(char):04x}"
    return char


def visible(text):
    """`text` on one line, each control character as its backslash escape."""
    text = str(text)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape(c) if (not c.isprintable() or c == "\\") else c for c in text)


def value(item):
    """A value as JSON text on one line (strings quoted), control characters escaped."""
    if isinstance(item, str) and item.isprintable() and '"' not in item and "\\" not in item:
        return f'"{item}"'
    try:
        text = orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # integers beyond 64 bits
        try:
            text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            text = repr(item)
    # json.dumps escapes C0 controls; U+2028/2029, DEL and C1 controls stay raw.
    return text if text.isprintable() else "".join(c if c.isprintable() else _escape(c) for c in text)


def clip(text, limit):
    """`text` cut to `limit` characters with a marker saying how many were left out."""
    if len(text) <= limit:
        return text
    left = len(text) - limit
    return f"{text[:limit]}… [{left:,} more characters]"


def wrap(text, width):
    """Lines of at most `width` characters (cut where a space allows, else anywhere)."""
    lines = []
    while len(text) > width:
        space = text.rfind(" ", width // 2, width)
        cut = space + 1 if space > 0 else width  # the space stays at the end of its line
        lines.append(text[:cut])
        text = text[cut:]
    lines.append(text)
    return lines
