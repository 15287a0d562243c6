"""The ROI model of docs/roi-model.md: pure functions over msgspec Structs.

The standard library and msgspec; numpy and scipy.special for the samples of "How sure" (ruff's
banned-api holds the line): no web framework, no logging, no I/O. The caller resolves the
currency to its minor unit.

- types.py: the requests (every input bounded); answers.py: the answers;
- validate.py: what the model rejects, checked once per request; normal.py: the request with
  every default filled, its lines in the answer's order with their sources;
- funnel.py: /evaluate; lines.py: a business case as lines; cashflow.py: what flows are
  worth; irr.py: the internal rate of return; payback.py: /payback; solve.py and fields.py:
  solve (fields.py reads which fields vary, and on what grid, from the types);
- ranges.py: the uncertainty's ranges, checked; uncertainty.py: their samples and the
  distribution of the figures; bulk.py: the model's formulas over arrays of samples;
- money.py: exact decimals, their roundings and the two decimal contexts; version.py: the
  model version and the calculation id.
"""

from .answers import (
    BreakEven,
    CashFlow,
    EvaluateResponse,
    EvaluateScenario,
    LineResult,
    PaybackResponse,
    PaybackScenario,
    SensitivityRow,
    Solution,
    StageResult,
    Step,
    YearRow,
)
from .errors import ConflictError, ModelError, Violation
from .funnel import evaluate
from .labels import LANGUAGES
from .payback import payback
from .types import (
    CostLine,
    Costs,
    EvaluateRequest,
    MonthlyCostLine,
    PaybackRequest,
    PerSeatLicence,
    Productivity,
    RiskAdjustment,
    SalesFunnel,
    Scenario,
    Schedule,
    Stage,
)
from .validate import check_payback, evaluate_violations, shape_conflict
from .version import MODEL_VERSION, calculation_id

__all__ = [
    "LANGUAGES",
    "MODEL_VERSION",
    "BreakEven",
    "CashFlow",
    "ConflictError",
    "CostLine",
    "Costs",
    "EvaluateRequest",
    "EvaluateResponse",
    "EvaluateScenario",
    "LineResult",
    "ModelError",
    "MonthlyCostLine",
    "PaybackRequest",
    "PaybackResponse",
    "PaybackScenario",
    "PerSeatLicence",
    "Productivity",
    "RiskAdjustment",
    "SalesFunnel",
    "Scenario",
    "Schedule",
    "SensitivityRow",
    "Solution",
    "Stage",
    "StageResult",
    "Step",
    "Violation",
    "YearRow",
    "calculation_id",
    "check_payback",
    "evaluate",
    "evaluate_violations",
    "payback",
    "shape_conflict",
]
