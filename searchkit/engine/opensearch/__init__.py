"""searchkit on an OpenSearch cluster: index settings, query compiler and engine."""
