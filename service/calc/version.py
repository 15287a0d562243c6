"""Which model answered, and which calculation (roi-model.md, "What the answer adds")."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from .normal import Normal

# Bumped whenever any figure of any request could change: docs/model-changelog.md says what did.
MODEL_VERSION = "1.4.0"

_ENCODER = msgspec.json.Encoder(order="sorted")


def calculation_id(normal: Normal) -> str:
    """The same for equal requests under the same model version, different otherwise: SHA-256
    (first 128 bits, hex) of the version and the normalized request (normal.py), where every
    default is filled in one place, so neither key order nor spelled-out defaults change the
    id. Keys are sorted and -0.0 is written 0."""
    canonical = _zero_signless(msgspec.to_builtins(normal))
    digest = hashlib.sha256(MODEL_VERSION.encode() + b"\n" + _ENCODER.encode(canonical))
    return digest.hexdigest()[:32]


def _zero_signless(value: Any) -> Any:
    if isinstance(value, float) and value == 0:
        return 0.0
    if isinstance(value, dict):
        return {key: _zero_signless(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_zero_signless(item) for item in value]
    return value
