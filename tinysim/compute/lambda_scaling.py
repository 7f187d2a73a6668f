"""How fast AWS Lambda adds execution environments to one function, the figures both fidelities use.

Source: docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html ("Understanding concurrency scaling
rate"): since November 2023 each function can scale by 1,000 execution environments every 10 seconds
(unused rate is not carried over), up to the account's concurrency limit. Before that (``lambda_scaling:
legacy``) a function had an initial burst of 3,000 environments (US East (N. Virginia), US West (Oregon)
and Europe (Ireland); 500 to 1,000 in smaller Regions), then 500 more per minute.
"""

from __future__ import annotations

__all__ = ["LEGACY_BURST", "LEGACY_PER_MINUTE", "NEW_PER_WINDOW", "WINDOW_S"]

#: New execution environments per function per scaling window (current rule).
NEW_PER_WINDOW = 1000.0
#: The current rule's scaling window, seconds (windows counted from time 0).
WINDOW_S = 10.0
#: Legacy rule: the initial burst of environments (the largest Regions' figure).
LEGACY_BURST = 3000.0
#: Legacy rule: environments added per minute after the burst.
LEGACY_PER_MINUTE = 500.0
