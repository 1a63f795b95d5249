"""Progress bars: tqdm's, as widgets in JupyterLab when ipywidgets is installed and as text
elsewhere, without the "IProgress not found" warning tqdm prints (to stderr, with the
absolute path of the venv) when a notebook has no ipywidgets."""
from __future__ import annotations

import warnings
from typing import Any

__all__ = ["progress_bar"]


def progress_bar(*args: Any, **kwargs: Any):
    """``tqdm.auto.tqdm(*args, **kwargs)``, quietly falling back to a text bar."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TqdmWarning (IProgress not found) at import and creation
        from tqdm.auto import tqdm

        return tqdm(*args, **kwargs)
