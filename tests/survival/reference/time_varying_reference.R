# Reference values for kow_research.survival.cox_time_varying, computed with R's survival.
# Run from anywhere:  Rscript tests/survival/reference/time_varying_reference.R [outdir]
# Reads tv_intervals.csv and tv_intervals_sessions.csv beside this script (made by make_time_varying_data.py)
# and writes the fixtures (17 significant digits) into outdir, by default fixtures/ beside this
# script. Requires survival >= 3.5.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(df) { for (n in names(df)) if (is.numeric(df[[n]])) df[[n]] <- sprintf("%.17g", df[[n]]); df }
put <- function(df, name) write.csv(g17(df), file.path(out, paste0(name, ".csv")), row.names = FALSE)
ctl <- coxph.control(eps = 1e-11, iter.max = 50)  # tighter than the default 1e-9

rows <- function(model, fit) {
  data.frame(model = model, term = names(coef(fit)), coef = unname(coef(fit)),
             se = sqrt(diag(vcov(fit))), loglik = fit$loglik[2], loglik_null = fit$loglik[1],
             n = fit$n, n_events = fit$nevent)
}
d <- read.csv(file.path(here, "tv_intervals.csv"))
s <- read.csv(file.path(here, "tv_intervals_sessions.csv"))
res <- rbind(
  # cause 1 (paid work), dropout (2) censored; model-based variance
  rows("cause1", coxph(Surv(start, stop, event == 1) ~ x + tv, data = d, ties = "efron",
                       control = ctl)),
  # cause 2 (dropout), paid work censored
  rows("cause2", coxph(Surv(start, stop, event == 2) ~ x + tv, data = d, ties = "efron",
                       control = ctl)),
  # robust sandwich clustered by person (Lin-Wei with Efron score residuals)
  rows("cause1_robust", coxph(Surv(start, stop, event == 1) ~ x + tv, data = d, ties = "efron",
                              id = participant_id, robust = TRUE, control = ctl)),
  # case weights, non-integer: R's default is then the robust variance clustered by id
  rows("cause1_weighted", coxph(Surv(start, stop, event == 1) ~ x + tv, data = d,
                                ties = "efron", weights = w, id = participant_id,
                                control = ctl)),
  rows("cause1_weighted_naive", coxph(Surv(start, stop, event == 1) ~ x + tv, data = d,
                                      ties = "efron", weights = w, robust = FALSE,
                                      control = ctl)),
  # number of sessions attended so far as a second time-varying covariate
  rows("sessions", coxph(Surv(start, stop, event == 1) ~ x + tv + sessions, data = s,
                         ties = "efron", control = ctl))
)
put(res, "tv_cox")
put(data.frame(package = c("R", "survival"),
               version = c(paste(R.version$major, R.version$minor, sep = "."),
                           as.character(packageVersion("survival")))), "tv_versions")
cat("fixtures written to", out, "\n")
