"""Tune the neural sentiment backend on NewsMTSC dev: train each configuration, record
every epoch's dev macro-F1 and the chosen checkpoint's dev probabilities (for ensembles).

    python benchmarks/tune_neural.py --device cuda --out sweep.json [--only NAME ...]

Dev splits only; test splits are never read. Runs on CPU too, at ~15-25 min a config.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from workbench.sentiment.neural import NeuralTargetSentiment  # noqa: E402
from workbench.sentiment.newsmtsc import evaluate, read_newsmtsc, split_path  # noqa: E402

BASE = {"learning_rate": 3e-5, "epochs": 3, "batch_size": 16, "max_length": 96}
CONFIGS = {
    "base": {},
    "base_seed1": {"seed": 1},
    "base_seed2": {"seed": 2},
    "lr3e-5_ep4": {"epochs": 4},
    "lr5e-5": {"learning_rate": 5e-5},
    "lr1e-4": {"learning_rate": 1e-4},
    "lr5e-5_ep4": {"learning_rate": 5e-5, "epochs": 4},
    "lr5e-5_balanced": {"learning_rate": 5e-5, "class_weight": "balanced"},
    "lr5e-5_seed1": {"learning_rate": 5e-5, "seed": 1},
    "lr5e-5_seed2": {"learning_rate": 5e-5, "seed": 2},
    "lr8e-5_ep4": {"learning_rate": 8e-5, "epochs": 4},
    "lr5e-5_len128": {"learning_rate": 5e-5, "max_length": 128},
    "lr1e-4_bs32_ep4": {"learning_rate": 1e-4, "batch_size": 32, "epochs": 4},
    "lr3e-5_ep5": {"learning_rate": 3e-5, "epochs": 5},
    "lr5e-5_seed3": {"learning_rate": 5e-5, "seed": 3},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--encoder", default=None, help="encoder folder (default: the pinned package)")
    parser.add_argument("--out", default="sweep.json")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--budget", type=float, default=1e9, help="stop starting configs after this many seconds")
    args = parser.parse_args()
    train = read_newsmtsc(split_path("train"))
    dev = {name: read_newsmtsc(split_path(name)) for name in ("dev_mt", "dev_rw")}
    results = {}
    start = time.perf_counter()
    for name, change in CONFIGS.items():
        if args.only and name not in args.only:
            continue
        if time.perf_counter() - start > args.budget:
            break
        t0 = time.perf_counter()
        model = NeuralTargetSentiment(model=None, encoder=args.encoder, device=args.device, **{**BASE, **change})
        model.fit(*train, dev=dev)
        seconds = time.perf_counter() - t0
        row = {"config": {**BASE, **change}, "seconds": round(seconds, 1), "history": model.info_["history"],
               "chosen": model.info_["chosen"]}
        for split, (items, labels) in dev.items():
            result = evaluate(model, items, labels)
            row[split] = round(result["macro_f1"], 2)
            row[f"{split}_proba"] = model.predict_proba(items).round(5).values.tolist()
        results[name] = row
        steps = [
            (h["checkpoint"], round(h["dev_mt_macro_f1"], 2), round(h["dev_rw_macro_f1"], 2)) for h in row["history"]
        ]
        print(f"{name}: dev_mt {row['dev_mt']:.2f} dev_rw {row['dev_rw']:.2f} chosen {row['chosen']} "
              f"({seconds:.0f} s) {steps}", flush=True)
        Path(args.out).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
