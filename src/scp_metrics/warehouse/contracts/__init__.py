"""Mart contracts: what every published mart (``mart_*``) holds, column by column.

For each column a contract declares its type, its unit (rate per 1,000, %, count, rank, date,
text, ...; :data:`scp_metrics.config.units.UNITS`), the display precision and Excel number
format that unit has, and whether small-number suppression can apply to it (``config/privacy.toml``
then decides row by row). A column whose unit changes row by row (``mart_indicator_values.value``:
the row's ``unit``) says where each row's unit is, and each unit has its own precision. Each
contract is also a Pandera schema, and the build validates every mart against it: a mart that
does not meet its contract stops the build with a message naming the mart and the column.

Outputs take units, formats and suppressibility from here, never from column names::

    >>> from scp_metrics.warehouse.contracts import contract_for
    >>> tracking = contract_for("mart_target_tracking")
    >>> tracking.columns["as_of"].number_format
    'yyyy-mm-dd'
    >>> column = tracking.columns["projected_year_end"]
    >>> column.unit, column.number_format_for("rate per 1,000"), column.precision_for("count")
    ('per row', '#,##0.00', 0)
    >>> contract_for("mart_indicator_values").columns["numerator"].suppressible
    True

API: :func:`contract_for` (one mart), :data:`MART_CONTRACTS` (all), :class:`MartContract`
(``.columns``, ``.schema``, ``.validate(frame)``, ``.empty()``, ``.sql_types``),
:class:`ColumnContract` (``.kind``, ``.unit``, ``.precision``, ``.number_format``,
``.suppressible``, ``.suppression``, ``.units_of(frame)``, ``.precision_for(unit)``,
``.number_format_for(unit)``), :class:`RowUnits`, :class:`MartContractError`.
"""

from __future__ import annotations

from scp_metrics.warehouse.contracts.marts import MART_CONTRACTS
from scp_metrics.warehouse.contracts.model import (
    KINDS,
    PER_ROW,
    ColumnContract,
    MartContract,
    MartContractError,
    RowUnits,
)

__all__ = ["KINDS", "MART_CONTRACTS", "PER_ROW", "ColumnContract", "MartContract",
           "MartContractError", "RowUnits", "contract_for", "published_marts"]


def contract_for(mart: str) -> MartContract:
    """The contract of the published mart ``mart``.

    Raises
    ------
    KeyError
        When ``mart`` is not a published mart (the message lists those that are).
    """
    try:
        return MART_CONTRACTS[mart]
    except KeyError:
        raise KeyError(f"no contract for {mart!r}: published marts are "
                       f"{', '.join(MART_CONTRACTS)}") from None


def published_marts() -> list[str]:
    """The names of every published mart, in build order."""
    return list(MART_CONTRACTS)
