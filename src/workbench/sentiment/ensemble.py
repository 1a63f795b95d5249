"""The ``neural`` backend: the mean of three fine-tuned :class:`~.neural.NeuralTargetSentiment`
members (seeds 0, 1, 2), each trained and cached on its own."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from .._data import display_path
from ..errors import InputError
from ._items import LABELS, Item, check_items
from .base import Scorer
from .neural import NeuralTargetSentiment, default_model_dir
from .neural_parts import (
    MODEL_FORMAT,
    TRAIN_HINT,
    WEIGHTS,
    torch_module,
)

__all__ = ["NeuralEnsemble"]

log = logging.getLogger(__name__)


class NeuralEnsemble(Scorer):
    """The neural backend: the mean probabilities of :class:`NeuralTargetSentiment`
    members that differ only in their seed (one fine-tune varies by a point or two of dev
    macro-F1 from seed to seed; the mean of three is steadier).

    ``NeuralEnsemble()`` loads the members that ``workbench sentiment train --backend
    neural`` put in the cache; ``model=FOLDER`` loads the ``seed-*`` subfolders that
    :meth:`save` wrote there; ``model=None`` is untrained, for :meth:`fit`.

    Args:
        model: "default", a folder of ``seed-*`` member folders, or None.
        seeds: The members' seeds.
        member_params: Other :class:`NeuralTargetSentiment` parameters of every member.
        threads, quantize: As for :class:`NeuralTargetSentiment`, at prediction.

    Fitted attributes:
        members_: The fitted or loaded members, in ``seeds`` order.
        info_: ``members`` (each one's seed, chosen checkpoint, folder and weights'
            sha256), ``weights_sha256`` (a hash of the members' hashes), ``encoder_sha256``
            and ``train_sha256``.
    """

    fitted_attribute = "members_"

    fork_safe = False  # torch: scores in the main process

    def __init__(self, model: str | os.PathLike[str] | None = "default", *, seeds: Sequence[int] = (0, 1, 2),
                 member_params: Mapping | None = None, threads: int = 2, quantize: bool = False) -> None:
        self.model = model
        self.seeds = seeds
        self.member_params = member_params
        self.threads = threads
        self.quantize = quantize

    def member(self, seed: int, model: str | os.PathLike[str] | None = None) -> NeuralTargetSentiment:
        """The member with ``seed`` (untrained unless ``model`` names its folder)."""
        return NeuralTargetSentiment(model=model, seed=seed, threads=self.threads, quantize=self.quantize,
                                     **dict(self.member_params or {}))

    def fit(self, items: Iterable[Item], labels: Sequence[str],
            dev: Mapping[str, tuple[Sequence[Item], Sequence[str]]] | None = None,
            progress: bool = False) -> NeuralEnsemble:
        """Fine-tune every member (see :meth:`NeuralTargetSentiment.fit`)."""
        items, labels = check_items(items), list(labels)
        self.members_ = [self.member(seed).fit(items, labels, dev=dev, progress=progress) for seed in self.seeds]
        self._describe(None)
        return self

    def save(self, path: str | os.PathLike[str] | None = None) -> list[Path]:
        """Save each member: into ``path/seed-<seed>``, or (default) its own cache folder."""
        if not hasattr(self, "members_"):
            raise ValueError("nothing to save: fit or load the ensemble first")
        folders = [m.save(None if path is None else Path(path) / f"seed-{m.seed}") for m in self.members_]
        self._describe(None if path is None else Path(path))
        return folders

    def ensure_loaded(self) -> NeuralEnsemble:
        """Load the members unless fitted already; return self.

        Raises:
            InputError: torch or the encoder is missing, or a member's weights are (the
                message names the train command).
        """
        if not self._needs_loading():
            return self
        root, folders = self._member_folders()
        self.members_ = [
            NeuralTargetSentiment(model=folder, threads=self.threads, quantize=self.quantize).ensure_loaded()
            for folder in folders
        ]
        self._describe(root)
        return self

    def check_files(self) -> None:
        """Raise what :meth:`ensure_loaded` would, without building the members' networks."""
        for folder in self._member_folders()[1]:
            NeuralTargetSentiment(model=folder).check_files()

    def _member_folders(self) -> tuple[Path | None, list[Path]]:
        """The ensemble's folder (None for the default members in the cache) and the members'."""
        torch_module()
        if str(self.model) == "default":
            params = dict(self.member_params or {})
            folders = [default_model_dir(seed=seed, **params) for seed in self.seeds]
            root = None
        else:
            root = Path(self.model)
            folders = sorted(root.glob("seed-*"), key=lambda f: int(f.name[5:]) if f.name[5:].isdigit() else -1)
            if (root / WEIGHTS).is_file():
                folders = [root]  # a single model's folder is an ensemble of one
            if not folders:
                raise InputError(f"no trained neural sentiment model in {display_path(root)}; {TRAIN_HINT}",
                                 path=display_path(root))
        return root, folders

    def _describe(self, root: Path | None) -> None:
        members = [{"seed": m.info_["config"]["seed"], "chosen": m.info_["chosen"],
                    "folder": m.info_.get("folder", ""), "weights_sha256": m.info_.get("weights_sha256", "")}
                   for m in self.members_]
        first = self.members_[0].info_
        combined = hashlib.sha256("".join(m["weights_sha256"] for m in members).encode()).hexdigest()
        self.info_ = {"format": MODEL_FORMAT, "members": members, "weights_sha256": combined,
                      "encoder_sha256": first["encoder_sha256"], "train_sha256": first["train_sha256"]}
        if root is not None:  # the default members live in a per-user cache: results name them by hash only
            self.info_["folder"] = display_path(root)

    def predict_proba(self, items: Iterable[Item]) -> pd.DataFrame:
        """The members' mean probabilities of negative / neutral / positive, one row per item."""
        self.ensure_loaded()
        items = check_items(items)
        proba = sum(m.predict_proba(items).to_numpy() for m in self.members_) / len(self.members_)
        return pd.DataFrame(proba, columns=list(LABELS))
