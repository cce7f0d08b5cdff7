"""Small rooms (issue 11): every module of the project under 400 lines and every class
under 250, Python and TypeScript alike, so that each stays readable in one sitting."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE, MAX_CLASS = 400, 250
PYTHON = sorted(p for base in ("playground", "tests") for p in (ROOT / base).rglob("*.py")
                if "migrations" not in p.parts and "node_modules" not in p.parts)
TYPESCRIPT = sorted(p for p in (ROOT / "frontend" / "src").rglob("*.ts") if not p.name.endswith(".gen.ts"))


def _ts_classes(text: str):
    """(name, lines) of each class, by matching its braces (strings and comments rarely hold braces here)."""
    for match in re.finditer(r"^(?:export )?(?:abstract )?class (\w+)[^{]*\{", text, re.M):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        yield match.group(1), text.count("\n", match.start(), end) + 1


@pytest.mark.parametrize("path", PYTHON + TYPESCRIPT, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_is_under_400_lines(path):
    assert len(path.read_text().splitlines()) < MAX_MODULE


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_class_is_under_250_lines(path):
    tree = ast.parse(path.read_text())
    big = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
           if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 >= MAX_CLASS]
    assert big == []


@pytest.mark.parametrize("path", TYPESCRIPT, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_typescript_class_is_under_250_lines(path):
    assert [(name, lines) for name, lines in _ts_classes(path.read_text()) if lines >= MAX_CLASS] == []
