"""The Python-level wall of the sandbox, attacked from snippets.

Every attempt runs through the real sandbox child. Each must be refused with a
message a learner can read (a `thread.failed` error, or a spec error), and
must reach nothing: a snippet prints REACHED only once it holds something it
should never have, and that line must never show up.
"""

from __future__ import annotations

import pytest

from playground.engine import safety
from playground.engine.runner import collect, make_run
from playground.engine.sandbox import run_sandboxed
from playground.engine.spec import SpecError, validate
from tests.unit.helpers import finished, kinds, network, scenario

MARKER = "REACHED"


def outputs(events: list[dict]) -> list[str]:
    return [e["text"] for e in kinds(events, "output")]


def assert_refused(events: list[dict], words: str) -> None:
    """The run says what was refused, and the snippet got nothing out of it."""
    errors = [e["error"] for e in kinds(events, "thread.failed")]
    assert any(words in error for error in errors), errors
    assert finished(events)["status"] == "failed"
    assert not any(MARKER in text for text in outputs(events)), outputs(events)


def refuse(code: str, words: str, **spec) -> None:
    assert_refused(run_sandboxed(scenario({"P1": code}, **spec)), words)


# (what is tried, the snippet, a fragment of the message the learner sees)
FRAMES_AND_TRACEBACKS = [
    ("a traceback's frame through __traceback__",
     "try:\n    1/0\nexcept Exception as e:\n    tb = e.__traceback__\n    print('REACHED', tb)\n",
     "'.__traceback__'"),
    ("a traceback through getattr with a built string",
     "try:\n    1/0\nexcept Exception as e:\n    tb = getattr(e, '__trace' + 'back__')\n    print('REACHED', tb)\n",
     "'__traceback__' is off-limits"),
    ("the frame of the traceback handed to __exit__, by getattr",
     "class CM:\n    def __enter__(self):\n        return self\n    def __exit__(self, t, e, tb):\n"
     "        print('REACHED', getattr(tb, 'tb_frame'))\nwith CM():\n    1/0\n",
     "'tb_frame' is off-limits"),
    ("the frame of the traceback handed to __exit__, by attribute",
     "class CM:\n    def __enter__(self):\n        return self\n    def __exit__(self, t, e, tb):\n"
     "        print('REACHED', tb.tb_frame)\nwith CM():\n    1/0\n",
     "'.tb_frame' is off-limits"),
    ("the next traceback entry", "def f(tb):\n    return tb.tb_next\n", "'.tb_next' is off-limits"),
    ("a frame's caller", "def f(frame):\n    return frame.f_back\n", "'.f_back' is off-limits"),
    ("the sys module", "import sys\nprint('REACHED', sys.modules)\n", "import of 'sys' is not allowed"),
    ("the inspect module", "import inspect\nprint('REACHED')\n", "import of 'inspect' is not allowed"),
    ("the traceback module", "from traceback import walk_tb\nprint('REACHED')\n",
     "import of 'traceback' is not allowed"),
]

GENERATORS_AND_COROUTINES = [
    ("a generator's frame globals", "g = (i for i in [1])\nprint('REACHED', g.gi_frame)\n",
     "'.gi_frame' is off-limits"),
    ("a generator's frame through getattr",
     "def gen():\n    yield 1\nx = gen()\nprint('REACHED', getattr(x, 'gi_fr' + 'ame'))\n",
     "'gi_frame' is off-limits"),
    ("a generator's code", "def gen():\n    yield 1\nprint('REACHED', gen().gi_code)\n", "'.gi_code' is off-limits"),
    ("a coroutine's frame", "async def c():\n    pass\nco = c()\nprint('REACHED', co.cr_frame)\n",
     "'.cr_frame' is off-limits"),
    ("an async generator's frame", "async def a():\n    yield 1\nprint('REACHED', a().ag_frame)\n",
     "'.ag_frame' is off-limits"),
    ("a generator's frame through a match pattern",
     "g = (i for i in [1])\nmatch g:\n    case object(gi_frame=f):\n        print('REACHED', f)\n",
     "'.gi_frame' is off-limits"),
    ("a function's globals", "def f():\n    pass\nprint('REACHED', f.__globals__)\n", "'.__globals__'"),
    ("a bound method's object", "import threading\nlock = threading.Lock()\nprint('REACHED', getattr(lock.acquire, '__self__'))\n",
     "'__self__' is off-limits"),
]

