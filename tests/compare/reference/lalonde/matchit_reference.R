# Reference values for kow_research.compare.match / balance, computed with R's MatchIt.
# Run from anywhere:  Rscript tests/compare/reference/lalonde/matchit_reference.R [outdir]
# Writes (next to this script, or into outdir):
#   lalonde.csv          MatchIt's lalonde data (614 rows; id = the row name, e.g. "NSW1")
#   matchit_pairs.csv    per specification: the treated id, its matched control id (empty when
#                        unmatched), the distance of both
#   matchit_summary.csv  per specification: treated, matched treated, unmatched treated, the
#                        caliper width on the distance scale, the matched re78 difference
#   matchit_smd.csv      SMDs before and after matching (spec "ps"), denominators from the
#                        unmatched groups: treated SD (cobalt's ATT default), pooled, control
#   matchit_versions.csv R and MatchIt versions and the result of matchit_abs_probe.R
#   weighted_outcomes.csv ATT- and ATE-weighted (glm propensity score) means of re78 and of
#                        re78 > 0 per group, with weighted.mean: mean difference, risk
#                        difference and risk ratio
#
# MatchIt must pick the nearest control: versions before 4.5.4 compared distances with C's
# integer abs() on Linux (see matchit_abs_probe.R), which made every |difference| < 1 equal
# to 0 -- the lower-distance neighbour always won and a caliper below 1 never bound. The
# committed fixtures were made with MatchIt 4.5.1 (the Debian package) rebuilt with upstream's
# fix (commit 4b5b2f8 applied to 4.5.1's sources: git archive 9762dc6, R CMD INSTALL -l LIB,
# then R_LIBS=LIB Rscript this script). The script stops on a MatchIt that fails the probe.
#
# Specifications, all matchit(treat ~ age + educ + race + married + nodegree + re74 + re75,
# method = "nearest", distance = "glm"), 1:1 without replacement, m.order = "largest" (the
# default for a propensity-score distance):
#   ps            MatchIt's default distance: the propensity score itself; no caliper
#   ps_cal        caliper = 0.2 (std.caliper = TRUE: 0.2 SD of the propensity score)
#   logit         link = "linear.logit": the logit of the propensity score; no caliper
#   logit_cal     link = "linear.logit", caliper = 0.2 (0.2 SD of the logit, Austin 2011)
# MatchIt's caliper is in SD units of whatever distance it matches on (sd over all 614 units,
# process.caliper: sd(distance[!discarded])), so its default caliper is on the probability
# scale, not the logit.
suppressMessages(library(MatchIt))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
source(file.path(here, "matchit_abs_probe.R"))
out <- commandArgs(trailingOnly = TRUE)
if (length(out) == 1) here <- out
if (!matchit_abs_ok()) {
  stop("MatchIt ", packageVersion("MatchIt"), " does not pick the nearest control (integer ",
       "abs(), fixed in MatchIt 4.5.4): install MatchIt >= 4.5.4 or a build with commit ",
       "4b5b2f8 and put it first on R_LIBS", call. = FALSE)
}
write.csv(data.frame(r = paste(R.version$major, R.version$minor, sep = "."),
                     matchit = as.character(packageVersion("MatchIt")), abs_probe = TRUE),
          file.path(here, "matchit_versions.csv"), row.names = FALSE)

data("lalonde", package = "MatchIt")
d <- lalonde
d$id <- rownames(lalonde)
d$race <- as.character(d$race)
write.csv(d[, c("id", "treat", "age", "educ", "race", "married", "nodegree", "re74", "re75",
                "re78")], file.path(here, "lalonde.csv"), row.names = FALSE)

f <- treat ~ age + educ + race + married + nodegree + re74 + re75
specs <- list(ps = list(link = "logit", caliper = NULL),
              ps_cal = list(link = "logit", caliper = 0.2),
              logit = list(link = "linear.logit", caliper = NULL),
              logit_cal = list(link = "linear.logit", caliper = 0.2))
