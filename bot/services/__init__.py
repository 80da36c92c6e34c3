"""Domain operations. Each takes the caller's session (the caller owns the transaction)
and the community it works in."""
