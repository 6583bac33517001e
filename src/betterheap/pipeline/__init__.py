"""The ingestion pipeline: pure batch transforms from accepted events to stored rows.

``to_stored`` runs the enrichment ``STEPS`` (listed once, in order, in ``steps.py``) over a
batch of :class:`~betterheap.events.model.IncomingEvent` and returns
:class:`~betterheap.events.model.StoredEvent` rows with the promoted columns filled in.
"""

from betterheap.pipeline.steps import STEPS, Columns, ColumnUpdate, Step, run_steps, to_stored

__all__ = ["STEPS", "ColumnUpdate", "Columns", "Step", "run_steps", "to_stored"]
