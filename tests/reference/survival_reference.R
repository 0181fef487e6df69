# Reference values for kow_research.survival, computed with R's survival and cmprsk.
# Run from anywhere:  Rscript tests/reference/survival_reference.R [outdir]
# Reads {trial,ties,three}.csv beside this script and writes the fixtures (numbers printed with
# 17 significant digits) into outdir, by default fixtures/ beside this script. Requires
# survival >= 3.5 and cmprsk.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(df) { for (n in names(df)) if (is.numeric(df[[n]])) df[[n]] <- sprintf("%.17g", df[[n]]); df }
put <- function(df, name) write.csv(g17(df), file.path(out, paste0(name, ".csv")), row.names = FALSE)
versions <- data.frame(package = c("R", "survival", "cmprsk"),
  version = c(paste(R.version$major, R.version$minor, sep = "."),
              as.character(packageVersion("survival")), as.character(packageVersion("cmprsk"))))
write.csv(versions, file.path(out, "versions.csv"), row.names = FALSE)

for (ds in c("trial", "ties", "three")) {
  d <- read.csv(file.path(here, paste0(ds, ".csv")))
  d$id <- seq_len(nrow(d))
  # --- Kaplan-Meier of cause 1 (other causes censored), Greenwood, log-log CI, by group
  km_rows <- list(); med_rows <- list()
  # "default": survfit's own choice with case weights (robust = IJ for non-integer weights)
  for (wt in c("none", "greenwood", "ij", "default")) {
    for (g in c("all", sort(unique(d$group)))) {
      dd <- if (g == "all") d else d[d$group == g, ]
      f <- if (wt == "none") survfit(Surv(time, event == 1) ~ 1, data = dd, conf.type = "log-log")
           else if (wt == "default") survfit(Surv(time, event == 1) ~ 1, data = dd, weights = w,
                                             conf.type = "log-log")
           else survfit(Surv(time, event == 1) ~ 1, data = dd, weights = w, conf.type = "log-log",
                        robust = (wt == "ij"))
      s <- summary(f, censored = FALSE)
      km_rows[[length(km_rows) + 1]] <- data.frame(weights = wt, group = g, time = s$time,
        n_risk = s$n.risk, n_event = s$n.event, estimate = s$surv, se = s$std.err,
        lower = s$lower, upper = s$upper)
      tb <- summary(f)$table
      med_rows[[length(med_rows) + 1]] <- data.frame(weights = wt, group = g,
        median = unname(tb["median"]), lower = unname(tb["0.95LCL"]), upper = unname(tb["0.95UCL"]))
    }
  }
  put(do.call(rbind, km_rows), paste0("km_", ds)); put(do.call(rbind, med_rows), paste0("km_median_", ds))

  # --- Aalen-Johansen: survfit multi-state (infinitesimal-jackknife variance)
  aj_rows <- list()
  causes <- sort(unique(d$event[d$event > 0]))
  for (wt in c("none", "w")) {
    for (g in c("all", sort(unique(d$group)))) {
      dd <- if (g == "all") d else d[d$group == g, ]
      f <- if (wt == "none") survfit(Surv(time, factor(event, levels = c(0, causes))) ~ 1, data = dd, id = id)
           else survfit(Surv(time, factor(event, levels = c(0, causes))) ~ 1, data = dd, id = id, weights = w)
      s <- summary(f)
      for (k in causes) {
        col <- which(s$states == as.character(k))
        aj_rows[[length(aj_rows) + 1]] <- data.frame(weights = wt, group = g, cause = k,
          time = s$time, estimate = s$pstate[, col], se = s$std.err[, col])
      }
    }
  }
  put(do.call(rbind, aj_rows), paste0("aj_", ds))

  # --- Gray's test (cmprsk::cuminc), per cause
  ci <- cuminc(d$time, d$event, d$group, cencode = 0)
  tst <- ci$Tests
  put(data.frame(cause = as.integer(rownames(tst)), statistic = tst[, "stat"], p = tst[, "pv"],
                 df = tst[, "df"]), paste0("gray_", ds))

  # --- log-rank (cause 1, other causes censored)
  lr <- survdiff(Surv(time, event == 1) ~ group, data = d)
  put(data.frame(cause = 1, statistic = lr$chisq, df = length(lr$n) - 1), paste0("logrank_", ds))

  # --- cause-specific Cox (cause 1), Efron; unweighted and weighted with robust SE
  c1 <- coxph(Surv(time, event == 1) ~ x1 + x2, data = d, ties = "efron")
  c2 <- coxph(Surv(time, event == 1) ~ x1 + x2, data = d, ties = "efron", weights = w, robust = TRUE)
  c3 <- coxph(Surv(time, event == 1) ~ x1 + x2, data = d, ties = "breslow")
  zph <- cox.zph(c1, transform = "km", terms = FALSE)
  put(rbind(
    data.frame(model = "efron", term = names(coef(c1)), coef = unname(coef(c1)), se = sqrt(diag(vcov(c1)))),
    data.frame(model = "efron_weighted_robust", term = names(coef(c2)), coef = unname(coef(c2)), se = sqrt(diag(vcov(c2)))),
    data.frame(model = "breslow", term = names(coef(c3)), coef = unname(coef(c3)), se = sqrt(diag(vcov(c3))))),
    paste0("cox_", ds))
  put(data.frame(term = rownames(zph$table), chisq = zph$table[, "chisq"], df = zph$table[, "df"],
                 p = zph$table[, "p"]), paste0("zph_", ds))

  # --- Fine-Gray: crr (Breslow ties, Fine-Gray sandwich variance) and finegray + coxph (Efron)
  fg1 <- crr(d$time, d$event, cov1 = as.matrix(d[, c("x1", "x2")]), failcode = 1, cencode = 0,
             gtol = 1e-12, maxiter = 100)
  d$status <- factor(d$event, levels = c(0, causes))
  fgd <- finegray(Surv(time, status) ~ ., data = d, etype = "1")
  fg2 <- coxph(Surv(fgstart, fgstop, fgstatus) ~ x1 + x2 + cluster(id), weights = fgwt, data = fgd,
               ties = "efron")
  put(rbind(
    data.frame(ties = "breslow", term = c("x1", "x2"), coef = unname(fg1$coef), se = sqrt(diag(fg1$var))),
    data.frame(ties = "efron", term = c("x1", "x2"), coef = unname(coef(fg2)), se = sqrt(diag(vcov(fg2))))),
    paste0("fg_", ds))

  # --- RMST (KM of cause 1, unweighted) and restricted mean time lost to each cause
  tau <- if (ds == "ties") 12 else 10
  rm_rows <- list()
  for (g in c("all", sort(unique(d$group)))) {
    dd <- if (g == "all") d else d[d$group == g, ]
    f <- survfit(Surv(time, event == 1) ~ 1, data = dd)
    tb <- summary(f, rmean = tau)$table
    rm_rows[[length(rm_rows) + 1]] <- data.frame(group = g, cause = 0, tau = tau,
      estimate = unname(tb["rmean"]), se = unname(tb["se(rmean)"]))
    m <- survfit(Surv(time, factor(event, levels = c(0, causes))) ~ 1, data = dd, id = id,
                 influence = TRUE)
    for (k in causes) {
      col <- which(m$states == as.character(k))
      tt <- c(0, m$time); keep <- tt < tau
      steps <- c(tt[keep], tau)
      p <- c(0, m$pstate[, col])[keep]
      est <- sum(diff(steps) * p)
      inf <- m$influence.pstate[, , col][, keep, drop = FALSE]
      se <- sqrt(sum((inf %*% diff(steps))^2))
      rm_rows[[length(rm_rows) + 1]] <- data.frame(group = g, cause = k, tau = tau,
                                                   estimate = est, se = se)
    }
  }
  put(do.call(rbind, rm_rows), paste0("rmst_", ds))
}
# --- left truncation (delayed entry): entry = (id mod 30) / 10, rows with entry < time
d <- read.csv(file.path(here, "three.csv")); d$id <- seq_len(nrow(d))
d$entry <- (d$id %% 30) / 10; d <- d[d$entry < d$time, ]
f <- survfit(Surv(entry, time, factor(event, levels = 0:3)) ~ 1, data = d, id = id)
s <- summary(f)
lt <- do.call(rbind, lapply(1:3, function(k) data.frame(cause = k, time = s$time,
  estimate = s$pstate[, k + 1], se = s$std.err[, k + 1])))
put(lt, "aj_entry_three")
k <- summary(survfit(Surv(entry, time, event == 1) ~ 1, data = d, conf.type = "log-log"), censored = FALSE)
put(data.frame(time = k$time, n_risk = k$n.risk, estimate = k$surv, se = k$std.err, lower = k$lower,
               upper = k$upper), "km_entry_three")
cat("fixtures written to", out, "\n")
