"""The page is light (issue 10): the JavaScript the index page loads on first paint is
served compressed when the client accepts it, its hashed files are cached for good, and
all of it weighs at most 300 KB compressed. CodeMirror and cytoscape.js come later, in
chunks of their own, when first needed.

Walked as a browser walks it, through Django and WhiteNoise: the page's module script,
then every static `import` of each module (dynamic `import()`s are not followed), checked
against the manifest the Vite build writes. Needs the built frontend (`make frontend`)."""

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DIST = Path(__file__).resolve().parents[2] / "playground" / "static" / "dist"
BUDGET = 300_000  # bytes of compressed JavaScript on first load
YEAR = 365 * 24 * 3600

# The import statements at the top of a bundled module: `import "./a.js";`,
# `import{x as y}from"./b.js";` (comments before them allowed); not `import(...)`.
LEADING = re.compile(r"""\s*(?://[^\n]*\n|/\*.*?\*/)*\s*import\s*(?:[^"'`;()]*?\bfrom\s*)?(["'`])([^"'`]+)\1\s*;?""", re.S)
SCRIPT = re.compile(r"""<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)\"""")


def static_imports(source):
    found, pos = [], 0
    while m := LEADING.match(source, pos):
        found.append(m.group(2))
        pos = m.end()
    return found


@pytest.fixture(scope="module")
def manifest():
    path = DIST / ".vite" / "manifest.json"
    if not path.is_file():
        pytest.fail(f"The frontend is not built ({path} is missing): run `make frontend`.")
    return json.loads(path.read_text())


def get(client, url, encoding=None):
    headers = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert int(response["Content-Length"]) == len(body)
    return response, body


def first_load(client):
    """The module scripts of the index page and, transitively, their static imports."""
    html = client.get("/").content.decode()
    entries = SCRIPT.findall(html)
    assert entries, "the index page has no module script"
    seen, todo = [], list(entries)
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.append(url)
        _, body = get(client, url)
        todo += [urljoin(url, spec) for spec in static_imports(body.decode())]
    return seen


def entry_closure(manifest):
    """The files the manifest says the entry needs at once (its static imports)."""
    (entry,) = [key for key, chunk in manifest.items() if chunk.get("isEntry")]
    files, todo = set(), [entry]
    while todo:
        key = todo.pop()
        if manifest[key]["file"] not in files:
            files.add(manifest[key]["file"])
            todo += manifest[key].get("imports", [])
    lazy = {manifest[key]["file"] for key in manifest[entry].get("dynamicImports", [])}
    return files, lazy


def test_the_parser_follows_static_imports_only():
    source = '// generated\nimport "./a.js";\nimport{x as y,z}from"./b-1.js";import*as q from\'./c.js\';' \
             'const f=()=>import(`./lazy.js`);import"./not-leading.js";'
    assert static_imports(source) == ["./a.js", "./b-1.js", "./c.js"]


def test_first_load_javascript_is_compressed_cached_and_under_budget(manifest):
    client = Client()
    urls = first_load(client)
    hashed, lazy = entry_closure(manifest)
    # What a browser walks is what the build says the entry needs, plus the stable loader.
    assert urls[0] == "/static/dist/app.js"
    assert {url.removeprefix("/static/dist/") for url in urls[1:]} == hashed
    # The editor's and the graphs' libraries are not among them.
    sources = {manifest[key]["src"] for key in manifest if manifest[key]["file"] in lazy}
    assert any("codemirror" in s.lower() for s in sources) and any("cytoscape" in s for s in sources), sources
    assert not lazy & hashed

    total = {"gzip": 0, "br": 0, "identity": 0}
    for url in urls:
        plain_response, plain = get(client, url)
        assert not plain_response.has_header("Content-Encoding")
        assert plain_response["Content-Type"].startswith("text/javascript")
        total["identity"] += len(plain)
        for encoding in ("gzip", "br"):
            response, body = get(client, url, f"{encoding}, deflate" if encoding == "gzip" else "gzip, deflate, br")
            assert response["Content-Encoding"] == encoding, url
            assert len(body) < len(plain) or len(plain) < 1024, url
            if encoding == "gzip":
                assert gzip.decompress(body) == plain, url
            total[encoding] += len(body)
        cache = response["Cache-Control"]
        if url == "/static/dist/app.js":
            # The loader keeps its name: cached briefly, revalidated by its ETag.
            assert "immutable" not in cache and response.has_header("ETag"), cache
        else:
            max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
            assert "immutable" in cache and max_age >= YEAR, (url, cache)
    print(f"first-load JavaScript: {len(urls)} files, {total['identity']} bytes plain, "
          f"{total['gzip']} gzip, {total['br']} brotli")
    assert total["gzip"] <= BUDGET, total
    assert total["br"] <= BUDGET, total
    # The library's first lesson is distributed: its topology fetches cytoscape.js right
    # after the first paint. Even with it, the page stays within the budget.
    (graphs,) = [manifest[key]["file"] for key in manifest if "cytoscape" in manifest[key].get("src", "")]
    for encoding in ("gzip", "br"):
        response, body = get(client, f"/static/dist/{graphs}", encoding)
        assert total[encoding] + len(body) <= BUDGET, (encoding, total[encoding], len(body))


def test_lazy_chunks_and_the_stylesheet_are_compressed_too(manifest):
    client = Client()
    _, lazy = entry_closure(manifest)
    for name in sorted(lazy):
        response, _ = get(client, f"/static/dist/{name}", "gzip, deflate, br")
        assert response["Content-Encoding"] == "br", name
        assert "immutable" in response["Cache-Control"], name
    response, _ = get(client, "/static/dist/app.css", "gzip, deflate, br")
    assert response["Content-Encoding"] == "br"
    assert response["Content-Type"].startswith("text/css")
