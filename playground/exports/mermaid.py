"""A Mermaid sequence diagram: nodes across, messages as arrows, steps as notes."""

from .sequence import diagram


def clean(text):
    # Mermaid ends a statement at ';' and a line break; '#' starts an entity.
    return str(text).replace("\n", " ").replace(";", ",").replace("#", "no.")


def export(events):
    nodes, steps = diagram(events)
    lines = ["sequenceDiagram"] + [f"    participant {alias} as {clean(name)}" for alias, name in nodes]
    for step in steps:
        if step[0] == "message":
            _, sender, recipient, text, lost = step
            lines.append(f"    {sender}{'-x' if lost else '->>'}{recipient}: {clean(text)}")
        else:
            lines.append(f"    Note over {','.join(step[1])}: {clean(step[2])}")
    return "\n".join(lines) + "\n"
