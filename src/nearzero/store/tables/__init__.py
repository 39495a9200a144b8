"""Every table of the schema, one module per capability, all on :class:`~nearzero.store.base.Base`.

Importing this package registers the whole schema on ``Base.metadata`` (Alembic, tests).
"""

from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint

from nearzero.store.base import Base
from nearzero.store.tables.enterprise import (
    Enterprise,
    EnterpriseAllowance,
    EnterpriseEfficiency,
    EnterpriseEvidence,
    EnterpriseFacility,
    EnterpriseReport,
)
from nearzero.store.tables.evidence import ValueEvidence
from nearzero.store.tables.footprint import FootprintStudy
from nearzero.store.tables.inclusion import (
    InclusionConsent,
    InclusionCreditMonth,
    InclusionMerchant,
    InclusionMethodologyVersion,
    InclusionNonce,
    InclusionOffer,
    InclusionParticipant,
    InclusionParticipantCount,
    InclusionPartner,
    InclusionRecord,
    InclusionRecordFull,
    InclusionRecordGroup,
    InclusionRecordRow,
    InclusionRedemption,
    InclusionResident,
    InclusionScenario,
    InclusionSchemeVersion,
)
from nearzero.store.tables.indicators import (
    Assessment,
    AssignedTarget,
    DataDeadline,
    Indicator,
    IndicatorCycle,
    IndicatorDepartment,
    IndicatorPart,
    IndicatorValue,
)
from nearzero.store.tables.inventory import InventoryDataset, InventoryFactor, InventoryRun
from nearzero.store.tables.ledger import LedgerAccount, LedgerPosting, LedgerTransaction
from nearzero.store.tables.projects import (
    KeyProject,
    KeyProjectDepartment,
    KeyProjectIndicator,
    ProjectEvidence,
    ProjectMilestone,
    ProjectProgress,
)
from nearzero.store.tables.reports import ReportSection
from nearzero.store.tables.twohigh import (
    TwoHighEvidence,
    TwoHighNeed,
    TwoHighProject,
    TwoHighRatio,
    TwoHighReduction,
    TwoHighRequirement,
    TwoHighSource,
    TwoHighStageChange,
)
from nearzero.store.tables.units import Category, DemoUnit, Department, Subdistrict
from nearzero.store.tables.users import AuditLog, UserAccount

__all__ = [
    "Base",
    "TwoHighEvidence",
    "TwoHighNeed",
    "TwoHighProject",
    "TwoHighRatio",
    "TwoHighReduction",
    "TwoHighRequirement",
    "TwoHighSource",
    "TwoHighStageChange",
    "DemoUnit",
    "Category",
    "Department",
    "Subdistrict",
    "IndicatorDepartment",
    "Indicator",
    "IndicatorPart",
    "IndicatorValue",
    "IndicatorCycle",
    "DataDeadline",
    "AssignedTarget",
    "Assessment",
    "KeyProjectDepartment",
    "KeyProjectIndicator",
    "KeyProject",
    "ProjectMilestone",
    "ProjectProgress",
    "ProjectEvidence",
    "UserAccount",
    "AuditLog",
    "ReportSection",
    "LedgerAccount",
    "LedgerTransaction",
    "LedgerPosting",
    "InclusionPartner",
    "InclusionResident",
    "InclusionConsent",
    "InclusionRecord",
    "InclusionRecordFull",
    "InclusionRecordGroup",
    "InclusionRecordRow",
    "InclusionNonce",
    "InclusionMerchant",
    "InclusionOffer",
    "InclusionRedemption",
    "InclusionMethodologyVersion",
    "InclusionSchemeVersion",
    "InclusionScenario",
    "InclusionCreditMonth",
    "InclusionParticipant",
    "InclusionParticipantCount",
    "InventoryDataset",
    "InventoryFactor",
    "InventoryRun",
    "Enterprise",
    "EnterpriseFacility",
    "EnterpriseReport",
    "EnterpriseEvidence",
    "EnterpriseAllowance",
    "EnterpriseEfficiency",
    "FootprintStudy",
    "ValueEvidence",
]


def _index_foreign_keys() -> None:
    """Give every foreign key column that leads no index, primary key or unique constraint an
    index of its own (``ix_<table>_<column>``, migration 0017): PostgreSQL does not index
    them itself, and the pages look children up by their parent (a unit's partners, a
    project's milestones) while a parent's delete checks its children."""
    for table in Base.metadata.tables.values():
        leading = {next(iter(i.columns)).name for i in table.indexes if len(i.columns)}
        leading |= {
            next(iter(c.columns)).name
            for c in table.constraints
            if isinstance(c, PrimaryKeyConstraint | UniqueConstraint) and len(c.columns)
        }
        for fk in sorted(table.foreign_key_constraints, key=lambda f: f.columns[0].name):
            column = fk.columns[0]
            if column.name not in leading:
                Index(None, column)
                leading.add(column.name)


_index_foreign_keys()