MATCH_PATTERNS = [
    ("a dunder in a keyword pattern",
     "match print:\n    case object(__globals__=g):\n        print('REACHED', g)\n", "'.__globals__'"),
    ("builtins bound by a capture pattern", "match 1:\n    case __builtins__:\n        pass\n",
     "'__builtins__' is off-limits"),
    ("builtins bound by a star pattern", "match [1, 2]:\n    case [a, *__builtins__]:\n        pass\n",
     "'__builtins__' is off-limits"),
    ("builtins bound by a mapping rest", "match {}:\n    case {**__builtins__}:\n        pass\n",
     "'__builtins__' is off-limits"),
    ("builtins bound by an as pattern", "match 1:\n    case int() as __builtins__:\n        pass\n",
     "'__builtins__' is off-limits"),
    ("__match_args__ and a metaclass reading a private slot",
     "import threading\nM = type('M', (type,), {'__instancecheck__': lambda c, o: True})\n"
     "D = M('D', (), {'__match_args__': ('_impl',)})\nmatch threading.Lock():\n    case D(x):\n"
     "        print('REACHED', x)\n",
     "positional parts are not available"),
    ("str.format taken out by a keyword pattern",
     "match '{0.__globals__}':\n    case str(format=f):\n        print('REACHED', f(print))\n",
     "'format=' in a pattern is off-limits"),
    ("a frame's globals through a keyword pattern",
     "def f(frame):\n    match frame:\n        case object(f_globals=g):\n            print('REACHED', g)\n",
     "'.f_globals' is off-limits"),
]

FORMAT_STRINGS = [
    ("str.format reading __globals__", "print('REACHED', '{0.__globals__}'.format(print))\n",
     "format string field {0.__globals__}"),
    ("a format string built at run time", "fmt = '{0.__glo' + 'bals__}'\nprint('REACHED', fmt.format(print))\n",
     "names '.__globals__'"),
    ("str.format_map", "print('REACHED', '{f.__globals__}'.format_map({'f': print}))\n", "names '.__globals__'"),
    ("str.format called on the class", "print('REACHED', str.format('{0.__globals__}', print))\n",
     "names '.__globals__'"),
    ("str.format taken with getattr", "print('REACHED', getattr('{0.__globals__}', 'format')(print))\n",
     "names '.__globals__'"),
    ("a field nested in the format spec", "print('REACHED', '{0:{1.__class__}}'.format(1, print))\n",
     "names '.__class__'"),
    ("a generator's frame in a format string", "g = (i for i in [1])\nprint('REACHED', '{0.gi_frame}'.format(g))\n",
     "names '.gi_frame'"),
    ("an underscore key in a format string", "print('REACHED', '{0[_x]}'.format({'_x': 1}))\n", "names '_x'"),
    ("str.format reached through super() in a str subclass",
     "class S(str):\n    def format(self, *args):\n        return super().format(*args)\n"
     "print('REACHED', S('{0.__globals__}').format(print))\n",
     "names '.__globals__'"),
    ("str.format handed to map", "print('REACHED', list(map(str.format, ['{0.__globals__}'], [print])))\n",
     "names '.__globals__'"),
    ("str.format inside functools.partial",
     "import functools\nprint('REACHED', functools.partial(str.format, '{0.__globals__}')(print))\n",
     "names '.__globals__'"),
    ("collections.UserString's unguarded format",
     "import collections\nprint('REACHED', collections.UserString('{0.__globals__}').format(print))\n",
     "has no attribute 'UserString'"),
    ("the string module's Formatter", "import string\nprint('REACHED')\n", "import of 'string' is not allowed"),
    ("an f-string reading __globals__", "print('REACHED', f'{print.__globals__}')\n", "'.__globals__'"),
]

