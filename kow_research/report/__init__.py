"""Stage 6: report helpers used by the notebooks — figures, summary tables and the report
command's pipeline. May import every earlier stage."""

from kow_research.report.disclosure import suppress_small
from kow_research.report.figures import (
    flow_diagram,
    forest_plot,
    ladder_plot,
    save_figure,
    transition_heatmap,
)
from kow_research.report.table_one import TableOne, table_one

__all__ = ["TableOne", "flow_diagram", "forest_plot", "ladder_plot", "save_figure",
           "suppress_small", "table_one", "transition_heatmap"]
