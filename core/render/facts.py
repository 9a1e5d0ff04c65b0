"""What a reply or note states, derived once from the case and the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from core.models import Case, Decision, Invoice, Payment, PaymentMethod, Tier, Verdict
from core.policy import Policy, ReplyPolicy
from core.render.formatting import first_name, safe_url

_PERSONAL_TIERS = (Tier.VIP, Tier.ENTERPRISE)
_DEFAULT_MANAGER = ReplyPolicy.model_fields["account_manager_name"].default


@dataclass(frozen=True)
class Facts:
    """The facts the templates state; the case and decision stay available beside them."""

    first_name: str
    invoices: list[Invoice]  # the invoices in question, in the decision's order
    invoice_names: list[str]  # their numbers (ids when they have none)
    payment: Payment | None  # the payment that decided the verdict
    method: PaymentMethod | None  # of that payment, else the one the customer named
    verified: bool  # the writer is the account's contact (matched by email)
    account_found: bool
    personal: bool  # VIP/ENTERPRISE: the account manager writes
    manager_named: bool  # the policy names a real account manager
    signer: str
    recurring: bool
    escalated: bool
    follow_up_hours: int
    settlement: tuple[int, int] | None  # business days for the method (processing)
    expected_by: date | None  # when a processing payment should have settled
    receipt_url: str
    pay_links: list[tuple[str, str]]  # (invoice name, hosted link) for unpaid invoices
    focus: Invoice | None = None  # the invoice the verdict is about
    focus_name: str = ""  # its number (id when it has none)
    other_open: list[Invoice] = field(default_factory=list)  # unpaid, besides the focus
    partly_paid: list[Invoice] = field(default_factory=list)  # unpaid, partly paid
    claimed: bool = False  # the customer says when or how they paid
    paid_on: dict[str, Payment] = field(default_factory=dict)  # invoice id → its payment
    claimed_refs: list[str] = field(default_factory=list)
    payments: dict[str, Payment] = field(default_factory=dict)  # the case's, by id


def _lookup_invoices(case: Case, decision: Decision) -> list[Invoice]:
    by_id = {invoice.id: invoice for invoice in case.billing.invoices}
    missing = [i for i in decision.invoices if i not in by_id]
    if missing:
        raise ValueError(f"decision.invoices: {missing[0]!r} is not in case.billing.invoices")
    return [by_id[i] for i in decision.invoices]


def _deciding_payment(case: Case, decision: Decision) -> Payment | None:
    if not decision.evidence:
        return None
    wanted = decision.evidence[0].payment
    for payment in case.billing.payments:
        if payment.id == wanted:
            return payment
    raise ValueError(f"decision.evidence[0].payment: {wanted!r} is not in case.billing.payments")


def _payments_of_paid(case: Case, invoices: list[Invoice]) -> dict[str, Payment]:
    """The most recent succeeded payment linked to each paid invoice, to date the payment."""
    found: dict[str, Payment] = {}
    for invoice in invoices:
        linked = [
            p
            for p in case.billing.payments
            if p.invoice == invoice.id and p.status == "succeeded" and not invoice.unpaid
        ]
        if linked:
            found[invoice.id] = max(linked, key=lambda p: p.created)
    return found


def _focus(invoices: list[Invoice], decision: Decision) -> Invoice | None:
    """The deciding payment's invoice, else the first unpaid one in question, else the first."""
    if decision.evidence:
        for invoice in invoices:
            if invoice.id == decision.evidence[0].invoice:
                return invoice
    unpaid = [invoice for invoice in invoices if invoice.unpaid]
    candidates = unpaid or invoices
    return candidates[0] if candidates else None


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def build_facts(case: Case, decision: Decision, policy: Policy) -> Facts:
    """Gather what the reply and the note state, refusing a decision that does not fit the case."""
    invoices = _lookup_invoices(case, decision)
    payment = _deciding_payment(case, decision)
    customer = case.customer
    verified = customer is None or customer.matched_by == "email"
    # A customer with no id only carries the helpdesk's tags (no billing account was found).
    account_found = (customer is not None and customer.id is not None) or bool(
        case.billing.invoices
    )
    personal = decision.tier in _PERSONAL_TIERS and verified
    manager_named = policy.reply.account_manager_name.strip() not in ("", _DEFAULT_MANAGER)
    method = payment.method if payment else decision.extracted.payment_method
    settlement = policy.reply.settlement_days.get(method) if method else None
    expected_by = None
    if decision.verdict == Verdict.PROCESSING and payment and settlement:
        candidate = _add_business_days(payment.created.date(), settlement[1])
        if candidate >= case.ticket.created_at.date():
            expected_by = candidate
    pay_links = [
        (invoice.number or invoice.id, safe_url(invoice.hosted_invoice_url))
        for invoice in invoices
        if invoice.unpaid
    ]
    receipt_url = safe_url(policy.reply.receipts_url)
    if not receipt_url and len(invoices) == 1:
        # Stripe's hosted invoice page offers the invoice and receipt PDFs once paid.
        # https://docs.stripe.com/invoicing/hosted-invoice-page
        receipt_url = safe_url(invoices[0].hosted_invoice_url)
    focus = _focus(invoices, decision)
    return Facts(
        first_name=first_name(case.ticket.requester.name),
        invoices=invoices,
        invoice_names=[invoice.number or invoice.id for invoice in invoices],
        payment=payment,
        method=method,
        verified=verified,
        account_found=account_found,
        personal=personal,
        manager_named=manager_named,
        signer=policy.reply.account_manager_name if personal and manager_named else "",
        recurring=decision.root_cause_analysis or decision.scenario == "RECURRING_ISSUE",
        escalated=decision.escalate,
        follow_up_hours=decision.follow_up_hours or policy.escalation.follow_up_hours_default,
        settlement=tuple(settlement) if settlement else None,  # type: ignore[arg-type]
        expected_by=expected_by,
        receipt_url=receipt_url,
        pay_links=[(name, url) for name, url in pay_links if url],
        focus=focus,
        focus_name=(focus.number or focus.id) if focus else "",
        other_open=[i for i in invoices if i.unpaid and (focus is None or i.id != focus.id)],
        partly_paid=[i for i in invoices if i.unpaid and i.amount_paid and i.remaining],
        claimed=bool(decision.extracted.payment_date or decision.extracted.payment_method),
        paid_on=_payments_of_paid(case, invoices),
        # Customer text: a handful of refs, each cut short, is all a subject needs.
        claimed_refs=[ref[:40] for ref in decision.extracted.invoice_refs[:5]],
        payments={payment.id: payment for payment in case.billing.payments},
    )


# The reply and the note of a decision are rendered one after the other from the same
# objects: the last facts are kept, for those exact (immutable, frozen) objects only.
_last: list[tuple[Case, Decision, Policy, Facts]] = []


def facts_for(case: Case, decision: Decision, policy: Policy) -> Facts:
    """build_facts, reusing the facts of the previous call when it was for the same objects."""
    if _last:
        last_case, last_decision, last_policy, facts = _last[0]
        if last_case is case and last_decision is decision and last_policy is policy:
            return facts
    facts = build_facts(case, decision, policy)
    # Holding the objects keeps their ids from being reused while the entry stands.
    _last[:] = [(case, decision, policy, facts)]
    return facts
