"""The plan's tags checked against the rules every AWS service applies, before any AWS call.

Source: "Tagging AWS resources", Tag naming limits and requirements
(https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): at most 50 user tags per
resource; key 1-128 Unicode characters, value 0-256; the ``aws:`` prefix (any case) is reserved and
cannot be used; the characters allowed across services are letters, numbers, spaces, and
``_ . : / = + - @``. The stack adds two tags of its own (``tinysim:stack`` and ``Name``), so a plan keeps
at most 48.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from provision.errors import TagsRejected
from provision.resources import STACK_TAG

__all__ = ["MAX_KEY_CHARS", "MAX_PLAN_TAGS", "MAX_VALUE_CHARS", "check_tags"]

MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256
MAX_PLAN_TAGS = 50 - 2
_ALLOWED = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)
_OURS = (STACK_TAG, "Name")


def check_tags(tags: Mapping[str, str]) -> None:
    """Raise TagsRejected listing every tag AWS would refuse (one line each)."""
    problems: list[str] = []
    if len(tags) > MAX_PLAN_TAGS:
        problems.append(f"tags: {len(tags)} tags; at most {MAX_PLAN_TAGS} (AWS allows 50, the stack adds 2)")
    for key, value in tags.items():
        where = f"tags[{key[:40]!r}]"
        if key.lower().startswith("aws:"):
            problems.append(f'{where}: keys starting with "aws:" are reserved by AWS')
        if key in _OURS:
            problems.append(f"{where}: the stack sets this tag itself")
        if not 1 <= len(key) <= MAX_KEY_CHARS:
            problems.append(f"{where}: key of {len(key)} characters; AWS allows 1 to {MAX_KEY_CHARS}")
        if len(value) > MAX_VALUE_CHARS:
            problems.append(f"{where}: value of {len(value)} characters; AWS allows at most {MAX_VALUE_CHARS}")
        for text, what in ((key, "key"), (value, "value")):
            if not _ALLOWED.match(text):
                problems.append(
                    f"{where}: {what} has characters AWS refuses; allowed: letters, digits, spaces, _.:/=+-@"
                )
    if problems:
        raise TagsRejected(problems)
