# Fills its own directory with 1 MiB files until something stops it.
i=0
while head -c 1048576 /dev/zero > "fill.$i"; do i=$((i + 1)); done
sleep 1000
