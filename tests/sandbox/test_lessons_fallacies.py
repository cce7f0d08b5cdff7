"""The fallacies of distributed computing, five to eight (issue 13): the network is
secure, there is one administrator, transport cost is zero, the network is homogeneous.
Each lesson's point read off its free run's events (run once, cached), and each fix
challenge's reference solution (kept here, never in the lesson files; read by
tests/unit/challenge_cases.py, whose generic tests judge it). The first four fallacies are
in test_lessons_resilience.py."""

from __future__ import annotations

from playground.engine.runner import collect
from tests.sandbox.test_lessons_fault_tolerance import events_of, index, outputs, printed, sent, with_code
from tests.unit.helpers import builtin, finished

# -- fallacy-secure-network ----------------------------------------------------------------

SIGNING_ADA = """\
import hmac
for payee, amount in [('grocer', 20), ('landlord', 500)]:
    tag = hmac.new(KEY, f'ada pays {payee} {amount}'.encode(), 'sha256').hexdigest()
    send('wifi', {'to': 'bank', 'user': 'ada', 'pay': payee, 'amount': amount, 'tag': tag})
    answer = recv(timeout=1.0)
    print(f"pay {payee} {amount}: {answer.content['result'] if answer else 'no answer'}")
"""
CHECKING_BANK = """\
import hmac
while True:
    m = recv(timeout=0.5)
    if m is None:
        break
    r = m.content
    text = f"{r['user']} pays {r['pay']} {r['amount']}"
    if not hmac.compare_digest(hmac.new(KEY, text.encode(), 'sha256').hexdigest(), r.get('tag', '')):
        print(f'bank: refused {text}: changed on the way')
        reply(m, {'client': r['client'], 'result': 'refused: the message was changed on the way'})
        continue
    paid[r['pay']] = paid.get(r['pay'], 0) + r['amount']
    print(f"bank: paid {r['amount']} to {r['pay']} for {r['user']}")
    reply(m, {'client': r['client'], 'result': f"paid {r['amount']} to {r['pay']}"})
"""


def signed_payments(spec: dict) -> dict:
    return with_code(spec, {"ada/main": SIGNING_ADA, "bank/main": CHECKING_BANK})


def pay_nobody(spec: dict) -> dict:
    """Never pays anyone: mallory gets nothing, and neither does the grocer."""
    return with_code(spec, {"ada/main": "print('pay grocer 20: paid 20 to grocer')\n"})


def test_fallacy_secure_network_the_router_reads_the_password_and_redirects_the_rent_unseen():
    events = events_of("fallacy-secure-network")
    end = finished(events)
    assert end["status"] == "completed"
    assert end["shared"]["wifi"]["stolen"] == ["hunter2", "hunter2"]
    assert end["shared"]["bank"]["paid"] == {"grocer": 20, "mallory": 500}
    # the same payment on each side of the router: ada's says landlord, the bank's mallory
    rent_out = sent(events, **{"from": "ada"})[1]
    rent_in = [e for e in sent(events, **{"from": "wifi", "to": "bank"}) if e["content"]["amount"] == 500]
    assert rent_out["content"]["pay"] == "landlord" and rent_in[0]["content"]["pay"] == "mallory"
    assert rent_out["content"]["password"] == "hunter2"
    # …and ada is told what she expects
    assert outputs(events, "ada/main") == ["pay grocer 20: paid 20 to grocer", "pay landlord 500: paid 500 to landlord"]
    assert [e for e in sent(events, **{"from": "bank"}) if "mallory" in e["content"]["result"]]


def test_fallacy_secure_network_with_a_shared_key_tag_the_bank_refuses_the_changed_rent_and_no_password_leaks():
    events = collect(signed_payments(builtin("fallacy-secure-network")))
    end = finished(events)
    assert end["shared"]["bank"]["paid"] == {"grocer": 20} and end["shared"]["wifi"]["stolen"] == []
    refused = printed(events, "bank/main", "bank: refused ada pays mallory 500")
    redirected = printed(events, "wifi/main", "now goes to mallory")
    assert redirected and refused and redirected[0] < refused[0]
    assert outputs(events, "ada/main")[1] == "pay landlord 500: refused: the message was changed on the way"
    assert not [e for e in sent(events) if "password" in e["content"]]


