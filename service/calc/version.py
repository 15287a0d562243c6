"""Which model answered, and which calculation (roi-model.md, "What the answer adds")."""

from __future__ import annotations

import hashlib

import msgspec

# Bumped whenever any figure of any request could change: docs/model-changelog.md says what did.
MODEL_VERSION = "1.1.0"

_ENCODER = msgspec.json.Encoder()


def calculation_id(request: msgspec.Struct) -> str:
    """The same for equal requests under the same model version, different otherwise: SHA-256
    (first 128 bits, hex) of the version and the decoded request. Decoding fills every default
    and fixes the order of the keys, and numbers are written one way (12 and 12.0 alike), so
    neither the client's key order nor its spelled-out defaults change the id."""
    digest = hashlib.sha256(MODEL_VERSION.encode() + b"\n" + _ENCODER.encode(request))
    return digest.hexdigest()[:32]
