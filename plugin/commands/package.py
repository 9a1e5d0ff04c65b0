"""`payverify package zendesk|freshdesk`: fill the app from the deployment, validate, zip it."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

EXIT_INVALID = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `package` subcommand."""
    parser = subparsers.add_parser(
        "package",
        help="build the Zendesk or Freshdesk app package",
        description="Validate the helpdesk app against the vendor's rules and build its zip.",
    )
    parser.add_argument("helpdesk", choices=("zendesk", "freshdesk"))
    parser.add_argument("--out", default="dist", help="directory or .zip path (default: dist)")
    parser.add_argument(
        "--backend-url",
        help="https address of the payverify backend (default: PAYVERIFY_PUBLIC_URL)",
    )
    parser.add_argument("--support-email", help="author e-mail (default: SUPPORT_EMAIL_FROM)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build into a temporary zip, validate that zip, and move it to --out only when valid."""
    from plugin.packaging import (
        DeploymentError,
        build_freshdesk_zip,
        build_zendesk_zip,
        deployment_from_settings,
        validate_freshdesk,
        validate_zendesk,
    )

    build, validate = {
        "zendesk": (build_zendesk_zip, validate_zendesk),
        "freshdesk": (build_freshdesk_zip, validate_freshdesk),
    }[args.helpdesk]
    try:
        deployment = deployment_from_settings(
            backend_url=args.backend_url, support_email=args.support_email
        )
    except DeploymentError as exc:
        print(f"payverify package {args.helpdesk}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    with tempfile.TemporaryDirectory() as scratch:
        candidate = build(Path(scratch), deployment)
        problems = validate(candidate)
        if problems:
            print(f"payverify package {args.helpdesk}: the package is not valid:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            return EXIT_INVALID
        out = Path(args.out)
        target = out if out.suffix == ".zip" else out / candidate.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(candidate.read_bytes())
    print(target)
    if args.helpdesk == "zendesk" and deployment.zendesk_webhook_secret:
        print(
            "note: the zip carries the webhook signing secret (ZENDESK_WEBHOOK_SECRET); "
            "store it like a secret",
            file=sys.stderr,
        )
    return 0
