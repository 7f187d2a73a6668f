"""Errors raised by the models package.

The hierarchy, each class with when it is raised:

    ModelsError          base of every error raised here
    ├── InputError       a file or value a user gave cannot be used (malformed JSON, a bad
    │                    field, an unknown price book); ``problems`` holds one line per problem
    └── PriceMissing     the chosen price book has no price for something the usage needs
                         (for example Lambda on Arm in a book from before Arm was offered)
"""

from __future__ import annotations

__all__ = ["InputError", "ModelsError", "PriceMissing"]


class ModelsError(Exception):
    """Base class of every error raised by :mod:`models`."""


class InputError(ModelsError):
    """User input that cannot be used; one line per problem, each naming field, value and rule."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


class PriceMissing(ModelsError):
    """A price the bill needs is not in the chosen price book."""

    def __init__(self, book_id: str, key: str, field: str = "", reason: str = "") -> None:
        self.book_id = book_id
        self.key = key
        self.reason = reason
        where = f"{field}: " if field else ""
        why = reason or "the service or option may not have existed then"
        super().__init__(f"{where}price book {book_id!r} has no price {key!r} ({why}); choose another price book")
