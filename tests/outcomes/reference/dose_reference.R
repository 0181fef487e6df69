# Reference values for kow_research.outcomes.dose_analysis: survival::coxph, cmprsk::crr and
# cmprsk::cuminc on the landmark and counting-process data sets of a simulated KOW cohort.
# Run from anywhere: Rscript tests/outcomes/reference/dose_reference.R [outdir]
# Writes dose_fixture.csv (coefficients and SEs), dose_gray_fixture.csv (Gray's test) and
# dose_rebuilt_check.csv (exported vs rebuilt data sets) into outdir (default: beside this
# script).
#
# Two routes, both written to the fixture:
#   "exported": the data sets the package built (dose_landmark.csv, dose_cp.csv);
#   "rebuilt":  the same data sets built here from the inputs (dose_participants.csv,
#               dose_sessions.csv, dose_outcome.csv) without the package: landmark = latest
#               day of a planned session (numbers 1-10) from the start date, sessions attended
#               on or before it, people with time > landmark; counting process by tmerge with
#               cumtdc() at each attended session day (a session on or before day 0 counts from
#               the start; at an event on a session day the earlier value applies).
# The data were made by make_dose_data.py (seed 2026) and are stored so that the reference
# does not move when the simulator changes.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else here
rd <- function(name) read.csv(file.path(here, name), stringsAsFactors = FALSE)

planned <- 10
need <- ceiling(0.8 * planned - 1e-9)

# ---- rebuild the data sets from the inputs -------------------------------------------------
people <- rd("dose_participants.csv")
sessions <- rd("dose_sessions.csv")
outcome <- rd("dose_outcome.csv")
start <- setNames(as.Date(people$start_date), people$participant_id)
sessions$day <- as.numeric(as.Date(sessions$session_date) - start[sessions$participant_id])
sessions$attended <- as.logical(sessions$attended)
landmark_day <- max(sessions$day[sessions$session_number <= planned])
att <- sessions[sessions$attended %in% TRUE, ]
by_landmark <- table(factor(att$participant_id[att$day <= landmark_day],
                            levels = outcome$participant_id))
lm_r <- outcome[outcome$time > landmark_day, ]
lm_r$time <- lm_r$time - landmark_day
lm_r$sessions <- as.numeric(by_landmark[lm_r$participant_id])
lm_r$completer <- as.numeric(lm_r$sessions >= need)

base <- outcome[, c("participant_id", "time", "event", "age", "smi")]
cp_r <- tmerge(base[, c("participant_id", "age", "smi")], base, id = participant_id,
               ev = event(time, event))
cp_r <- tmerge(cp_r, att[, c("participant_id", "day")], id = participant_id,
               sessions = cumtdc(day))
names(cp_r)[names(cp_r) == "tstart"] <- "start"
names(cp_r)[names(cp_r) == "tstop"] <- "stop"
cp_r$event <- cp_r$ev
cp_r$completer <- as.numeric(cp_r$sessions >= need)
cp_r$fraction <- cp_r$sessions / planned

# ---- the exported data sets and how they compare --------------------------------------------
lm_x <- rd("dose_landmark.csv")
cp_x <- rd("dose_cp.csv")
key <- function(d, cols) do.call(paste, c(d[cols], sep = "|"))
lm_cols <- c("participant_id", "time", "event", "sessions", "completer", "age", "smi")
cp_cols <- c("participant_id", "start", "stop", "event", "sessions", "completer", "age", "smi")
check <- data.frame(
  data = c("landmark", "counting_process"),
  rows_exported = c(nrow(lm_x), nrow(cp_x)),
  rows_rebuilt = c(nrow(lm_r), nrow(cp_r)),
  rows_differing = c(length(setdiff(key(lm_x, lm_cols), key(lm_r, lm_cols))) +
                       length(setdiff(key(lm_r, lm_cols), key(lm_x, lm_cols))),
                     length(setdiff(key(cp_x, cp_cols), key(cp_r, cp_cols))) +
                       length(setdiff(key(cp_r, cp_cols), key(cp_x, cp_cols)))),
  landmark_day = landmark_day)
write.csv(check, file.path(out, "dose_rebuilt_check.csv"), row.names = FALSE)

# ---- the models, on both routes -------------------------------------------------------------
rows <- list()
gray <- list()
add <- function(route, model, fit_coef, fit_se) {
  rows[[length(rows) + 1]] <<- data.frame(
    route = route, model = model, term = names(fit_coef),
    coef = sprintf("%.17g", fit_coef), se = sprintf("%.17g", fit_se))
}
cox <- function(f, d) {
  fit <- coxph(f, data = d, ties = "efron", control = coxph.control(eps = 1e-12, toler.chol = 1e-15,
                                                                    iter.max = 100))
  list(coef = coef(fit), se = sqrt(diag(vcov(fit))))
}
for (route in c("exported", "rebuilt")) {
  lm <- if (route == "exported") lm_x else lm_r
  cp <- if (route == "exported") cp_x else cp_r
  f <- cox(Surv(time, event == 1) ~ completer + age + smi, lm)
  add(route, "landmark_cox_completed", f$coef, f$se)
  f <- cox(Surv(time, event == 1) ~ sessions + age + smi, lm)
  add(route, "landmark_cox_cumulative_sessions", f$coef, f$se)
  # Fine-Gray as cmprsk::crr (Breslow ties, the Fine-Gray sandwich)
  fg <- crr(lm$time, lm$event, cov1 = as.matrix(lm[, c("completer", "age", "smi")]),
            failcode = 1, cencode = 0, gtol = 1e-10, maxiter = 100)
  add(route, "landmark_fine_gray_completed", fg$coef, sqrt(diag(fg$var)))
  f <- cox(Surv(start, stop, event == 1) ~ sessions + age + smi, cp)
  add(route, "time_varying_cumulative_sessions", f$coef, f$se)
  f <- cox(Surv(start, stop, event == 1) ~ completer + age + smi, cp)
  add(route, "time_varying_completed", f$coef, f$se)
  f <- cox(Surv(start, stop, event == 1) ~ fraction + age + smi, cp)
  add(route, "time_varying_fraction", f$coef, f$se)
  # Gray's test of the cumulative incidence by completer status (cause 1 and 2)
  ci <- cuminc(lm$time, lm$event, group = lm$completer, cencode = 0)
  gray[[route]] <- data.frame(route = route, cause = as.integer(rownames(ci$Tests)),
                              statistic = sprintf("%.17g", ci$Tests[, "stat"]),
                              p = sprintf("%.17g", ci$Tests[, "pv"]))
}
write.csv(do.call(rbind, rows), file.path(out, "dose_fixture.csv"), row.names = FALSE)
write.csv(do.call(rbind, gray), file.path(out, "dose_gray_fixture.csv"), row.names = FALSE)
