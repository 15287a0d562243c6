"""The same POST /evaluate written the way most teams would: FastAPI with pydantic v2 models.

Same bounds as service/calc/types.py, same model (service.calc.evaluate: the same Decimal
arithmetic and funnel checks), same 422 for a funnel the model rejects. The request is
validated by pydantic, converted to the model's msgspec Structs field by field (no second
validation), and the answer goes back through a pydantic response model, as FastAPI does with
``response_model``. No logging, metrics or guards: that flatters the peer, not the service.
Money leaves as JSON strings ("19082.00"), pydantic's default for Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from service import calc
from service.currency import minor_unit

Name = Annotated[str, Field(min_length=1, max_length=calc.types.MAX_NAME_LENGTH)]
Count = Annotated[float, Field(ge=0, le=calc.types.MAX_COUNT)]
Uplift = Annotated[float, Field(ge=-1, le=calc.types.MAX_UPLIFT)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(Input):
    name: Name
    count: Count
    uplift: Uplift = 0.0


class EvaluateRequest(Input):
    stages: Annotated[list[Stage], Field(min_length=2, max_length=calc.types.MAX_STAGES)]
    average_deal_value: Annotated[float, Field(gt=0, le=calc.types.MAX_MONEY)]
    average_deal_value_uplift: Uplift = 0.0
    gross_margin: Annotated[float, Field(gt=0, le=1)] = 1.0
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "UAH"
    rounding: Literal["whole_units", "exact"] = "whole_units"


class StageResult(BaseModel):
    name: str
    baseline: float
    projected: float
    baseline_conversion: float | None
    projected_conversion: float | None


class Step(BaseModel):
    key: str
    label: str
    formula: str
    value: float
    unit: Literal["count", "money", "ratio"]


class EvaluateResponse(BaseModel):
    currency: str
    rounding: Literal["whole_units", "exact"]
    stages: list[StageResult]
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    revenue_uplift_ratio: float | None
    gross_margin: float
    monthly_gain: Decimal
    steps: list[Step]


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.exception_handler(calc.ModelError)
async def model_rejected(_: Request, error: calc.ModelError) -> JSONResponse:
    detail = "; ".join(f"{v.pointer}: {v.detail}" for v in error.violations)
    return JSONResponse({"title": "model rejected", "detail": detail}, status_code=422)


@app.post("/evaluate", response_model=EvaluateResponse)
async def evaluate(body: EvaluateRequest) -> dict[str, object]:
    funnel = calc.EvaluateRequest(
        stages=[calc.Stage(name=s.name, count=s.count, uplift=s.uplift) for s in body.stages],
        average_deal_value=body.average_deal_value,
        average_deal_value_uplift=body.average_deal_value_uplift,
        gross_margin=body.gross_margin,
        currency=body.currency,
        rounding=body.rounding,
    )
    result = calc.evaluate(funnel, minor_unit(funnel.currency))
    return msgspec.to_builtins(result, builtin_types=(Decimal,))  # type: ignore[no-any-return]
