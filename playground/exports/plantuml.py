"""A PlantUML sequence diagram: nodes across, messages as arrows, steps as notes."""

from .sequence import diagram


def clean(text):
    return str(text).replace("\\", "\\\\").replace("\n", "\\n").replace('"', "'")


def export(events):
    nodes, steps = diagram(events)
    lines = ["@startuml"] + [f'participant "{clean(name)}" as {alias}' for alias, name in nodes]
    for step in steps:
        if step[0] == "message":
            _, sender, recipient, text, lost = step
            lines.append(f"{sender} {'->x' if lost else '->'} {recipient} : {clean(text)}")
        else:
            lines.append(f"note over {', '.join(step[1])} : {clean(step[2])}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
