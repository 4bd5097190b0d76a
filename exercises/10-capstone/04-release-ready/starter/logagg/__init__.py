"""logagg: an access-log aggregator for the on-call engineer."""
