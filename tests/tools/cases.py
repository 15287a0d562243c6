"""Count schemathesis test cases per operation from its NDJSON report.

python -m tests.tools.cases REPORT.ndjson [--at-least N OPERATION ...]
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path


def count(report: Path) -> collections.Counter[str]:
    cases: collections.Counter[str] = collections.Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" in event:
            recorder = event["ScenarioFinished"]["recorder"]
            cases[recorder["label"]] += len(recorder.get("cases", {}))
    return cases


def main(argv: list[str]) -> int:
    cases = count(Path(argv[0]))
    for label, number in sorted(cases.items()):
        print(f"{number:7d}  {label}")
    if "--at-least" in argv:
        at = argv.index("--at-least")
        least, operations = int(argv[at + 1]), argv[at + 2 :]
        short = [op for op in operations if cases[op] < least]
        if short:
            print(f"fewer than {least} cases: {', '.join(short)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
