"""Free-text search over the feature store's catalog: names, descriptions, feature names and tags."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jhops.featurestore.catalog import Catalog

#: a term found in a name counts more than one found in a description
WEIGHTS = {"name": 3.0, "feature": 2.0, "tag": 2.0, "description": 1.0}


@dataclass
class SearchHit:
    """One match: what it is, where the terms were found, and a score (higher is better)."""

    kind: str  # feature_group | feature | training_dataset
    name: str
    version: int
    feature: str | None
    matched: list[str]
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _terms(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text.lower()) if t]


def _score(terms: list[str], fields: dict[str, list[str]]) -> tuple[float, list[str]]:
    score, matched = 0.0, []
    for term in terms:
        best = 0.0
        for kind, values in fields.items():
            for value in values:
                if term in value.lower():
                    weight = WEIGHTS[kind] * (1.5 if value.lower() == term else 1.0)
                    if weight > best:
                        best = weight
                    if kind not in matched:
                        matched.append(kind)
        if best == 0.0:
            return 0.0, []  # every term must match somewhere
        score += best
    return score, matched


def _tag_texts(tags: dict[str, Any] | None) -> list[str]:
    return [f"{k}:{v}" for k, v in (tags or {}).items()]


def search_catalog(catalog: Catalog, text: str) -> list[SearchHit]:
    """Hits for every term of ``text`` (all must match), best first.

    Example: ``search_catalog(fs.catalog, "band")`` finds features ``band_1``, ``band_2``, ``band_avg``.
    """
    terms = _terms(text)
    if not terms:
        return []
    hits: list[SearchHit] = []
    for group in catalog.list_groups():
        fields = {"name": [group["name"]], "description": [group["description"] or ""],
                  "tag": _tag_texts(group["tags"]),
                  "feature": [f["name"] for f in group["features"] or []]}
        score, matched = _score(terms, fields)
        if score:
            hits.append(SearchHit("feature_group", group["name"], group["version"], None, matched, score))
        for feature in group["features"] or []:
            score, matched = _score(terms, {"name": [feature["name"]],
                                            "description": [feature.get("description") or ""],
                                            "tag": _tag_texts(feature.get("tags"))})
            if score:
                hits.append(SearchHit("feature", group["name"], group["version"], feature["name"], matched, score))
    for dataset in catalog.list_training_datasets():
        score, matched = _score(terms, {"name": [dataset["name"]], "description": [dataset["description"] or ""],
                                        "tag": _tag_texts(dataset["tags"]),
                                        "feature": [f["name"] for f in dataset["features"]]})
        if score:
            hits.append(SearchHit("training_dataset", dataset["name"], dataset["version"], None, matched, score))
    return sorted(hits, key=lambda h: (-h.score, h.kind, h.name, -h.version, h.feature or ""))
