"""A Stripe double shaped like the current API: invoices carry `InvoicePayment`s, not `charge`.

Written for payverify from the API reference (invoice, invoice_payment, payment_intent,
charge, customer_balance_transaction objects); it serves what localstripe lacks:
one-off invoices with payments, invoice search, balance transactions, attach_payment,
pay out of band, and Stripe's idempotent replays of POSTs.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from tests.integration.doubles.billing_http import Answer, Recorded

DAY = 86_400
T0 = 1_741_600_000  # 2025-03-10


def _customer(cid: str, email: str, tier: str, currency: str) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "customer",
        "email": email,
        "name": "Ana Souza",
        "currency": currency,
        "balance": 0,
        "created": T0 - 400 * DAY,
        "delinquent": True,
        "livemode": False,
        "metadata": {"tier": tier, "tags": "priority, eu"},
    }


def _invoice(iid: str, number: str, status: str, due: int, paid: int, created: int) -> dict:
    return {
        "id": iid,
        "object": "invoice",
        "customer": "cus_PVana",
        "number": number,
        "status": status,
        "currency": "eur",
        "amount_due": due,
        "amount_paid": paid,
        "amount_remaining": due - paid,
        "auto_advance": status == "open",
        "collection_method": "send_invoice",
        "created": created,
        "due_date": created + 7 * DAY,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_PV/{iid}",
        "metadata": {},
        "status_transitions": {"paid_at": created + DAY if status == "paid" else None},
    }


def _invoice_payment(pid: str, invoice: str, kind: str, target: str, amount: int) -> dict:
    return {
        "id": pid,
        "object": "invoice_payment",
        "invoice": invoice,
        "status": "paid",
        "currency": "eur",
        "amount_paid": amount,
        "amount_requested": amount,
        "is_default": True,
        "created": T0 - 20 * DAY,
        "payment": {"type": kind, kind: target},
        "status_transitions": {"paid_at": T0 - 20 * DAY, "canceled_at": None},
    }


def _charge(cid: str, pi: str, method: str, status: str = "succeeded", **flags: Any) -> dict:
    return {
        "id": cid,
        "object": "charge",
        "amount": flags.pop("amount", 29999),
        "amount_refunded": 29999 if flags.get("refunded") else 0,
        "currency": "eur",
        "customer": "cus_PVana",
        "created": T0 - 2 * DAY,
        "disputed": False,
        "refunded": False,
        "paid": status == "succeeded",
        "status": status,
        "payment_intent": pi,
        "payment_method_details": {"type": method, method: {}},
        **flags,
    }


def _intent(pid: str, status: str, method: str, charge: dict | None, **extra: Any) -> dict:
    amount = extra.pop("amount", 29999)
    return {
        "id": pid,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": "eur",
        "customer": "cus_PVana",
        "created": T0 - 2 * DAY,
        "status": status,
        "payment_method_types": [method],
        "last_payment_error": None,
        "latest_charge": charge["id"] if charge else None,
        "livemode": False,
        **extra,
    }


class StripeState:
    """The account the double serves; tests read it back after writes."""

    def __init__(self) -> None:
        self.customers = {"cus_PVana": _customer("cus_PVana", "ana@example.com", "vip", "eur")}
        self.invoices = {
            "in_PVopen": _invoice("in_PVopen", "PV-2025-0001", "open", 29999, 0, T0 - 10 * DAY),
            "in_PVpaid": _invoice("in_PVpaid", "PV-2025-0002", "paid", 15000, 15000, T0 - 40 * DAY),
            "in_PVpart": _invoice("in_PVpart", "PV-2025-0003", "open", 20000, 5000, T0 - 30 * DAY),
        }
        self.invoice_payments = {
            "in_PVopen": [],
            "in_PVpaid": [
                _invoice_payment("inpay_1", "in_PVpaid", "payment_intent", "pi_PVpaid", 15000)
            ],
            "in_PVpart": [_invoice_payment("inpay_2", "in_PVpart", "charge", "ch_PVlegacy", 5000)],
        }
        self.charges = {
            c["id"]: c
            for c in (
                _charge("ch_PVpaid", "pi_PVpaid", "card", amount=15000),
                _charge("ch_PVwire", "pi_PVwire", "customer_balance"),
                _charge("ch_PVrefund", "pi_PVrefund", "card", refunded=True),
                _charge("ch_PVdispute", "pi_PVdispute", "card", disputed=True),
                _charge("ch_PVfail", "pi_PVfail", "sepa_debit", status="failed"),
            )
        }
        error = {"type": "card_error", "code": "insufficient_funds", "message": "declined"}
        self.intents = {
            i["id"]: i
            for i in (
                _intent("pi_PVpaid", "succeeded", "card", self.charges["ch_PVpaid"], amount=15000),
                _intent("pi_PVwire", "succeeded", "customer_balance", self.charges["ch_PVwire"]),
                _intent("pi_PVrefund", "succeeded", "card", self.charges["ch_PVrefund"]),
                _intent("pi_PVdispute", "succeeded", "card", self.charges["ch_PVdispute"]),
                _intent(
                    "pi_PVfail",
                    "requires_payment_method",
                    "sepa_debit",
                    self.charges["ch_PVfail"],
                    last_payment_error=error,
                ),
                _intent("pi_PVach", "processing", "us_bank_account", None),
                _intent("pi_PVidle", "requires_payment_method", "card", None),
            )
        }
        self.balance_transactions: list[dict] = []
        self.replays: dict[str, tuple[int, dict]] = {}
        self._ids = itertools.count(1)


def _error(status: int, message: str, code: str | None = None) -> Answer:
    kind = "invalid_request_error" if status < 500 else "api_error"
    return status, {}, {"error": {"type": kind, "message": message, "code": code}}


def _expands(request: Recorded) -> set[str]:
    fields = request.query if request.method == "GET" else request.form()
    return {v for k, vs in fields.items() if k.startswith("expand") for v in vs}


class StripeDouble:
    """The request handler: routes Stripe's paths onto `StripeState`."""

    def __init__(self, state: StripeState | None = None) -> None:
        self.state = state or StripeState()

    def __call__(self, request: Recorded) -> Answer:
        if not request.headers.get("authorization", "").startswith("Bearer sk_test_"):
            return _error(401, "Invalid API Key provided: sk_test_****")
        key = request.headers.get("idempotency-key")
        if request.method == "POST" and key and key in self.state.replays:
            status, body = self.state.replays[key]
            return status, {"Idempotent-Replayed": "true"}, copy.deepcopy(body)
        status, headers, body = self._route(request)
        if request.method == "POST" and key and status < 500:
            self.state.replays[key] = (status, copy.deepcopy(body))
        return status, headers, body

    def _route(self, request: Recorded) -> Answer:
        parts = request.path.strip("/").split("/")[1:]  # without "v1"
        get = request.method == "GET"
        if parts == ["customers"] and get:
            email = request.query.get("email", [""])[0]
            found = [c for c in self.state.customers.values() if c["email"] == email]
            return 200, {}, {"object": "list", "data": found, "has_more": False}
        if parts == ["invoices"] and get:
            customer = request.query.get("customer", [""])[0]
            found = [self._invoice(i, _expands(request)) for i in self.state.invoices]
            found = [i for i in found if i["customer"] == customer]
            return 200, {}, {"object": "list", "data": found, "has_more": False}
        if parts == ["invoices", "search"] and get:
            query = request.query.get("query", [""])[0]
            found = [
                self._invoice(i, {"data.customer"} & _expands(request))
                for i, inv in self.state.invoices.items()
                if query == f'number:"{inv["number"]}"'
            ]
            return 200, {}, {"object": "search_result", "data": found, "has_more": False}
        if parts[0] == "payment_intents" and get:
            if len(parts) == 2:
                return self._one(self.state.intents, parts[1], _expands(request))
            customer = request.query.get("customer", [""])[0]
            intents = [i for i in self.state.intents.values() if i["customer"] == customer]
            data = [self._expand(i, _expands(request), "data.") for i in intents]
            return 200, {}, {"object": "list", "data": data, "has_more": False}
        if parts[0] == "charges" and get and len(parts) == 2:
            return self._one(self.state.charges, parts[1], _expands(request))
        if parts[0] == "invoices" and len(parts) >= 2:
            if parts[1] not in self.state.invoices:
                return _error(404, f"No such invoice: '{parts[1]}'", "resource_missing")
            if get:
                return 200, {}, self._invoice(parts[1], _expands(request), prefix="")
            return self._invoice_write(parts[1], parts[2:], request.form())
        if parts[:1] == ["customers"] and parts[2:] == ["balance_transactions"]:
            return self._balance_transaction(parts[1], request.form())
        return _error(404, f"Unrecognized request URL ({request.method}: {request.path})")

    def _one(self, table: dict[str, dict], oid: str, expand: set[str]) -> Answer:
        if oid not in table:
            return _error(404, f"No such object: '{oid}'", "resource_missing")
        return 200, {}, self._expand(table[oid], expand, "")

    def _expand(self, obj: dict, expand: set[str], prefix: str) -> dict:
        out = copy.deepcopy(obj)
        if f"{prefix}customer" in expand and out.get("customer"):
            out["customer"] = copy.deepcopy(self.state.customers[out["customer"]])
        if f"{prefix}latest_charge" in expand and out.get("latest_charge"):
            out["latest_charge"] = copy.deepcopy(self.state.charges[out["latest_charge"]])
        return out

    def _invoice(self, iid: str, expand: set[str], prefix: str = "data.") -> dict:
        out = self._expand(self.state.invoices[iid], expand, prefix)
        if f"{prefix}payments" in expand:  # includable: absent unless asked for
            records = copy.deepcopy(self.state.invoice_payments[iid])
            out["payments"] = {"object": "list", "data": records, "has_more": False}
        return out

    def _invoice_write(self, iid: str, action: list[str], form: dict[str, list[str]]) -> Answer:
        invoice = self.state.invoices[iid]
        if action == []:
            if "auto_advance" in form:
                invoice["auto_advance"] = form["auto_advance"][0] == "true"
            for name, values in form.items():
                if name.startswith("metadata["):
                    invoice["metadata"][name[9:-1]] = values[0]
            return 200, {}, copy.deepcopy(invoice)
        if invoice["status"] != "open":
            return _error(400, f"Invoice is already {invoice['status']}.", "invoice_not_open")
        if action == ["pay"] and form.get("paid_out_of_band") == ["true"]:
            invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
            return 200, {}, copy.deepcopy(invoice)
        if action == ["attach_payment"] and "payment_intent" in form:
            intent = self.state.intents.get(form["payment_intent"][0])
            if intent is None:
                return _error(400, "No such payment_intent", "resource_missing")
            if intent["currency"] != invoice["currency"]:
                return _error(400, "Currency mismatch", "invoice_payment_currency_mismatch")
            record = _invoice_payment(
                f"inpay_{next(self.state._ids)}", iid, "payment_intent", intent["id"], 0
            )
            self.state.invoice_payments[iid].append(record)
            if intent["status"] == "succeeded":
                paid = min(
                    invoice["amount_due"], invoice["amount_paid"] + intent["amount_received"]
                )
                record["amount_paid"] = paid - invoice["amount_paid"]
                invoice.update(amount_paid=paid, amount_remaining=invoice["amount_due"] - paid)
                invoice["status"] = "paid" if paid >= invoice["amount_due"] else "open"
            return 200, {}, copy.deepcopy(invoice)
        return _error(400, f"Received unknown parameters: {', '.join(form)}")

    def _balance_transaction(self, cid: str, form: dict[str, list[str]]) -> Answer:
        customer = self.state.customers.get(cid)
        if customer is None:
            return _error(404, f"No such customer: '{cid}'", "resource_missing")
        currency = form.get("currency", [""])[0]
        if currency != customer["currency"]:
            return _error(400, f"The customer's balance is in {customer['currency']}.")
        customer["balance"] += int(form["amount"][0])
        txn = {
            "id": f"cbtxn_PV{next(self.state._ids)}",
            "object": "customer_balance_transaction",
            "amount": int(form["amount"][0]),
            "currency": currency,
            "customer": cid,
            "description": form.get("description", [None])[0],
            "ending_balance": customer["balance"],
            "type": "adjustment",
            "created": T0,
            "metadata": {k[9:-1]: v[0] for k, v in form.items() if k.startswith("metadata[")},
        }
        self.state.balance_transactions.append(txn)
        return 200, {}, txn
