"""Labels of supervision's codes: the fallback meeting figures (when performance is absent)."""

from jiuzhu.common import labels

from .figures import FALLBACK_LABELS

labels.register("kpi", FALLBACK_LABELS)
