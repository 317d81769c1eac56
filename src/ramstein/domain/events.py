"""Events: frozen dataclasses with a stable name and schema version, and their JSON codec.

An event's payload is plain JSON (strings, integers, lists, objects): decimals and dates are
written as strings so that the canonical encoding, and therefore the log's digests, never
depend on floating point or locale. Changing an event's meaning means a new version.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, TypeVar

from ramstein.domain.releasability import Label, Releasability

E = TypeVar("E", bound="Event")

REGISTRY: dict[tuple[str, int], type[Event]] = {}


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """Base of every event; `@event` sets its stable name, schema version and aggregate kind."""

    event_name: ClassVar[str] = ""
    event_version: ClassVar[int] = 1
    aggregate: ClassVar[str] = ""

    def aggregate_id(self) -> str:
        """The key of the aggregate this event changes (for versions and audit)."""
        raise NotImplementedError


def event(name: str, version: int = 1, *, aggregate: str) -> Callable[[type[E]], type[E]]:
    """Register an event class under its stable name and version."""

    def register(cls: type[E]) -> type[E]:
        key = (name, version)
        if key in REGISTRY:
            raise RuntimeError(f"event {name} v{version} is registered twice")
        cls.event_name = name
        cls.event_version = version
        cls.aggregate = aggregate
        REGISTRY[key] = cls
        return cls

    return register


def to_payload(ev: Event) -> dict[str, Any]:
    """The event's fields as plain JSON values."""
    return _encode(ev)  # type: ignore[no-any-return]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, read once per class."""
    found = _FIELD_NAMES.get(cls)
    if found is None:
        found = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return found


def from_payload(name: str, version: int, payload: dict[str, Any]) -> Event:
    """Rebuild an event from its stored name, version and payload."""
    return _decode(REGISTRY[(name, version)], payload)  # type: ignore[no-any-return]


def _encode(value: Any) -> Any:
    """`value` as plain JSON values, by an encoder chosen once per type (a large import
    encodes hundreds of thousands of events of a handful of types)."""
    kind = type(value)
    encode = _ENCODERS.get(kind)
    if encode is None:
        encode = _ENCODERS[kind] = _encoder(kind)
    return encode(value)


def _same(value: Any) -> Any:
    return value


def _label(value: Label) -> dict[str, Any]:
    return {"level": value.level.value, "named": sorted(value.named)}


def _encoder(kind: type) -> Callable[[Any], Any]:
    if issubclass(kind, Enum):
        return lambda value: value.value
    if kind is type(None) or issubclass(kind, bool | int | str):
        return _same
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, datetime | date):
        return kind.isoformat
    if issubclass(kind, Label):
        return _label
    if issubclass(kind, frozenset | set):
        return lambda value: sorted(map(_encode, value))
    if issubclass(kind, tuple | list):
        return lambda value: list(map(_encode, value))
    if dataclasses.is_dataclass(kind):
        names = _field_names(kind)
        return lambda value: {name: _encode(getattr(value, name)) for name in names}
    raise TypeError(f"cannot encode {kind.__name__} in an event payload")


_ENCODERS: dict[type, Callable[[Any], Any]] = {}


def _decode(hint: Any, value: Any) -> Any:
    """`value` read back as `hint`, by a decoder built once per type hint (a replay decodes
    every event of the log; reading a dataclass's hints each time was a third of it)."""
    decode = _DECODERS.get(hint)
    if decode is None:
        decode = _DECODERS[hint] = _decoder(hint)
    return decode(value)


def _decoder(hint: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return lambda value: None if value is None else _decode(inner, value)
    if origin is tuple:
        (inner, _) = typing.get_args(hint)
        return lambda value: tuple(_decode(inner, v) for v in value)
    if origin is frozenset:
        (inner,) = typing.get_args(hint)
        return lambda value: frozenset(_decode(inner, v) for v in value)
    if hint is Label:
        return lambda value: Label(Releasability(value["level"]), frozenset(value["named"]))
    if hint is Decimal:
        return Decimal
    if hint is date:
        return date.fromisoformat
    if hint is datetime:
        return datetime.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        sub = typing.get_type_hints(hint)
        fields = tuple((name, sub[name]) for name in _field_names(hint))
        return lambda value: hint(**{name: _decode(h, value[name]) for name, h in fields})
    return _same


_DECODERS: dict[Any, Callable[[Any], Any]] = {}
