# Reference values for kow_research.outcomes.ladder_model: MASS::polr on the same data.
# Run from anywhere: Rscript tests/outcomes/reference/polr_reference.R [outdir]
# Writes polr_fixture.csv into outdir (default: beside this script).
# The data (ladder_T6.csv) are the T6 rungs of kr.simulate_studies({"KOW": 400, "IPS": 300},
# seed=4), stored so that the reference does not move when the simulator changes.
suppressPackageStartupMessages(library(MASS))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else here
d <- read.csv(file.path(here, "ladder_T6.csv"))
d$rung <- factor(d$rung, ordered = TRUE)
d$cohort <- factor(d$cohort, levels = c("IPS", "KOW"))
# tight tolerance: polr's default BFGS stops around 1e-4 relative
f <- polr(rung ~ cohort + rung_baseline + age + smi, data = d, Hess = TRUE,
          control = list(reltol = 1e-15, maxit = 10000))
co <- summary(f)$coefficients
res <- data.frame(term = rownames(co), value = sprintf("%.17g", co[, "Value"]),
                  se = sprintf("%.17g", co[, "Std. Error"]))
write.csv(res, file.path(out, "polr_fixture.csv"), row.names = FALSE)
