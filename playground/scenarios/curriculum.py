"""The course: the built-in lessons in chapters (curriculum.json), each numbered
("3.1": chapter 3, lesson 1) with the one after it as "next"."""

import json
from functools import cache
from pathlib import Path

CURRICULUM_FILE = Path(__file__).resolve().parent / "curriculum.json"


@cache
def read_curriculum(path=CURRICULUM_FILE):
    """{"title", "chapters": [{"id", "number", "title", "lessons": [slug, …]}], "order": [slug, …],
    "numbers": {slug: "3.1"}, "next": {slug: slug or None}}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    chapters, order, numbers = [], [], {}
    for c, chapter in enumerate(data["chapters"], start=1):
        chapters.append({"id": chapter["id"], "number": c, "title": chapter["title"],
                         "lessons": list(chapter["lessons"])})
        for n, slug in enumerate(chapter["lessons"], start=1):
            numbers[slug] = f"{c}.{n}"
            order.append(slug)
    following = {slug: order[i + 1] if i + 1 < len(order) else None for i, slug in enumerate(order)}
    return {"title": data.get("title", ""), "chapters": chapters, "order": order, "numbers": numbers,
            "next": following}


def public_challenge(challenge):
    """What the lesson map may show of a challenge: never its answer, goal or start code."""
    item = {"id": challenge["id"], "kind": challenge["kind"], "text": challenge["text"],
            "hints": challenge.get("hints") or []}
    if challenge.get("choices") is not None:
        item["choices"] = challenge["choices"]
    if challenge.get("edit"):
        item["edit"] = True
    if challenge.get("start"):
        item["starts_from_other_code"] = True
    return item


def curriculum_json(specs):
    """The course for the page: chapters with their lessons (number, title, summary,
    next, challenges). `specs` maps slug → spec of the built-in lessons."""
    course = read_curriculum()
    chapters = []
    for chapter in course["chapters"]:
        lessons = []
        for slug in chapter["lessons"]:
            spec = specs.get(slug)
            if spec is None:
                continue
            lessons.append({"slug": slug, "number": course["numbers"][slug], "title": spec.get("title", slug),
                            "summary": spec.get("summary", ""), "tags": spec.get("tags", []),
                            "next": course["next"][slug],
                            "challenges": [public_challenge(ch) for ch in spec.get("challenges") or []]})
        chapters.append({"id": chapter["id"], "number": chapter["number"], "title": chapter["title"],
                         "lessons": lessons})
    return {"title": course["title"], "chapters": chapters}
