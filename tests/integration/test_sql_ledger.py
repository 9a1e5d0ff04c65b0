"""SqlLedger on SQLite and on the real PostgreSQL: reads, idempotent writes, the seed's API."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.sql_ledger import (
    LedgerTables,
    SqlLedger,
    apply_credit_to_account,
    create_ledger_schema,
    seed_ledger_from_case,
)
from core.errors import ExternalError, NotFound
from core.models import Case
from core.ports import BillingSource, BillingWrite, idempotency_key

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def ledger(ledger_url):
    ledger = SqlLedger(ledger_url, create_schema=True)
    s = ledger.schema
    with ledger.engine.begin() as conn:
        conn.execute(
            s.customers.insert().values(
                id="C-1",
                email="Maria@Example.com",
                name="María",
                tier="vip",
                currency="EUR",
                tags="enterprise, eu",
                metadata={"crm": "42"},
            )
        )
        conn.execute(
            s.invoices.insert(),
            [
                dict(
                    id="INV-1",
                    customer_id="C-1",
                    number="FAC-2024-001234",
                    status="open",
                    currency="EUR",
                    amount_due=Decimal("299.99"),
                    amount_paid=Decimal(0),
                    created=T0,
                ),
                dict(
                    id="INV-2",
                    customer_id="C-1",
                    number="FAC-2024-001235",
                    status="open",
                    currency="EUR",
                    amount_due=Decimal("100.00"),
                    amount_paid=Decimal("40.00"),
                    created=T0.replace(day=1),
                ),
            ],
        )
        conn.execute(
            s.payments.insert(),
            [
                dict(
                    id="PAY-1",
                    customer_id="C-1",
                    invoice_id=None,
                    status="succeeded",
                    currency="EUR",
                    amount=Decimal("299.99"),
                    created=T0,
                    method="bank_transfer",
                    reference="TRF-998877",
                ),
                dict(
                    id="PAY-2",
                    customer_id="C-1",
                    invoice_id="INV-2",
                    status="succeeded",
                    currency="EUR",
                    amount=Decimal("40.00"),
                    created=T0,
                    method="card",
                    reference=None,
                ),
                dict(
                    id="PAY-3",
                    customer_id="C-1",
                    invoice_id=None,
                    status="failed",
                    currency="EUR",
                    amount=Decimal("60.00"),
                    created=T0,
                    method="card",
                    reference=None,
                ),
            ],
        )
    yield ledger
    ledger.engine.dispose()


def test_is_a_billing_source(ledger):
    assert isinstance(ledger, BillingSource)


def test_customer_lookups(ledger):
    customer = ledger.customer_by_email("maria@example.COM")
    assert (customer.id, customer.tier, customer.currency) == ("C-1", "vip", "EUR")
    assert customer.tags == ("enterprise", "eu")
    assert ledger.customer_by_invoice_ref("FAC-2024-001235").id == "C-1"
    assert ledger.customer_by_invoice_ref("INV-1").id == "C-1"
    assert ledger.customer_by_transaction_id("TRF-998877").id == "C-1"
    assert ledger.customer_by_transaction_id("PAY-3").id == "C-1"
    assert ledger.customer_by_email("nobody@example.com") is None
    assert ledger.customer_by_invoice_ref("FAC-0") is None


def test_invoices_and_payments_are_exact_decimals(ledger):
    invoices = ledger.invoices("C-1")
    assert [i.id for i in invoices] == ["INV-1", "INV-2"]
    assert invoices[0].amount_due == Decimal("299.99") and str(invoices[0].amount_due) == "299.99"
    assert invoices[0].created == T0
    payments = {p.id: p for p in ledger.payments("C-1")}
    assert payments["PAY-2"].invoice == "INV-2" and payments["PAY-1"].invoice is None
    assert payments["PAY-1"].method == "bank_transfer" and payments["PAY-3"].status == "failed"


def test_apply_credit_is_idempotent_by_key(ledger):
    key = idempotency_key("TKT-1", "INV-1", "credit")
    first = ledger.apply_credit(
        "C-1", Decimal("299.99"), "eur", idempotency_key=key, description="x"
    )
    again = ledger.apply_credit(
        "C-1", Decimal("299.99"), "EUR", idempotency_key=key, description="x"
    )
    assert first == again and first.amount == Decimal("299.99") and first.currency == "EUR"
    with ledger.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(ledger.schema.credits)).scalar()
            == 1
        )
    with pytest.raises(ExternalError) as caught:  # the same key for another amount is a bug
        ledger.apply_credit("C-1", Decimal("5"), "EUR", idempotency_key=key, description="x")
    assert caught.value.permanent


def test_twenty_threads_same_credit_leave_one_row(ledger):
    key = idempotency_key("TKT-RACE", "INV-1", "credit")
    results, errors = [], []
    barrier = threading.Barrier(20)

    def apply() -> None:
        barrier.wait()
        try:
            results.append(
                ledger.apply_credit(
                    "C-1", Decimal("299.99"), "EUR", idempotency_key=key, description="race"
                )
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=apply) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 20 and len({r.id for r in results}) == 1
    with ledger.engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(ledger.schema.credits)
        assert conn.execute(count).scalar() == 1


def test_reverse_credit_once(ledger):
    credit = ledger.apply_credit(
        "C-1", Decimal("10.50"), "EUR", idempotency_key="k1", description="c"
    )
    reversal = ledger.reverse_credit("C-1", credit, idempotency_key="k1:rev", description="paid")
    assert reversal.extra["reverses"] == credit.id and reversal.amount == Decimal("10.50")
    other_key = ledger.reverse_credit("C-1", credit, idempotency_key="k1:rev2", description="paid")
    assert other_key.id == reversal.id  # a credit is reversed at most once
    with pytest.raises(NotFound):
        ledger.reverse_credit("C-1", BillingWrite(id="999"), idempotency_key="k", description="")


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-1"), Decimal("1.001"), Decimal("NaN")])
def test_bad_credit_amounts_are_refused(ledger, amount):
    with pytest.raises(ExternalError) as caught:
        ledger.apply_credit("C-1", amount, "EUR", idempotency_key="k", description="")
    assert caught.value.permanent


def test_credit_for_unknown_customer_is_not_found(ledger):
    with pytest.raises(NotFound):
        ledger.apply_credit("C-404", Decimal(1), "EUR", idempotency_key="k", description="")


def test_dunning_flag(ledger):
    ledger.pause_dunning("INV-1", idempotency_key="k")
    t = ledger.schema.invoices
    with ledger.engine.connect() as conn:
        assert conn.execute(sa.select(t.c.dunning_paused).where(t.c.id == "INV-1")).scalar()
    ledger.resume_dunning("INV-1", idempotency_key="k2")
    with ledger.engine.connect() as conn:
        assert not conn.execute(sa.select(t.c.dunning_paused).where(t.c.id == "INV-1")).scalar()
    with pytest.raises(NotFound):
        ledger.pause_dunning("INV-404", idempotency_key="k")


def test_apply_payment_links_and_settles(ledger):
    ledger.apply_payment("INV-1", "PAY-1", idempotency_key="k")
    ledger.apply_payment("INV-1", "PAY-1", idempotency_key="k")  # again: no change
    invoice = next(i for i in ledger.invoices("C-1") if i.id == "INV-1")
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("299.99"))
    assert next(p for p in ledger.payments("C-1") if p.id == "PAY-1").invoice == "INV-1"
    for invoice_id, payment_id in (("INV-2", "PAY-1"), ("INV-2", "PAY-3")):
        with pytest.raises(ExternalError) as caught:  # applied elsewhere; failed
            ledger.apply_payment(invoice_id, payment_id, idempotency_key="k")
        assert caught.value.permanent


def test_mark_paid_out_of_band_records_one_payment(ledger):
    for _ in range(2):
        ledger.mark_paid_out_of_band("INV-2", reference="CHQ-12", idempotency_key="k:paid")
    invoice = next(i for i in ledger.invoices("C-1") if i.id == "INV-2")
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("100.00"))
    oob = [p for p in ledger.payments("C-1") if p.reference == "CHQ-12"]
    assert len(oob) == 1 and oob[0].amount == Decimal("60.00") and oob[0].invoice == "INV-2"


def test_seed_api_apply_credit_to_account(ledger, ledger_url):
    result = apply_credit_to_account(
        customer_id="C-1",
        amount=299.99,
        reason="Crédito temporal",
        invoice_id="FAC-2024-001234",
        db_connection=ledger_url,
    )
    assert result["success"] and result["amount"] == "299.99" and result["currency"] == "EUR"
    with ledger.engine.connect() as conn:
        again = apply_credit_to_account("C-1", "299.99", "x", "FAC-2024-001234", conn)
    assert again["credit_id"] == result["credit_id"]
    missing = apply_credit_to_account("C-404", 1, "x", "INV-9", ledger.engine, currency="EUR")
    assert missing["success"] is False and "C-404" in missing["error"]
    with pytest.raises(ValueError, match="amount"):
        apply_credit_to_account("C-1", "lots", "x", "INV-1", ledger.engine)


def test_unreachable_database_never_credits():
    ledger = SqlLedger("postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    with pytest.raises(ExternalError) as caught:
        ledger.apply_credit("C-1", Decimal(1), "EUR", idempotency_key="k", description="")
    assert not caught.value.permanent and "secret" not in str(caught.value)
    assert "secret" not in repr(ledger)


def test_seed_ledger_from_case(ledger_url, samples_dir):
    ledger = SqlLedger(ledger_url, create_schema=True)
    path = next(
        p
        for p in sorted((samples_dir / "cases").glob("*.json"))
        if json.loads(p.read_text())["billing"]["invoices"]
    )
    case = Case.model_validate_json(path.read_text())
    customer_id = seed_ledger_from_case(ledger, case)
    assert seed_ledger_from_case(ledger, case) == customer_id  # re-runnable
    assert [i.model_dump() for i in ledger.invoices(customer_id)] == [
        i.model_dump() for i in sorted(case.billing.invoices, key=lambda i: i.created, reverse=True)
    ]
    assert {p.id for p in ledger.payments(customer_id)} == {p.id for p in case.billing.payments}
    assert (
        ledger.customer_by_email(
            case.ticket.requester.email
            if not (case.customer and case.customer.email)
            else case.customer.email
        ).id
        == customer_id
    )


def test_mapped_table_names(tmp_path):
    names = LedgerTables(
        customers="crm_clients", invoices="facturas", payments="pagos", credits="creditos"
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'mapped.sqlite3'}")
    create_ledger_schema(engine, names)
    assert set(sa.inspect(engine).get_table_names()) == {
        "crm_clients",
        "facturas",
        "pagos",
        "creditos",
    }
    ledger = SqlLedger(engine, tables=names)
    assert ledger.customer_by_email("x@example.com") is None


def test_processes_starting_together_on_a_fresh_file_all_get_the_schema(tmp_path) -> None:
    """Web and worker processes create the demo ledger at once: none fails on the lock."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    script = (
        "import sys; from connectors.sql_ledger import SqlLedger; "
        "SqlLedger(sys.argv[1], create_schema=True); print('ok')"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert outputs == ["ok"] * 6
    assert all(run.returncode == 0 for run in runs)
