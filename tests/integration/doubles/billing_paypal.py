"""A PayPal REST double: OAuth2 client credentials, Invoicing v2 and Transaction Search v1.

Written for payverify from PayPal's API reference: tokens that expire and can be
revoked, invoice search by recipient email or number, recorded payments with
`PayPal-Request-Id` replays, and transaction windows of at most 31 days.
"""

from __future__ import annotations

import base64
import copy
import itertools
from datetime import datetime, timedelta
from typing import Any

from tests.integration.doubles.billing_http import Answer, Recorded

CLIENT_ID, CLIENT_SECRET = "AXpayverifyClientId", "EKpayverifySecret-7f3a"
NOW = datetime.fromisoformat("2025-03-10T09:00:00+00:00")


def _money(value: str, currency: str = "EUR") -> dict[str, str]:
    return {"currency_code": currency, "value": value}


def _invoice(iid: str, number: str, status: str, total: str, due: str, day: str) -> dict:
    return {
        "id": iid,
        "status": status,
        "detail": {
            "invoice_number": number,
            "invoice_date": day,
            "currency_code": "EUR",
            "payment_term": {"term_type": "NET_10", "due_date": day[:8] + "28"},
            "metadata": {
                "create_time": f"{day}T10:00:00Z",
                "recipient_view_url": f"https://www.paypal.com/invoice/p/#{iid}",
            },
        },
        "invoicer": {"email_address": "billing@merchant.example"},
        "primary_recipients": [
            {
                "billing_info": {
                    "name": {"given_name": "Leo", "surname": "Martin"},
                    "email_address": "leo@example.com",
                }
            }
        ],
        "amount": _money(total),
        "due_amount": _money(due),
    }


def _transaction(tid: str, code: str, status: str, value: str, day: str, **extra: Any) -> dict:
    return {
        "transaction_info": {
            "paypal_account_id": "QWERTY123",
            "transaction_id": tid,
            "transaction_event_code": code,
            "transaction_initiation_date": f"{day}T12:30:00+0000",
            "transaction_updated_date": f"{day}T12:31:00+0000",
            "transaction_amount": _money(value),
            "transaction_status": status,
            **{k: v for k, v in extra.items() if k != "payer"},
        },
        "payer_info": {
            "account_id": "PAYER1",
            "email_address": extra.get("payer", "leo@example.com"),
            "payer_name": {"given_name": "Leo", "surname": "Martin"},
        },
    }


class PayPalState:
    """The merchant account the double serves."""

    def __init__(self) -> None:
        self.expires_in = 32_400
        self.tokens: set[str] = set()
        self.token_ids = itertools.count(1)
        paid = _invoice("INV2-PVAA-0002", "2025-0102", "PAID", "80.00", "0.00", "2025-02-08")
        paid["payments"] = {
            "paid_amount": _money("80.00"),
            "transactions": [
                {
                    "payment_id": "5TY05013RG002845M",
                    "type": "PAYPAL",
                    "method": "PAYPAL",
                    "payment_date": "2025-02-10",
                    "amount": _money("80.00"),
                }
            ],
        }
        partial = _invoice(
            "INV2-PVAA-0003", "2025-0103", "PARTIALLY_PAID", "200.00", "150.00", "2025-02-01"
        )
        partial["payments"] = {
            "paid_amount": _money("50.00"),
            "transactions": [
                {
                    "payment_id": "EXTR-86F38350LX4353815",
                    "type": "EXTERNAL",
                    "method": "BANK_TRANSFER",
                    "payment_date": "2025-02-05",
                    "amount": _money("50.00"),
                    "note": "SEPA ref 7781",
                }
            ],
        }
        self.invoices = {
            i["id"]: i
            for i in (
                _invoice("INV2-PVAA-0001", "2025-0101", "SENT", "120.00", "120.00", "2025-03-01"),
                paid,
                partial,
                _invoice(
                    "INV2-PVAA-0004", "2025-0104", "CANCELLED", "10.00", "10.00", "2025-01-02"
                ),
            )
        }
        self.transactions = [
            _transaction(
                "5TY05013RG002845M", "T0007", "S", "80.00", "2025-02-10", invoice_id="2025-0102"
            ),
            _transaction("9XK12345678901234", "T0006", "S", "120.00", "2025-03-08"),
            _transaction("3JR00000000000001", "T0006", "V", "30.00", "2025-01-25"),
            _transaction("7DP00000000000002", "T0006", "S", "45.00", "2025-02-20"),
            _transaction(
                "7DQ00000000000003",
                "T1201",
                "S",
                "-45.00",
                "2025-02-27",
                paypal_reference_id="7DP00000000000002",
            ),
            _transaction("1PD00000000000004", "T0006", "P", "12.00", "2025-03-09"),
            _transaction(
                "2OT00000000000005", "T0006", "S", "99.00", "2025-03-02", payer="x@example.com"
            ),
            _transaction("4OLD0000000000006", "T0006", "S", "60.00", "2024-11-01"),
        ]
        self.recorded: list[dict] = []
        self.replays: dict[str, Answer] = {}


