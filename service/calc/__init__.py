"""The ROI model of roi-model.md: pure functions over msgspec Structs.

Standard library and msgspec only (ruff's banned-api holds the line): no web framework, no
logging, no I/O. The caller resolves the currency to its minor unit.
"""

from .cashflow import check_payback, payback
from .errors import ModelError, Violation
from .funnel import check_funnel, evaluate
from .types import (
    CashFlow,
    CostLine,
    Costs,
    EvaluateRequest,
    EvaluateResponse,
    PaybackRequest,
    PaybackResponse,
    RiskAdjustment,
    Stage,
    StageResult,
    Step,
)

__all__ = [
    "CashFlow",
    "CostLine",
    "Costs",
    "EvaluateRequest",
    "EvaluateResponse",
    "ModelError",
    "PaybackRequest",
    "PaybackResponse",
    "RiskAdjustment",
    "Stage",
    "StageResult",
    "Step",
    "Violation",
    "check_funnel",
    "check_payback",
    "evaluate",
    "payback",
]
