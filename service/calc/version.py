"""Which model answered, and which calculation (roi-model.md, "What the answer adds")."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

# Bumped whenever any figure of any request could change: docs/model-changelog.md says what did.
MODEL_VERSION = "1.2.0"

_ENCODER = msgspec.json.Encoder(order="sorted")


def calculation_id(request: msgspec.Struct) -> str:
    """The same for equal requests under the same model version, different otherwise: SHA-256
    (first 128 bits, hex) of the version and the request as the model reads it. Decoding fills
    every default and the keys are sorted; what the model reads the same way is written the
    same way (an omitted ramp-up is 0, omitted costs are none, a line's omitted risk or ramp-up
    is the request's, -0.0 is 0, a schedule's ignored horizon is left out), so neither key
    order nor spelled-out defaults change the id."""
    canonical = _as_the_model_reads_it(msgspec.to_builtins(request))
    digest = hashlib.sha256(MODEL_VERSION.encode() + b"\n" + _ENCODER.encode(canonical))
    return digest.hexdigest()[:32]


def _as_the_model_reads_it(body: dict[str, Any]) -> Any:
    risks = body["risk_adjustment"]
    if "schedule" in body:
        body.pop("horizon_months", None)  # a schedule's own length is its horizon
        for line in body["schedule"].get("lines", []):
            line.setdefault("risk", risks["benefits" if line["side"] == "benefit" else "costs"])
    else:
        ramp = body.setdefault("ramp_up_months", 0.0)
        costs = body.setdefault("costs", {"one_time": [], "monthly": [], "per_seat": []})
        for item in costs["one_time"] + costs["monthly"] + costs["per_seat"]:
            item.setdefault("risk", risks["costs"])  # a line without a risk takes the request's
        for line in body.get("benefits", []):
            line.setdefault("risk", risks["benefits"])
            line.setdefault("ramp_up_months", ramp)
    return _zero_signless(body)


def _zero_signless(value: Any) -> Any:
    if isinstance(value, float) and value == 0:
        return 0.0
    if isinstance(value, dict):
        return {key: _zero_signless(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_zero_signless(item) for item in value]
    return value
