# Approved deviations. An active exception (not closed, not expired) removes
# the findings whose scope matches from its metric's count. `*` matches any
# run of characters, `?` one character.
#
# exception "EXC-001" {
#   metric      = "security_header_drift"
#   scope       = "https://legacy.example.com/#csp"
#   reason      = "legacy player needs inline script until v3 ships"
#   owner       = "platform"
#   approved_by = "ciso"
#   expires     = "2026-12-31"   # valid through that whole day (UTC)
#   status      = "open"         # or "closed"
# }
