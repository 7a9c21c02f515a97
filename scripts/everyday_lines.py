"""Writes nlu/everyday.yml: everyday queries from public corpora, taught as `out_of_scope`.

The team's own "other" lines are near-misses it thought of; the world's everyday language is
wider (cards, bills, music, films, weather, restaurants). This draws lines from the `train`
share of ../shared/corpora (bot/external_eval.py decides the share, so no dev or test line is
ever trained on), spread evenly over each corpus's own intents, and writes them with their
source and licence as the block's metadata.

    .venv/bin/python scripts/everyday_lines.py [--per-corpus 500] [--hard-from RASA_URL]

With --hard-from, a further block per corpus holds hard negatives: further train-share lines
that the model served there answers with a safety category. Rounds accumulate: the blocks an
earlier round mined stay as they are (a model trained on them gets them right, so a new round
would drop them), and the new block holds what the served model still gets wrong. The one
round kept is 2026-12-02's, from model 949ffcef, the first to read words rather than style; a
round from model 42d9fcc3 (2026-12-05) raised the gate's false alarms and was not kept (see
docs/nlu-evaluation.md). Without --hard-from the kept rounds are written back unchanged.
Lines that talk about feeling low are never taken: sadness is not small talk to teach.

Skipped: lines with Rasa entity markup characters, lines the scrubber finds personal details
in, lines already in nlu/ (under any intent), lines on a topic the bot is for (pics, meeting,
police, hurting...), and lines the safety lexicon fires on: a public line that reads like a
disclosure is not a lesson in what "other" looks like.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import yaml  # noqa: E402

from bot import categories, external_eval  # noqa: E402
from bot.nlu_data import normalise, read_examples  # noqa: E402
from bot.safety_net import default_net  # noqa: E402
from bot.scrubber import scrub  # noqa: E402

OUT = ROOT / "nlu" / "everyday.yml"
LICENCES = {
    "banking77": "CC BY 4.0; Casanueva et al., Efficient Intent Detection with Dual Sentence Encoders, "
                 "NLP4ConvAI 2020 (PolyAI-LDN/task-specific-datasets)",
    "snips": "CC0 1.0; Coucke et al. 2018, Snips NLU benchmark (sonos/nlu-benchmark)",
    "chitchat": "MIT; BYU PCCL Chit-Chat Challenge, the chitchat-dataset 0.9.0 wheel (PyPI)",
}
MARKUP = set("[](){}")
# Hard negatives per corpus: how many further lines to scan, and how many to keep at most.
HARD = {"banking77": (1500, 100), "snips": (1500, 100), "chitchat": (6000, 400)}
# Everyday chat can touch what the bot is for; such a line is no lesson in what "other" is.
SAFETY_TOPIC = re.compile(r"\b(nudes?|naked|sex\w*|pics?|photos?|kill\w*|die|dead|death|dying|suicid\w*|"
                          r"hurt\w*|cut\w*|police|cops?|arrest\w*|jail|blackmail\w*|threat\w*|scared|afraid|"
                          r"meet\w*|secret\w*|drugs?|pills?|drunk|weed|abuse\w*|rape\w*|porn\w*)\b", re.I)


# A hard negative must not teach that distress is small talk: such lines are left out.
DISTRESS = re.compile(r"\b(sad\w*|depress\w*|lonely|alone|cry\w*|tears?|anxi\w*|panic\w*|stress\w*|"
                      r"tired|exhausted|hate|hopeless|worthless|useless|miserable|upset|lost|empty|numb|"
                      r"pain\w*|sick|ill|hospital|therap\w*|mental|worr\w*|fear\w*|alive|life|live|end|"
                      r"gone|leave|hard|awful|terrible|bad|worst|ugly|fat|bull\w*|mean|fight\w*|hit\w*)\b", re.I)


def _order(text: str) -> bytes:
    return hashlib.sha256(f"{external_eval.SEED}/train\n{normalise(text)}".encode()).digest()


def draw(corpus: external_eval.ExternalSet, per_corpus: int, taken: set[str]) -> list[str]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for row in external_eval.rows(corpus):
        text = " ".join(row["text"].split())
        key = normalise(text)
        if (external_eval.share_of(text, True) != "train" or key in taken or MARKUP & set(text)
                or SAFETY_TOPIC.search(text) or scrub(text).found or default_net().check(text)):
            continue
        taken.add(key)
        by_intent[row["intent"]].append(text)
    pools = [sorted(lines, key=_order) for _, lines in sorted(by_intent.items())]
    chosen: list[str] = []
    for i in range(max(map(len, pools))):  # round-robin: every intent equally represented
        chosen += [pool[i] for pool in pools if i < len(pool)]
    return chosen


def hard_negatives(pool: list[str], rasa_url: str, scan: int, keep: int) -> list[str]:
    """The first `scan` lines of the pool (in its fixed order) that the served model answers
    with a safety category, up to `keep`, distress talk left out."""
    found = []
    with httpx.Client(base_url=rasa_url, timeout=30) as client:
        for text in pool[:scan]:
            if DISTRESS.search(text):
                continue
            intent = client.post("/model/parse", json={"text": text}).json().get("intent") or {}
            if categories.category_of(intent.get("name")) != "other":
                found.append(text)
                if len(found) == keep:
                    break
    return found


def earlier_hard_blocks() -> dict[str, list[tuple[dict, list[str]]]]:
    """The hard-negative blocks already in nlu/everyday.yml, by corpus name, with their metadata."""
    if not OUT.is_file():
        return {}
    kept: dict[str, list[tuple[dict, list[str]]]] = defaultdict(list)
    for block in (yaml.safe_load(OUT.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        meta = block.get("metadata") or {}
        if str(meta.get("chosen", "")).startswith("hard negatives"):
            corpus = next(s.name for s in external_eval.SETS if s.everyday and meta["source"].endswith(s.file))
            lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            kept[corpus].append((meta, lines))
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-corpus", type=int, default=500)
    parser.add_argument("--hard-from", metavar="RASA_URL", help="add hard negatives the model served there gets wrong")
    args = parser.parse_args()
    if not external_eval.available():
        print(f"the corpora are not in {external_eval.CORPORA}", file=sys.stderr)
        return 1
    if args.hard_from:
        served = Path(httpx.get(args.hard_from + "/status", timeout=30).json()["model_file"]).name.split(".")[0][:8]
    taken = {e.key for e in read_examples(ROOT / "nlu") if e.file != OUT.name}
    taken |= set(external_eval.held_out_keys())
    parts = ["# Everyday queries from public corpora, written by no one on this project, taught as\n",
             "# out_of_scope. Generated by scripts/everyday_lines.py from the corpora's train share\n",
             "# (bot/external_eval.py); regenerate rather than edit by hand.\n",
             'version: "3.1"\n\nnlu:\n']
    earlier = earlier_hard_blocks()
    for corpus in (s for s in external_eval.SETS if s.everyday):
        pool = draw(corpus, args.per_corpus, taken)
        source = f"{corpus.package}/{corpus.file}" if corpus.package else corpus.file
        blocks = [({"source": source, "licence": LICENCES[corpus.name]}, pool[:args.per_corpus])]
        blocks += earlier.get(corpus.name, [])
        if args.hard_from:
            scan, keep = HARD[corpus.name]
            mined = {normalise(t) for _, lines in earlier.get(corpus.name, []) for t in lines}
            rest = [t for t in pool[args.per_corpus:args.per_corpus + scan] if normalise(t) not in mined]
            hard = hard_negatives(rest, args.hard_from, scan, keep)
            blocks.append(({**blocks[0][0], "chosen": f"hard negatives: answered as a safety matter by model {served}"}, hard))
        for meta, lines in blocks:
            parts.append(f"  - intent: out_of_scope\n    metadata: {json.dumps(meta)}\n    examples: |\n")
            parts += [f"      - {t}\n" for t in lines]
            print(f"{corpus.name}: {len(lines)} lines ({meta.get('chosen', 'drawn')})", file=sys.stderr)
    OUT.write_text("".join(parts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
