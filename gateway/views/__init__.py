"""Proto messages to the rows each REST document shows, one module per document."""
