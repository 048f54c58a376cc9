"""The time stamped into outputs: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""

from __future__ import annotations

import datetime as _dt
import os

__all__ = ["source_date_epoch", "now_utc"]


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer, or ``None`` when unset or not a whole number.

    Returns
    -------
    int or None
    """
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def now_utc() -> _dt.datetime:
    """The output time stamp, UTC, whole seconds: ``SOURCE_DATE_EPOCH`` when set, else the current time.

    Returns
    -------
    datetime.datetime
    """
    epoch = source_date_epoch()
    if epoch is not None:
        return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
