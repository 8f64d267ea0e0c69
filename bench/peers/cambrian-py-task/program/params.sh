# The candidate: one parameter the search tunes.
# EVOLVE-BLOCK-START
X=0
# EVOLVE-BLOCK-END
