#!/usr/bin/env Rscript
# Golden values for org.rupture.pipeline.stats.meta (RandomEffectsModel) and the `meta` command.
#
# Requires metafor >= 3.8 (with metadat). Run from the repository root:
#   Rscript src/test/r/meta_golden.R
# Writes one JSON file per data set to src/test/resources/golden/meta/. For every data set it fits
# rma() with every tau^2 estimator x both tests (z, knha) and records the pooled estimate, its test,
# Cochran's Q, I^2, H^2, the Q-profile CI of tau^2 (confint), the prediction interval (predict) and,
# for k <= 40, leave1out(). Iteration controls are tight (see SPEC section 6) so that the values are
# exact to well below the 1e-6 comparison tolerance; the tau^2 CI search range is widened when metafor's
# default upper limit would cap the interval. Numbers are written with 17 significant digits.
# Whatever metafor cannot compute (e.g. confint for FE, k = 1) is written as null.

suppressPackageStartupMessages(library(metafor))
stopifnot(packageVersion("metafor") >= "3.8")

out_dir <- file.path("src", "test", "resources", "golden", "meta")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

methods <- c("REML", "DL", "PM", "ML", "HS", "SJ", "HE", "EB", "FE")
tests <- c("z", "knha")
fit_control <- list(threshold = 1e-14, tol = 1e-14, maxiter = 10000)
# Fisher scoring stops on an absolute change <= threshold; for tau^2 ~ 10-100 one rounding step of
# tau^2 already exceeds 1e-14, so such fits never "converge". They are refitted with this threshold
# (still a relative precision of about 1e-12) and the file records the threshold used.
fallback_control <- list(threshold = 1e-10, tol = 1e-14, maxiter = 10000)
ci_control <- list(tol = 1e-14)
max_k_leave1out <- 40

