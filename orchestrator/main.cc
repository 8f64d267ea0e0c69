// The cambrian executable: everything lives in the orchestrator library.
#include "orchestrator/cli.h"

int main(int argc, char** argv) { return cambrian::orchestrator::RunCli(argc, argv); }
