# EVOLVE-BLOCK-START
MODE=ok  # @knob choices=ok,crash,hang,silent,badbuild,flood
X=0  # @knob range=0..9
# EVOLVE-BLOCK-END
