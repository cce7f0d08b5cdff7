"""Mermaid sequence diagrams (mermaid.js, mermaid.live, GitHub Markdown): nodes across,
each message once as an arrow in delivery order, steps as notes (see sequence.py).

The file is Markdown holding one ```mermaid block per part: Mermaid refuses a diagram
longer than its maxTextSize (50,000 characters; a diagram cannot raise it), so a long
run is split into parts of at most PART_CHARS characters and PART_STEPS steps, each
declaring every participant met so far and saying which part it is.

Text is encoded with Mermaid's entity codes: every ASCII character that is not a
letter, digit, space or one of `.,()?!'@` is written `#NN;` (`;` is `#59;`, `#` is `#35;`), so the
diagram shows the text as the run held it; other characters (non-Latin text, emoji)
are kept, control characters shown as backslash escapes (text.visible), and lines
folded with `<br>`.
"""

from .sequence import steps

PART_CHARS = 40_000  # Mermaid's maxTextSize is 50,000
PART_STEPS = 300
ARROWS = {"delivered": "->>", "lost": "-x", "duplicate": "-->>", "unfinished": "-)"}


PLAIN = frozenset(" .,()?!'@")  # never syntax in a label


def encode(text):
    return "".join(c if c.isalnum() or c in PLAIN or ord(c) > 127 else f"#{ord(c)};" for c in text)


def lines(label):
    return "<br>".join(encode(line) for line in label)


class Part:
    def __init__(self, number, aliases):
        self.number = number
        self.lines = ["```mermaid\n", "sequenceDiagram\n"]
        self.lines += [f"    participant {alias} as {encode(name or 'run')}\n" for name, alias in aliases.items()]
        self.size = sum(map(len, self.lines))
        self.steps = 0
        if number > 1:
            self.add(f"    Note over {first_last(aliases)}: {encode(f'part {number}, continued from part {number - 1}')}\n")

    def add(self, line):
        self.lines.append(line)
        self.size += len(line)


def first_last(aliases, over=()):
    chosen = [aliases[n] for n in over if n in aliases] or list(aliases.values())
    return chosen[0] if len(chosen) == 1 else f"{chosen[0]},{chosen[-1]}"


def stream(events, spec=None):
    aliases = {}
    yield "# The run as sequence diagrams\n\n"
    part = Part(1, aliases)
    for step in steps(events):
        if step.kind == "participant":
            alias = aliases[step.text[0]] = f"n{len(aliases)}"
            part.add(f"    participant {alias} as {encode(step.text[0])}\n")
            continue
        if not aliases:  # a run with no node: the notes need someone to stand over
            aliases[None] = "n0"
            part.add("    participant n0 as run\n")
        if step.kind == "message":
            line = f"    {aliases[step.sender]}{ARROWS[step.style]}{aliases[step.recipient]}: {lines(step.text)}\n"
        else:
            line = f"    Note over {first_last(aliases, step.over)}: {lines(step.text)}\n"
        if part.steps >= PART_STEPS or part.size + len(line) > PART_CHARS:
            part.add(f"    Note over {first_last(aliases)}: {encode(f'continued in part {part.number + 1}')}\n")
            yield from part.lines
            yield "```\n\n"
            part = Part(part.number + 1, aliases)
        part.add(line)
        part.steps += 1
    yield from part.lines
    yield "```\n"


def export(events, spec=None):
    return "".join(stream(events, spec))
