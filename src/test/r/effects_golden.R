# Golden values for org.rupture.pipeline.stats.effects (Correlations, MeanDifferences).
# Run from the repository root:  Rscript src/test/r/effects_golden.R
# Writes src/test/resources/golden/effects/{pearson,rmcorr,paired,smd}.json with the raw rows (the Java
# tests compute the sufficient statistics from them) and R's results at full precision.
suppressPackageStartupMessages(library(metafor))
source("src/test/r/golden_json.R")
out <- "src/test/resources/golden/effects"
set.seed(20240611)

# ---- Pearson correlation: cor.test ------------------------------------------------------------
pearson_case <- function(name, n, rho, scale_x = 1, scale_y = 1) {
  x <- rnorm(n)
  y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  x <- round(3 + scale_x * x, 3)
  y <- round(10 + scale_y * y, 3)
  ct <- cor.test(x, y)
  r <- unname(ct$estimate)
  list(name = scalar(name), x = x, y = y,
       n = scalar(n), r = scalar(r), t = scalar(unname(ct$statistic)), df = scalar(unname(ct$parameter)),
       p = scalar(ct$p.value), ci_lower = scalar(ct$conf.int[1]), ci_upper = scalar(ct$conf.int[2]),
       yi = scalar(atanh(r)), vi = scalar(1 / (n - 3)))
}
pearson <- list(
  pearson_case("smallest n (4)", 4, 0.5),
  pearson_case("small positive", 12, 0.6),
  pearson_case("moderate negative", 40, -0.35, scale_x = 0.8, scale_y = 5),
  pearson_case("near zero", 75, 0.02, scale_x = 2, scale_y = 0.3),
  pearson_case("strong positive", 200, 0.93, scale_x = 1.5, scale_y = 12))
write_golden(list(cases = pearson), file.path(out, "pearson.json"))

# ---- Repeated-measures correlation (rmcorr definition, computed two ways) --------------------
# rmcorr >= 0.5.4: lm(y ~ participant + x); r = sign(slope) sqrt(SS_x / (SS_x + SS_res)),
# df = residual df, p = F test of x, CI = psych::r.con(r, df + 2), i.e. Fisher z with SE 1/sqrt(df - 1).
rmcorr_case <- function(name, k, min_rows, max_rows, slope) {
  sizes <- sample(min_rows:max_rows, k, replace = TRUE)
  sizes[1] <- 2  # a patient with the minimum of 2 rows
  patient <- rep(sprintf("P%02d", seq_len(k)), sizes)
  offset_x <- rep(rnorm(k, 0, 2), sizes)
  offset_y <- rep(rnorm(k, 0, 3), sizes)
  xw <- rnorm(length(patient))
  x <- round(3 + offset_x + xw, 3)
  y <- round(20 + offset_y + slope * xw + rnorm(length(patient)), 3)
  fit <- lm(y ~ factor(patient) + x)
  ss <- anova(fit)
  ss_x <- ss["x", "Sum Sq"]
  ss_res <- ss["Residuals", "Sum Sq"]
  r_lm <- sign(coef(fit)[["x"]]) * sqrt(ss_x / (ss_x + ss_res))
  df <- fit$df.residual
  # by hand: centre on each patient's own mean
  xc <- x - ave(x, patient)
  yc <- y - ave(y, patient)
  r <- sum(xc * yc) / sqrt(sum(xc^2) * sum(yc^2))
  stopifnot(abs(r - r_lm) < 1e-12, df == length(x) - k - 1)
  t <- r * sqrt(df / (1 - r^2))
  p <- 2 * pt(-abs(t), df)
  stopifnot(abs(p - ss["x", "Pr(>F)"]) < 1e-12)
  z <- atanh(r)
  half <- qnorm(0.975) / sqrt(df - 1)
  list(name = scalar(name), patient = patient, x = x, y = y,
       n_rows = scalar(length(x)), n_patients = scalar(k), r = scalar(r), df = scalar(df), t = scalar(t),
       p = scalar(p), ci_lower = scalar(tanh(z - half)), ci_upper = scalar(tanh(z + half)),
       yi = scalar(z), vi = scalar(1 / (df - 1)))
}
rmcorr <- list(
  rmcorr_case("few patients", 3, 2, 4, -0.8),
  rmcorr_case("typical negative", 12, 2, 8, -0.4),
  rmcorr_case("typical positive", 30, 2, 10, 0.3),
  rmcorr_case("weak", 50, 2, 6, 0.05))
write_golden(list(cases = rmcorr), file.path(out, "rmcorr.json"))

# ---- Paired difference: t.test(paired = TRUE) -------------------------------------------------
paired_case <- function(name, n, shift, sd) {
  patient <- round(runif(n, 0, 0.6), 4)
  therapist <- round(pmax(0, patient + shift + rnorm(n, 0, sd)), 4)
  tt <- t.test(therapist, patient, paired = TRUE)
  d <- therapist - patient
  list(name = scalar(name), therapist = therapist, patient = patient,
       n = scalar(n), estimate = scalar(unname(tt$estimate)), se = scalar(tt$stderr),
       t = scalar(unname(tt$statistic)), df = scalar(unname(tt$parameter)), p = scalar(tt$p.value),
       ci_lower = scalar(tt$conf.int[1]), ci_upper = scalar(tt$conf.int[2]),
       yi = scalar(mean(d)), vi = scalar(var(d) / n))
}
paired <- list(
  paired_case("smallest n (2)", 2, 0.05, 0.1),
  paired_case("small", 9, 0.08, 0.1),
  paired_case("typical", 45, 0.03, 0.15),
  paired_case("large, negative", 300, -0.02, 0.2))
write_golden(list(cases = paired), file.path(out, "paired.json"))

# ---- Standardised mean difference: escalc(measure = "SMD") + summary ---------------------------
smd_case <- function(name, n1, n2, delta, sd1 = 1, sd2 = 1) {
  g1 <- round(5 + delta + rnorm(n1, 0, sd1), 3)
  g2 <- round(5 + rnorm(n2, 0, sd2), 3)
  es <- escalc(measure = "SMD", m1i = mean(g1), sd1i = sd(g1), n1i = n1,
               m2i = mean(g2), sd2i = sd(g2), n2i = n2)
  s <- summary(es)
  list(name = scalar(name), group1 = g1, group2 = g2,
       n1 = scalar(n1), n2 = scalar(n2), yi = scalar(as.numeric(s$yi)), vi = scalar(s$vi),
       se = scalar(s$sei), z = scalar(s$zi), p = scalar(s$pval),
       ci_lower = scalar(s$ci.lb), ci_upper = scalar(s$ci.ub),
       r = scalar(as.numeric(s$yi) / sqrt(as.numeric(s$yi)^2 + (n1 + n2)^2 / (n1 * n2))))
}
smd <- list(
  smd_case("smallest groups (2 and 2)", 2, 2, 1.0),
  smd_case("unbalanced small", 4, 11, -0.6, 1.2, 0.8),
  smd_case("typical", 30, 24, 0.4),
  smd_case("large, tiny effect", 220, 180, 0.05, 2, 2.5))
write_golden(list(cases = smd), file.path(out, "smd.json"))
