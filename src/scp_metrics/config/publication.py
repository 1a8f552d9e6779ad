"""How a refresh dates what it publishes (``config/publication.toml``): what each source's data is
called when an indicator states the month it runs to ("police data to Dec 2009, ED data to Jan
2010"), and the rule that names the publication folder (:meth:`PublicationRule.folder_month`).
The months themselves are ``mart_indicator_as_of`` (:mod:`scp_metrics.warehouse.marts.indicator_as_of`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

__all__ = ["PublicationRule", "read_publication_rule"]

FILE = "publication.toml"


@dataclass(frozen=True)
class PublicationRule:
    """``config/publication.toml`` (defaults: the file as committed)."""

    as_of_sources: tuple[str, ...] = ("police_crime", "police_uk_street")
    """``[folder] as_of_sources``: the folder is the home area's latest complete month of the
    first of these sources that has data."""
    source_names: Mapping[str, str] = field(default_factory=dict)
    """``[source_names]``: source → what its data is called (the source's name otherwise)."""

    def name_of(self, source: str) -> str:
        return self.source_names.get(source, f"{source} data")

    def label(self, source: str, as_of: date) -> str:
        """``"ED data to Jan 2010"``."""
        return f"{self.name_of(source)} to {as_of:%b %Y}"

    def folder_month(self, as_of_by_source: Mapping[str, date]) -> date | None:
        """The month the publication folder is named by: the latest complete month of the
        first of :attr:`as_of_sources` in ``as_of_by_source`` (the home area's latest month of
        each source), else the latest of any; None without any."""
        for source in self.as_of_sources:
            if source in as_of_by_source:
                return as_of_by_source[source]
        return max(as_of_by_source.values(), default=None)


def read_publication_rule(config_dir: Path) -> PublicationRule:
    """``config/publication.toml`` (a missing file: the defaults, sources by their names).

    Raises
    ------
    ValueError
        Naming the file and the key: an unknown section or key, or a value of the wrong kind.
    """
    path = Path(config_dir) / FILE
    if not path.is_file():
        return PublicationRule()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    unknown = sorted(set(data) - {"folder", "source_names"})
    if unknown:
        raise ValueError(f"{FILE}: unknown section [{unknown[0]}] (known: folder, source_names)")
    folder = data.get("folder", {})
    extra = sorted(set(folder) - {"as_of_sources"})
    if extra:
        raise ValueError(f"{FILE}: [folder] {extra[0]}: unknown key")
    sources = folder.get("as_of_sources", list(PublicationRule.as_of_sources))
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ValueError(f"{FILE}: [folder] as_of_sources: must be a list of source names, "
                         f"not {sources!r}")
    names = data.get("source_names", {})
    bad = [k for k, v in names.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"{FILE}: [source_names] {bad[0]}: must be a non-empty text")
    return PublicationRule(tuple(sources), dict(names))
