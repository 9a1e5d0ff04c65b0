"""`payverify`: one console script; each subcommand lives in its own module in plugin/commands/."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from plugin import commands


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand found in plugin/commands/."""
    parser = argparse.ArgumentParser(
        prog="payverify",
        description="Verify 'I paid but my invoice still shows unpaid' tickets.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
