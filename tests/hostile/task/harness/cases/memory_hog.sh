# Allocates and touches 10x the memory cap (HOSTILE_MEMORY bytes).
exec python3 -c "import os; x = bytearray(10 * int(os.environ['HOSTILE_MEMORY'])); print(len(x))"
