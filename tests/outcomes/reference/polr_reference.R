# Reference values for kow_research.outcomes.ladder_model: MASS::polr on the same data.
# Run from the repository root: Rscript tests/outcomes/reference/polr_reference.R
# The data (ladder_T6.csv) are the T6 rungs of kr.simulate_studies({"KOW": 400, "IPS": 300},
# seed=4), stored so that the reference does not move when the simulator changes.
suppressPackageStartupMessages(library(MASS))
d <- read.csv("tests/outcomes/reference/ladder_T6.csv")
d$rung <- factor(d$rung, ordered = TRUE)
d$cohort <- factor(d$cohort, levels = c("IPS", "KOW"))
# tight tolerance: polr's default BFGS stops around 1e-4 relative
f <- polr(rung ~ cohort + rung_baseline + age + smi, data = d, Hess = TRUE,
          control = list(reltol = 1e-15, maxit = 10000))
co <- summary(f)$coefficients
out <- data.frame(term = rownames(co), value = sprintf("%.17g", co[, "Value"]),
                  se = sprintf("%.17g", co[, "Std. Error"]))
write.csv(out, "tests/outcomes/reference/polr_fixture.csv", row.names = FALSE)
