# The candidate: one parameter the search tunes (score = -(X-13)^2).
# EVOLVE-BLOCK-START
X=0
# EVOLVE-BLOCK-END
