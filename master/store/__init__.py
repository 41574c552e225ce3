"""All SQL lives here: one module per aggregate. Functions are synchronous (run on DbRunner)."""
