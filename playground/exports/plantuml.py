"""A PlantUML sequence diagram: nodes across, messages as arrows, steps as notes."""

from .sequence import participants, steps


def clean(text):
    return str(text).replace("\\", "\\\\").replace("\n", "\\n").replace('"', "'")


def export(events):
    nodes = participants(events)
    alias = {name: f"n{i}" for i, name in enumerate(nodes)}
    lines = ["@startuml"]
    lines += [f'participant "{clean(name)}" as {alias[name]}' for name in nodes]
    for step in steps(events):
        if step[0] == "message":
            _, sender, recipient, text, lost = step
            if sender in alias and recipient in alias:
                arrow = "->x" if lost else "->"
                lines.append(f"{alias[sender]} {arrow} {alias[recipient]} : {clean(text)}")
        else:
            _, where, text = step
            over = [alias[n] for n in (where or nodes) if n in alias]
            if over:
                span = ", ".join([over[0], over[-1]] if len(over) > 1 else over)
                lines.append(f"note over {span} : {clean(text)}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