# ---- minimal JSON writer with full double precision (jsonlite stops at 15 significant digits) ----
json_number <- function(x) {
  if (is.na(x) && !is.nan(x)) return("null")
  if (is.nan(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "\"Infinity\"" else "\"-Infinity\"")
  sprintf("%.17g", x)
}
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- vapply(names(x), function(n) paste0("\"", n, "\":", to_json(x[[n]])), "")
      return(paste0("{", paste(parts, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (inherits(x, "AsIs") || length(x) != 1L) {  # I(...) marks an array even of length 1
    return(paste0("[", paste(vapply(unclass(x), function(v) to_json(v), ""), collapse = ","), "]"))
  }
  if (is.character(x)) return(paste0("\"", gsub("\"", "\\\\\"", x), "\""))
  if (is.logical(x)) return(if (is.na(x)) "null" else tolower(as.character(x)))
  json_number(as.numeric(x))
}

# ---- Q-profile CI of tau^2 ----
# confint() searches [0, tau2.max] with tau2.max = max(100, 10 tau^2) by default and reports the bound
# itself (with ub.sign ">") when the CI reaches beyond it. The Java side finds the true root, so widen
# tau2.max until the bound lies inside; the file records the tau2.max that was needed.
tau2_interval <- function(fit) {
  tau2_max <- max(100, 10 * fit$tau2)
  repeat {
    ci <- tryCatch(suppressWarnings(confint(fit, control = c(ci_control, list(tau2.max = tau2_max)))),
                   error = function(e) NULL)
    if (is.null(ci)) return(list(bounds = c(ci.lb = NA, ci.ub = NA), tau2_max = NULL))
    if (ci$ub.sign != ">" && ci$lb.sign != ">") {
      return(list(bounds = ci$random["tau^2", c("ci.lb", "ci.ub")],
                  tau2_max = if (tau2_max > max(100, 10 * fit$tau2)) tau2_max else NULL))
    }
    tau2_max <- tau2_max * 100
  }
}

# ---- one fit: every key the Java side reports ----
fit_one <- function(yi, vi, method, test) {
  fit_with <- function(control) tryCatch(
    suppressWarnings(rma(yi, vi, method = method, test = test, control = control)),
    error = function(e) e)
  fit <- fit_with(fit_control)
  if (inherits(fit, "error") && grepl("did not converge", conditionMessage(fit))) fit <- fit_with(fallback_control)
  if (inherits(fit, "error")) return(list(method = method, test = test, error = conditionMessage(fit)))
  tau2_ci <- tau2_interval(fit)
  pred <- predict(fit)
  res <- list(
    method = method, test = test, test_used = fit$test, threshold = fit$control$threshold, k = fit$k,
    estimate = c(fit$beta), se = fit$se, statistic = fit$zval,
    ci_lower = fit$ci.lb, ci_upper = fit$ci.ub, p = fit$pval,
    pi_lower = pred$pi.lb, pi_upper = pred$pi.ub,
    tau2 = fit$tau2, tau2_ci_lower = unname(tau2_ci$bounds["ci.lb"]), tau2_ci_upper = unname(tau2_ci$bounds["ci.ub"]),
    tau2_ci_search_max = tau2_ci$tau2_max,
    I2 = fit$I2, H2 = fit$H2, Q = fit$QE, Q_df = fit$k - fit$p, Q_p = fit$QEp)
  if (fit$k >= 2 && fit$k <= max_k_leave1out) {
    l1o <- suppressWarnings(leave1out(fit))
    if (anyNA(l1o$estimate)) {  # a leave-one-out refit hit the same absolute-threshold limit
      l1o <- suppressWarnings(leave1out(fit_with(fallback_control)))
      res$leave_one_out_threshold <- fallback_control$threshold
    }
    res$leave_one_out <- list(
      estimate = I(l1o$estimate), se = I(l1o$se), ci_lower = I(l1o$ci.lb), ci_upper = I(l1o$ci.ub),
      p = I(l1o$pval), tau2 = I(if (is.null(l1o$tau2)) rep(0, fit$k) else l1o$tau2),
      I2 = I(l1o$I2), H2 = I(l1o$H2), Q = I(l1o$Q), Q_p = I(l1o$Qp))
  }
  res
}

write_dataset <- function(name, description, yi, vi, extra = list()) {
  fits <- list()
  for (m in methods) for (t in tests) fits[[length(fits) + 1L]] <- fit_one(yi, vi, m, t)
  doc <- c(list(dataset = name, description = description, metafor = as.character(packageVersion("metafor")),
                yi = I(as.numeric(yi)), vi = I(as.numeric(vi))), extra, list(fits = fits))
  writeLines(to_json(doc), file.path(out_dir, paste0(name, ".json")))
}

# ---- classic metafor / metadat data sets ----
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
write_dataset("bcg", "dat.bcg, log risk ratios (escalc RR), k = 13", bcg$yi, bcg$vi)

molloy <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014)
write_dataset("molloy2014", "dat.molloy2014, Fisher z of correlations (escalc ZCOR), k = 16",
              molloy$yi, molloy$vi, list(ri = I(dat.molloy2014$ri), ni = I(dat.molloy2014$ni)))

normand <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                  data = dat.normand1999)
write_dataset("normand1999", "dat.normand1999, raw mean differences (escalc MD), k = 9",
              normand$yi, normand$vi)

write_dataset("hackshaw1998", "dat.hackshaw1998, log odds ratios (as supplied), k = 37",
              dat.hackshaw1998$yi, dat.hackshaw1998$vi)

write_dataset("raudenbush1985", "dat.raudenbush1985, standardised mean differences (as supplied), k = 19",
              dat.raudenbush1985$yi, dat.raudenbush1985$vi)

mcdaniel <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.mcdaniel1994)
write_dataset("mcdaniel1994", "dat.mcdaniel1994, Fisher z of correlations (escalc ZCOR), k = 160",
              mcdaniel$yi, mcdaniel$vi)

