"""``/jhops/featurestore``: feature groups, one group's schema, versions, commits, statistics, validation
reports and preview rows, and search."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import tornado.web

from jhops.server.base import JhopsHandler

if TYPE_CHECKING:  # the feature store's extra may be missing: its modules load on first use
    from jhops.featurestore.feature_group import FeatureGroup

PREVIEW_ROWS = 10
PREVIEW_VALUES = 8  # array cells are cut to their first values, with the length


def _cell(value: Any) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, list):
        return {"length": len(value), "head": [_cell(v) for v in value[:PREVIEW_VALUES]]}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _group_summary(group: FeatureGroup) -> dict[str, Any]:
    commits = group.commits()
    latest = commits[-1] if commits else None
    data = group.to_dict()
    data.update({"commits": len(commits), "latest_commit": latest["delta_version"] if latest else None,
                 "rows": latest["statistics"]["rows"] if latest and latest["statistics"] else None})
    return data


def _group(handler: JhopsHandler, name: str, version: str) -> FeatureGroup:
    return handler.project.get_feature_store().get_feature_group(name, int(version))


class FeatureGroupsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        fs = self.project.get_feature_store()
        self.finish({"feature_groups": [_group_summary(g) for g in fs.get_feature_groups()]})


class FeatureGroupHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str, version: str) -> None:
        group = _group(self, name, version)
        data = _group_summary(group)
        data["versions"] = [g.version for g in self.project.get_feature_store().get_feature_groups(name)]
        data["commit_log"] = [{k: v for k, v in c.items() if k != "statistics"} for c in group.commits()]
        data["validation_reports"] = group.validation_reports()
        self.finish(data)


class StatisticsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str, version: str) -> None:
        group = _group(self, name, version)
        commit = self.int_argument("commit")
        self.finish({"commit": commit, "statistics": group.statistics(commit)})


class PreviewHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str, version: str) -> None:
        group = _group(self, name, version)
        rows = self.int_argument("n", PREVIEW_ROWS, minimum=1) or PREVIEW_ROWS
        frame = group.show(min(rows, 100))
        self.finish({"columns": list(frame.columns),
                     "rows": [{k: _cell(v) for k, v in row.items()} for row in frame.to_dict("records")]})


class SearchHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        text = self.get_query_argument("q", "").strip()
        if not text:
            raise ValueError("Search needs text: GET /jhops/featurestore/search?q=band")
        hits = self.project.get_feature_store().search(text)
        self.finish({"query": text, "hits": [h.to_dict() for h in hits]})
