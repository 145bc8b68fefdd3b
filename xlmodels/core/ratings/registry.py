"""Where rating schemes come from: the bundled files and the user's folders.

A team adds its own scheme by dropping ``<id>.toml`` into a folder named by
the ``XLMODELS_RATING_SCHEMES`` environment variable (several folders joined
with the platform's path separator) or registered with
:func:`add_scheme_folder`. A user's file with a bundled id replaces the
bundled scheme, so compliance can restate a boundary without a release.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from xlmodels.core.ratings.scheme import RatingScheme, SchemeError

__all__ = [
    "BUNDLED_FOLDER",
    "DEFAULT_SCHEME",
    "ENVIRONMENT_VARIABLE",
    "add_scheme_folder",
    "available_schemes",
    "load_scheme",
]

BUNDLED_FOLDER = Path(__file__).with_name("schemes")
ENVIRONMENT_VARIABLE = "XLMODELS_RATING_SCHEMES"
#: The scheme of the reference report's broker.
DEFAULT_SCHEME = "guosen"

_registered: list[Path] = []


def add_scheme_folder(folder: str | os.PathLike[str]) -> None:
    """Look for scheme files in ``folder`` too (searched before the bundled ones)."""
    path = Path(folder)
    if not path.is_dir():
        raise SchemeError(f"{path}: rating-scheme folder does not exist")
    if path not in _registered:
        _registered.insert(0, path)
    _load.cache_clear()


def _folders() -> list[Path]:
    from_environment = [
        Path(part) for part in os.environ.get(ENVIRONMENT_VARIABLE, "").split(os.pathsep) if part
    ]
    return [*from_environment, *_registered, BUNDLED_FOLDER]


def _scheme_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in reversed(_folders()):
        if not folder.is_dir():
            raise SchemeError(
                f"{folder}: rating-scheme folder named in {ENVIRONMENT_VARIABLE} does not exist"
            )
        for path in sorted(folder.glob("*.toml")):
            found[path.stem.lower()] = path
    return found


def available_schemes() -> list[str]:
    """Ids of every scheme that can be loaded, bundled and user-supplied."""
    return sorted(_scheme_files())


def load_scheme(scheme: str | RatingScheme = DEFAULT_SCHEME) -> RatingScheme:
    """The scheme with this id (case-insensitive), or the scheme itself if given one.

    Raises
    ------
    SchemeError
        For an unknown id (the message lists the known ones) or a malformed file
        (the message names the file and the field).
    """
    if isinstance(scheme, RatingScheme):
        return scheme
    if not isinstance(scheme, str) or not scheme.strip():
        raise SchemeError(f"scheme must be a scheme id such as {DEFAULT_SCHEME!r}, got {scheme!r}")
    files = _scheme_files()
    key = scheme.strip().lower()
    if key not in files:
        raise SchemeError(
            f"scheme must be one of {', '.join(repr(s) for s in sorted(files))}; got {scheme!r}"
        )
    path = files[key]
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load(path: Path, modified: int) -> RatingScheme:
    # The modification time is part of the key so an edited file is re-read.
    return RatingScheme.from_file(path)
