"""Section 六 企业与“两高”项目: not built yet.

No enterprise figures reach the annual report yet: the key emitting units' reports and
verification, allowance surrender, screening and the two-high projects with their
substitution ledger have no section of their own here, so the report prints this one as
“该部分尚无数据”. To fill it, the enterprise service gathers the year's figures as plain data
and a function here words them (as :mod:`nearzero.reports.sections.inventory` does); the
entry in :data:`nearzero.reports.sections.SECTIONS` then becomes a contributed section with
its service listed in :data:`nearzero.services.report.CONTRIBUTORS`.
"""

from __future__ import annotations

from nearzero.reports.model import Block


def enterprises_blocks() -> list[Block] | None:
    """Nothing yet: the section is not built (the report says 该部分尚无数据)."""
    return None
