# Golden values for the analysis stage (org.rupture.pipeline.analysis.AnalyzeStage with
# AnalysisConfig.defaults()) on the fixture cohort written by analysis_fixture.R.
# Run from the repository root:  Rscript src/test/r/analysis_golden.R
# Writes src/test/resources/golden/analysis/analysis_golden.json: features per patient, every site effect
# (cor.test, repeated-measures correlation by definition and cross-checked with its ANCOVA form, t.test
# paired, metafor::escalc SMD, per-site glm(retained ~ mean_resolution, binomial) log odds ratios), every pooled
# effect (metafor::rma REML, z test, tight control; confint
# Q-profile; predict; leave1out), lme4::lmer one-stage models (every fixed effect with its Wald statistic,
# confint(method = "Wald") interval and normal p) and glm retention models (every coefficient with its z test
# and confint.default interval, and on the pooled log OR's scale as the odds ratio of retention), each with its
# agreement with the pooled two-stage effect (the retention models': the pooled log OR); and the evidence on
# each default claim (verdict, pooled effect on the published scale, overlap with the published interval).
# Section non_default: the same pooled, leave-one-out, evidence and linear mixed model values (and the retention
# models' comparison with the pooled log OR) under the non-default configuration AnalyzeStageTest runs a second time (rma PM, Knapp-Hartung
# test; lmer with (1 | site) + (0 + x | site)), the random-slope fits with lme4's theta, isSingular and a second
# optimiser's check. Deterministic: a second run writes the same bytes.
suppressPackageStartupMessages({ library(metafor); library(lme4) })
source("src/test/r/golden_json.R")
source("src/test/r/glm_converged.R")
fixture <- "src/test/resources/analysis"
out <- "src/test/resources/golden/analysis/analysis_golden.json"

window <- 6; repair_threshold <- 4; min_site_n <- 10
z975 <- qnorm(0.975)
rma_control <- list(threshold = 1e-14, tol = 1e-14, maxiter = 10000)

sessions <- read.csv(file.path(fixture, "session_ratings.csv"), na.strings = "", stringsAsFactors = FALSE,
                     colClasses = c(rupture_present = "logical"))
patients <- read.csv(file.path(fixture, "patients.csv"), na.strings = "", stringsAsFactors = FALSE,
                     colClasses = c(dropout = "logical"))
outcomes <- read.csv(file.path(fixture, "outcomes.csv"), na.strings = "", stringsAsFactors = FALSE)

# ---- features (SPEC 5) ------------------------------------------------------------------------------
early <- sessions[sessions$session_number <= window, ]
mean_or_na <- function(v) if (length(v) == 0) NA_real_ else mean(v)
feature_rows <- lapply(split(early, list(early$site, early$patient_key, early$rater), drop = TRUE), function(d) {
  rated <- d[!is.na(d$rupture_present), ]
  rup <- d[d$rupture_present %in% TRUE, ]
  data.frame(site = d$site[1], patient_key = d$patient_key[1], rater = d$rater[1],
             sessions_rated = nrow(rated), rupture_rate = mean_or_na(as.numeric(rated$rupture_present)),
             mean_intensity = mean_or_na(rup$rupture_intensity[!is.na(rup$rupture_intensity)]),
             mean_resolution = mean_or_na(rup$rupture_resolution[!is.na(rup$rupture_resolution)]),
             repair_rate = mean_or_na(as.numeric(rup$rupture_resolution[!is.na(rup$rupture_resolution)] >= repair_threshold)),
             mean_alliance = mean_or_na(d$alliance[!is.na(d$alliance)]),
             mean_quality = mean_or_na(d$session_quality[!is.na(d$session_quality)]))
})
process <- do.call(rbind, feature_rows)
process <- merge(process, data.frame(site = patients$site, patient_key = patients$patient_key,
                                     retained = !patients$dropout), all.x = TRUE)
process <- process[order(process$site, process$patient_key, process$rater), ]

