"""One JSON object per line for every log event (console and ``<data dir>/logs/jiuzhu.log``), with
the request id of the request it happened in and, for an exception, its traceback."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from logging.handlers import WatchedFileHandler

from jiuzhu.common.requests import current_request_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "process": record.process,
        }
        request = getattr(record, "request", None)  # django.request, django.server
        if request is not None and hasattr(request, "path"):
            event["method"] = request.method
            event["path"] = request.path
            event["request_id"] = event["request_id"] or getattr(request, "request_id", None)
        if hasattr(record, "status_code"):
            event["status"] = record.status_code
        if record.exc_info:
            event["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            event["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            event["traceback"] = record.exc_text
        return json.dumps(event, ensure_ascii=False, default=str)


class AppendFileHandler(WatchedFileHandler):
    """Each event in one ``write`` to a file opened for appending, so the lines of several gunicorn
    workers never interleave (a buffered stream splits a long traceback into several writes)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.reopenIfNeeded()
            if self.stream is None:
                self.stream = self._open()
            os.write(self.stream.fileno(), (self.format(record) + "\n").encode("utf-8"))
        except Exception:
            self.handleError(record)