def _error(status: int, name: str, message: str) -> Answer:
    return status, {}, {"name": name, "message": message, "debug_id": "f00dfeed"}


class PayPalDouble:
    """The request handler: token endpoint, Invoicing v2, Transaction Search."""

    def __init__(self, state: PayPalState | None = None) -> None:
        self.state = state or PayPalState()

    def revoke_tokens(self) -> None:
        """Every issued token stops working (PayPal rotated or revoked them)."""
        self.state.tokens.clear()

    def __call__(self, request: Recorded) -> Answer:
        if request.path == "/v1/oauth2/token":
            return self._token(request)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.state.tokens:
            return _error(
                401, "AUTHENTICATION_FAILURE", "Authentication failed due to invalid token."
            )
        key = request.headers.get("paypal-request-id")
        if key and key in self.state.replays:
            return self.state.replays[key]
        answer = self._route(request)
        if key and request.method == "POST" and answer[0] < 500:
            self.state.replays[key] = answer
        return answer

    def _token(self, request: Recorded) -> Answer:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return (
                401,
                {},
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
            )
        if request.form().get("grant_type") != ["client_credentials"]:
            return 400, {}, {"error": "unsupported_grant_type", "error_description": "grant_type"}
        token = f"A21AApayverify{next(self.state.token_ids)}"
        self.state.tokens.add(token)
        return (
            200,
            {},
            {
                "scope": "https://uri.paypal.com/services/invoicing "
                "https://uri.paypal.com/services/reporting/search/read",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": self.state.expires_in,
                "nonce": "2025-03-10T09:00:00ZpayverifyNonce",
            },
        )

    def _route(self, request: Recorded) -> Answer:
        path = request.path
        if path == "/v2/invoicing/search-invoices" and request.method == "POST":
            criteria = request.json() or {}
            items = [
                copy.deepcopy(i)
                for i in self.state.invoices.values()
                if criteria.get("recipient_email", "").lower()
                in ("", i["primary_recipients"][0]["billing_info"]["email_address"])
                and criteria.get("invoice_number", i["detail"]["invoice_number"])
                == i["detail"]["invoice_number"]
            ]
            return (
                200,
                {},
                {"total_items": len(items), "total_pages": 1, "items": items, "links": []},
            )
        if path.startswith("/v2/invoicing/invoices/"):
            iid, _, action = path.removeprefix("/v2/invoicing/invoices/").partition("/")
            invoice = self.state.invoices.get(iid)
            if invoice is None:
                return _error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.")
            if request.method == "GET" and not action:
                return 200, {}, copy.deepcopy(invoice)
            if request.method == "POST" and action == "payments":
                return self._record(invoice, request.json())
        if path == "/v1/reporting/transactions" and request.method == "GET":
            return self._transactions(request.query)
        return _error(404, "NOT_FOUND", f"no route {request.method} {path}")

    def _record(self, invoice: dict, payment: dict) -> Answer:
        if invoice["status"] in ("PAID", "MARKED_AS_PAID", "CANCELLED"):
            return _error(422, "UNPROCESSABLE_ENTITY", "Invoice is already paid or cancelled.")
        payment_id = f"EXTR-PV{len(self.state.recorded) + 1:013d}"
        self.state.recorded.append({"invoice": invoice["id"], **payment})
        due = float(invoice["due_amount"]["value"]) - float(payment["amount"]["value"])
        invoice["due_amount"]["value"] = f"{max(due, 0):.2f}"
        invoice["status"] = "MARKED_AS_PAID" if due <= 0 else "PARTIALLY_PAID"
        return 200, {}, {"payment_id": payment_id}

    def _transactions(self, query: dict[str, list[str]]) -> Answer:
        try:
            start = datetime.fromisoformat(query["start_date"][0])
            end = datetime.fromisoformat(query["end_date"][0])
        except (KeyError, ValueError):
            return _error(400, "INVALID_REQUEST", "start_date and end_date are required")
        if end - start > timedelta(days=31) or end < start:
            return _error(400, "INVALID_REQUEST", "Date range is greater than 31 days")
        wanted = query.get("transaction_id", [None])[0]
        found = [
            copy.deepcopy(t)
            for t in self.state.transactions
            if start
            <= datetime.fromisoformat(t["transaction_info"]["transaction_initiation_date"])
            < end
            and wanted in (None, t["transaction_info"]["transaction_id"])
        ]
        return (
            200,
            {},
            {
                "transaction_details": found,
                "account_number": "QWERTY123",
                "start_date": query["start_date"][0],
                "end_date": query["end_date"][0],
                "last_refreshed_datetime": "2025-03-10T06:59:59+0000",
                "page": 1,
                "total_items": len(found),
                "total_pages": 1,
                "links": [],
            },
        )