# -- fallacy-one-administrator -------------------------------------------------------------

LOOKING_UP_APP = """\
CONFIG = {'api': 'api', 'port': 8080}
port = CONFIG['port']
for n in range(3):
    send(CONFIG['api'], {'port': port, 'get': f'/orders/{n}'})
    answer = recv(timeout=1.0)
    if answer is not None and 'error' in answer.content:   # moved? ask where its owner says it is now
        send('ops', {'lookup': 'api'})
        port = recv(timeout=1.0).content['port']
        print(f'request {n}: refused, the registry says port {port}: trying again')
        send(CONFIG['api'], {'port': port, 'get': f'/orders/{n}'})
        answer = recv(timeout=1.0)
    if answer is None or 'error' in answer.content:
        failed += 1
        print(f"request {n}: {answer.content['error'] if answer else 'no answer'}")
    else:
        answered += 1
    sleep(0.2)
print(f'{answered} of 3 requests answered')
"""


def looking_up_the_port(spec: dict) -> dict:
    return with_code(spec, {"app/main": LOOKING_UP_APP})


def asking_nothing(spec: dict) -> dict:
    """Never fails a request because it never sends one."""
    return with_code(spec, {"app/main": "print('0 of 3 requests answered')\n"})


def test_fallacy_one_administrator_after_team_bs_move_the_apps_copied_port_is_refused_though_the_registry_knows():
    events = events_of("fallacy-one-administrator")
    end = finished(events)
    assert end["status"] == "completed"
    assert end["shared"]["ops"]["services"] == {"api": 8443} and end["shared"]["api"]["port"] == 8443
    switched = index(events, lambda e: e["kind"] == "var.write" and e["node"] == "api" and e["name"] == "port")
    published = index(events, lambda e: e["kind"] == "var.write" and e["node"] == "ops")
    assert published < switched  # team B did it in the right order, by its own rules
    requests = [(i, e) for i, e in enumerate(events) if e["kind"] == "msg.send" and e["from"] == "app"]
    assert len(requests) == 3 and all(e["content"]["port"] == 8080 and e["to"] == "api" for _, e in requests)
    answers = [e["content"] for e in sent(events, **{"from": "api", "to": "app"})]
    assert "order" in answers[0] and "error" in answers[-1]  # answered before the move, refused after
    assert all("error" in a for (i, _), a in zip(requests, answers, strict=True) if i > switched)
    app = end["shared"]["app"]
    assert app["failed"] >= 1 and app["answered"] >= 1 and app["answered"] + app["failed"] == 3
    assert outputs(events, "app/main")[-1] == f"{app['answered']} of 3 requests answered"
    assert not sent(events, **{"from": "app", "to": "ops"})  # it never asked


def test_fallacy_one_administrator_an_app_that_looks_the_port_up_again_gets_every_answer():
    events = collect(looking_up_the_port(builtin("fallacy-one-administrator")))
    assert finished(events)["shared"]["app"] == {"answered": 3, "failed": 0}
    lookups = sent(events, **{"from": "app", "to": "ops"})
    assert lookups and printed(events, "app/main", "the registry says port 8443")


# -- fallacy-transport-cost-zero -----------------------------------------------------------

def upload_lines(events: list[dict]) -> list[dict]:
    """The sensor's two lines, e.g. `one by one: requests 100, bytes 16350, time 0.87 s, bill 1.03 EUR`."""
    lines = []
    for line in outputs(events, "sensor/main"):
        label, rest = line.split(": ", 1)
        fields = dict(part.split(" ")[:2] for part in rest.split(", "))
        lines.append({"label": label, **{k: float(v) for k, v in fields.items()}})
    return lines


