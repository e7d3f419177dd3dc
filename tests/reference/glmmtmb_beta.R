# Reference fits of the paper's beta GLMM with glmmTMB, recorded as JSON fixtures.
#
# For every glmmtmb/<design>.csv (columns y, wp, benchmark, model; written by make_designs.py)
# fit, by maximum likelihood with the Laplace approximation,
#   quadratic: y ~ wp + I(wp^2) + (0 + wp | benchmark) + (1 | model)
#   null:      y ~ 1            + (0 + wp | benchmark) + (1 | model)
# with family = beta_family() (a random effect is dropped when its factor has one level), and
# write glmmtmb/<design>.json.  The tests read the JSON; they never run R.
#
# Run from the repository root:  Rscript tests/reference/glmmtmb_beta.R

suppressPackageStartupMessages({
  library(glmmTMB)
  library(jsonlite)
})

folder <- file.path("tests", "reference", "glmmtmb")

model_formula <- function(d, quadratic) {
  rhs <- if (quadratic) "wp + I(wp^2)" else "1"
  if (length(unique(d$benchmark)) > 1) rhs <- paste(rhs, "+ (0 + wp | benchmark)")
  if (length(unique(d$model)) > 1) rhs <- paste(rhs, "+ (1 | model)")
  as.formula(paste("y ~", rhs))
}

random_sd <- function(fit, term) {
  vc <- VarCorr(fit)$cond
  if (is.null(vc[[term]])) NULL else unname(attr(vc[[term]], "stddev"))
}

fit_one <- function(d, quadratic) {
  caught <- character(0)
  fit <- withCallingHandlers(
    glmmTMB(model_formula(d, quadratic), data = d, family = beta_family()),
    warning = function(w) {
      caught <<- c(caught, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  coefs <- summary(fit)$coefficients$cond
  rows <- c("(Intercept)" = "intercept", "wp" = "wp", "I(wp^2)" = "wp2")
  table <- list()
  for (name in rownames(coefs)) {
    table[[rows[[name]]]] <- list(
      estimate = coefs[name, "Estimate"], se = coefs[name, "Std. Error"],
      z = coefs[name, "z value"], p_value = coefs[name, "Pr(>|z|)"]
    )
  }
  list(
    formula = paste(deparse(formula(fit)), collapse = " "),
    coefficients = table,
    sd_slope = random_sd(fit, "benchmark"),
    sd_model = random_sd(fit, "model"),
    phi = sigma(fit),
    loglik = as.numeric(logLik(fit)),
    df = attr(logLik(fit), "df"),
    nobs = nobs(fit),
    optimizer_convergence = fit$fit$convergence,
    optimizer_message = fit$fit$message,
    pd_hessian = fit$sdr$pdHess,
    parameters = as.list(fit$fit$par),
    warnings = caught
  )
}

for (path in sort(Sys.glob(file.path(folder, "*.csv")))) {
  d <- read.csv(path, colClasses = c(benchmark = "character", model = "character"))
  quadratic <- fit_one(d, TRUE)
  null <- fit_one(d, FALSE)
  statistic <- 2 * (quadratic$loglik - null$loglik)
  result <- list(
    design = sub("\\.csv$", "", basename(path)),
    n_rows = nrow(d),
    n_benchmarks = length(unique(d$benchmark)),
    n_models = length(unique(d$model)),
    quadratic = quadratic,
    null = null,
    lrt = list(
      statistic = statistic, df = 2,
      p_value = pchisq(statistic, df = 2, lower.tail = FALSE)
    ),
    versions = list(
      glmmTMB = as.character(packageVersion("glmmTMB")),
      TMB = as.character(packageVersion("TMB")),
      R = R.version.string
    )
  )
  out <- sub("\\.csv$", ".json", path)
  write_json(result, out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null")
  cat(basename(out), ": LRT p =", format(result$lrt$p_value, digits = 3), "\n")
}
