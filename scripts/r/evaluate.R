# Reference evaluation in R (glm, MatchIt, survival) for one cohort file; writes a golden JSON that the
# TypeScript engine is tested against, and is the R side of bench/evaluate.ts.
# Usage: Rscript scripts/r/evaluate.R --cohort=FILE --covariates=a,b --outcome=sexual --window=730
#          --caliper=0.2 --ratio=1 --replace=FALSE --distance=lp|glm --out=FILE.json
# --distance=lp matches on the linear predictor of a glm converged to 1e-10 (as the engine fits it);
# --distance=glm lets MatchIt fit its own glm (default epsilon 1e-8), as an analyst would.
# --reference=TRUE (default) takes the matched set from scripts/r/nearest.R without MatchIt 4.5.1's defects,
# after checking that the same code with the defects reproduces matchit() exactly; FALSE uses matchit() as is.
suppressPackageStartupMessages({
  library(survival)
  library(MatchIt)
})

opt <- list(window = "730", caliper = "0.2", ratio = "1", replace = "FALSE", distance = "lp", km = "TRUE",
            reference = "TRUE")
self <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
source(file.path(dirname(self), "nearest.R"))
for (a in commandArgs(trailingOnly = TRUE)) {
  kv <- regmatches(a, regexec("^--([a-z]+)=(.*)$", a))[[1]]
  if (length(kv) == 3) opt[[kv[2]]] <- kv[3]
}
for (req in c("cohort", "covariates", "outcome", "out")) {
  if (is.null(opt[[req]])) stop(sprintf("--%s is required", req))
}
covs <- strsplit(opt$covariates, ",")[[1]]
window <- as.numeric(opt$window)
caliper <- as.numeric(opt$caliper)
ratio <- as.integer(opt$ratio)
replace <- as.logical(opt$replace)

timing <- list()
t0 <- proc.time()[["elapsed"]]
lap <- function(name) {
  now <- proc.time()[["elapsed"]]
  timing[[name]] <<- now - t0
  t0 <<- now
}

d <- read.csv(opt$cohort, colClasses = "character", na.strings = character(0))
for (v in c("treated", covs)) d[[v]] <- as.numeric(d[[v]])
asDate <- function(x) as.Date(ifelse(x == "", NA, x))
rel <- asDate(d$release_date)
end <- asDate(d$end_of_followup)
ev <- asDate(d[[paste0(opt$outcome, "_reoffence_date")]])
d$event <- as.integer(!is.na(ev) & ev <= end)
d$time <- as.numeric(ifelse(d$event == 1, ev - rel, end - rel))
d$followup <- as.numeric(end - rel)
lap("read")

f <- reformulate(covs, "treated")
fit <- glm(f, data = d, family = binomial(), control = glm.control(epsilon = 1e-10, maxit = 100))
lap("glm")

if (opt$distance == "lp") {
  m <- matchit(f, data = d, method = "nearest", distance = fit$linear.predictors, caliper = caliper,
               ratio = ratio, replace = replace, m.order = "largest")
} else {
  m <- matchit(f, data = d, method = "nearest", distance = "glm", link = "linear.logit", caliper = caliper,
               ratio = ratio, replace = replace, m.order = "largest")
}
lap("matchit")

treat <- d$treated
mmMatchit <- matrix(as.integer(m$match.matrix), nrow = nrow(m$match.matrix))
quirks <- "none checked"
if (opt$reference == "TRUE") {
  dist <- if (opt$distance == "lp") fit$linear.predictors else m$distance
  calDist <- caliper * sd(dist)
  quirks <- NULL
  for (q in list(c(FALSE, FALSE), c(TRUE, FALSE), c(FALSE, TRUE), c(TRUE, TRUE))) {
    ref <- nearest_reference(treat, dist, calDist, ratio, replace, int_abs = q[1], off_by_one_row = q[2])
    if (identical(ref, mmMatchit)) {
      quirks <- c("int_abs", "off_by_one_row")[q]
      break
    }
  }
  if (is.null(quirks)) stop("nearest.R does not reproduce matchit()'s matched set")
  if (!isTRUE(all.equal(nearest_weights(mmMatchit, treat), unname(m$weights), tolerance = 1e-14))) {
    stop("nearest_weights() does not reproduce matchit()'s weights")
  }
  # The intended matching, on the distance rounded to a 2^-30 grid as the engine does (see nearest.R).
  rdist <- round(dist * 2^30) / 2^30
  mm <- nearest_reference(treat, rdist, caliper * sd(rdist), ratio, replace)
  w <- nearest_weights(mm, treat)
} else {
  mm <- mmMatchit
  w <- unname(m$weights)
}
inSample <- w > 0
lap("reference")
# Pairs: each matched treated man with his controls in pass order.
pairs <- list()
for (r in seq_len(nrow(mm))) {
  ctl <- mm[r, !is.na(mm[r, ])]
  if (length(ctl) == 0) next
  pairs[[length(pairs) + 1]] <- list(treated = d$person_ref[which(treat == 1)[r]],
                                     controls = d$person_ref[ctl])
}

