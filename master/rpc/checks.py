"""Checks on a request as it arrives, before any domain code sees it."""

from __future__ import annotations

from google.protobuf.message import Message

from master.errors import InvalidArgument


def no_nul(message: Message, prefix: str = "") -> None:
    """Refuse a NUL anywhere in a request's strings, naming the field (`steps[1].cmd.script`).

    PostgreSQL's text cannot hold one (SQLite's can): refused alike on both, before anything
    is written, instead of failing deep in a store call.
    """
    for field, value in message.ListFields():
        name = f"{prefix}{field.name}"
        if field.type == field.TYPE_STRING:
            if field.is_repeated:
                for index, item in enumerate(value):
                    _refuse_nul(f"{name}[{index}]", item)
            else:
                _refuse_nul(name, value)
        elif field.type == field.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                for key, item in value.items():
                    _refuse_nul(name, key)
                    if isinstance(item, str):
                        _refuse_nul(f"{name}[{key!r}]", item)
                    elif isinstance(item, Message):
                        no_nul(item, f"{name}[{key!r}].")
            elif field.is_repeated:
                for index, item in enumerate(value):
                    no_nul(item, f"{name}[{index}].")
            else:
                no_nul(value, f"{name}.")


def _refuse_nul(field: str, value: str) -> None:
    if "\x00" in value:
        raise InvalidArgument("must not contain NUL characters", field)
