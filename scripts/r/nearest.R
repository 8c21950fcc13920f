# Reference greedy nearest-neighbour matching in plain R: the algorithm of MatchIt's nn_matchC_vec
# (MatchIt 4.5.x) for a vector distance, written out so that it can be run with or without two defects of
# MatchIt 4.5.1 (as shipped by Debian 12):
#  - int_abs: |distance difference| is truncated to an integer (C++ abs(int) chosen for a double), so the
#    caliper almost never binds and the left neighbour wins whenever both are less than 1 apart
#    (kosukeimai/MatchIt#163, fixed in later releases);
#  - off_by_one_row: with replacement, the check that a control is not matched twice to the same treated
#    man compares a 0-based index with 1-based ones, so the same control can fill two of his k slots.
# With both flags on it must reproduce matchit()'s match.matrix exactly (evaluate.R checks this), which
# validates the port; with both off it is the intended algorithm, the one the TypeScript engine implements.
# The engine matches on the logit propensity score rounded to a 2^-30 grid, so that scores equal in exact
# arithmetic but not in the last bits (different covariates, same score) tie in both implementations;
# evaluate.R rounds in the same way before calling nearest_reference for the golden.
nearest_reference <- function(treat, distance, caliper, ratio, replace, int_abs = FALSE, off_by_one_row = FALSE) {
  n <- length(treat)
  n1 <- sum(treat == 1)
  absd <- if (int_abs) function(x) trunc(abs(x)) else abs
  d_ord <- sort.list(distance)
  dist <- distance[d_ord]
  ind1 <- which(treat == 1)
  pos <- integer(n)
  pos[d_ord] <- seq_len(n)
  ord <- if (replace) seq_len(n1) else order(distance[ind1], decreasing = TRUE)
  can <- treat[d_ord] == 0
  mm <- matrix(NA_integer_, n1, ratio)
  for (r in seq_len(ratio)) {
    for (row in ord) {
      ii <- pos[ind1[row]]
      used <- mm[row, seq_len(r - 1)]
      if (off_by_one_row) used <- used + 1L
      skip <- function(k) !can[k] || (d_ord[k] %in% used)
      kl <- ii - 1
      while (kl >= 1 && skip(kl)) kl <- kl - 1
      if (kl >= 1 && absd(dist[ii] - dist[kl]) > caliper) kl <- 0
      kr <- ii + 1
      while (kr <= n && skip(kr)) kr <- kr + 1
      if (kr <= n && absd(dist[ii] - dist[kr]) > caliper) kr <- n + 1
      if (kl >= 1 && kr <= n) {
        k <- if (absd(dist[kl] - dist[ii]) <= absd(dist[kr] - dist[ii])) kl else kr
      } else if (kl >= 1) {
        k <- kl
      } else if (kr <= n) {
        k <- kr
      } else {
        next
      }
      mm[row, r] <- d_ord[k]
      if (!replace) {
        can[k] <- FALSE
        if (!any(can)) return(mm)
      }
    }
  }
  mm
}

# MatchIt's matching weights for a match matrix (ATT): weights_matrixC, then matchit()'s rescaling of the
# control weights to sum to the number of distinct matched controls.
nearest_weights <- function(mm, treat) {
  w <- numeric(length(treat))
  ind1 <- which(treat == 1)
  for (r in seq_len(nrow(mm))) {
    ctl <- mm[r, !is.na(mm[r, ])]
    if (length(ctl) == 0) next
    w[ind1[r]] <- w[ind1[r]] + 1
    for (c in ctl) w[c] <- w[c] + 1 / length(ctl)
  }
  c0 <- treat == 0
  w[c0] <- w[c0] * sum(w[c0] > 0) / sum(w[c0])
  w
}
