"""JSON request bodies, read strictly: every body is a JSON object that holds no text a
database refuses to store (PostgreSQL takes no NUL character in text or jsonb, and no
one can encode a lone UTF-16 surrogate). Each refusal is an ApiError 400 naming the
field. (How deep a spec may nest is the engine's to check, with its path.)"""

import json

from ninja.parser import Parser

from .errors import ApiError

# For uploaded events: the engine cuts values at 50 levels; far below what recursive
# code downstream (encoders, exporters) survives.
MAX_EVENT_DEPTH = 100


def text_problem(text):
    """Why a database would refuse this string, or None."""
    if text.isascii():
        return "holds a NUL character (\\u0000)" if "\x00" in text else None
    if "\x00" in text:
        return "holds a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


def _join(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def check_value(value, path="", max_depth=None):
    """[{"path", "message"}] for the first string (key or value) a database refuses, or
    the first place nested past `max_depth` (if given); [] when the value is fine."""
    stack = [(value, path, 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return [{"path": where, "message": f"the text {problem}"}]
            continue
        if isinstance(item, dict):
            pairs = item.items()
        elif isinstance(item, list):
            pairs = enumerate(item)
        else:
            continue
        if max_depth is not None and depth > max_depth:
            return [{"path": where, "message": f"nested more than {max_depth} levels deep"}]
        for key, child in pairs:
            child_path = _join(where, key)
            if isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    return [{"path": child_path, "message": f"the name {problem}"}]
            stack.append((child, child_path, depth + 1))
    return []


def loads_object(raw):
    """A JSON object from bytes or text, or ApiError 400 saying what is wrong and where."""
    try:
        data = json.loads(raw)
    except RecursionError:  # "[" * 100000: Python's decoder gives up; the request is still bad input
        raise ApiError(400, "malformed JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    errors = check_value(data)
    if errors:
        raise ApiError(400, f"{errors[0]['path'] or 'the body'}: {errors[0]['message']}", errors)
    return data


class StrictJsonParser(Parser):
    """ninja's body parser, answering bad bodies with the API's own errors."""

    def parse_body(self, request):
        return loads_object(request.body)
