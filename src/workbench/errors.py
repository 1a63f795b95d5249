"""Exceptions for mistakes a user can fix; the CLI prints them as one line.

Each carries the fact the user needs in its message; tracebacks are for bugs.
"""
from __future__ import annotations

__all__ = ["WorkbenchError", "InputError", "MissingDependencyError", "ParameterError", "ReportError"]


class WorkbenchError(Exception):
    """Base class of every error the workbench reports to users."""


class InputError(WorkbenchError):
    """An input file (article, actor dictionary) is missing, empty or unreadable."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class MissingDependencyError(WorkbenchError):
    """An optional extra (or a model file it brings) that a choice needs is not installed."""


class ParameterError(WorkbenchError):
    """A report parameter is unknown, of the wrong type or out of range."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class ReportError(WorkbenchError):
    """Executing or rendering a report notebook failed.

    ``cell_index`` (0-based), ``ename`` and ``evalue`` describe the failing cell when
    the kernel raised.
    """

    def __init__(
        self,
        message: str,
        *,
        cell_index: int | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ) -> None:
        super().__init__(message)
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