def test_fallacy_transport_cost_zero_a_hundred_tiny_messages_cost_far_more_bytes_time_and_money_than_one():
    events = events_of("fallacy-transport-cost-zero")
    uploads = [e for e in sent(events, **{"from": "sensor"}) if "readings" in e["content"]]
    chatty, batched = uploads[:100], uploads[100:]
    assert all(len(e["content"]["readings"]) == 1 for e in chatty)
    assert len(batched) == 1 and len(batched[0]["content"]["readings"]) == 100
    chatty_bytes, batched_bytes = sum(e["bytes"] for e in chatty), batched[0]["bytes"]
    assert chatty_bytes > 15 * batched_bytes
    # nearly all of each tiny message is its headers: the number itself is a few bytes
    assert all(e["bytes"] > 25 * len(str(e["content"]["readings"][0])) for e in chatty)
    assert sum(e["transfer_ms"] for e in chatty) >= 700  # ~16 KB at 20,000 bytes a second
    one, batch = upload_lines(events)
    assert (one["label"], batch["label"]) == ("one by one", "in one batch")
    assert (one["requests"], batch["requests"]) == (100, 1)
    assert (one["bytes"], batch["bytes"]) == (chatty_bytes, batched_bytes)  # the cloud counted what was sent
    assert one["bill"] > 50 * batch["bill"] and one["time"] > 4 * batch["time"]
    assert finished(events)["shared"]["cloud"]["stored"] == 200  # the same data both times


# -- fallacy-homogeneous-network -----------------------------------------------------------

READING_THE_FORMAT = """\
import struct

while True:
    m = recv(timeout=0.5)
    if m is None:
        break
    fmt = m.content['format']
    raw = bytes.fromhex(m.content['record'])
    cents = struct.unpack('<i' if fmt['byteorder'] == 'little' else '>i', raw[:4])[0]
    name = raw[4:].decode(fmt['charset'])
    total += cents
    customers.append(name)
    print(f'{m.sender}: {name} paid {cents / 100:.2f} EUR')
print(f'total {total / 100:.2f} EUR')
"""


def reading_the_format(spec: dict) -> dict:
    return with_code(spec, {"ledger/main": READING_THE_FORMAT})


def booking_nothing(spec: dict) -> dict:
    """Never misreads a record because it never books one."""
    return with_code(spec, {"ledger/main": "while recv(timeout=0.5) is not None:\n    pass\n"})


def test_fallacy_homogeneous_network_the_ledger_misreads_the_little_endian_latin_1_till_and_not_the_webshop():
    events = events_of("fallacy-homogeneous-network")
    records = {e["from"]: [] for e in sent(events)}
    for e in sent(events):
        records[e["from"]].append(e["content"])
    assert records["till"][0] == {"format": {"byteorder": "little", "charset": "latin-1"}, "record": "e2040000" + "5a6feb"}
    assert records["webshop"][0]["record"] == "000009c4" + "43686c6fc3a9"  # 2500 big-endian, "Chloé" in UTF-8
    lines = outputs(events, "ledger/main")
    assert "till: Zo\ufffd paid -5030543.36 EUR" in lines and "till: Ren\ufffde paid 5202903.04 EUR" in lines
    assert "webshop: Chloé paid 25.00 EUR" in lines and "webshop: Björn paid 19.99 EUR" in lines
    ledger = finished(events)["shared"]["ledger"]
    assert ledger["total"] == -503054336 + 520290304 + 2500 + 1999 != 1250 + 799 + 2500 + 1999
    assert sorted(ledger["customers"]) == sorted(["Zo\ufffd", "Ren\ufffde", "Chloé", "Björn"])


def test_fallacy_homogeneous_network_a_ledger_that_reads_each_messages_format_books_every_sale_right():
    events = collect(reading_the_format(builtin("fallacy-homogeneous-network")))
    ledger = finished(events)["shared"]["ledger"]
    assert ledger["total"] == 6548 and sorted(ledger["customers"]) == ["Björn", "Chloé", "Renée", "Zoë"]
    assert outputs(events, "ledger/main")[-1] == "total 65.48 EUR"


REFERENCES = {("fallacy-secure-network", "sign-each-payment"): signed_payments,
              ("fallacy-one-administrator", "look-it-up"): looking_up_the_port,
              ("fallacy-homogeneous-network", "read-the-format"): reading_the_format}
DROPPING_THE_WORK = {("fallacy-secure-network", "sign-each-payment"): pay_nobody,
                     ("fallacy-one-administrator", "look-it-up"): asking_nothing,
                     ("fallacy-homogeneous-network", "read-the-format"): booking_nothing}
