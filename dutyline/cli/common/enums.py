"""Names of API values, and the choices of options, taken from the protos.

A value of a generated enum is named by its plain name ("phone" for CHANNEL_PHONE). The choices of
an option come from the proto itself — the values of an enum, or the values a field allows by its
buf.validate ``in`` rule — so that a value added to a proto is a choice here with no change to the
CLI, and the CLI never offers what the server refuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import typer
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.message import Message

from buf.validate import validate_pb2


def _prefix(enum: Any) -> str:
    """ "CHANNEL_" for an enum whose zero value is CHANNEL_UNSPECIFIED."""
    return str(enum.Name(0)).removesuffix("UNSPECIFIED")


def enum_name(enum: Any, value: int) -> str:
    """The plain name of a value of a generated enum: "phone" for CHANNEL_PHONE; "" when unspecified."""
    return "" if value == 0 else str(enum.Name(value)).removeprefix(_prefix(enum)).lower()


def enum_value(enum: Any, name: str) -> str:
    """The API's name of a plain name, which a request takes as the value: "CHANNEL_PHONE" for "phone"."""
    value = _prefix(enum) + name.upper()
    enum.Value(value)  # a ValueError for a name the enum does not have
    return value


def enum_names(enum: Any, values: Iterable[int] | None = None) -> tuple[str, ...]:
    """The plain names of a generated enum's values in the proto's order (unspecified left out), or
    of ``values`` only."""
    wanted = None if values is None else set(values)
    return tuple(enum_name(enum, v) for v in enum.values() if v != 0 and (wanted is None or v in wanted))


def _field_rules(message: type[Message], field: str) -> tuple[Any, validate_pb2.FieldRules | None]:
    """A field's descriptor and its buf.validate rules (None without any). The generated stubs type
    extensions as plain field descriptors, hence Any."""
    descriptor: Any = message.DESCRIPTOR.fields_by_name[field]
    options: Any = descriptor.GetOptions()
    extension: Any = validate_pb2.field
    return descriptor, options.Extensions[extension] if options.HasExtension(extension) else None


def allowed_names(message: type[Message], field: str) -> tuple[str, ...]:
    """What a field of a request may be, by the proto: the strings of a string field's ``in`` rule
    (the empty one left out), or the plain names of an enum field's ``in`` values (all its values
    without that rule). A string field without an ``in`` rule is a proto error here."""
    descriptor, rules = _field_rules(message, field)
    if descriptor.type == FieldDescriptor.TYPE_ENUM:
        allowed = list(getattr(rules.enum, "in")) if rules and rules.HasField("enum") else None
        return enum_names(EnumTypeWrapper(descriptor.enum_type), allowed or None)
    strings = [s for s in getattr(rules.string, "in") if s] if rules and rules.HasField("string") else []
    if not strings:
        raise ValueError(f"{message.DESCRIPTOR.full_name}.{field} has no buf.validate `in` rule")
    return tuple(strings)


@dataclass(frozen=True)
class Choices:
    """The names an option takes (matched without regard to case), shown as ``[a|b|c]`` in the help."""

    names: tuple[str, ...]

    @classmethod
    def of_enum(cls, enum: Any, *, leave_out: Iterable[str] = (), upper: bool = False) -> Choices:
        """The values of a generated enum; ``upper`` names them in capitals (the severity grades I–IV)."""
        left_out = set(leave_out)
        names = [n for n in enum_names(enum) if n not in left_out]
        return cls(tuple(n.upper() if upper else n for n in names))

    @classmethod
    def of_field(cls, message: type[Message], field: str) -> Choices:
        """What a request's field allows (``allowed_names``)."""
        return cls(allowed_names(message, field))

    @property
    def metavar(self) -> str:
        return "[" + "|".join(self.names) + "]"

    def parse(self, text: str) -> str:
        """The name given, as the choices spell it; a usage error (exit code 2) for any other."""
        for name in self.names:
            if name.lower() == text.strip().lower():
                return name
        raise typer.BadParameter(f"{text!r} is not one of {', '.join(self.names)}")

    def prompt(self, text: str) -> str:
        """Ask on the terminal until one of the names is given."""
        return str(typer.prompt(f"{text} ({', '.join(self.names)})", value_proc=self.parse))

    def complete(self, incomplete: str) -> list[str]:
        return [n for n in self.names if n.lower().startswith(incomplete.lower())]

    def option(self, *declarations: str, help: str) -> Any:
        """A ``typer.Option`` taking one of the names (for ``Annotated[str | None, …]``)."""
        return typer.Option(
            *declarations, parser=self.parse, metavar=self.metavar, autocompletion=self.complete, help=help
        )

    def argument(self, *, help: str) -> Any:
        """A ``typer.Argument`` taking one of the names."""
        return typer.Argument(parser=self.parse, metavar=self.metavar, autocompletion=self.complete, help=help)
