"""The query string of an API listing (GET /api/v1/reviews, /api/v1/tasks): its filters, and
nothing else but the paging parameters, which flask-smorest reads with its own schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, pre_load

PAGING = frozenset({"page", "page_size"})


class ListingQuery(Schema):
    """A misspelt filter (overdu=1) is an error, not a list that ignores it."""

    @pre_load
    def _no_unknown(self, data: Mapping[str, Any], **_: Any) -> Mapping[str, Any]:
        unknown = set(data) - set(self.fields) - PAGING
        if unknown:
            raise ValidationError({name: ["Unknown parameter."] for name in sorted(unknown)})
        return data
