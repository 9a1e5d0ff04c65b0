"""POLICY §3: the customer's tier."""

from __future__ import annotations

from collections.abc import Iterable

from core.models import Case, Tier

_TAG_TIERS = {"enterprise": Tier.ENTERPRISE, "vip": Tier.VIP, "premium": Tier.PREMIUM}


def tier_from_tags(tags: Iterable[str]) -> Tier | None:
    """The highest tier named by a tag (`vip`, `tier:vip`, `tier_vip` ...), any case."""
    best: Tier | None = None
    for tag in tags:
        name = tag.strip().lower()
        for prefix in ("tier:", "tier_", "tier-", "tier "):
            name = name.removeprefix(prefix)
        tier = _TAG_TIERS.get(name)
        if tier and (best is None or tier.rank > best.rank):
            best = tier
    return best


def customer_tier(case: Case) -> Tier:
    """`customer.tier` if set, else the highest tier in ticket and customer tags, else STANDARD."""
    customer = case.customer
    if customer and customer.tier and customer.tier.strip():
        return Tier(customer.tier.strip().upper())
    tags = list(case.ticket.tags) + (list(customer.tags) if customer else [])
    return tier_from_tags(tags) or Tier.STANDARD
