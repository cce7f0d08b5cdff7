"""The sequence-diagram steps, PlantUML and Mermaid: each message once, in delivery
order; lost with its reason; a duplicate copy; notes naming the node; the deadlock's
threads and locks; long runs cut with a note; text encoded, never read as markup."""

from playground.exports import mermaid, plantuml
from playground.exports.sequence import steps


def ev(seq, kind, node=None, thread=None, **fields):
    return {"seq": seq, "t": seq / 1000, "kind": kind, "node": node, "thread": thread, **fields}


def send(seq, mid, a, b, content):
    return ev(seq, "msg.send", a, f"{a}/main", id=mid, **{"from": a, "to": b, "content": content})


def recv(seq, mid, a, b):
    return ev(seq, "msg.recv", b, f"{b}/main", id=mid, **{"from": a, "to": b})


RUN = [
    ev(1, "run.started", nodes=[{"id": "a"}, {"id": "b"}]),
    send(2, "m1", "a", "b", "one"), send(3, "m2", "a", "b", "two"),
    recv(4, "m2", "a", "b"),  # delivered out of order
    ev(5, "msg.drop", id="m1", reason="loss", **{"from": "a", "to": "b"}),
    send(6, "m3", "a", "b", "three"), ev(7, "msg.duplicate", id="m3", copy="m3'", **{"from": "a", "to": "b"}),
    recv(8, "m3", "a", "b"), recv(9, "m3", "a", "b"),
    ev(10, "node.crash", "b"), ev(11, "node.restart", "b"),
    ev(12, "net.partition", groups=[["a"], ["b"]]), ev(13, "net.heal"),
    ev(14, "deadlock", cycle=[{"thread": "a/P1", "waits_for": "a/x_lock", "held_by": "a/P2"}]),
    send(15, "m4", "a", "b", "four"),
    ev(16, "run.finished", status="deadlock"),
]


def test_each_message_is_drawn_once_in_delivery_order():
    messages = [s for s in steps(RUN) if s.kind == "message"]
    assert [(s.style, "".join(s.text).split(":")[0]) for s in messages] == [
        ("delivered", "m2"), ("lost", "m1"), ("delivered", "m3"), ("duplicate", "m3 (duplicate copy m3')"),
        ("unfinished", "m4")]
    assert "lost (loss)" in "".join(messages[1].text)
    assert "not received when the run ended" in "".join(messages[-1].text)


def test_crashes_partitions_and_the_deadlock_are_notes_naming_their_nodes_threads_and_locks():
    notes = [("".join(s.text), s.over) for s in steps(RUN) if s.kind == "note"]
    assert ("b crashes", ("b",)) in notes and ("b restarts", ("b",)) in notes
    assert any(text.startswith("network partition: {a} | {b}") for text, _ in notes)
    assert any("a/P1 waits for a/x_lock held by a/P2" in text for text, _ in notes)


def test_a_long_run_is_cut_with_a_note_saying_what_was_left_out():
    events = [ev(1, "run.started", nodes=[{"id": "a"}])] + [
        ev(i, "output", "a", "a/main", text=str(i)) for i in range(2, 103)]
    drawn = list(steps(events, max_steps=50))
    assert sum(s.kind == "note" for s in drawn) == 51
    assert "".join(drawn[-1].text).startswith("Not drawn: 51 events, from seq 52 to the end (51 output)")


def test_long_labels_are_cut_with_a_marker_and_folded():
    (note,) = [s for s in steps([ev(1, "output", "a", "a/main", text="x" * 5000)]) if s.kind == "note"]
    assert all(len(line) <= 60 for line in note.text)
    assert "".join(note.text).endswith("… [4,713 more characters]")


NASTY = "<b>b</b> #35; a;b \"q\" **s** --d-- //i// ~ \\ $ %% 😀 Привет\r\n\t"


def test_plantuml_writes_no_raw_control_character_and_no_markup():
    text = plantuml.export([ev(1, "output", "a", "a/main", text=NASTY)])
    body = text.split("\n", 2)[2]
    assert "\r" not in text and "\t" not in text
    for raw in ("<b>", "#35;", "**", "--", "//", "~", "$", '"q"'):
        assert raw not in body.split(" : ", 1)[1], raw
    assert "<U+003C>b<U+003E>" in text and "😀 Привет" in text and "<U+005C>r<U+005C>n<U+005C>t" in text


def test_plantuml_pages_are_split_before_the_limit():
    events = [ev(i, "output", "a", "a/main", text=f"line {i}") for i in range(1, 600)]
    text = plantuml.export(events)
    assert text.count("newpage") >= 2 and text.startswith("@startuml") and text.endswith("@enduml\n")


def test_mermaid_uses_its_entity_codes_and_splits_long_runs():
    text = mermaid.export([ev(1, "output", "a", "a/main", text=NASTY)])
    for encoded in ("#60;b#62;b#60;#47;b#62;", "#35;35#59;", "a#59;b", "#34;q#34;", "#42;#42;s#42;#42;", "😀 Привет"):
        assert encoded in text, encoded
    assert "\r" not in text and "\t" not in text
    events = [ev(i, "output", "a", "a/main", text="y" * 280) for i in range(1, 400)]
    blocks = mermaid.export(events).split("```mermaid\n")[1:]
    assert len(blocks) > 1 and all(len(b) < 50_000 for b in blocks)
    assert "continued in part 2" in blocks[0] and "part 2, continued from part 1" in blocks[1]
