"""Neural sentiment speed and memory on this machine (needs the [neural] extra).

- Inference: mentions/s over dev_mt + dev_rw of one trained member and of the default
  three-seed ensemble (fp32 and int8), against two floors measured in the same run: the
  bare encoder forward pass of one member on the same batches (no tokenising, no head),
  and the linear backend on the same items.
- Training: seconds per training step (batch 16) over --steps steps of a fresh model,
  times the steps of a full 3-epoch fine-tune, as an estimate beside the measured one
  that `workbench sentiment train --backend neural` prints.
- Peak resident memory of each part, each run in a fresh process. Medians of --runs.

    .venv/bin/python benchmarks/bench_neural.py --runs 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, math, resource, sys, time
import numpy as np
part, steps = sys.argv[1], int(sys.argv[2])
from workbench.sentiment import TargetSentiment
from workbench.sentiment.ensemble import NeuralEnsemble
from workbench.sentiment.neural import NeuralTargetSentiment, default_model_dir
from workbench.sentiment.newsmtsc import read_newsmtsc, split_path
items = [i for s in ("dev_mt", "dev_rw") for i in read_newsmtsc(split_path(s))[0]]
out = {"n": len(items)}
if part == "inference":
    import torch
    linear = TargetSentiment().ensure_loaded()
    linear.predict_proba(items[:10])
    t = time.perf_counter(); linear.predict_proba(items); out["linear"] = time.perf_counter() - t
    for quantize in (False, True):
        for name, model in (("member", NeuralTargetSentiment(model=default_model_dir(seed=0), quantize=quantize)),
                            ("ensemble", NeuralEnsemble(quantize=quantize))):
            model.predict_proba(items[:8])
            t = time.perf_counter(); model.predict_proba(items)
            out[f"{name} {'int8' if quantize else 'fp32'}"] = time.perf_counter() - t
    model = NeuralTargetSentiment(model=default_model_dir(seed=0)).ensure_loaded()
    encoded = model._encode(items)
    order = sorted(range(len(items)), key=lambda i: len(encoded[i][0]))
    batches = [model._batch(encoded, order[b:b + 64]) for b in range(0, len(order), 64)]
    encoder = model.net_.encoder.eval()
    with torch.inference_mode():
        t = time.perf_counter()
        for ids, mask, _ in batches:
            encoder(input_ids=ids, attention_mask=mask)
        out["encoder_floor"] = time.perf_counter() - t
else:
    train_items, train_labels = read_newsmtsc(split_path("train"))
    n = steps * 16
    model = NeuralTargetSentiment(model=None, epochs=1)
    t = time.perf_counter(); model.fit(train_items[:n], train_labels[:n]); out["train"] = time.perf_counter() - t
    out["steps"] = steps
    out["full_steps"] = 3 * math.ceil(len(train_items) / 16)
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _runs(part: str, steps: int, runs: int) -> list[dict]:
    return [json.loads(subprocess.run([sys.executable, "-c", CHILD, part, str(steps)], capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1]) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40, help="training steps to time")
    args = parser.parse_args()
    med = statistics.median
    runs = _runs("inference", args.steps, args.runs)
    n = runs[0]["n"]
    floor = med(r["encoder_floor"] for r in runs)
    linear = med(r["linear"] for r in runs)
    for key in ("member fp32", "member int8", "ensemble fp32", "ensemble int8"):
        seconds = med(r[key] for r in runs)
        print(f"inference, {key}: {n / seconds:6.0f} mentions/s ({seconds:.2f} s for {n}); bare encoder floor "
              f"{n / floor:.0f}/s, ratio {seconds / floor:.2f}x; linear backend {n / linear:,.0f}/s "
              f"(runs: {', '.join(f'{r[key]:.2f}' for r in runs)})")
    print(f"inference peak RSS {med(r['maxrss_mb'] for r in runs):.0f} MB")
    runs = _runs("train", args.steps, args.runs)
    per_step = med(r["train"] for r in runs) / args.steps
    print(f"training: {per_step:.3f} s/step (batch 16, {args.steps} steps incl. model load) -> about "
          f"{per_step * runs[0]['full_steps'] / 60:.1f} min for {runs[0]['full_steps']} steps (3 epochs, one seed); "
          f"peak RSS {med(r['maxrss_mb'] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
