"""Typed errors. Each carries a stable ``code`` (returned by the API), the ``field`` it is
about (or ``None``) and a message for people (Chinese by default; the UI shows it)."""

from __future__ import annotations


class JiuzhuError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.params = params

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message, **self.params}


class ValidationFailed(JiuzhuError):
    code = "invalid"


class NotFound(JiuzhuError):
    code = "not_found"
    status = 404


class Conflict(JiuzhuError):
    """The write lost a race or contradicts the current state (e.g. a duplicate)."""

    code = "conflict"
    status = 409


class Gone(JiuzhuError):
    """What was asked for existed and has been removed on purpose (an expired export file)."""

    code = "gone"
    status = 410


class PermissionDenied(JiuzhuError):
    code = "forbidden"
    status = 403


class IllegalTransition(JiuzhuError):
    code = "illegal_transition"
    status = 409


class Throttled(JiuzhuError):
    """Too many attempts from one address (or at one code) in the window: the public
    tracking look-up, objections to a notice, complaints. Pass ``retry_after=`` seconds."""

    code = "too_many_attempts"
    status = 429


class PolicyFileError(JiuzhuError):
    """A policy file is malformed. ``file``/``line`` say where."""

    code = "policy_file_invalid"
