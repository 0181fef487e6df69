# Reference values for kow_research.compare, computed with R's glm and survival.
# Run from the repository root:  Rscript tests/compare/reference/compare_reference.R [outdir]
# Writes (next to this script, or into outdir) the data set it simulates (compare_data.csv) and the fixtures:
#   ps_weights.csv   glm logistic propensity scores and ATE / ATT / ATO weights
#   smd.csv          SMDs before and after ATT weighting (tableone/cobalt formula, by hand)
#   km_weighted.csv  survfit(Surv(time, event == 1) ~ treated, weights = w_att)
#   aj_weighted.csv  survfit(Surv(time, factor(event)) ~ treated, weights = w_att, id = id)
#   cox_weighted.csv coxph(Surv(time, event == 1) ~ treated, weights = w_att, robust = TRUE)
#   rmst_weighted.csv restricted mean time not in state 1 up to tau = 12 (multi-state survfit)
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
if (length(out) == 1) here <- out

set.seed(20240611)
n <- 80
age <- round(rnorm(n, 40, 10))
smi <- rbinom(n, 1, 0.4)
dx <- sample(c("anxiety", "depression", "psychosis"), n, replace = TRUE, prob = c(.3, .4, .3))
lp <- -0.5 + 0.04 * (age - 40) + 0.9 * smi + ifelse(dx == "psychosis", 0.8, 0)
treated <- rbinom(n, 1, plogis(lp))
rate1 <- 0.06 * exp(0.4 * treated - 0.5 * smi)
rate2 <- 0.03
t1 <- rexp(n, rate1); t2 <- rexp(n, rate2); cens <- runif(n, 6, 30)
time <- round(pmin(t1, t2, cens), 1)      # one decimal: ties occur
event <- ifelse(t1 <= pmin(t2, cens), 1, ifelse(t2 <= cens, 2, 0))
d <- data.frame(id = seq_len(n), treated, age, smi, dx, time, event)
write.csv(d, file.path(here, "compare_data.csv"), row.names = FALSE)

fit <- glm(treated ~ age + smi + dx, family = binomial, data = d)
ps <- fitted(fit)
d$w_ate <- ifelse(d$treated == 1, 1 / ps, 1 / (1 - ps))
d$w_att <- ifelse(d$treated == 1, 1, ps / (1 - ps))
d$w_ato <- ifelse(d$treated == 1, 1 - ps, ps)
write.csv(data.frame(id = d$id, ps = ps, w_ate = d$w_ate, w_att = d$w_att, w_ato = d$w_ato),
          file.path(here, "ps_weights.csv"), row.names = FALSE)

# SMD: numerator weighted means, denominator the unweighted groups' pooled SD
wmean <- function(x, w) sum(w * x) / sum(w)
cols <- list(age = d$age, smi = d$smi, "dx=anxiety" = 1 * (d$dx == "anxiety"),
             "dx=depression" = 1 * (d$dx == "depression"),
             "dx=psychosis" = 1 * (d$dx == "psychosis"))
g1 <- d$treated == 1; g0 <- !g1
smd <- do.call(rbind, lapply(names(cols), function(nm) {
  x <- cols[[nm]]
  binary <- all(x %in% c(0, 1)) && nm != "age"
  if (binary) {
    p1 <- mean(x[g1]); p0 <- mean(x[g0]); s <- sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
  } else {
    s <- sqrt((var(x[g1]) + var(x[g0])) / 2)
  }
  data.frame(covariate = nm, smd_before = (mean(x[g1]) - mean(x[g0])) / s,
             smd_after = (wmean(x[g1], d$w_att[g1]) - wmean(x[g0], d$w_att[g0])) / s)
}))
write.csv(smd, file.path(here, "smd.csv"), row.names = FALSE)

km <- survfit(Surv(time, event == 1) ~ treated, data = d, weights = w_att)
sk <- summary(km)
write.csv(data.frame(treated = as.integer(sub("treated=", "", sk$strata)), time = sk$time,
                     n_risk = sk$n.risk, estimate = sk$surv, se = sk$std.err),
          file.path(here, "km_weighted.csv"), row.names = FALSE)

aj <- survfit(Surv(time, factor(event)) ~ treated, data = d, weights = w_att, id = id)
sa <- summary(aj)
write.csv(data.frame(treated = as.integer(sub("treated=", "", sa$strata)), time = sa$time,
                     estimate = sa$pstate[, 2], se = sa$std.err[, 2]),
          file.path(here, "aj_weighted.csv"), row.names = FALSE)

cx <- coxph(Surv(time, event == 1) ~ treated, data = d, weights = w_att, robust = TRUE)
write.csv(data.frame(coef = coef(cx), se = sqrt(diag(vcov(cx)))),
          file.path(here, "cox_weighted.csv"), row.names = FALSE)

tau <- 12
rm <- summary(aj, rmean = tau)$table
# rows are "treated=0, 1" etc.; the rmean column is the expected time in each state up to tau
state1 <- rm[grepl(", 1$", rownames(rm)), "rmean"]
write.csv(data.frame(treated = c(0, 1), tau = tau, free_time = tau - state1),
          file.path(here, "rmst_weighted.csv"), row.names = FALSE)
