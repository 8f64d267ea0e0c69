# Tries to print 10 GB.
head -c 10G /dev/zero