MODULE_INTERNALS = [
    ("functools.update_wrapper copying __globals__",
     "import functools\nw = functools.update_wrapper(lambda: 0, getattr, assigned=('__globals__',))\nprint('REACHED')\n",
     "has no attribute 'update_wrapper'"),
    ("functools.wraps", "import functools\nprint('REACHED', functools.wraps)\n", "has no attribute 'wraps'"),
    ("json.decoder", "import json\nprint('REACHED', json.decoder)\n", "has no attribute 'decoder'"),
    ("importing json.decoder", "import json.decoder\nprint('REACHED')\n", "import of 'json.decoder' is not allowed"),
    ("random's methods' __self__", "import random\nprint('REACHED', getattr(random.randint, '__self__'))\n",
     "'__self__' is off-limits"),
    ("math's functions' module", "import math\nprint('REACHED', math.sqrt.__self__)\n", "'.__self__'"),
    ("time's functions' module", "import time\nprint('REACHED', getattr(time.time, '__self__'))\n",
     "'__self__' is off-limits"),
    ("a class dict through type()", "print('REACHED', type(print).__dict__)\n", "'.__dict__'"),
    ("object.__subclasses__ through a getattr string",
     "print('REACHED', getattr(object, '__sub' + 'classes__')())\n", "'__subclasses__' is off-limits"),
    ("type.mro through getattr", "print('REACHED', getattr(type, 'mro')(int))\n", "'mro' is off-limits"),
    ("vars() of a function", "print('REACHED', vars(print))\n", "vars() is not available"),
    ("every name dir() lists, through getattr", "print('REACHED', [getattr(print, n) for n in dir(print)])\n",
     "is off-limits in the playground"),
    ("dataclasses.make_dataclass", "import dataclasses\nprint('REACHED', dataclasses.make_dataclass)\n",
     "has no attribute 'make_dataclass'"),
    ("collections.abc", "import collections\nprint('REACHED', collections.abc)\n", "has no attribute 'abc'"),
    ("the operator module", "import operator\nprint('REACHED')\n", "import of 'operator' is not allowed"),
    ("a function's code object", "print('REACHED', (lambda: 0).__code__)\n", "'.__code__'"),
]

SNIPPET_API_OBJECTS = [
    ("the runtime behind a Lock", "import threading\nprint('REACHED', threading.Lock().rt)\n",
     "'Lock' object has no attribute 'rt'"),
    ("the node behind a Condition", "import threading\nprint('REACHED', threading.Condition().node)\n",
     "'Condition' object has no attribute 'node'"),
    ("the private slot of a Lock by getattr", "import threading\nprint('REACHED', getattr(threading.Lock(), '_impl'))\n",
     "'_impl' is off-limits"),
    ("the private slot of an Event by attribute", "import threading\nprint('REACHED', threading.Event()._impl)\n",
     "'._impl'"),
    ("a facade made around an object of the snippet's choosing",
     "import threading\nL = type(threading.Lock())\nprint('REACHED', L(print))\n", "use threading.Lock() to make one"),
    ("a Condition over a fake lock that would collect the engine's threads",
     "import threading\nclass Fake:\n    waiters = []\nc = threading.Condition(Fake())\nprint('REACHED')\n",
     "needs a threading.Lock() or threading.RLock()"),
    ("a fake lock whose metaclass says it equals Lock",
     "import threading\nM = type('M', (type,), {'__eq__': lambda a, b: True, '__hash__': lambda a: 0})\n"
     "F = M('F', (), {'_impl': [], 'waiters': []})\nc = threading.Condition(F())\nprint('REACHED')\n",
     "needs a threading.Lock() or threading.RLock()"),
    ("the engine side of a Thread", "import threading\nt = threading.Thread(target=print)\nprint('REACHED', t.api)\n",
     "has no attribute 'api'"),
    ("the private run of a Thread by getattr",
     "import threading\nt = threading.Thread(target=print)\nprint('REACHED', getattr(t, '_run'))\n",
     "'_run' is off-limits"),
    ("the thread context behind current_thread()", "print('REACHED', current_thread().ctx)\n",
     "has no attribute 'ctx'"),
    ("the runtime behind section()", "print('REACHED', section('cs').runtime)\n", "has no attribute 'runtime'"),
    ("the object behind print", "print('REACHED', getattr(print, '__self__'))\n", "'__self__' is off-limits"),
    ("the closure of send", "print('REACHED', send.__closure__)\n", "'.__closure__'"),
    ("the network behind a declared lock", "print('REACHED', x_lock.network)\n",
     "'Lock' object has no attribute 'network'"),
]

