"""A PlantUML sequence diagram (Debian's `plantuml`, plantuml.com): nodes across, each
message once as an arrow in delivery order, steps as notes (see sequence.py).

Text is encoded for PlantUML: every ASCII character that is not a letter, digit, space
or one of `.,:()?!'@` is written as its `<U+XXXX>` escape, so that nothing in a run's text reads as
markup (`<b>`, `**`, `--`, `//`, `#35;`, `~`, `\\`, `$` …); other characters (non-Latin
text, emoji) are kept, control characters are shown as backslash escapes (text.visible)
and lines are folded with PlantUML's `\\n`.

PlantUML draws no image taller than 4,096 px (PLANTUML_LIMIT_SIZE): it cuts the
rest silently. The diagram is split with `newpage` before a page's estimated height
reaches PAGE_BUDGET px (estimated from the lines each arrow and note takes), each page
titled with its number; the checks in tests/exports render every lesson and measure.
"""

from .sequence import steps

PAGE_BUDGET = 3000  # px, estimated; PlantUML's limit is 4,096
HEADER = 110  # participants at the top and the bottom of a page, the page title
LINE = 17  # a line of text in an arrow label or a note
ARROW = 20  # an arrow's own height besides its label
NOTE = 22  # a note's frame besides its text
ARROWS = {"delivered": "->", "lost": "->x", "duplicate": "-->", "unfinished": "->o"}


PLAIN = frozenset(" .,:()?!'@")  # never markup in a label


def encode(text):
    return "".join(c if c.isalnum() or c in PLAIN or ord(c) > 127 else f"<U+{ord(c):04X}>" for c in text)


def lines(label):
    return "\\n".join(encode(line) for line in label)


def stream(events, spec=None):
    aliases = {}
    height, page = HEADER, 1
    yield "@startuml\n"
    for step in steps(events):
        if step.kind == "participant":
            alias = aliases[step.text[0]] = f"n{len(aliases)}"
            yield f'participant "{encode(step.text[0])}" as {alias}\n'
            continue
        cost = len(step.text) * LINE + (ARROW if step.kind == "message" else NOTE)
        if height + cost > PAGE_BUDGET and height > HEADER:
            page += 1
            height = HEADER
            yield f"newpage page {page}\n"
        height += cost
        if step.kind == "message":
            yield (f"{aliases[step.sender]} {ARROWS[step.style]} {aliases[step.recipient]} : "
                   f"{lines(step.text)}\n")
        else:
            if not aliases:  # a run with no node: the notes need someone to stand over
                aliases[None] = "n0"
                yield 'participant "run" as n0\n'
            over = [aliases[n] for n in step.over if n in aliases] or list(aliases.values())
            where = over[0] if len(over) == 1 else f"{over[0]}, {over[-1]}"
            yield f"note over {where} : {lines(step.text)}\n"
    yield "@enduml\n"


def export(events, spec=None):
    return "".join(stream(events, spec))
