"""Domain errors. The CLI turns these into one-line messages and exit codes."""

from __future__ import annotations


class PeelkgError(Exception):
    """Base class: a problem the user can act on (message says what to do)."""


class ReportError(PeelkgError):
    """A report could not be read: names the file and the reason."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class QueryError(PeelkgError):
    """A query could not be run (syntax error, unknown name, missing parameter)."""
