"""Carbon inclusion (碳普惠): methodologies, reductions in grams, intake validation.

Pure core: plain typed values in and out, no database, no HTTP. Modules:

- :mod:`.choices`      scenarios, activity kinds, rejection reason codes (zh/en labels)
- :mod:`.methodology`  versioned methodology definitions read from data files
- :mod:`.calculation`  reductions in integer grams (round half to even)
- :mod:`.records`      behaviour records and their parsing at the edge
- :mod:`.security`     partner request signatures (HMAC-SHA256), resident pseudonyms
- :mod:`.rules`        platform rules of a demonstration unit (methodology choice, caps)
- :mod:`.batch`        what a batch is checked against and what it gives (context, outcomes)
- :mod:`.columnar`     the intake rule set, on columns: every record accepted or given a
                       reason code
- :mod:`.intake`       the rule set's outcomes record by record; signed partner requests
- :mod:`.points`       points on the ledger: credit, redeem, settle, expire
- :mod:`.stats`        statistics over the full history with Ibis (DuckDB / Spark);
                       import it explicitly, it loads Ibis

The names below are re-exported lazily (PEP 562): importing one submodule, e.g.
:mod:`.choices` for a page, does not load the intake's numpy and pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "calculation": ("Reduction", "compute_reduction", "reduction_grams"),
    "choices": ("ActivityKind", "ClaimKind", "ReasonCode", "Scenario"),
    "intake": (
        "BatchResult",
        "Consent",
        "Credit",
        "CreditedPeriod",
        "CreditedTrip",
        "IntakeContext",
        "Outcome",
        "intake_request",
        "validate_batch",
    ),
    "methodology": (
        "Methodology",
        "MethodologyLibrary",
        "MethodologyRef",
        "MissingParameter",
        "load_library",
    ),
    "records": ("BehaviourRecord", "RecordKey", "record_from_mapping"),
    "rules": ("Scheme", "load_scheme"),
    "security": ("SignedRequest", "pseudonymise", "sign", "verify_request"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
