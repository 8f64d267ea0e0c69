// A GBNF grammar (llama.cpp's constrained decoding) under which a model can
// only write a SEARCH/REPLACE edit that applies to its parent.
//
// A small model asked for an edit mostly writes prose, several unnamed code
// blocks, or a SEARCH that is not in the file; none of that can be applied.
// Under this grammar the reply is exactly one block:
//
//   PATH
//   <<<<<<< SEARCH
//   1 to 8 consecutive lines of PATH, copied verbatim, the first of which
//   occurs once in the file (so the SEARCH matches exactly one place)
//   =======
//   up to 16 new lines (none starting with '<', '=' or '>' after its
//   indentation, none holding "EVOLVE")
//   >>>>>>> REPLACE
//
// where PATH is an editable file of the program, and the SEARCH lines lie
// inside one EVOLVE-BLOCK when the file has them (the edit policy allows
// nothing else). The reply still goes through ApplyEdits like any other; the
// grammar only makes the form right, not the change good.
#ifndef CAMBRIAN_MUTATORS_LLM_EDIT_GRAMMAR_H_
#define CAMBRIAN_MUTATORS_LLM_EDIT_GRAMMAR_H_

#include <optional>
#include <string>
#include <vector>

#include "common/program.h"

namespace cambrian::mutators {

// The grammar for edits of `parent`'s files that `editable` matches, or
// nullopt when no file has a line to anchor an edit on (or the grammar
// would be larger than 512 KiB). Pure.
std::optional<std::string> DiffGrammar(const Program& parent,
                                       const std::vector<std::string>& editable);

// `text` as a GBNF string literal, quotes included ("a\"b\n").
std::string GbnfLiteral(const std::string& text);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_EDIT_GRAMMAR_H_
