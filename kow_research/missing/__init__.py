"""Stage between ``outcomes`` and ``compare``: missing data — multiple imputation by chained
equations (covariates and ladder rungs), Rubin's rules for the analyses of the completed data
sets, inverse probability of censoring weights for loss to follow-up, and delta-adjusted
(tipping-point) sensitivity analyses."""

from kow_research.missing.imputation import METHODS, ImputedData, impute, nelson_aalen
from kow_research.missing.ipcw import IPCWCurves, IPCWResult, ipcw_curves, ipcw_weights
from kow_research.missing.pooling import PooledResult, barnard_rubin, pool
from kow_research.missing.tipping import TippingPointResult, ordinal_model, tipping_point

__all__ = ["METHODS", "IPCWCurves", "IPCWResult", "ImputedData", "PooledResult", "TippingPointResult", "barnard_rubin",
           "impute", "ipcw_curves", "ipcw_weights", "nelson_aalen", "ordinal_model", "pool", "tipping_point"]
