// A program is a set of files: relative path -> content. Programs are stored
// content-addressed by ProgramHash, so identical programs share one identity.
#ifndef CAMBRIAN_COMMON_PROGRAM_H_
#define CAMBRIAN_COMMON_PROGRAM_H_

#include <map>
#include <string>

namespace cambrian {

// Paths are relative, '/'-separated, without "." or ".." components.
using Program = std::map<std::string, std::string>;

// Lower-case hex SHA-256 over every (path, content) pair in path order, each
// length-prefixed so that no two different programs share an encoding.
std::string ProgramHash(const Program& program);

// Total number of lines over all files (a built-in MAP-Elites feature).
int CountLines(const Program& program);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_PROGRAM_H_
