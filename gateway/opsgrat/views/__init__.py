"""Proto messages -> OpsGrat's rows."""