BUILTINS_REBINDING = [
    ("except … as __builtins__", "try:\n    1/0\nexcept Exception as __builtins__:\n    print('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("import … as __builtins__", "import math as __builtins__\nprint('REACHED')\n", "'__builtins__' is off-limits"),
    ("global __builtins__", "def f():\n    global __builtins__\n    __builtins__ = {}\nf()\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a parameter named __builtins__", "def f(__builtins__):\n    pass\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a lambda parameter named __builtins__", "f = lambda __builtins__: 0\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a class attribute named __builtins__", "class C:\n    __builtins__ = {}\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a function named __builtins__", "def __builtins__():\n    pass\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a class named __builtins__", "class __builtins__:\n    pass\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a loop variable named __builtins__", "for __builtins__ in [1]:\n    pass\nprint('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("a walrus named __builtins__", "if (__builtins__ := 1):\n    print('REACHED')\n", "'__builtins__' is off-limits"),
    ("except* … as __builtins__",
     "try:\n    raise ExceptionGroup('g', [ValueError()])\nexcept* ValueError as __builtins__:\n    print('REACHED')\n",
     "'__builtins__' is off-limits"),
    ("nonlocal of a private name",
     "def f():\n    x = 1\n    def g():\n        nonlocal _x\n    return g\nprint('REACHED')\n", "'_x' is off-limits"),
    ("a keyword argument named __builtins__", "d = dict(__builtins__=1)\nprint('REACHED')\n",
     "'__builtins__=': keyword arguments"),
    ("the builtins module", "import builtins\nprint('REACHED')\n", "import of 'builtins' is not allowed"),
    ("builtins through type.__dict__", "print('REACHED', type.__dict__['__call__'])\n", "'.__dict__'"),
    ("a dunder method other than the ordinary ones",
     "class C:\n    def __getattr__(self, name):\n        return 1\nprint('REACHED')\n", "'__getattr__' is off-limits"),
    ("setattr of a dunder", "class C:\n    pass\nsetattr(C, '__init__', print)\nprint('REACHED')\n",
     "'__init__' is off-limits"),
]

TABLE = (FRAMES_AND_TRACEBACKS + GENERATORS_AND_COROUTINES + MATCH_PATTERNS + FORMAT_STRINGS + MODULE_INTERNALS
         + SNIPPET_API_OBJECTS + BUILTINS_REBINDING)


@pytest.mark.parametrize("code, words", [(code, words) for _, code, words in TABLE],
                         ids=[f"{name} is refused" for name, _, _ in TABLE])
def test_an_escape_attempt(code, words):
    refuse(code, words, resources=[{"type": "lock", "name": "x_lock"}])


def test_setup_binding_builtins_is_refused_and_the_threads_do_not_run():
    events = run_sandboxed(scenario({"P1": "print('REACHED', open)\n"},
                                    setup="try:\n    1/0\nexcept Exception as __builtins__:\n    pass\n"))
    assert_refused(events, "'__builtins__' is off-limits")
    assert_refused(events, "the node's setup code failed")


def test_a_received_message_exposes_its_data_and_nothing_else():
    spec = network({"a": "send('b', {'n': 1})\n",
                    "b": "m = recv()\nprint(m.sender, m.content['n'])\nprint('REACHED', m.frame())\n"},
                   [{"a": "a", "b": "b"}])
    events = run_sandboxed(spec)
    assert_refused(events, "'Message' object has no attribute 'frame'")
    assert "a 1" in outputs(events)


def test_an_invariant_reaching_for_internals_is_a_spec_error():
    data = {"slug": "t", "nodes": [{"id": "n", "shared": {"x": 0}, "threads": [{"name": "P", "code": "x = 1\n"}]}],
            "invariants": ["().__class__ is None"]}
    with pytest.raises(SpecError) as err:
        validate(data)
    assert err.value.errors[0]["path"] == "invariants[0]"
    assert "'.__class__'" in err.value.errors[0]["message"]


@pytest.mark.parametrize("value", ["float('inf')", "float('nan')", "-1", "'1'", "10 ** 9"],
                         ids=lambda v: f"sleep({v}) gets a clear error")
def test_sleep_needs_a_sensible_number_of_seconds(value):
    refuse(f"sleep({value})\nprint('REACHED')\n", "sleep() needs a number of seconds between 0 and 3600")


LEARNER_CODE_THAT_MUST_WORK = """
import collections, dataclasses, threading

@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: list = dataclasses.field(default_factory=list)

@dataclasses.dataclass
class Account:
    owner: str
    balance: int = 0
    def __post_init__(self):
        self.owner = self.owner.title()

Pair = collections.namedtuple('Pair', 'left right')

class Box:
    def __init__(self, item):
        self.item = item
    def __repr__(self):
        return f'Box({self.item!r})'

p = Point(1, 2)
print(p, dataclasses.asdict(p)['y'], dataclasses.replace(p, x=5).x)
print(Account('ada', 3), Pair(1, 2).right, Pair(3, 4).left)
print('{0} {1[0]} {2.real} {name:>4}'.format(Box(1), [7], 3, name='ok'), '{a}'.format_map({'a': 1}))
match p:
    case Point(x=1, y=y):
        print('matched', y)
lock = threading.Lock()
with lock:
    print('locked', lock.locked())
class Worker(threading.Thread):
    def run(self):
        print('worker ran')
w = Worker()
w.start()
w.join()
"""


def test_dataclasses_namedtuples_classes_and_format_work_in_the_sandbox():
    events = run_sandboxed(scenario({"P1": LEARNER_CODE_THAT_MUST_WORK}))
    assert finished(events)["status"] == "completed", kinds(events, "thread.failed")
    assert outputs(events) == ["Point(x=1, y=2, tags=[]) 2 5", "Account(owner='Ada', balance=3) 2 3",
                               "Box(1) 7 3   ok 1", "matched 2", "locked True", "worker ran"]


WIRE_FORMATS_AND_DIGESTS = """
import hashlib, hmac, struct
tag = hmac.new(b'shared key', b'pay bob 10', 'sha256').hexdigest()
same = hmac.new(b'shared key', b'pay bob 10', hashlib.sha256).hexdigest()
print(hmac.compare_digest(tag, same), len(tag), hashlib.sha256(b'').hexdigest()[:8])
print(struct.unpack('<i', struct.pack('<i', 1250))[0], struct.unpack('>i', struct.pack('<i', 1250))[0])
print(struct.pack('!h', 1).hex(), struct.calcsize('<iq'))
"""


def test_struct_hashlib_and_hmac_work_in_the_sandbox_and_their_file_and_key_stretching_parts_do_not():
    events = run_sandboxed(scenario({"P1": WIRE_FORMATS_AND_DIGESTS}))
    assert finished(events)["status"] == "completed", kinds(events, "thread.failed")
    assert outputs(events) == ["True 64 e3b0c442", "1250 -503054336", "0001 12"]
    for name in ("file_digest", "scrypt", "pbkdf2_hmac"):
        refuse(f"import hashlib\nprint('REACHED', hashlib.{name})\n", name)


def test_every_thread_gets_its_own_builtins():
    spec = scenario({"P1": "print(1)\n", "P2": "print(2)\n"})
    runtime = make_run(spec, lambda event: None)
    runtime.run()
    node = runtime.nodes["n"]
    first, second = node.new_builtins(), node.new_builtins()
    assert first is not second and first["print"] is second["print"]


def test_the_audit_policy_is_an_allow_list_fixed_in_the_code():
    constants = safety._audit.__code__.co_consts
    assert any(isinstance(c, frozenset) and "exec" in c for c in constants)
    assert not hasattr(safety, "_BLOCKED_AUDIT")
    for event in ("open", "os.system", "socket.connect", "subprocess.Popen", "sys.addaudithook", "ctypes.dlopen",
                  "some.future.event"):
        with pytest.raises(safety.PlaygroundRefusal):
            safety._audit(event, ())
    with pytest.raises(safety.PlaygroundRefusal):
        safety._audit("object.__setattr__", (safety._audit, "__code__", None))


def test_the_python_wall_switch_is_a_keyword_argument_and_never_part_of_a_spec():
    code = "import os\nprint(os.sep)\n"
    with pytest.raises(SpecError):
        validate({"slug": "t", "nodes": [{"id": "n", "threads": [{"name": "P", "code": code}]}],
                  "run": {"python_wall": False}})
    spec = validate({"slug": "t", "nodes": [{"id": "n", "threads": [{"name": "P", "code": code}]}],
                     "python_wall": False})
    assert_refused(collect(spec), "import of 'os' is not allowed")
    events: list[dict] = []
    make_run(spec, events.append, python_wall=False).run()
    assert outputs(events) == ["/"]
