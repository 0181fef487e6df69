# R's survival::lung (NCCTG lung cancer data) with its Surv coding (status 1 = censored,
# 2 = dead) and survfit's median survival by sex: the reference for refusing R-coded event
# columns unless event_codes= says what the codes mean.
# Run from anywhere: Rscript tests/survival/reference/lung_reference.R [outdir]
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- commandArgs(trailingOnly = TRUE)
out <- if (length(out) == 1) out else here
d <- survival::lung[, c("time", "status", "sex")]
write.csv(d, file.path(out, "lung.csv"), row.names = FALSE)
f <- survfit(Surv(time, status) ~ sex, data = d, conf.type = "log-log")
tab <- summary(f)$table
write.csv(data.frame(sex = c(1, 2), median = unname(tab[, "median"]),
                     lower = unname(tab[, "0.95LCL"]), upper = unname(tab[, "0.95UCL"])),
          file.path(out, "lung_medians.csv"), row.names = FALSE)
