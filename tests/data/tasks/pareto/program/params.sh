# The candidate: two parameters the search tunes.
# EVOLVE-BLOCK-START
X=1  # @knob range=0..20
Y=1  # @knob range=0..10
# EVOLVE-BLOCK-END
