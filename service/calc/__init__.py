"""The ROI model of roi-model.md: pure functions over msgspec Structs.

Standard library and msgspec only (ruff's banned-api holds the line): no web framework, no
logging, no I/O. The caller resolves the currency to its minor unit.
"""

from .answers import (
    BreakEven,
    CashFlow,
    EvaluateResponse,
    EvaluateScenario,
    PaybackResponse,
    PaybackScenario,
    SensitivityRow,
    StageResult,
    Step,
    YearRow,
)
from .cashflow import benefit_conflict, check_payback, payback
from .errors import ModelError, Violation
from .funnel import check_funnel, evaluate
from .labels import LANGUAGES
from .types import (
    CostLine,
    Costs,
    EvaluateRequest,
    PaybackRequest,
    Productivity,
    RiskAdjustment,
    Scenario,
    Schedule,
    Stage,
)
from .version import MODEL_VERSION, calculation_id

__all__ = [
    "LANGUAGES",
    "MODEL_VERSION",
    "BreakEven",
    "CashFlow",
    "CostLine",
    "Costs",
    "EvaluateRequest",
    "EvaluateResponse",
    "EvaluateScenario",
    "ModelError",
    "PaybackRequest",
    "PaybackResponse",
    "PaybackScenario",
    "Productivity",
    "RiskAdjustment",
    "Scenario",
    "Schedule",
    "SensitivityRow",
    "Stage",
    "StageResult",
    "Step",
    "Violation",
    "YearRow",
    "benefit_conflict",
    "calculation_id",
    "check_funnel",
    "check_payback",
    "evaluate",
    "payback",
]
