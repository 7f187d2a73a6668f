"""Where numba keeps tinysim's compiled kernels: one folder per version of tinysim's source.

Numba's on-disk cache checks only the source file a compiled function is defined in. A kernel that
inlines a function from another module (the fluid kernel calls the control rules, the window kernels
call the queueing recursions) would keep running the old code after that other module changed. Keying
the cache folder by a digest of every module of the package makes any change compile afresh.

Standard library only: this runs before numba is first imported (numba reads ``NUMBA_CACHE_DIR`` then).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["source_digest", "use_versioned_cache"]

PACKAGE = Path(__file__).parent


def source_digest(package: Path = PACKAGE) -> str:
    """A short SHA-256 digest of every ``.py`` file under ``package`` (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_versioned_cache() -> None:
    """Point numba's cache at ``<user cache>/tinysim/numba/<digest>`` unless ``NUMBA_CACHE_DIR`` is set
    already (the user's choice wins) or the folder cannot be made (numba then uses its default)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "tinysim" / "numba" / source_digest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
