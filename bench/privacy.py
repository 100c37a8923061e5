"""How well the privacy screen does on the labelled corpus, and how fast it is.

    .venv/bin/python bench/privacy.py [-v] [--staff DIRECTORY.txt] [CORPUS.jsonl ...]

Prints, for each corpus file: text-level recall (texts with an identifier that get at least one
warning), identifier-level recall by kind (a labelled identifier counts as caught when a finding
overlaps it) and the false-alarm rate on clean texts; then the time to screen a 2,000-character
text on one core (wall time, and CPU time as the best of five passes, which a busy shared
machine disturbs less), the import time and the resident memory after loading the gazetteer.
With --staff, the texts are screened with that staff directory (one name a line), as the bot
screens them with its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = date(2026, 11, 30)  # the corpus's dates of birth and meeting dates are relative to this


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STAFF: list[str] = []


def main(paths: list[Path]) -> None:
    before = rss_mb()
    started = time.perf_counter()
    from bot.domain.privacy import screen
    from bot.domain.privacy._gazetteer import gazetteer

    gazetteer()
    loaded = time.perf_counter() - started
    print(f"import and load the gazetteer: {loaded * 1000:.0f} ms, RSS +{rss_mb() - before:.1f} MB")
    texts: list[str] = []
    for path in paths:
        records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        texts += [r["text"] for r in records]
        report(path.name, records, screen)
    timing(texts, screen)


def report(name: str, records: list[dict[str, object]], screen: object) -> None:
    caught, total = Counter[str](), Counter[str]()
    positive = positive_caught = clean = false_alarms = 0
    misses: list[str] = []
    alarms: list[str] = []
    for record in records:
        text = str(record["text"])
        findings = screen(text, today=TODAY, staff_names=STAFF)  # type: ignore[operator]
        spans = [(f.start, f.end) for f in findings]
        labels = record["identifiers"]
        assert isinstance(labels, list)
        if labels:
            positive += 1
            positive_caught += bool(findings)
        else:
            clean += 1
            if findings:
                false_alarms += 1
                alarms.append(f"  {text!r}: {[f.excerpt for f in findings]}")
        for label in labels:
            total[label["kind"]] += 1
            if any(s < label["end"] and label["start"] < e for s, e in spans):
                caught[label["kind"]] += 1
            else:
                misses.append(f"  {label['kind']} {label['text']!r} in {text[:90]!r}")
    print(f"\n{name}: {len(records)} texts, {positive} with identifiers, {clean} clean")
    print(f"  text-level recall      {percent(positive_caught, positive)}")
    all_caught, all_total = sum(caught.values()), sum(total.values())
    print(f"  identifier recall      {percent(all_caught, all_total)}")
    for kind in sorted(total):
        print(f"    {kind:<16} {percent(caught[kind], total[kind])}")
    print(f"  false alarms (clean)   {percent(false_alarms, clean)}")
    if "-v" in sys.argv:
        print("misses:", *sorted(set(misses)), sep="\n")
        print("false alarms:", *alarms, sep="\n")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%  ({part}/{whole})" if whole else "   n/a"


def timing(texts: list[str], screen: object) -> None:
    blob = " ".join(texts)
    chunks = [blob[i : i + 2000] for i in range(0, len(blob) - 2000, 2000)][:200]
    started = time.perf_counter()
    for chunk in chunks:
        screen(chunk, today=TODAY, staff_names=STAFF)  # type: ignore[operator]
    per_text = (time.perf_counter() - started) / len(chunks) * 1000
    print(f"\nscreen a 2,000-character text: {per_text:.2f} ms (mean of {len(chunks)}, one core)")
    # CPU time, best of five passes: what the screen costs, whatever else the machine is doing.
    passes = []
    for _ in range(5):
        started = time.process_time()
        for chunk in chunks:
            screen(chunk, today=TODAY, staff_names=STAFF)  # type: ignore[operator]
        passes.append((time.process_time() - started) / len(chunks) * 1000)
    print(f"  CPU time: {min(passes):.2f} ms (best of 5 passes), {sorted(passes)[2]:.2f} median")
    print(f"resident memory now: {rss_mb():.0f} MB")


if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--staff" in argv:
        at = argv.index("--staff")
        STAFF += Path(argv[at + 1]).read_text("utf-8").split("\n")
        STAFF[:] = [name for name in STAFF if name.strip()]
        del argv[at : at + 2]
    args = [Path(a) for a in argv if a != "-v"]
    main(args or [ROOT / "tests" / "core" / "privacy_corpus" / "tuning.jsonl"])
