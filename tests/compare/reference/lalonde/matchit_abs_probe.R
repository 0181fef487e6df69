# Does the installed MatchIt pick the nearest control? MatchIt up to 4.5.3 compared distances
# with C's integer abs() in src/nn_matchC_vec.cpp on some platforms (fixed upstream in 4.5.4,
# commit 4b5b2f8 "attempt to patch bugs from different OS"): every |difference| below 1
# became 0, so the left (smaller-distance) control always won a choice and a caliper below 1
# never bound. Treated 0.5 between controls 0.3 (0.2 away) and 0.6 (0.1 away): a correct
# MatchIt matches 0.6 (unit 3); the bug matches 0.3 (unit 2). Prints TRUE when correct.
matchit_abs_ok <- function() {
  p <- data.frame(treat = c(1, 0, 0), x = c(0, 0, 0))
  m <- suppressWarnings(MatchIt::matchit(treat ~ x, data = p, method = "nearest",
                                         distance = c(0.5, 0.3, 0.6)))
  identical(unname(m$match.matrix[1, 1]), "3")
}
if (sys.nframe() == 0L) cat(matchit_abs_ok(), "\n")
