"""The business case as a document: a PDF (A4, at most two pages) of a /payback answer, in the
answer's language, typeset by typst from business_case.typ.

- case.py: what the document holds, formatted (figures.py, words.py);
- typeset.py: the typst compiler and the template.
"""

from __future__ import annotations

from service import calc

from .case import case_data
from .typeset import page_count, typeset

MEDIA_TYPE = "application/pdf"
MAX_PAGES = 2
# Fewer lines and steps until the case fits two pages (the heaviest valid request fits at the
# second; the last is a floor that always fits).
_CAPS = ((14, 26), (8, 14), (4, 6))


def business_case(
    request: calc.PaybackRequest, answer: calc.PaybackResponse, language: str
) -> bytes:
    """The PDF of ``answer`` (to ``request``) in ``language`` ("en" or "uk")."""
    pdf = b""
    for max_lines, max_steps in _CAPS:
        case = case_data(request, answer, language, max_lines=max_lines, max_steps=max_steps)
        pdf = typeset(case)
        if page_count(pdf) <= MAX_PAGES:
            break
    return pdf


__all__ = ["MAX_PAGES", "MEDIA_TYPE", "business_case"]
