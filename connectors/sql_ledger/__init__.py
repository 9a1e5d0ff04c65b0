"""The company's own SQL ledger (the seed's "BD") as a `core.ports.BillingSource`."""

from connectors.sql_ledger.ledger import SqlLedger, ledger_engine
from connectors.sql_ledger.schema import LedgerSchema, LedgerTables, create_ledger_schema
from connectors.sql_ledger.seed import apply_credit_to_account, seed_ledger_from_case

__all__ = [
    "LedgerSchema",
    "LedgerTables",
    "SqlLedger",
    "apply_credit_to_account",
    "create_ledger_schema",
    "ledger_engine",
    "seed_ledger_from_case",
]
