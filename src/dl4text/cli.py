"""The ``dl4text`` command: one verb per module in :mod:`dl4text.commands`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

VERBS = ["grade", "release", "handout", "solutions", "autograde", "feedback", "export", "demo", "bench"]


def build_parser(verbs: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the sub-parsers of ``verbs`` (default: every verb)."""
    parser = argparse.ArgumentParser(
        prog="dl4text",
        description="Autograded assignments for Deep Learning for Text (IMDB, Keras).")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for verb in verbs or VERBS:
        try:
            module = importlib.import_module(f"dl4text.commands.{verb}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dl4text.commands.{verb}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    argv = sys.argv[1:] if argv is None else argv
    # import only the named verb's module: the others pull in nbformat, nbgrader and more
    # (seconds of start-up); --help, no verb or an unknown one gets the whole parser
    named = argv[0] if argv and argv[0] in VERBS else None
    parser = build_parser([named] if named else None)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dl4text grade --json ... | head`: the reader left, nothing to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that Python's exit flush is silent
        return 141
    except (FileNotFoundError, LookupError, RuntimeError, ValueError) as exc:
        print(f"dl4text {args.verb}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
