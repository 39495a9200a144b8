"""Every table of the schema, one module per capability, all on :class:`~nearzero.store.base.Base`.

Importing this package registers the whole schema on ``Base.metadata`` (Alembic, tests).
"""

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
