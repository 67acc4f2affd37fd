# Sourced by the golden scripts that fit glm (analysis_golden.R, models_golden.R).

# glm's vcov (hence every SE, z, p and CI) comes from the QR of its last IRLS iteration, i.e. from the weights
# at the coefficients that iteration started from: one step behind coef(fit). epsilon = 1e-14 on the relative
# deviance change still lets that last step be ~1e-6 (the deviance is quadratic in it), which leaves the SEs off
# the converged ones by up to ~4e-7. Refitted from the converged coefficients, glm takes one more step of
# ~1e-13, so coefficients and vcov are both those at the converged estimates (as the Java fit reports them).
at_converged_estimates <- function(fit, envir = parent.frame()) {
  call <- getCall(fit)
  call$start <- coef(fit)
  refit <- eval(call, envir)
  stopifnot(refit$converged, refit$iter <= 2, max(abs(coef(refit) - coef(fit))) < 1e-10)
  refit
}