# ---- simulated data sets (fixed seed) ----
set.seed(20240601)
simulate_correlations <- function(k, rho, tau2) {
  ni <- sample(15:300, k, replace = TRUE)
  vi <- 1 / (ni - 3)
  yi <- rnorm(k, atanh(rho), sqrt(vi + tau2))
  list(yi = yi, vi = vi, ni = ni)
}
simulate_generic <- function(k, mu, tau2, vi_min, vi_max) {
  vi <- exp(runif(k, log(vi_min), log(vi_max)))
  list(yi = rnorm(k, mu, sqrt(vi + tau2)), vi = vi)
}
sims <- list(
  list("sim_k2_het", "k = 2, correlations, tau2 = 0.1", simulate_correlations(2, 0.3, 0.1)),
  list("sim_k2_hom", "k = 2, correlations, tau2 = 0", simulate_correlations(2, 0.2, 0)),
  list("sim_k3_het", "k = 3, correlations, tau2 = 0.05", simulate_correlations(3, 0.25, 0.05)),
  list("sim_k4_hom", "k = 4, correlations, tau2 = 0", simulate_correlations(4, -0.15, 0)),
  list("sim_k5_het", "k = 5, correlations, tau2 = 0.08", simulate_correlations(5, 0.35, 0.08)),
  list("sim_k7_generic", "k = 7, generic effects, tau2 = 0.3, vi 0.05-0.5", simulate_generic(7, -0.4, 0.3, 0.05, 0.5)),
  list("sim_k10_hom", "k = 10, correlations, tau2 = 0", simulate_correlations(10, 0.1, 0)),
  list("sim_k10_het", "k = 10, correlations, tau2 = 0.03", simulate_correlations(10, 0.3, 0.03)),
  list("sim_k15_het", "k = 15, correlations, tau2 = 0.02", simulate_correlations(15, -0.2, 0.02)),
  list("sim_k20_hom", "k = 20, correlations, tau2 = 0", simulate_correlations(20, 0.25, 0)),
  list("sim_k30_het", "k = 30, correlations, tau2 = 0.06", simulate_correlations(30, 0.2, 0.06)),
  list("sim_k50_generic", "k = 50, generic effects, tau2 = 0.5, vi 0.001-2", simulate_generic(50, 1.2, 0.5, 0.001, 2)),
  list("sim_k100_hom", "k = 100, correlations, tau2 = 0", simulate_correlations(100, 0.15, 0)),
  list("sim_k100_het", "k = 100, correlations, tau2 = 0.04", simulate_correlations(100, 0.3, 0.04)),
  list("sim_k200_het", "k = 200, correlations, tau2 = 0.01", simulate_correlations(200, 0.2, 0.01)),
  list("sim_k200_hom", "k = 200, generic effects, tau2 = 0, vi 0.01-0.2", simulate_generic(200, 0.5, 0, 0.01, 0.2)),
  list("sim_k12_extreme", "k = 12, generic effects, tau2 = 25 with vi 0.0001-0.01 (strong heterogeneity)",
       simulate_generic(12, 3, 25, 1e-4, 1e-2))
)
for (s in sims) {
  d <- s[[3]]
  extra <- if (is.null(d$ni)) list() else list(ri = I(tanh(d$yi)), ni = I(d$ni))
  write_dataset(s[[1]], s[[2]], d$yi, d$vi, extra)
}

# ---- edge cases ----
write_dataset("edge_identical_yi", "k = 5, all yi identical (0.25), different vi", rep(0.25, 5),
              c(0.01, 0.02, 0.05, 0.1, 0.04))
write_dataset("edge_k1", "k = 1", 0.4, 0.02)
# one study's sampling variance a billionth of the others' (metafor warns of the ratio): the traces of
# P and PP that REML's scoring step needs must not cancel to 0
write_dataset("edge_variance_ratio_1e9", "k = 6, one vi 1e9 times smaller than the others",
              c(0.3, 0.1, 0.5, -0.2, 0.9, -0.6), c(1e-9, 1, 2, 0.5, 0.8, 1.5))
cat("golden files written to", out_dir, "\n")
