# Test cohort for the analysis stage, in the curated (canonical) shape of SPEC 4.
# Run from the repository root:  Rscript src/test/r/analysis_fixture.R
# Writes src/test/resources/analysis/{session_ratings,patients,outcomes}.csv (empty field = null).
#
# Six sites of 22-28 patients and one site of 8 (below min_site_n, so it is reported but not pooled);
# sessions 1-8 (the early window is 1-6) rated by patient and therapist, a few by an observer. Planted
# directions, each with between-site variation: resolution improves outcome, alliance, session quality
# and retention; intensity lowers them; therapists report more ruptures than patients; CBT has fewer
# ruptures; patients treated after the therapist's training improve more. Missing values everywhere a
# real export has them (skipped sessions, unanswered items, missing termination scores, a patient without
# a patient record, a patient without treatment).
set.seed(20261127)
out <- "src/test/resources/analysis"

clamp <- function(x, lo, hi) pmin(pmax(x, lo), hi)
sites <- data.frame(site = sprintf("S%02d", 1:7), n = c(24, 28, 22, 26, 25, 23, 8),
                    training = c(TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, TRUE))
sites$resolution_slope <- 0.55 + rnorm(nrow(sites), 0, 0.15)   # site heterogeneity of the outcome effect

patients <- list(); sessions <- list(); outcomes <- list()
for (s in seq_len(nrow(sites))) {
  site <- sites$site[s]
  n <- sites$n[s]
  pid <- sprintf("%s-p%03d", site, seq_len(n))
  treatment <- sample(c("CBT", "BRT", "STDP"), n, replace = TRUE)
  treatment[s == 2 & seq_len(n) == 5] <- NA
  phase <- if (sites$training[s]) sample(c("pre", "post"), n, replace = TRUE) else rep(NA, n)
  resolution_skill <- rnorm(n)                     # patient-level: ruptures of this dyad get repaired
  intensity_level <- rnorm(n)                      # patient-level: how intense its ruptures are
  propensity <- -0.3 - 1.0 * (treatment %in% "CBT") + rnorm(n, 0, 0.5)
  dropout <- runif(n) < plogis(-1.3 - 0.9 * resolution_skill)
  patients[[s]] <- data.frame(site = site, patient_key = pid, therapist_key = sprintf("%s-t%d", site, sample(1:4, n, TRUE)),
                              treatment = treatment, dropout = dropout,
                              sessions_attended = ifelse(dropout, sample(3:9, n, TRUE), 16L),
                              therapist_training_phase = phase)
  for (i in seq_len(n)) {
    for (rater in c("patient", "therapist", if (i %% 7 == 0) "observer")) {
      sess <- sort(sample(1:8, sample(6:8, 1)))    # some sessions not rated
      k <- length(sess)
      p_rupture <- plogis(propensity[i] + if (rater == "therapist") 0.8 else 0)
      present <- runif(k) < p_rupture
      intensity <- ifelse(present, clamp(round(3 + 0.8 * intensity_level[i] + rnorm(k, 0, 0.8), 2), 1, 5), NA)
      resolution <- ifelse(present, clamp(round(3 + 0.9 * resolution_skill[i] + rnorm(k, 0, 0.8), 2), 1, 5), NA)
      alliance <- 5 + 0.3 * resolution_skill[i] + rnorm(1, 0, 0.4) + rnorm(k, 0, 0.45) +
        ifelse(present, -0.35 * (intensity - 3) + 0.3 * (resolution - 3), 0.2)
      quality <- 3.6 + rnorm(k, 0, 0.4) + ifelse(present, -0.3 * (intensity - 3) + 0.25 * (resolution - 3), 0.15)
      present[runif(k) < 0.04] <- NA               # rupture item unanswered (intensity/resolution stay as rated)
      alliance[runif(k) < 0.05] <- NA
      quality[runif(k) < 0.05] <- NA
      sessions[[length(sessions) + 1]] <- data.frame(
        site = site, patient_key = pid[i], therapist_key = patients[[s]]$therapist_key[i], treatment = treatment[i],
        session_number = sess,
        session_date = ifelse(runif(k) < 0.05, NA, format(as.Date("2025-01-06") + 7 * (sess - 1) + i)),
        rater = rater, rupture_present = present, rupture_intensity = intensity, rupture_resolution = resolution,
        alliance = round(clamp(alliance, 1, 7), 4), session_quality = round(clamp(quality, 1, 5), 4))
    }
  }
  for (m in c("IIP", "GAF")) {
    lower_is_better <- m == "IIP"
    scale <- if (lower_is_better) 0.5 else 8
    baseline <- if (lower_is_better) rnorm(n, 1.9, 0.5) else rnorm(n, 52, 8)
    centred <- (baseline - mean(baseline)) / scale
    gain <- scale * (0.4 + sites$resolution_slope[s] * resolution_skill - 0.6 * intensity_level +
                       0.9 * (phase %in% "post") + 0.3 * centred + rnorm(n, 0, 0.8))
    termination <- if (lower_is_better) baseline - gain else baseline + gain
    termination[dropout & runif(n) < 0.6] <- NA
    baseline[runif(n) < 0.03] <- NA
    direction <- if (lower_is_better) "lower_is_better" else "higher_is_better"
    outcomes[[length(outcomes) + 1]] <- rbind(
      data.frame(site = site, patient_key = pid, measure = m, timepoint = "baseline", score = round(baseline, 3),
                 direction = direction),
      data.frame(site = site, patient_key = pid, measure = m, timepoint = "termination",
                 score = round(termination, 3), direction = direction))
  }
}
patients <- do.call(rbind, patients)
sessions <- do.call(rbind, sessions)
outcomes <- do.call(rbind, outcomes)
patients <- patients[patients$patient_key != "S03-p007", ]   # a rated patient without a patient record
outcomes <- outcomes[!is.na(outcomes$score), ]                # a missing score is a missing row

lineage <- function(df, file) {
  df$source_file <- paste0("fixture/", df$site, "/", file)
  df$source_row <- ave(seq_len(nrow(df)), df$site, FUN = seq_along)
  df$delivery <- "2026-01-05"
  df$run_id <- "fixture"
  df
}
write <- function(df, name) {
  for (col in names(df)) if (is.logical(df[[col]])) df[[col]] <- ifelse(df[[col]], "true", "false")
  path <- file.path(out, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, na = "", quote = FALSE)
  cat("wrote", path, nrow(df), "rows\n")
}
write(lineage(sessions, "sessions.csv"), "session_ratings")
write(lineage(patients, "patients.csv"), "patients")
write(lineage(outcomes, "outcomes.csv"), "outcomes")
