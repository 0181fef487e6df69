"""Stage 6: report helpers used by the notebooks — Table 1, figures, participant flow,
disclosure control, output checks and notebook execution to HTML. May import every stage."""

from kow_research.outcomes.ladder_plots import ladder_plot, transition_heatmap
from kow_research.report.disclosure import suppress_counts, suppress_small, suppression_mask
from kow_research.report.execute import (
    NotebookRun,
    find_notebooks,
    make_index_html,
    render_html,
    run_notebooks,
)
from kow_research.report.figures import curve_plot, forest_plot, save_figure
from kow_research.report.flow import attrition_partitions, caption_of, flow_diagram
from kow_research.report.labels import text, value_labels, variable_title
from kow_research.report.notebook_check import DisclosureError, check_notebook_outputs
from kow_research.report.table_one import TableOne, table_one

__all__ = [
    "DisclosureError", "NotebookRun", "TableOne", "attrition_partitions", "caption_of",
    "check_notebook_outputs", "curve_plot", "find_notebooks", "flow_diagram", "forest_plot",
    "ladder_plot", "make_index_html", "render_html", "run_notebooks", "save_figure",
    "suppress_counts", "suppress_small", "suppression_mask", "table_one", "text",
    "transition_heatmap", "value_labels", "variable_title",
]
