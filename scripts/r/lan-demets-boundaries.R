# Lan–DeMets boundaries for K equally spaced looks, computed independently of sotp: the looks' Z statistics are
# joint normal with correlation sqrt(t_i / t_j); each boundary is the value at which the probability of first
# crossing there (mvtnorm::pmvnorm) equals the alpha spent since the look before (uniroot). The values in
# test/unit/evaluation/monitor.test.ts were checked with it:  Rscript scripts/r/lan-demets-boundaries.R
suppressMessages(library(mvtnorm))
set.seed(1)
alpha <- 0.025
spend <- function(fn, t) if (fn == "obrien_fleming") 2 - 2 * pnorm(qnorm(1 - alpha / 2) / sqrt(t)) else alpha * log(1 + (exp(1) - 1) * t)
bounds <- function(fn, K, twosided) {
  t <- (1:K) / K
  S <- outer(t, t, function(a, b) sqrt(pmin(a, b) / pmax(a, b)))
  c <- numeric(0)
  for (k in 1:K) {
    target <- spend(fn, t[k]) - (if (k > 1) spend(fn, t[k - 1]) else 0)
    f <- function(x) {
      if (k == 1) return((1 - pnorm(x)) - target)
      lo <- if (twosided) -c else rep(-Inf, k - 1)
      p <- pmvnorm(lower = c(lo, x), upper = c(c, Inf), sigma = S[1:k, 1:k], algorithm = GenzBretz(abseps = 1e-9, maxpts = 5e6))
      as.numeric(p) - target
    }
    c <- c(c, uniroot(f, c(0.5, 8), tol = 1e-9)$root)
  }
  round(c, 3)
}
for (fn in c("obrien_fleming", "pocock")) for (K in 2:5) {
  cat(fn, K, "one-sided 2.5%:", bounds(fn, K, FALSE), " two-sided 5%:", bounds(fn, K, TRUE), "\n")
}
