"""The typesetting: one typst compiler per process, reused (a fresh one loads its fonts: ~40 ms
against ~5 ms a render; docs/performance.md), with only the fonts inside the typst wheel, so the
bytes depend on nothing but the request."""

from __future__ import annotations

import re
import threading
from importlib.resources import files

import msgspec
import typst

TEMPLATE = files(__package__).joinpath("business_case.typ").read_bytes()
_COMPILER = typst.Compiler(ignore_system_fonts=True, font_paths=[])
# One render at a time: the compiler is one mutable object (a PDF asked with samples is
# rendered in a worker thread beside the event loop's).
_LOCK = threading.Lock()
_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def typeset(case: object) -> bytes:
    """The PDF of ``case`` (service/document/case.py's JSON-ready dict): no creation date, and
    ids that typst derives from the content, so equal cases give equal bytes."""
    data = msgspec.json.encode(case).decode()
    with _LOCK:
        pdf = _COMPILER.compile(
            input=TEMPLATE, format="pdf", sys_inputs={"case": data}, pdf_tags=True
        )
    assert isinstance(pdf, bytes)  # noqa: S101  format="pdf" answers one document's bytes
    return pdf


def page_count(pdf: bytes) -> int:
    """The number of page objects in a PDF that typst wrote (uncompressed object headers)."""
    return len(_PAGE.findall(pdf))
