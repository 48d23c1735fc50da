"""Registering custom search attributes on any Temporal server (the dev server of `dutyline up`, or a
cluster through `dutyline migrate --temporal`); which ones, the workflows' contracts say (collected
by dutyline.launch)."""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client

SEARCH_ATTRIBUTE_TYPES: dict[str, IndexedValueType.ValueType] = {
    "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


class SearchAttributeClash(RuntimeError):
    """An attribute exists with another type; Temporal cannot change a type."""


async def register_search_attributes(client: Client, wanted: Mapping[str, str]) -> list[str]:
    """Add the attributes of ``wanted`` (name: type, e.g. "Keyword") the namespace lacks; returns their names."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    existing = dict(listed.custom_attributes)
    types = {name: SEARCH_ATTRIBUTE_TYPES[kind] for name, kind in wanted.items()}
    clashes = sorted(name for name, kind in types.items() if name in existing and existing[name] != kind)
    if clashes:
        raise SearchAttributeClash(
            f"search attributes {clashes} exist with a different type; use a new name or a fresh namespace"
        )
    missing = {name: kind for name, kind in types.items() if name not in existing}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(search_attributes=missing, namespace=client.namespace)
        )
    return sorted(missing)
