# Reference fits of the two-knob response surface with glmmTMB, recorded as JSON fixtures.
#
# For every glmmtmb_surface/<design>.csv (columns y, wp, wc, benchmark, model; written by
# make_surface_designs.py) fit, by maximum likelihood with the Laplace approximation and
# family = beta_family(),
#   issue:  y ~ wp + I(wp^2) + wc + I(wc^2) + wp:wc + (1 | model)
#   full:   the same + (0 + wp | benchmark) + (0 + wc | benchmark)   (plw-stats' model)
# and each one's null model (the five wp/wc terms dropped, random effects kept); a random effect
# is dropped when its factor has one level.  Designs named unit_* (scores on their own scale)
# also get a fixed intercept per benchmark, "+ benchmark", in every formula.  Writes glmmtmb_surface/<design>.json.  The tests
# read the JSON; they never run R.
#
# Run from the repository root:  Rscript tests/reference/glmmtmb_surface.R

suppressPackageStartupMessages({
  library(glmmTMB)
  library(jsonlite)
})

folder <- file.path("tests", "reference", "glmmtmb_surface")
surface <- "wp + I(wp^2) + wc + I(wc^2) + wp:wc"
names_of <- c(
  "(Intercept)" = "intercept", "wp" = "wp", "I(wp^2)" = "wp2", "wc" = "wc",
  "I(wc^2)" = "wc2", "wp:wc" = "wp_wc"
)

model_formula <- function(d, full, slopes, unit) {
  rhs <- if (full) surface else "1"
  if (unit) rhs <- paste(rhs, "+ benchmark")
  if (slopes && length(unique(d$benchmark)) > 1) {
    rhs <- paste(rhs, "+ (0 + wp | benchmark) + (0 + wc | benchmark)")
  }
  if (length(unique(d$model)) > 1) rhs <- paste(rhs, "+ (1 | model)")
  as.formula(paste("y ~", rhs))
}

random_sds <- function(fit) {
  vc <- VarCorr(fit)$cond
  out <- list()
  for (i in seq_along(vc)) {
    term <- names(vc)[i]
    out[[paste0(term, ":", colnames(vc[[i]])[1])]] <- unname(attr(vc[[i]], "stddev"))
  }
  out
}

fit_one <- function(d, full, slopes, unit) {
  caught <- character(0)
  fit <- withCallingHandlers(
    glmmTMB(model_formula(d, full, slopes, unit), data = d, family = beta_family()),
    warning = function(w) {
      caught <<- c(caught, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  coefs <- summary(fit)$coefficients$cond
  table <- list()
  for (name in rownames(coefs)) {
    key <- if (name %in% names(names_of)) names_of[[name]] else name
    table[[key]] <- list(
      estimate = coefs[name, "Estimate"], se = coefs[name, "Std. Error"],
      z = coefs[name, "z value"], p_value = coefs[name, "Pr(>|z|)"]
    )
  }
  list(
    formula = paste(deparse(formula(fit)), collapse = " "),
    coefficients = table,
    sds = random_sds(fit),
    phi = sigma(fit),
    loglik = as.numeric(logLik(fit)),
    df = attr(logLik(fit), "df"),
    nobs = nobs(fit),
    optimizer_convergence = fit$fit$convergence,
    optimizer_message = fit$fit$message,
    pd_hessian = fit$sdr$pdHess,
    warnings = caught
  )
}

lrt <- function(full, null) {
  statistic <- 2 * (full$loglik - null$loglik)
  list(statistic = statistic, df = 5, p_value = pchisq(statistic, df = 5, lower.tail = FALSE))
}

for (path in sort(Sys.glob(file.path(folder, "*.csv")))) {
  d <- read.csv(path, colClasses = c(benchmark = "character", model = "character"))
  result <- list(
    design = sub("\\.csv$", "", basename(path)),
    n_rows = nrow(d),
    n_benchmarks = length(unique(d$benchmark)),
    n_models = length(unique(d$model)),
    versions = list(
      glmmTMB = as.character(packageVersion("glmmTMB")),
      TMB = as.character(packageVersion("TMB")),
      R = R.version.string
    )
  )
  unit <- startsWith(result$design, "unit_")
  for (variant in c("issue", "full")) {
    slopes <- variant == "full"
    surface_fit <- fit_one(d, TRUE, slopes, unit)
    null_fit <- fit_one(d, FALSE, slopes, unit)
    result[[variant]] <- list(
      surface = surface_fit, null = null_fit, lrt = lrt(surface_fit, null_fit)
    )
  }
  out <- sub("\\.csv$", ".json", path)
  write_json(result, out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null")
  cat(basename(out), ": full LRT p =", format(result$full$lrt$p_value, digits = 3), "\n")
}
