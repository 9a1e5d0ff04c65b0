"""`payverify case export`: the case JSON of a live ticket, so any live decision can be replayed.

    payverify case export --helpdesk zendesk --billing stripe --ticket 8801 > case.json
    payverify verify case.json

Credentials come from the environment (docs/SETTINGS.md); `--helpdesk` and `--billing`
override PAYVERIFY_HELPDESK and PAYVERIFY_BILLING.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from core.errors import ExternalError
from core.policy import PolicyError
from plugin.assemble import assemble_case
from plugin.bootstrap import connect
from plugin.settings import Settings, SettingsError

EXIT_ERROR = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `case export` to the `payverify` command."""
    case = subparsers.add_parser("case", help="work with case files (CASE_FORMAT.md)")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write the case JSON of a live ticket to standard output",
        description="Assemble the case of a live ticket (the helpdesk and billing system "
        "named here or in the environment) and print it as CASE_FORMAT JSON.",
    )
    export.add_argument("--helpdesk", choices=("zendesk", "freshdesk", "demo"))
    export.add_argument("--billing", choices=("stripe", "paypal", "sql", "demo"))
    export.add_argument("--ticket", required=True, metavar="ID", help="the helpdesk ticket id")
    export.add_argument(
        "--requester-email", metavar="EMAIL", help="the requester's email, if already known"
    )
    export.set_defaults(func=export_case)


def export_case(args: argparse.Namespace) -> int:
    """Print the case of `args.ticket`; on failure one line on standard error and status 2."""
    choices = {"helpdesk": args.helpdesk, "billing": args.billing}
    try:
        settings = Settings(**{k: v for k, v in choices.items() if v is not None})
        helpdesk, billing = connect(settings)
        assembled = assemble_case(
            helpdesk,
            billing,
            args.ticket,
            requester_email=args.requester_email,
            policy=settings.load_policy(),
        )
    except (ExternalError, SettingsError, PolicyError) as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        # A live ticket the case format refuses (a missing requester email, say).
        first = exc.errors(include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return _fail(f"ticket {args.ticket}: {where}: {first['msg']}")
    except ValueError as exc:  # an adapter refusing its configuration
        return _fail(str(exc))
    sys.stdout.write(assembled.case.model_dump_json(indent=2, exclude_none=True) + "\n")
    return 0


def _fail(message: str) -> int:
    print(f"payverify case export: {message}", file=sys.stderr)
    return EXIT_ERROR