smd <- lapply(covs, function(v) {
  x <- d[[v]]
  t1 <- d$treated == 1
  sdp <- sqrt((var(x[t1]) + var(x[!t1])) / 2)
  aw <- if (replace) w else as.numeric(inSample)
  after <- (weighted.mean(x[t1], aw[t1]) - weighted.mean(x[!t1], aw[!t1])) / sdp
  list(covariate = v, before = (mean(x[t1]) - mean(x[!t1])) / sdp, after = after)
})

s <- d[inSample, ]
# The contract: exactly the men with the whole window of follow-up (end_of_followup - release_date >= window),
# whether or not they reoffended within it.
elig <- s$followup >= window
winEvents <- s$event == 1 & s$time <= window
winArm <- lapply(c(1, 0), function(a) {
  n <- sum(elig & s$treated == a)
  x <- sum(winEvents & elig & s$treated == a)
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  list(n = n, events = x, lower = ci[1], upper = ci[2])
})
lap("window")

km <- survfit(Surv(time, event) ~ treated, data = s)
lap("survfit")
sd <- survdiff(Surv(time, event) ~ treated, data = s)
lap("survdiff")
cx <- coxph(Surv(time, event) ~ treated, data = s, ties = "efron")
lap("coxph")
cs <- summary(cx)$coefficients
ci <- exp(confint(cx))

# ---- hand-written JSON (jsonlite is not part of a plain r-base install) ----
num <- function(x) ifelse(is.finite(x), sprintf("%.17g", x), "null")
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
str <- function(x) paste0("\"", gsub("\"", "\\\\\"", x), "\"")
strs <- function(x) paste0("[", paste(str(x), collapse = ","), "]")
obj <- function(...) {
  kv <- list(...)
  paste0("{", paste(paste0(str(names(kv)), ":", unlist(kv)), collapse = ","), "}")
}

kmArm <- function(level) {
  strata <- rep(names(km$strata), km$strata)
  k <- strata == paste0("treated=", level)
  obj(time = arr(km$time[k]), n_risk = arr(km$n.risk[k]), n_event = arr(km$n.event[k]),
      surv = arr(km$surv[k]), std_err = arr(km$std.err[k]), lower = arr(km$lower[k]), upper = arr(km$upper[k]))
}

coefs <- coef(fit)
out <- obj(
  options = obj(covariates = strs(covs), outcome = str(opt$outcome), window = num(window), caliper = num(caliper),
                ratio = num(ratio), replace = if (replace) "true" else "false", distance = str(opt$distance)),
  rows = num(nrow(d)),
  matchit = obj(version = str(as.character(packageVersion("MatchIt"))),
                defectsReproduced = strs(quirks), sameAsReference = if (identical(mm, mmMatchit)) "true" else "false"),
  glm = obj(names = strs(names(coefs)), coefficients = arr(unname(coefs)), iter = num(fit$iter),
            converged = if (fit$converged) "true" else "false", deviance = num(fit$deviance)),
  counts = obj(treated = num(sum(d$treated == 1)), comparison = num(sum(d$treated == 0)),
               matchedTreated = num(sum(inSample & d$treated == 1)),
               matchedComparison = num(sum(inSample & d$treated == 0))),
  pairs = paste0("[", paste(vapply(pairs, function(p) obj(treated = str(p$treated), controls = strs(p$controls)), ""),
                            collapse = ","), "]"),
  weights = obj(person_ref = strs(d$person_ref[inSample]), weight = arr(w[inSample])),
  smd = paste0("[", paste(vapply(smd, function(b) obj(covariate = str(b$covariate), before = num(b$before),
                                                        after = num(b$after)), ""), collapse = ","), "]"),
  window = obj(treated = obj(n = num(winArm[[1]]$n), events = num(winArm[[1]]$events),
                             lower = num(winArm[[1]]$lower), upper = num(winArm[[1]]$upper)),
               comparison = obj(n = num(winArm[[2]]$n), events = num(winArm[[2]]$events),
                                lower = num(winArm[[2]]$lower), upper = num(winArm[[2]]$upper))),
  km = if (opt$km == "TRUE") obj(treated = kmArm(1), comparison = kmArm(0)) else "null",
  survdiff = obj(chisq = num(sd$chisq), p = num(pchisq(sd$chisq, 1, lower.tail = FALSE)),
                 observedTreated = num(sd$obs[2]), expectedTreated = num(sd$exp[2])),
  coxph = obj(coef = num(cs[1, "coef"]), se = num(cs[1, "se(coef)"]), hr = num(cs[1, "exp(coef)"]),
              lower = num(ci[1, 1]), upper = num(ci[1, 2]), p = num(cs[1, "Pr(>|z|)"]),
              lr = num(2 * diff(cx$loglik)), iter = num(cx$iter)),
  timing = do.call(obj, lapply(timing, num))
)
writeLines(out, opt$out)
