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
"""

from nearzero.inclusion.calculation import Reduction, compute_reduction, reduction_grams
from nearzero.inclusion.choices import ActivityKind, ClaimKind, ReasonCode, Scenario
from nearzero.inclusion.intake import (
    BatchResult,
    Consent,
    Credit,
    CreditedPeriod,
    CreditedTrip,
    IntakeContext,
    Outcome,
    intake_request,
    validate_batch,
)
from nearzero.inclusion.methodology import (
    Methodology,
    MethodologyLibrary,
    MethodologyRef,
    MissingParameter,
    load_library,
)
from nearzero.inclusion.records import BehaviourRecord, RecordKey, record_from_mapping
from nearzero.inclusion.rules import Scheme, load_scheme
from nearzero.inclusion.security import SignedRequest, pseudonymise, sign, verify_request

__all__ = [
    "ActivityKind",
    "BatchResult",
    "BehaviourRecord",
    "ClaimKind",
    "Consent",
    "Credit",
    "CreditedPeriod",
    "CreditedTrip",
    "IntakeContext",
    "Methodology",
    "MethodologyLibrary",
    "MethodologyRef",
    "MissingParameter",
    "Outcome",
    "ReasonCode",
    "RecordKey",
    "Reduction",
    "Scenario",
    "Scheme",
    "SignedRequest",
    "compute_reduction",
    "intake_request",
    "load_library",
    "load_scheme",
    "pseudonymise",
    "record_from_mapping",
    "reduction_grams",
    "sign",
    "validate_batch",
    "verify_request",
]
