"""`python -m playground.engine run SPEC.json [--pretty]` — run a scenario without the server."""

from __future__ import annotations

import argparse
import json
import sys


def _cli_run(args: argparse.Namespace) -> int:
    from .pretty import describe
    from .sandbox import SandboxedRun
    from .spec import SpecError, validate

    try:
        with open(args.spec, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.spec}: {exc}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError):
        print(f"cannot read {args.spec}: its JSON is nested too deeply", file=sys.stderr)
        return 2
    for key in ("mode", "seed", "timeout_ms", "preempt"):
        value = getattr(args, key)
        if value is not None:
            if not isinstance(data, dict) or not isinstance(data.setdefault("run", {}), dict):
                break  # validation reports the malformed spec
            data["run"][key] = value
    try:
        spec = validate(data)
    except SpecError as exc:
        for err in exc.errors:
            print(f"{err['path']}: {err['message']}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError) as exc:  # validation guards against these; never a traceback
        print(f"{args.spec}: the spec is too complex to check ({type(exc).__name__})", file=sys.stderr)
        return 2
    run = SandboxedRun(spec)
    run.start()
    finished = None
    for batch in run.batches():
        for event in batch:
            if args.pretty:
                print(describe(event))
            else:
                print(json.dumps(event, separators=(",", ":")))
            if event["kind"] == "run.finished":
                finished = event
    return 0 if finished and finished["status"] == "completed" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.engine", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario spec and print its events")
    run.add_argument("spec", help="a playground.scenario/1 JSON file")
    run.add_argument("--pretty", action="store_true", help="a readable line per event instead of JSON")
    run.add_argument("--mode", choices=["free", "step", "replay", "random", "explore"])
    run.add_argument("--seed", type=int)
    run.add_argument("--timeout-ms", dest="timeout_ms", type=int)
    run.add_argument("--preempt", type=float, help="chance of a yield at each scheduling point (free mode)")
    sub.add_parser("child", help="(internal) the sandboxed child process")
    args = parser.parse_args(argv)
    if args.command == "child":
        from .child import main as child_main

        child_main()
        return 0
    return _cli_run(args)


if __name__ == "__main__":
    sys.exit(main())
