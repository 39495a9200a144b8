"""Two-high projects and the district's emission-indicator ledger: use cases.

Each write takes an :class:`~nearzero.services.context.Actor`, checks the rules of
:mod:`nearzero.twohigh`, writes through :mod:`nearzero.store.twohigh` (the indicators through the
generic SQL ledger) and is audited; a refusal is ``InvalidInput`` naming the field, and nothing
is written. Split by concern: :mod:`.registry` (projects, ratios, sources), :mod:`.ledger`
(movements, what the ledger holds, indicator 4), :mod:`.pages`, :mod:`.files` (the YAML ledger
file, the Excel export), :mod:`.workbook` (the ledger workbook: template and load), :mod:`.report`.
"""

from nearzero.services.twohigh.files import export_xlsx, load_example, load_file
from nearzero.services.twohigh.ledger import (
    INDICATOR_4,
    LedgerView,
    MoveInput,
    entries_of_project,
    entries_of_source,
    feed_indicator_4,
    ledger_to_dict,
    ledger_view,
    move,
    new_request_token,
    reconciliation,
)
from nearzero.services.twohigh.pages import (
    ProjectPage,
    SourcePage,
    TwoHighPage,
    evidence_file,
    list_page,
    project_page,
    source_page,
)
from nearzero.services.twohigh.registry import (
    ProjectInput,
    SourceInput,
    add_evidence,
    add_project,
    add_ratio,
    add_source,
    all_ratios,
    decide,
    get_project,
    get_source,
    set_need,
    set_stage,
    source_problems,
    verify_source,
)
from nearzero.services.twohigh.report import report_blocks
from nearzero.services.twohigh.workbook import (
    MAX_BYTES as MAX_WORKBOOK_BYTES,
    load_workbook_file,
    template_xlsx,
)

__all__ = [
    "INDICATOR_4",
    "MAX_WORKBOOK_BYTES",
    "LedgerView",
    "MoveInput",
    "ProjectInput",
    "ProjectPage",
    "SourceInput",
    "SourcePage",
    "TwoHighPage",
    "add_evidence",
    "add_project",
    "add_ratio",
    "add_source",
    "all_ratios",
    "decide",
    "entries_of_project",
    "entries_of_source",
    "evidence_file",
    "export_xlsx",
    "feed_indicator_4",
    "get_project",
    "get_source",
    "ledger_to_dict",
    "ledger_view",
    "list_page",
    "load_example",
    "load_file",
    "load_workbook_file",
    "move",
    "new_request_token",
    "project_page",
    "reconciliation",
    "report_blocks",
    "set_need",
    "set_stage",
    "source_problems",
    "source_page",
    "template_xlsx",
    "verify_source",
]
