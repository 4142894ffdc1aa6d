"""Across traces: what is different about the slow (or failing, or any chosen) traces.

`split` gives the two groups as trace lists (for any view that compares them); `Comparer` and
`compare` give the operations and attributes tables. See comparison.py.
"""

from tracetui.analysis.compare.attributes import AttributeRow
from tracetui.analysis.compare.comparison import Comparer, Comparison, compare
from tracetui.analysis.compare.operations import OperationRow
from tracetui.analysis.compare.split import Selection, masks, split

__all__ = ["AttributeRow", "Comparer", "Comparison", "OperationRow", "Selection", "compare", "masks", "split"]
