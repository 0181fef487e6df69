"""Stage 6: report helpers used by the notebooks — Table 1, figures, participant flow,
disclosure control, output checks and notebook execution to HTML. May import every stage."""

from kow_research.outcomes.ladder_plots import ladder_plot, transition_heatmap
from kow_research.report import narrative
from kow_research.report.analysis import (
    ModelFrame,
    baseline_frame,
    baseline_variables,
    data_overview,
    dose_plot,
    dropout_table,
    fit_hazard_models,
    forest_models,
    hazard_table,
    incidence_at,
    incidence_plot,
    incidence_table,
    ladder_change_table,
    model_frame,
    reason_table,
    spell_counts,
    strategy_table,
    term_label,
    time_to_work_definition,
)
from kow_research.report.comparison import (
    Comparison,
    balance_figure,
    effect_table,
    prepare_comparison,
    published_context,
)
from kow_research.report.disclosure import suppress_counts, suppress_small, suppression_mask
from kow_research.report.execute import (
    NotebookRun,
    find_notebooks,
    make_index_html,
    render_html,
    run_notebooks,
)
from kow_research.report.figures import curve_plot, forest_plot, save_figure, transition_figure
from kow_research.report.flow import attrition_partitions, caption_of, flow_diagram
from kow_research.report.labels import text, value_labels, variable_title
from kow_research.report.notebook import NotApplicable, NotebookContext, open_notebook
from kow_research.report.notebook_check import DisclosureError, check_notebook_outputs
from kow_research.report.table_one import TableOne, table_one
from kow_research.report.target_population import target_sentence, target_table

__all__ = [
    "Comparison", "balance_figure", "effect_table", "prepare_comparison", "published_context",
    "target_sentence", "target_table",
    "ModelFrame", "NotApplicable", "NotebookContext", "baseline_frame", "baseline_variables",
    "data_overview", "dose_plot", "dropout_table", "fit_hazard_models", "forest_models",
    "hazard_table", "incidence_at", "incidence_plot", "incidence_table", "ladder_change_table", "model_frame",
    "narrative", "open_notebook", "reason_table", "spell_counts", "strategy_table",
    "term_label", "time_to_work_definition",
    "DisclosureError", "NotebookRun", "TableOne", "attrition_partitions", "caption_of",
    "check_notebook_outputs", "curve_plot", "find_notebooks", "flow_diagram", "forest_plot",
    "ladder_plot", "make_index_html", "render_html", "run_notebooks", "save_figure",
    "suppress_counts", "suppress_small", "suppression_mask", "table_one", "text",
    "transition_figure", "transition_heatmap", "value_labels", "variable_title",
]