pairs <- list(); summ <- list()
for (s in names(specs)) {
  sp <- specs[[s]]
  m <- matchit(f, data = lalonde, method = "nearest", distance = "glm", link = sp$link,
               caliper = sp$caliper)
  mm <- m$match.matrix[, 1]
  dist <- setNames(m$distance, rownames(lalonde))
  pairs[[s]] <- data.frame(spec = s, treated = names(mm), control = unname(mm),
                           distance_treated = dist[names(mm)],
                           distance_control = unname(dist[mm]), row.names = NULL)
  w <- m$weights
  t1 <- lalonde$treat == 1
  diff <- weighted.mean(lalonde$re78[t1], w[t1]) - weighted.mean(lalonde$re78[!t1], w[!t1])
  cal <- if (is.null(sp$caliper)) NA_real_ else unname(m$caliper[1])
  summ[[s]] <- data.frame(spec = s, m_order = "largest", n_treated = sum(t1),
                          n_matched_treated = sum(!is.na(mm)), n_unmatched = sum(is.na(mm)),
                          caliper_width = cal, caliper_check = if (is.null(sp$caliper))
                            NA_real_ else 0.2 * sd(m$distance),
                          re78_difference = diff)
}
pairs <- do.call(rbind, pairs)
pairs$control[is.na(pairs$control)] <- ""
write.csv(pairs, file.path(here, "matchit_pairs.csv"), row.names = FALSE)
write.csv(do.call(rbind, summ), file.path(here, "matchit_summary.csv"), row.names = FALSE)

# SMDs as cobalt::bal.tab(m, binary = "std") would report them, computed in base R (cobalt is
# not installed here): numerator the (matching-)weighted means, denominator from the
# unmatched groups; binary columns use sqrt(p(1 - p)), continuous ones the n - 1 SD.
m <- matchit(f, data = lalonde, method = "nearest", distance = "glm")
w <- m$weights
t1 <- lalonde$treat == 1
cols <- list(age = d$age, educ = d$educ, "race=black" = 1 * (d$race == "black"),
             "race=hispan" = 1 * (d$race == "hispan"), "race=white" = 1 * (d$race == "white"),
             married = d$married, nodegree = d$nodegree, re74 = d$re74, re75 = d$re75)
binary <- c("race=black", "race=hispan", "race=white", "married", "nodegree")
smd <- do.call(rbind, lapply(names(cols), function(nm) {
  x <- cols[[nm]]
  if (nm %in% binary) {
    p1 <- mean(x[t1]); p0 <- mean(x[!t1])
    v1 <- p1 * (1 - p1); v0 <- p0 * (1 - p0)
  } else {
    v1 <- var(x[t1]); v0 <- var(x[!t1])
  }
  before <- mean(x[t1]) - mean(x[!t1])
  after <- weighted.mean(x[t1], w[t1]) - weighted.mean(x[!t1], w[!t1])
  data.frame(covariate = nm, type = if (nm %in% binary) "binary" else "continuous",
             diff_before = before, diff_after = after,
             sd_treated = sqrt(v1), sd_pooled = sqrt((v1 + v0) / 2), sd_control = sqrt(v0),
             smd_before_treated = before / sqrt(v1), smd_after_treated = after / sqrt(v1),
             smd_before_pooled = before / sqrt((v1 + v0) / 2),
             smd_after_pooled = after / sqrt((v1 + v0) / 2),
             smd_before_control = before / sqrt(v0), smd_after_control = after / sqrt(v0))
}))
write.csv(smd, file.path(here, "matchit_smd.csv"), row.names = FALSE)

# Propensity-weighted outcome comparisons (compare_outcomes(outcome = ...)): glm's score, ATT
# weights (1 treated, e / (1 - e) control) and ATE weights (1 / e, 1 / (1 - e)).
ps <- fitted(glm(f, family = binomial, data = lalonde))
t1 <- lalonde$treat == 1
employed <- as.numeric(lalonde$re78 > 0)
rows <- list()
for (est in c("ATT", "ATE")) {
  w <- if (est == "ATT") ifelse(t1, 1, ps / (1 - ps)) else ifelse(t1, 1 / ps, 1 / (1 - ps))
  m1 <- weighted.mean(lalonde$re78[t1], w[t1]); m0 <- weighted.mean(lalonde$re78[!t1], w[!t1])
  p1 <- weighted.mean(employed[t1], w[t1]); p0 <- weighted.mean(employed[!t1], w[!t1])
  rows[[est]] <- data.frame(
    estimand = est,
    measure = c("mean_treated", "mean_control", "mean_difference", "risk_treated",
                "risk_control", "risk_difference", "risk_ratio"),
    estimate = c(m1, m0, m1 - m0, p1, p0, p1 - p0, p1 / p0))
}
write.csv(do.call(rbind, rows), file.path(here, "weighted_outcomes.csv"), row.names = FALSE)
