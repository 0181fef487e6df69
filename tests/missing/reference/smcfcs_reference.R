# SMC-FCS reference for kow_research.missing.impute(substantive = "cox"):
# R's smcfcs (Bartlett) imputes smcfcs_incomplete.csv compatibly with the cause-specific Cox
# models of both causes ("compet"), x by "norm" and b by "logreg", M = 100 imputations of 10
# iterations; the cause-1 Cox model arm + x + b is fitted on each and pooled by Rubin's rules
# (mice::pool). Writes smcfcs_pool.csv (term, estimate = pooled coefficient, b = between-
# imputation variance, ubar, m) and smcfcs_versions.csv into the folder given (default
# fixtures/).
suppressPackageStartupMessages({library(survival); library(smcfcs); library(mice)})
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE),
                                                       value = TRUE))))
out <- if (length(args)) args[1] else file.path(here, "fixtures")
d <- read.csv(file.path(here, "smcfcs_incomplete.csv"))
set.seed(20261204)
imps <- smcfcs(d, smtype = "compet",
               smformula = c("Surv(time, event == 1) ~ arm + x + b",
                             "Surv(time, event == 2) ~ arm + x + b"),
               method = c("", "", "", "norm", "logreg"), m = 100, numit = 10,
               noisy = FALSE)
fits <- lapply(imps$impDatasets, function(s) coxph(Surv(time, event == 1) ~ arm + x + b, s))
p <- pool(as.mira(fits))$pooled
res <- data.frame(term = as.character(p$term), estimate = p$estimate, b = p$b,
                  ubar = p$ubar, m = p$m)
write.csv(res, file.path(out, "smcfcs_pool.csv"), row.names = FALSE)
write.csv(data.frame(package = c("R", "survival", "smcfcs", "mice"),
                     version = c(R.version.string, as.character(packageVersion("survival")),
                                 as.character(packageVersion("smcfcs")),
                                 as.character(packageVersion("mice")))),
          file.path(out, "smcfcs_versions.csv"), row.names = FALSE)
