"""Errors raised by the provisioner.

ProvisionError      base of every error raised here
"""

from __future__ import annotations

__all__ = ["ProvisionError"]


class ProvisionError(Exception):
    """Base class of every error raised by :mod:`provision`."""
