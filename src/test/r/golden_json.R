# Writes golden values as JSON with every double at full precision (jsonlite stops at 15 significant
# digits): the shortest of %.15g/%.16g/%.17g that reads back as the same double.
# Named lists become objects, unnamed lists arrays, numeric/logical/character vectors arrays
# (use scalar() for a single value), NA/NaN become null.

scalar <- function(x) structure(x, class = c("golden_scalar", class(x)))

format_double <- function(x) {
  vapply(x, function(v) {
    if (is.na(v)) return("null")
    if (!is.finite(v)) stop("infinite value in golden output")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), v)
      if (as.numeric(s) == v) return(s)
    }
    s
  }, character(1))
}

to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    parts <- vapply(x, to_json, character(1), indent = inner)
    if (!is.null(names(x))) {
      parts <- paste0("\"", names(x), "\": ", parts)
      return(paste0("{\n", inner, paste(parts, collapse = paste0(",\n", inner)), "\n", indent, "}"))
    }
    return(paste0("[\n", inner, paste(parts, collapse = paste0(",\n", inner)), "\n", indent, "]"))
  }
  values <- if (is.character(x) || is.factor(x)) {
    paste0("\"", gsub("\"", "\\\\\"", as.character(x)), "\"")
  } else if (is.logical(x)) {
    ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    format_double(as.numeric(x))
  }
  if (inherits(x, "golden_scalar")) {
    stopifnot(length(values) == 1)
    return(values)
  }
  paste0("[", paste(values, collapse = ", "), "]")
}

write_golden <- function(x, path) {
  writeLines(to_json(x), path)
  cat("wrote", path, "(", file.size(path), "bytes )\n")
}
