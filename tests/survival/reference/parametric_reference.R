# Reference values for kow_research.survival.parametric_survival, computed with R's survival.
# Run from anywhere:  Rscript tests/survival/reference/parametric_reference.R [outdir]
# Reads tests/reference/trial.csv (the engine's everyday data set: 240 people, causes 1 and 2,
# groups A/B, covariates x1, x2) and writes the fixtures (17 significant digits) into outdir,
# by default fixtures/ beside this script. Requires survival >= 3.5.
#
# survreg's parametrisation: log T = X b + sigma W, W standard extreme-value (Weibull),
# logistic (log-logistic) or normal (log-normal). Coefficients b include "(Intercept)";
# "Log(scale)" is log sigma; vcov() covers both. Survival at t for covariates x is the upper
# tail 1 - F(z), z = (log t - x b) / sigma, of survreg's own distribution of W (column 2 of
# survreg.distributions[[base]]$density, computed directly rather than as 1 - psurvreg, which
# loses digits far in the tail); its SE is the delta method with a central finite-difference
# gradient (step 1e-6) of that function in (b, log sigma) and vcov(fit).
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(df) { for (n in names(df)) if (is.numeric(df[[n]])) df[[n]] <- sprintf("%.17g", df[[n]]); df }
put <- function(df, name) write.csv(g17(df), file.path(out, paste0(name, ".csv")), row.names = FALSE)
ctl <- survreg.control(rel.tolerance = 1e-12, iter.max = 100)
d <- read.csv(file.path(here, "..", "..", "reference", "trial.csv"))
times <- c(1, 5, 10, 20, 40, 80, 120)

surv_at <- function(theta, X, t, dist) {
  p <- length(theta) - 1
  sigma <- exp(theta[p + 1])
  lp <- drop(X %*% theta[1:p])
  base <- survreg.distributions[[survreg.distributions[[dist]]$dist]]
  sapply(t, function(tt) mean(base$density((log(tt) - lp) / sigma)[, 2]))
}
predictions <- function(fit, X, label, dist, model, group) {
  theta <- c(coef(fit), log(fit$scale))
  V <- vcov(fit)
  est <- surv_at(theta, X, times, dist)
  grad <- sapply(seq_along(theta), function(k) {
    h <- 1e-6; up <- theta; dn <- theta; up[k] <- up[k] + h; dn[k] <- dn[k] - h
    (surv_at(up, X, times, dist) - surv_at(dn, X, times, dist)) / (2 * h)
  })
  se <- sqrt(rowSums((grad %*% V) * grad))
  data.frame(model = model, dist = dist, group = group, profile = label, time = times,
             estimate = est, se = se)
}
coefs <- function(fit, model, dist, group) {
  b <- c(coef(fit), "Log(scale)" = log(fit$scale))
  data.frame(model = model, dist = dist, group = group, term = names(b), coef = unname(b),
             se = sqrt(diag(vcov(fit))))
}
fits <- function(fit, model, dist, group) {
  data.frame(model = model, dist = dist, group = group, loglik = fit$loglik[2],
             aic = -2 * fit$loglik[2] + 2 * (length(coef(fit)) + 1), n = nrow(fit$y),
             n_events = sum(fit$y[, 2]))
}
co <- list(); fi <- list(); pr <- list()
add <- function(fit, model, dist, group) {
  co[[length(co) + 1]] <<- coefs(fit, model, dist, group)
  fi[[length(fi) + 1]] <<- fits(fit, model, dist, group)
}
for (dist in c("weibull", "loglogistic", "lognormal")) {
  # covariates x1 + x2, cause 1 (cause 2 censored)
  f <- survreg(Surv(time, event == 1) ~ x1 + x2, data = d, dist = dist, control = ctl)
  add(f, "x1+x2", dist, "all")
  X <- model.matrix(~ x1 + x2, d)
  pr[[length(pr) + 1]] <- predictions(f, X, "standardised", dist, "x1+x2", "all")
  pr[[length(pr) + 1]] <- predictions(f, cbind(1, 0, 0), "x1=0,x2=0", dist, "x1+x2", "all")
  pr[[length(pr) + 1]] <- predictions(f, cbind(1, 1, 1), "x1=1,x2=1", dist, "x1+x2", "all")
  # no covariates
  f <- survreg(Surv(time, event == 1) ~ 1, data = d, dist = dist, control = ctl)
  add(f, "none", dist, "all")
  pr[[length(pr) + 1]] <- predictions(f, matrix(1, 1, 1), "standardised", dist, "none", "all")
  # a text covariate: group (reference A) and x1
  f <- survreg(Surv(time, event == 1) ~ group + x1, data = d, dist = dist, control = ctl)
  add(f, "group+x1", dist, "all")
  # one model per group (by = "group"): x1 only, and no covariates
  for (g in c("A", "B")) {
    dd <- d[d$group == g, ]
    f <- survreg(Surv(time, event == 1) ~ x1, data = dd, dist = dist, control = ctl)
    add(f, "by:x1", dist, g)
    pr[[length(pr) + 1]] <- predictions(f, model.matrix(~ x1, dd), "standardised", dist,
                                        "by:x1", g)
    f <- survreg(Surv(time, event == 1) ~ 1, data = dd, dist = dist, control = ctl)
    add(f, "by:none", dist, g)
  }
  # cause 2 (paid work censored)
  f <- survreg(Surv(time, event == 2) ~ x1 + x2, data = d, dist = dist, control = ctl)
  add(f, "cause2:x1+x2", dist, "all")
}
put(do.call(rbind, co), "parametric_coef")
put(do.call(rbind, fi), "parametric_fit")
put(do.call(rbind, pr), "parametric_pred")
put(data.frame(package = c("R", "survival"),
               version = c(paste(R.version$major, R.version$minor, sep = "."),
                           as.character(packageVersion("survival")))), "parametric_versions")
cat("fixtures written to", out, "\n")
