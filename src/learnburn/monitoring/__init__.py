"""Monitoring: drift of current data against the reference profile a bundle carries
(``check_drift``), and the retraining cadence backtested on time-ordered data."""
