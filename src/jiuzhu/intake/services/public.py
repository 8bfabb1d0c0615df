"""Public tracking: the look-up by tracking code, throttled per address and per code."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from jiuzhu.common.errors import NotFound, Throttled

from .. import selectors, tracking
from ..models import TrackingAttempt


def track_limits() -> tuple[int, int]:
    """(failed look-ups allowed, window in seconds): settings JIUZHU_TRACK_MAX_FAILURES and
    JIUZHU_TRACK_WINDOW_SECONDS, default 10 per 10 minutes."""
    return (
        int(getattr(settings, "JIUZHU_TRACK_MAX_FAILURES", 10)),
        int(getattr(settings, "JIUZHU_TRACK_WINDOW_SECONDS", 600)),
    )


def track_lookup(*, ip: str, code: str, id_tail: str) -> dict:
    """The public progress view (``selectors.tracking_view``) of the application behind a
    tracking code, when the last 4 characters of the applicant's ID number match. Failed
    look-ups are counted per address and per code; past the limit every look-up from that
    address (or for that code) is refused for the window, right or wrong, so guessing gains
    nothing. This is the hot public path, so it reads with three fixed SQL statements."""
    limit, seconds = track_limits()
    since = timezone.now() - timedelta(seconds=seconds)  # throttling runs on real time
    norm = tracking.normalise(code)
    by_ip, by_code = selectors.failed_lookups(ip=ip, code=norm or "-", since=since)
    if by_ip >= limit or by_code >= limit:
        raise Throttled(
            f"查询失败次数过多，请 {seconds // 60} 分钟后再试", code="too_many_attempts", retry_after=seconds
        )
    tail = (id_tail or "").strip().upper()
    row = selectors.tracking_row(norm) if norm and len(tail) == 4 else None
    if row is None or not hmac.compare_digest(row["id_tail"].upper(), tail):
        TrackingAttempt.objects.create(ip=ip, code=norm)
        raise NotFound("查询码或身份证号码后4位不正确", field="code", code="tracking_not_found")
    return selectors.tracking_view_of_row(row)
