# Golden values for org.rupture.pipeline.stats.models.GroupLogisticRegressions: independent per-site
# logistic regressions y ~ x, as R glm(y ~ x, family = binomial) on each site's rows.
# Run from the repository root:  Rscript src/test/r/site_logistic_golden.R
# Writes the small data set src/test/resources/models/site_logistic.csv (site, x, y) and
# src/test/resources/golden/models/site_logistic.json with each site's glm fit at full precision (tight control)
# or, for a site that cannot be fitted, why: a constant predictor, a quasi-separated and a completely separated
# site, a site of 2 rows.
source("src/test/r/golden_json.R")
set.seed(20261207)
data_file <- "src/test/resources/models/site_logistic.csv"
out <- "src/test/resources/golden/models/site_logistic.json"

sites <- list()
for (s in 1:4) {                                   # ordinary sites of different sizes and slopes
  n <- c(15, 40, 23, 60)[s]
  x <- round(runif(n, 1, 7), 3)
  eta <- c(-2.5, -1, 0.5, -3)[s] + c(0.6, 0.3, -0.2, 0.8)[s] * x
  sites[[s]] <- data.frame(site = sprintf("A%d", s), x = x, y = as.numeric(runif(n) < plogis(eta)))
}
sites[[5]] <- data.frame(site = "B_constant_x", x = rep(3.5, 12), y = rep(c(0, 1), 6))
x <- round(runif(14, 1, 7), 3)
sites[[6]] <- data.frame(site = "C_separated", x = x, y = as.numeric(x > median(x)))
x <- c(1, 2, 3, 4, 4, 5, 6, 7, 2.5, 6.5)
sites[[7]] <- data.frame(site = "D_quasi_separated", x = x, y = c(0, 0, 0, 0, 1, 1, 1, 1, 0, 1))
sites[[8]] <- data.frame(site = "E_two_rows", x = c(2, 5), y = c(0, 1))
d <- do.call(rbind, sites)
write.csv(d, data_file, row.names = FALSE)

separated <- function(x, y) max(x[y == 0]) <= min(x[y == 1]) || max(x[y == 1]) <= min(x[y == 0])
cases <- list()
for (site in unique(d$site)) {
  s <- d[d$site == site, ]
  case <- list(site = scalar(site), n = scalar(nrow(s)))
  if (nrow(s) <= 2) {
    case$failure <- scalar("rows")
  } else if (var(s$x) == 0) {
    case$failure <- scalar("variance")
  } else if (separated(s$x, s$y)) {
    case$failure <- scalar("separation")
  } else {
    fit <- glm(y ~ x, family = binomial, data = s, control = glm.control(epsilon = 1e-14, maxit = 100))
    stopifnot(fit$converged)
    cf <- coef(summary(fit))
    ci <- confint.default(fit)
    case$intercept <- scalar(cf["(Intercept)", "Estimate"])
    case$intercept_se <- scalar(cf["(Intercept)", "Std. Error"])
    case$slope <- scalar(cf["x", "Estimate"])
    case$slope_se <- scalar(cf["x", "Std. Error"])
    case$slope_z <- scalar(cf["x", "z value"])
    case$slope_p <- scalar(cf["x", "Pr(>|z|)"])
    case$slope_ci_lower <- scalar(ci["x", 1])
    case$slope_ci_upper <- scalar(ci["x", 2])
    case$deviance <- scalar(deviance(fit))
  }
  cases[[length(cases) + 1]] <- case
}
write_golden(list(cases = cases), out)
