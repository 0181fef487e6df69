# Reference values for kow_research.missing.pool: mice::pool on the same imputed data sets.
# Run from anywhere:  Rscript tests/missing/reference/pool_reference.R [outdir]
# Reads imputed.csv beside this script (5 completed data sets made by make_imputations.py,
# long with .imp and .id) and writes into outdir (default fixtures/ beside this script),
# numbers with 17 significant digits:
#   fits_<model>.csv  per imputation: imp, term, estimate, std.error (what mice pooled)
#   pool_<model>.csv  summary(pool(fit), conf.int = TRUE) joined with pool(fit)$pooled
#                     (term, m, estimate, std.error, statistic, df, p.value, conf.low,
#                     conf.high, riv, lambda, fmi, ubar, b, t, dfcom)
# Models: cox (coxph, Efron ties, cause 1 = paid work), logit (glm binomial of rung_T18 >= 4),
# clm (ordinal::clm proportional odds of rung_T18: analytic Hessian, unlike polr's numerical
# one), and scalar (pool.scalar of the mean months out of work, U = var / n, n = 300, k = 1).
# dfcom is mice's default: events - k for coxph, df.residual for glm and clm.
suppressPackageStartupMessages({library(mice); library(survival); library(ordinal)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(df) { for (n in names(df)) if (is.numeric(df[[n]])) df[[n]] <- sprintf("%.17g", df[[n]]); df }
put <- function(df, name) write.csv(g17(df), file.path(out, paste0(name, ".csv")), row.names = FALSE)
versions <- data.frame(package = c("R", "mice", "survival", "ordinal", "broom"),
  version = c(paste(R.version$major, R.version$minor, sep = "."),
              as.character(packageVersion("mice")), as.character(packageVersion("survival")),
              as.character(packageVersion("ordinal")), as.character(packageVersion("broom"))))
write.csv(versions, file.path(out, "versions.csv"), row.names = FALSE)

long <- read.csv(file.path(here, "imputed.csv"), check.names = FALSE)
long$cohort <- factor(long$cohort, levels = c("IPS", "KOW"))
long$education <- factor(long$education, levels = c("low", "middle", "high"))
long$high <- as.integer(long$rung_T18 >= 4)
long$rung_T18 <- factor(long$rung_T18, ordered = TRUE)
sets <- split(long, long$.imp)
rhs <- "cohort + age + smi + education + months_out_of_work + rung_T0"
fits <- list(
  cox = lapply(sets, function(d) coxph(as.formula(paste("Surv(time, event == 1) ~", rhs)),
                                       data = d, ties = "efron")),
  # tight IRLS: glm's default (deviance change 1e-8) leaves the SEs ~1e-5 off the optimum
  logit = lapply(sets, function(d) glm(as.formula(paste("high ~", rhs)), data = d,
                                       family = binomial,
                                       control = glm.control(epsilon = 1e-14, maxit = 100))),
  clm = lapply(sets, function(d) clm(as.formula(paste("rung_T18 ~", rhs)), data = d,
                                     control = clm.control(gradTol = 1e-12, relTol = 1e-14))))
for (name in names(fits)) {
  fl <- fits[[name]]
  per <- do.call(rbind, lapply(seq_along(fl), function(i) {
    s <- summary(as.mira(fl[i]), type = "tidy")
    data.frame(imp = i, term = as.character(s$term), estimate = s$estimate,
               std.error = s$std.error)
  }))
  put(per, paste0("fits_", name))
  p <- pool(as.mira(fl))
  s <- summary(p, conf.int = TRUE)
  pooled <- p$pooled
  res <- data.frame(term = as.character(s$term), m = pooled$m, estimate = s$estimate,
                    std.error = s$std.error, statistic = s$statistic, df = s$df,
                    p.value = s$p.value, conf.low = s[["2.5 %"]], conf.high = s[["97.5 %"]],
                    riv = pooled$riv, lambda = pooled$lambda, fmi = pooled$fmi,
                    ubar = pooled$ubar, b = pooled$b, t = pooled$t, dfcom = pooled$dfcom)
  put(res, paste0("pool_", name))
}
# a scalar: the mean months out of work (imputed by pmm) with U = s^2 / n
q <- sapply(sets, function(d) mean(d$months_out_of_work))
u <- sapply(sets, function(d) var(d$months_out_of_work) / nrow(d))
ps <- pool.scalar(q, u, n = nrow(sets[[1]]), k = 1)
put(data.frame(imp = seq_along(q), term = "mean_months_out", estimate = unname(q),
               std.error = sqrt(unname(u))), "fits_scalar")
put(data.frame(term = "mean_months_out", m = ps$m, estimate = ps$qbar, ubar = ps$ubar,
               b = ps$b, t = ps$t, df = ps$df, riv = ps$r, fmi = ps$fmi,
               dfcom = nrow(sets[[1]]) - 1), "pool_scalar")
