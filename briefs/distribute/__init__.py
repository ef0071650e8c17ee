"""Distribution: the recipient list, per-recipient stamped copies, and the log written and read together."""
