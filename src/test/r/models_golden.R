# Golden values for org.rupture.pipeline.stats.models (LinearMixedModel, LogisticRegression).
# Run from the repository root:  Rscript src/test/r/models_golden.R
# Writes src/test/resources/golden/models/{lmer,glm}.json with the raw rows (the Java tests build the
# per-site cross-products / design from them) and R's results at full precision.
suppressPackageStartupMessages(library(lme4))
source("src/test/r/golden_json.R")
source("src/test/r/glm_converged.R")
out <- "src/test/resources/golden/models"
set.seed(20240612)

# ---- lme4::lmer, REML, with and without an uncorrelated random slope ---------------------------
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                     check.conv.singular = "ignore")

# lmer with the tight control; optimiser warnings are printed with the model they belong to
fit_lmer <- function(formula, d) {
  withCallingHandlers(lmer(formula, d, REML = TRUE, control = tight), warning = function(w) {
    cat("  warning for", deparse(formula), ":", conditionMessage(w), "\n")
    invokeRestart("muffleWarning")
  })
}

lmer_summary <- function(fit, random_slope) {
  fe <- fixef(fit)
  se <- sqrt(diag(as.matrix(vcov(fit))))
  ci <- confint(fit, method = "Wald")[names(fe), , drop = FALSE]
  vc <- as.data.frame(VarCorr(fit))
  stat <- fe / se
  # cross-check the optimum with a second, independent optimiser on lme4's own REML function
  devfun <- update(fit, devFunOnly = TRUE)
  theta <- getME(fit, "theta")
  alt <- if (random_slope) {
    optim(theta, devfun, method = "L-BFGS-B", lower = c(0, 0), control = list(factr = 1, pgtol = 0))$par
  } else {
    optimize(devfun, c(0, 10 * max(theta, 1)), tol = 1e-14)$minimum
  }
  cat(sprintf("  theta %s; second optimiser differs by %.2g; REML %.17g\n",
              paste(signif(theta, 8), collapse = " "), max(abs(alt - theta)), REMLcrit(fit)))
  list(
    fixed_effects = lapply(seq_along(fe), function(j) list(
      name = scalar(names(fe)[j]), estimate = scalar(fe[[j]]), se = scalar(se[[j]]),
      statistic = scalar(stat[[j]]), ci_lower = scalar(ci[j, 1]), ci_upper = scalar(ci[j, 2]),
      p = scalar(2 * pnorm(-abs(stat[[j]]))))),
    intercept_variance = scalar(vc$vcov[vc$grp == "site" & vc$var1 == "(Intercept)"]),
    slope_variance = scalar(if (random_slope) vc$vcov[vc$var1 %in% "x" & vc$grp != "Residual"] else NA),
    residual_variance = scalar(vc$vcov[vc$grp == "Residual"]),
    reml = scalar(REMLcrit(fit)),
    theta = as.numeric(theta))
}

simulate_lmer_data <- function(k, min_rows, max_rows, sd_site, sd_slope, beta, sd_res) {
  sizes <- sample(min_rows:max_rows, k, replace = TRUE)
  site <- rep(sprintf("S%02d", seq_len(k)), sizes)
  b0 <- rep(rnorm(k, 0, sd_site), sizes)
  b1 <- rep(rnorm(k, 0, sd_slope), sizes)
  x <- round(runif(length(site), 1, 5), 3)
  baseline <- round(rnorm(length(site), 20, 4), 3)
  y <- round(beta[1] + beta[2] * x + beta[3] * baseline + b0 + b1 * x + rnorm(length(site), 0, sd_res), 3)
  data.frame(site, x, baseline, y)
}