base <- outcomes[outcomes$timepoint == "baseline", c("site", "patient_key", "measure", "score", "direction")]
term <- outcomes[outcomes$timepoint == "termination", c("site", "patient_key", "measure", "score", "direction")]
names(base)[4] <- "baseline"; names(term)[4] <- "termination"
patient_outcomes <- merge(base, term, all = TRUE)
patient_outcomes$improvement <- ifelse(patient_outcomes$direction == "lower_is_better",
                                       patient_outcomes$baseline - patient_outcomes$termination,
                                       patient_outcomes$termination - patient_outcomes$baseline)
patient_outcomes <- patient_outcomes[order(patient_outcomes$site, patient_outcomes$patient_key,
                                           patient_outcomes$measure), ]

# ---- site effects ---------------------------------------------------------------------------------
effect_row <- function(analysis, rater, measure, site, type, n, est, se, lo, hi, p, yi, vi, excluded) {
  list(analysis = analysis, rater = rater, measure = measure, site = site, effect_type = type, n = n,
       estimate = est, se = se, ci_lower = lo, ci_upper = hi, p = p, yi = yi, vi = vi, excluded = excluded)
}
no_effect <- function(analysis, rater, measure, site, type, n) {
  effect_row(analysis, rater, measure, site, type, n, NA, NA, NA, NA, NA, NA, NA, TRUE)
}
pearson_site <- function(analysis, rater, measure, site, x, y) {
  n <- length(x)
  if (n < 4 || var(x) == 0 || var(y) == 0) return(no_effect(analysis, rater, measure, site, "r", n))
  ct <- cor.test(x, y)
  r <- unname(ct$estimate)
  effect_row(analysis, rater, measure, site, "r", n, r, sqrt(1 / (n - 3)), ct$conf.int[1], ct$conf.int[2],
             ct$p.value, atanh(r), 1 / (n - 3), n < min_site_n)
}
rmcorr_site <- function(analysis, rater, site, d) {
  counts <- table(d$patient_key)
  d <- d[d$patient_key %in% names(counts)[counts >= 2], ]
  k <- length(unique(d$patient_key)); N <- nrow(d); df <- N - k - 1
  if (df < 2) return(no_effect(analysis, rater, NA, site, "r_rm", k))
  xc <- d$x - ave(d$x, d$patient_key); yc <- d$y - ave(d$y, d$patient_key)
  r <- sum(xc * yc) / sqrt(sum(xc^2) * sum(yc^2))
  # the same r_rm from its ANCOVA form (rmcorr's definition): y ~ patient + x
  fit <- lm(y ~ factor(patient_key) + x, data = d)
  ss <- anova(fit)
  r_ancova <- sign(coef(fit)[["x"]]) * sqrt(ss["x", "Sum Sq"] / (ss["x", "Sum Sq"] + ss["Residuals", "Sum Sq"]))
  stopifnot(abs(r - r_ancova) < 1e-12, df == ss["Residuals", "Df"])
  t <- r * sqrt(df / (1 - r^2))
  half <- z975 / sqrt(df - 1)
  effect_row(analysis, rater, NA, site, "r_rm", k, r, sqrt(1 / (df - 1)), tanh(atanh(r) - half),
             tanh(atanh(r) + half), 2 * pt(-abs(t), df), atanh(r), 1 / (df - 1), k < min_site_n)
}
# a site's logistic regression retained ~ x (effect_type log_or): yi = slope (log OR per unit), vi = its Wald
# variance, se on the log scale, estimate and CI as the OR, p glm's Wald z. Not fitted (excluded, no estimate):
# 2 patients or fewer, no variance in x or in retained, or (quasi-)complete separation, checked on the data: all
# retained patients at or above (or at or below) every dropout's x
separated <- function(x, y) max(x[!y]) <= min(x[y]) || max(x[y]) <= min(x[!y])
log_or_site <- function(analysis, rater, site, x, retained) {
  n <- length(x)
  if (n <= 2 || var(x) == 0 || all(retained) || !any(retained) || separated(x, retained)) {
    return(no_effect(analysis, rater, NA, site, "log_or", n))
  }
  fit <- glm(retained ~ x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  stopifnot(fit$converged)
  b <- coef(fit)[["x"]]
  # the Wald variance from X'WX at the converged coefficients (vcov(fit) takes the weights of the step before,
  # which leaves the SE about 1e-8 off); the two agree to far better than the comparison's 1e-6
  X <- cbind(1, x); mu <- fitted(fit)
  se <- sqrt(solve(crossprod(X, mu * (1 - mu) * X))[2, 2])
  stopifnot(abs(se - sqrt(vcov(fit)["x", "x"])) < 1e-6 * se)
  effect_row(analysis, rater, NA, site, "log_or", n, exp(b), se, exp(b - z975 * se), exp(b + z975 * se),
             2 * pnorm(-abs(b / se)), b, se^2, n < min_site_n)
}
paired_site <- function(analysis, rater, site, a, b) {
  n <- length(a)
  tt <- t.test(a, b, paired = TRUE)
  dvar <- var(a - b)
  effect_row(analysis, rater, NA, site, "md", n, unname(tt$estimate), sqrt(dvar / n), tt$conf.int[1],
             tt$conf.int[2], tt$p.value, mean(a - b), dvar / n, n < min_site_n)
}
smd_site <- function(analysis, rater, measure, site, y1, y2) {
  n <- length(y1) + length(y2)
  if (length(y1) < 2 || length(y2) < 2) return(no_effect(analysis, rater, measure, site, "smd", n))
  es <- escalc("SMD", m1i = mean(y1), sd1i = sd(y1), n1i = length(y1), m2i = mean(y2), sd2i = sd(y2),
               n2i = length(y2))
  yi <- as.numeric(es$yi); vi <- as.numeric(es$vi)
  e <- effect_row(analysis, rater, measure, site, "smd", n, yi, sqrt(vi), yi - z975 * sqrt(vi), yi + z975 * sqrt(vi),
                  2 * pnorm(-abs(yi / sqrt(vi))), yi, vi, n < min_site_n)
  e$n1 <- length(y1); e$n2 <- length(y2)   # group sizes, summed over the pooled sites for the evidence's g -> r
  e
}

raters <- c("patient", "therapist")
measures <- sort(unique(outcomes$measure))
site_effects <- list()
add <- function(e) site_effects[[length(site_effects) + 1]] <<- e
joined <- merge(process, patient_outcomes[, c("site", "patient_key", "measure", "baseline", "improvement")])
ipd_rows <- list()   # rows behind each one-stage linear model, by key

for (spec in list(c("resolution_outcome", "mean_resolution"), c("intensity_outcome", "mean_intensity"))) {
  for (rater in raters) for (m in measures) {
    d <- joined[joined$rater == rater & joined$measure == m & !is.na(joined[[spec[2]]]) & !is.na(joined$improvement), ]
    for (site in sort(unique(d$site))) {
      s <- d[d$site == site, ]
      add(pearson_site(spec[1], rater, m, site, s[[spec[2]]], s$improvement))
    }
    ipd_rows[[paste(spec[1], rater, m)]] <- data.frame(site = d$site, x = d[[spec[2]]], baseline = d$baseline,
                                                       improvement = d$improvement)
  }
}
retention_rows <- list()
for (rater in raters) {
  d <- process[process$rater == rater & !is.na(process$mean_resolution) & !is.na(process$retained), ]
  for (site in sort(unique(d$site))) {
    s <- d[d$site == site, ]
    add(pearson_site("resolution_retention", rater, NA, site, s$mean_resolution, as.numeric(s$retained)))
  }
  for (site in sort(unique(d$site))) {
    s <- d[d$site == site, ]
    add(log_or_site("resolution_retention", rater, site, s$mean_resolution, s$retained))
  }
  retention_rows[[rater]] <- d
}
for (spec in list(c("intensity_alliance", "rupture_intensity", "alliance"),
                  c("resolution_alliance", "rupture_resolution", "alliance"),
                  c("intensity_quality", "rupture_intensity", "session_quality"),
                  c("resolution_quality", "rupture_resolution", "session_quality"))) {
  for (rater in raters) {
    d <- early[early$rater == rater & early$rupture_present %in% TRUE & !is.na(early[[spec[2]]]) &
                 !is.na(early[[spec[3]]]), ]
    d <- data.frame(site = d$site, patient_key = d$patient_key, x = d[[spec[2]]], y = d[[spec[3]]])
    for (site in sort(unique(d$site))) add(rmcorr_site(spec[1], rater, site, d[d$site == site, ]))
  }
}
ther <- process[process$rater == "therapist" & !is.na(process$rupture_rate), c("site", "patient_key", "rupture_rate")]
pat <- process[process$rater == "patient" & !is.na(process$rupture_rate), c("site", "patient_key", "rupture_rate")]
pairs <- merge(ther, pat, by = c("site", "patient_key"), suffixes = c("_t", "_p"))
for (site in sort(unique(pairs$site))) {
  s <- pairs[pairs$site == site, ]
  add(paired_site("rater_difference", "therapist-patient", site, s$rupture_rate_t, s$rupture_rate_p))
}
with_treatment <- merge(process, patients[, c("site", "patient_key", "treatment")])
for (rater in raters) {
  d <- with_treatment[with_treatment$rater == rater & !is.na(with_treatment$treatment) &
                        !is.na(with_treatment$rupture_rate), ]
  for (site in sort(unique(d$site))) {
    s <- d[d$site == site, ]
    add(smd_site("treatment_difference", rater, NA, site, s$rupture_rate[s$treatment == "CBT"],
                 s$rupture_rate[s$treatment != "CBT"]))
  }
}
with_phase <- merge(patient_outcomes, patients[, c("site", "patient_key", "therapist_training_phase")])
for (m in measures) {
  d <- with_phase[with_phase$measure == m & with_phase$therapist_training_phase %in% c("pre", "post") &
                    !is.na(with_phase$improvement), ]
  for (site in sort(unique(d$site))) {
    s <- d[d$site == site, ]
    add(smd_site("training_effect", NA, m, site, s$improvement[s$therapist_training_phase == "post"],
                 s$improvement[s$therapist_training_phase == "pre"]))
  }
  ipd_rows[[paste("training_effect", NA, m)]] <- data.frame(site = d$site,
    x = as.numeric(d$therapist_training_phase == "post"), baseline = d$baseline, improvement = d$improvement)
}

# ---- pooling --------------------------------------------------------------------------------------
key_of <- function(e) paste(e$analysis, e$rater, e$measure, e$effect_type)
keys <- unique(vapply(site_effects, key_of, character(1)))
# every site with data (a session rating, a patient record or an outcome) has a row in each key, n = 0 where
# no patient of it has the key's data (SPEC 6: kept with excluded_reason, not dropped silently); never pooled
data_sites <- sort(unique(c(sessions$site, patients$site, process$site, patient_outcomes$site)))
for (first in site_effects[!duplicated(vapply(site_effects, key_of, character(1)))]) {
  have <- vapply(Filter(function(e) key_of(e) == key_of(first), site_effects), function(e) e$site, "")
  for (site in setdiff(data_sites, have)) {
    add(no_effect(first$analysis, first$rater, first$measure, site, first$effect_type, 0))
  }
}
# every pooled effect and its leave-one-out rows under one meta-analysis method and test
pool_all <- function(method, test) {
  pooled <- list(); loo <- list()
  for (key in keys) {
    effects <- Filter(function(e) key_of(e) == key && !e$excluded, site_effects)
    first <- effects[[1]]
    yi <- vapply(effects, function(e) e$yi, 0); vi <- vapply(effects, function(e) e$vi, 0)
    back <- if (first$effect_type %in% c("r", "r_rm")) tanh else if (first$effect_type == "log_or") exp else identity
    fit <- rma(yi, vi, method = method, test = test, control = rma_control)
    ci <- confint(fit, control = list(tol = 1e-14))
    pr <- predict(fit)
    pooled[[length(pooled) + 1]] <- list(
      analysis = first$analysis, rater = first$rater, measure = first$measure, effect_type = first$effect_type,
      k = fit$k, n_total = sum(vapply(effects, function(e) e$n, 0)),
      n1_total = if (first$effect_type == "smd") sum(vapply(effects, function(e) e$n1, 0)) else NA,
      n2_total = if (first$effect_type == "smd") sum(vapply(effects, function(e) e$n2, 0)) else NA,
      yi_estimate = as.numeric(fit$beta), yi_se = fit$se, estimate = back(as.numeric(fit$beta)),
      ci_lower = back(fit$ci.lb), ci_upper = back(fit$ci.ub), p = fit$pval, pi_lower = back(pr$pi.lb),
      pi_upper = back(pr$pi.ub), tau2 = fit$tau2, tau2_ci_lower = ci$random["tau^2", "ci.lb"],
      tau2_ci_upper = ci$random["tau^2", "ci.ub"], I2 = fit$I2, H2 = fit$H2, Q = fit$QE, Q_df = fit$k - fit$p,
      Q_p = fit$QEp)
    l1 <- leave1out(fit)
    sites <- vapply(effects, function(e) e$site, "")
    for (i in seq_along(sites)) {
      loo[[length(loo) + 1]] <- list(analysis = first$analysis, rater = first$rater, measure = first$measure,
        effect_type = first$effect_type, omitted_site = sites[i], yi_estimate = l1$estimate[i], yi_se = l1$se[i], estimate = back(l1$estimate[i]),
        ci_lower = back(l1$ci.lb[i]), ci_upper = back(l1$ci.ub[i]), p = l1$pval[i], tau2 = l1$tau2[i],
        I2 = l1$I2[i], H2 = l1$H2[i], Q = l1$Q[i], Q_p = l1$Qp[i])
    }
  }
  list(pooled = pooled, loo = loo)
}
default_pooling <- pool_all("REML", "z")
pooled <- default_pooling$pooled; loo <- default_pooling$loo

# ---- one-stage models -----------------------------------------------------------------------------
# ipd_models.json's two_stage_comparison: the direction the predictor's 95% Wald interval shows (+1 or -1 when it
# excludes 0, else 0) against the pooled interval's of the same key; "opposite directions" is the disagreement
# beyond uncertainty. A linear mixed model is compared with the analysis's own effect (r, r_rm, smd); the retention
# (logistic) model with the pooled log odds ratio (effect_type log_or), whose OR interval shows its direction
# against 1. A logistic coefficient is on dropout and the pooled log OR on retained, so the caller reverses its
# direction.
direction <- function(lower, upper) if (lower > 0) 1 else if (upper < 0) -1 else 0
pooled_row <- function(key, pooled, effect_type = NULL) {
  pooled_keys <- vapply(pooled, function(p) paste(p$analysis, p$rater, p$measure), "")
  log_or <- vapply(pooled, function(p) p$effect_type == "log_or", TRUE)
  pooled_keys[if (identical(effect_type, "log_or")) !log_or else log_or] <- NA
  pooled[[match(key, pooled_keys)]]
}
agreement <- function(one, key, pooled, effect_type = NULL) {
  p <- pooled_row(key, pooled, effect_type)
  null_value <- if (p$effect_type == "log_or") 1 else 0
  two <- direction(p$ci_lower - null_value, p$ci_upper - null_value)
  if (one == two) "agree" else if (one != 0 && two != 0) "opposite directions" else "differ in significance"
}
# bobyqa may warn "a trust region step failed to reduce q" at a boundary theta ~ 0: the REML criterion is flat
# there to double precision (theta agrees with a Brent search on the deviance function to ~1e-8).
lmer_control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                            check.conv.singular = "ignore")
# improvement ~ x + baseline + (1 | site), with random_slope + (0 + x | site) (uncorrelated, as
# LinearMixedModel), for every key; the random-slope fits also report lme4's view of the optimum (theta,
# isSingular, its warnings) and the largest theta difference to a second optimiser on lme4's own REML function
fit_lmm <- function(random_slope, pooled) {
  lmm <- list()
  for (key in names(ipd_rows)) {
    d <- ipd_rows[[key]]
    warnings <- character(0)
    formula <- if (random_slope) improvement ~ x + baseline + (1 | site) + (0 + x | site)
               else improvement ~ x + baseline + (1 | site)
    fit <- withCallingHandlers(lmer(formula, data = d, REML = TRUE, control = lmer_control), warning = function(w) {
      if (!random_slope) return()   # the default fits keep R's own reporting of a warning
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
    vc <- as.data.frame(VarCorr(fit))
    parts <- strsplit(key, " ")[[1]]
    fe <- fixef(fit)
    se <- sqrt(diag(as.matrix(vcov(fit))))
    wald <- confint(fit, method = "Wald")[names(fe), , drop = FALSE]
    m <- list(analysis = parts[1], rater = if (parts[2] == "NA") NA else parts[2],
      measure = parts[3], n = nrow(d), k = length(unique(d$site)), estimate = unname(fe),
      se = unname(se), statistic = unname(fe / se), ci_lower = unname(wald[, 1]), ci_upper = unname(wald[, 2]),
      p = unname(2 * pnorm(-abs(fe / se))),
      site_intercept_variance = vc$vcov[vc$grp == "site" & vc$var1 == "(Intercept)"])
    if (random_slope) m$site_slope_variance <- vc$vcov[vc$grp != "Residual" & vc$var1 %in% "x"]
    m$residual_variance <- vc$vcov[vc$grp == "Residual"]
    m$reml_criterion <- unname(REMLcrit(fit))
    m$agreement <- agreement(direction(wald["x", 1], wald["x", 2]), key, pooled)
    if (random_slope) {
      theta <- getME(fit, "theta")
      devfun <- update(fit, devFunOnly = TRUE)
      alt <- optim(theta, devfun, method = "L-BFGS-B", lower = c(0, 0), control = list(factr = 1, pgtol = 0))$par
      m$theta <- unname(theta)
      m$singular <- isSingular(fit)
      m$second_optimiser_theta_difference <- max(abs(alt - theta))
      m$lme4_warnings <- if (length(warnings) == 0) NA else paste(warnings, collapse = "; ")
      cat(sprintf("  %-34s theta %-24s singular %-5s second optimiser differs by %.2g%s\n", key,
                  paste(signif(theta, 6), collapse = " "), isSingular(fit), max(abs(alt - theta)),
                  if (length(warnings) == 0) "" else paste0("; warning: ", paste(warnings, collapse = "; "))))
    }
    lmm[[length(lmm) + 1]] <- m
  }
  lmm
}
lmm <- fit_lmm(FALSE, pooled)
glm_models <- list()
for (rater in raters) {
  d <- retention_rows[[rater]]
  varied <- tapply(d$retained, d$site, function(v) any(v) && !all(v))
  d <- d[d$site %in% names(varied)[varied], ]
  fit <- glm(!retained ~ mean_resolution + factor(site), family = binomial, data = d,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  stopifnot(fit$converged)
  fit <- at_converged_estimates(fit)
  b <- coef(fit)[["mean_resolution"]]; se <- sqrt(vcov(fit)["mean_resolution", "mean_resolution"])
  # every coefficient as ipd_models.json reports it: Wald z tests (summary) and confint.default intervals,
  # the site indicators named site<level> like the Java design
  s <- coef(summary(fit))
  wald <- confint.default(fit)
  glm_models[[length(glm_models) + 1]] <- list(analysis = "resolution_retention", rater = rater, n = nrow(d),
    sites = sort(unique(d$site)), estimate = b, se = se, odds_ratio = exp(b), or_ci_lower = exp(b - z975 * se),
    or_ci_upper = exp(b + z975 * se), or_p = s["mean_resolution", "Pr(>|z|)"], deviance = deviance(fit),
    terms = sub("^factor\\(site\\)", "site", rownames(s)), coef_estimate = unname(s[, "Estimate"]),
    coef_se = unname(s[, "Std. Error"]), coef_statistic = unname(s[, "z value"]), coef_p = unname(s[, "Pr(>|z|)"]),
    coef_ci_lower = unname(wald[, 1]), coef_ci_upper = unname(wald[, 2]),
    # ipd_models.json's two_stage_comparison: the model on the pooled log OR's scale, the odds ratio of retention
    # per unit (the coefficient is on dropout): exp(-b), CI exp(-upper), exp(-lower)
    retention_or = exp(-b), retention_or_ci_lower = exp(-wald["mean_resolution", 2]),
    retention_or_ci_upper = exp(-wald["mean_resolution", 1]),
    direction = -direction(wald["mean_resolution", 1], wald["mean_resolution", 2]))
}
# the retention model does not depend on the configuration; its comparison with the pooled log OR of the same
# rater does (the pooled OR and CI, and the agreement through that CI)
glm_directions <- vapply(glm_models, function(m) m$direction, 0)
glm_agreements <- function(pooled) lapply(seq_along(glm_models), function(i) {
  key <- paste(glm_models[[i]]$analysis, glm_models[[i]]$rater, NA)
  p <- pooled_row(key, pooled, "log_or")
  list(analysis = glm_models[[i]]$analysis, rater = glm_models[[i]]$rater, measure = NA,
       effect_type = p$effect_type, two_stage_estimate = p$estimate, two_stage_ci_lower = p$ci_lower,
       two_stage_ci_upper = p$ci_upper, agreement = agreement(glm_directions[i], key, pooled, "log_or"))
})
default_glm_agreements <- glm_agreements(pooled)
for (i in seq_along(glm_models)) {
  for (f in c("effect_type", "two_stage_estimate", "two_stage_ci_lower", "two_stage_ci_upper", "agreement"))
    glm_models[[i]][[f]] <- default_glm_agreements[[i]][[f]]
  glm_models[[i]]$direction <- NULL
}

# ---- evidence (results/evidence) -----------------------------------------------------------------------
# The verdict on each default claim (its expected_sign against the direction of the pooled 95% CI) and, for each
# published effect it cites, the pooled estimate and CI on the published scale and whether the two intervals
# overlap. A pooled Hedges' g is compared with a published r as the point-biserial r = g / sqrt(g^2 + a),
# a = (n1 + n2)^2 / (n1 n2), with the group sizes summed over the pooled sites (Borenstein et al. 2009, 7.5).
claims <- yaml::read_yaml("src/main/resources/org/rupture/pipeline/analysis/default-analyses.yaml")$analyses
g_to_r <- function(g, n1, n2) g / sqrt(g^2 + (n1 + n2)^2 / (n1 * n2))
evidence_of <- function(pooled) {
  evidence <- list()
  for (p in pooled) {
    claim <- Filter(function(a) a$id == p$analysis, claims)[[1]]
    null_value <- if (p$effect_type == "log_or") 1 else 0   # an odds ratio's interval against 1
    d <- direction(p$ci_lower - null_value, p$ci_upper - null_value)
    verdict <- if (d == 0) "inconclusive" else if (d == (if (claim$expected_sign == "+") 1 else -1)) "supports" else "contrasts"
    for (pub in if (is.null(claim$published)) list(NULL) else claim$published) {
      row <- list(analysis = p$analysis, rater = p$rater, measure = p$measure, effect_type = p$effect_type,
                  verdict = verdict,
                  published_source = NA, comparable_estimate = NA, comparable_ci_lower = NA, comparable_ci_upper = NA,
                  compatible = NA)
      if (!is.null(pub) && p$effect_type == "log_or") {
        row$published_source <- pub$source   # an odds ratio is not put on a published r's (or SMD's) scale
      } else if (!is.null(pub)) {
        comparable <- c(p$estimate, p$ci_lower, p$ci_upper)
        if (p$effect_type == "smd" && pub$effect == "r") comparable <- g_to_r(comparable, p$n1_total, p$n2_total)
        row$published_source <- pub$source
        row$comparable_estimate <- comparable[1]
        row$comparable_ci_lower <- comparable[2]
        row$comparable_ci_upper <- comparable[3]
        row$compatible <- comparable[2] <= pub$ci[2] && pub$ci[1] <= comparable[3]
      }
      evidence[[length(evidence) + 1]] <- row
    }
  }
  evidence
}
evidence <- evidence_of(pooled)

# ---- a non-default configuration ------------------------------------------------------------------------
# AnalyzeStageTest runs the stage a second time on the same curated tables with
#   meta: {method: PM, test: knha}, ipd: {random_slope: true}
# The site effects, features and retention models do not depend on these keys; the pooled effects (rma PM with
# the Knapp-Hartung t test on k - 1 df; its predict and leave1out too), the linear mixed models (with the
# uncorrelated random slope) and everything compared with the pooled CI (agreement, evidence, the retention
# models' two-stage OR) do.
non_default_config <- list(method = "PM", test = "knha", random_slope = TRUE)
cat("non-default configuration: rma", non_default_config$method, non_default_config$test,
    "; lmer with (1 | site) + (0 + x | site):\n")
non_default_pooling <- pool_all(non_default_config$method, non_default_config$test)
non_default_lmm <- fit_lmm(non_default_config$random_slope, non_default_pooling$pooled)

# ---- write ----------------------------------------------------------------------------------------
as_scalars <- function(x) lapply(x, function(v) if (length(v) == 1) scalar(v) else v)
write_golden(list(
  window = scalar(window), min_site_n = scalar(min_site_n),
  patient_process = lapply(seq_len(nrow(process)), function(i) as_scalars(as.list(process[i, ]))),
  patient_outcomes = lapply(seq_len(nrow(patient_outcomes)), function(i)
    as_scalars(as.list(patient_outcomes[i, c("site", "patient_key", "measure", "baseline", "termination", "improvement")]))),
  site_effects = lapply(site_effects, as_scalars),
  pooled = lapply(pooled, as_scalars),
  leave_one_out = lapply(loo, as_scalars),
  evidence = lapply(evidence, as_scalars),
  lmm = lapply(lmm, function(m) {
    s <- as_scalars(m)
    for (f in c("estimate", "se", "statistic", "ci_lower", "ci_upper", "p")) s[[f]] <- m[[f]]
    s
  }),
  glm = lapply(glm_models, function(m) {
    s <- as_scalars(m)
    for (f in c("sites", "terms", grep("^coef_", names(m), value = TRUE))) s[[f]] <- m[[f]]
    s
  }),
  non_default = list(
    config = as_scalars(non_default_config),
    pooled = lapply(non_default_pooling$pooled, as_scalars),
    leave_one_out = lapply(non_default_pooling$loo, as_scalars),
    evidence = lapply(evidence_of(non_default_pooling$pooled), as_scalars),
    lmm = lapply(non_default_lmm, function(m) {
      s <- as_scalars(m)
      for (f in c("estimate", "se", "statistic", "ci_lower", "ci_upper", "p", "theta")) s[[f]] <- m[[f]]
      s
    }),
    glm_agreement = lapply(glm_agreements(non_default_pooling$pooled), as_scalars))), out)