lmer_case <- function(name, k, min_rows, max_rows, sd_site, sd_slope, beta = c(2, 0.5, 0.3), sd_res = 2,
                      on_boundary = FALSE) {
  repeat {
    d <- simulate_lmer_data(k, min_rows, max_rows, sd_site, sd_slope, beta, sd_res)
    # a data set whose REML site variance is exactly 0 (lme4's boundary fit), if asked for one
    if (!on_boundary || getME(lmer(y ~ x + baseline + (1 | site), d, control = tight), "theta") == 0) break
  }
  cat(name, "\n")
  intercept_only <- fit_lmer(y ~ x + baseline + (1 | site), d)
  with_slope <- fit_lmer(y ~ x + baseline + (1 | site) + (0 + x | site), d)
  list(name = scalar(name), site = d$site, x = d$x, baseline = d$baseline, y = d$y,
       n = scalar(nrow(d)), groups = scalar(k),
       random_intercept = lmer_summary(intercept_only, FALSE),
       random_slope = lmer_summary(with_slope, TRUE))
}

lmer_cases <- list(
  lmer_case("8 sites, both components", 8, 15, 40, 1.5, 0.4),
  lmer_case("12 sites, larger", 12, 30, 80, 2.5, 0.6, beta = c(-4, -1.2, 0.6), sd_res = 4),
  lmer_case("5 sites, no true site variance", 5, 20, 30, 0, 0),
  lmer_case("3 sites, few rows", 3, 8, 12, 1, 0.3),
  lmer_case("6 sites, site variance on the boundary", 6, 10, 20, 0, 0, on_boundary = TRUE))
write_golden(list(cases = lmer_cases), file.path(out, "lmer.json"))

# ---- glm(binomial): dropout ~ x + site indicators -----------------------------------------------

glm_case <- function(name, k, min_rows, max_rows, beta_x, site_sd = 0.5, zero_dropout_site = FALSE) {
  sizes <- sample(min_rows:max_rows, k, replace = TRUE)
  site <- rep(sprintf("S%02d", seq_len(k)), sizes)
  x <- round(runif(length(site), 1, 5), 3)
  eta <- -1.2 + beta_x * (x - 3) + rep(rnorm(k, 0, site_sd), sizes)
  dropout <- rbinom(length(site), 1, plogis(eta))
  if (zero_dropout_site) dropout[site == "S02"] <- 0
  warnings_seen <- character(0)
  fit <- withCallingHandlers(
    glm(dropout ~ x + factor(site, levels = sort(unique(site))), family = binomial,
        control = glm.control(epsilon = 1e-14, maxit = 100)),
    warning = function(w) { warnings_seen <<- c(warnings_seen, conditionMessage(w)); invokeRestart("muffleWarning") })
  names_r <- sub("^factor\\(.*\\)", "site", names(coef(fit)))
  case <- list(name = scalar(name), site = site, x = x, dropout = dropout,
               n = scalar(length(x)), r_warnings = if (length(warnings_seen)) warnings_seen else list())
  if (zero_dropout_site) {
    stopifnot(any(grepl("fitted probabilities numerically 0 or 1", warnings_seen)))
    case$separated_site <- scalar("S02")
    return(case)
  }
  stopifnot(fit$converged, length(warnings_seen) == 0)
  fit <- at_converged_estimates(fit)
  s <- coef(summary(fit))
  ci <- confint.default(fit)
  case$coefficients <- lapply(seq_len(nrow(s)), function(j) list(
    name = scalar(names_r[j]), estimate = scalar(s[j, 1]), se = scalar(s[j, 2]), statistic = scalar(s[j, 3]),
    p = scalar(s[j, 4]), ci_lower = scalar(ci[j, 1]), ci_upper = scalar(ci[j, 2])))
  case$deviance <- scalar(deviance(fit))
  case$odds_ratio_x <- scalar(exp(coef(fit)[["x"]]))
  case$odds_ratio_x_ci <- as.numeric(exp(ci["x", ]))
  case
}

glm_cases <- list(
  glm_case("4 sites, moderate effect", 4, 30, 50, 0.5),
  glm_case("7 sites, strong effect", 7, 40, 80, -1.1, site_sd = 0.8),
  glm_case("2 sites, small", 2, 18, 24, 0.3),
  glm_case("separation: a site without dropouts", 4, 25, 35, 0.4, zero_dropout_site = TRUE))
write_golden(list(cases = glm_cases), file.path(out, "glm.json"))
