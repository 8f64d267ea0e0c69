// The novelty filter (orchestrator/novelty.h).
#include "orchestrator/novelty.h"

#include <gtest/gtest.h>

namespace cambrian::orchestrator {
namespace {

const Program kParent = {{"k.py", "def f(x):\n    return x * 2\n\nTILE = 32\n"}};

TEST(NoveltyTest, LayoutIsNotNewButALiteralIs) {
  Program respaced = {{"k.py", "def f(x):\n\n        return   x * 2   \n\n\nTILE = 32\n"}};
  EXPECT_EQ(LayoutFreeHash(respaced), LayoutFreeHash(kParent));
  Program retuned = {{"k.py", "def f(x):\n    return x * 2\n\nTILE = 64\n"}};
  EXPECT_NE(LayoutFreeHash(retuned), LayoutFreeHash(kParent));
  Program renamed = {{"other.py", kParent.at("k.py")}};
  EXPECT_NE(LayoutFreeHash(renamed), LayoutFreeHash(kParent));
}

TEST(NoveltyTest, SimilarityIsOneForLayoutAndFallsWithTheChange) {
  Program respaced = {{"k.py", "def f(x):\n  return x*2\n"}};
  EXPECT_EQ(TextSimilarity(kParent, kParent), 1);
  Program retuned = {{"k.py", "def f(x):\n    return x * 2\n\nTILE = 64\n"}};
  Program rewritten = {{"k.py", "import numpy as np\nA = np.zeros((8, 8))\n"}};
  const double small = TextSimilarity(kParent, retuned);
  const double large = TextSimilarity(kParent, rewritten);
  EXPECT_GT(small, 0.8);
  EXPECT_LT(small, 1);
  EXPECT_LT(large, 0.2);
}

TEST(NoveltyTest, TheFilterSkipsLayoutOnlyChildrenAndNearCopiesAboveItsThreshold) {
  NoveltyFilter layout_only(1.0);
  Program respaced = {{"k.py", "def f(x):\n  return x * 2\nTILE = 32\n"}};
  Program retuned = {{"k.py", "def f(x):\n    return x * 2\n\nTILE = 64\n"}};
  EXPECT_FALSE(layout_only.Admit(kParent, respaced, true));
  EXPECT_TRUE(layout_only.Admit(kParent, retuned, true));
  // The same child again, re-indented: seen.
  Program retuned_respaced = {{"k.py", "def f(x):\n\treturn x * 2\nTILE = 64\n"}};
  EXPECT_FALSE(layout_only.Admit(kParent, retuned_respaced, true));

  NoveltyFilter strict(0.8);
  EXPECT_FALSE(strict.Admit(kParent, retuned, /*with_threshold=*/true));  // an LLM's near copy
  EXPECT_TRUE(strict.Admit(kParent, retuned, /*with_threshold=*/false));  // a knob's edit
}

TEST(NoveltyTest, EmbeddingsDecideInsteadOfTextWhenGiven) {
  NoveltyFilter filter(0.95);
  // A full rewrite (far by text) whose embedding says it is the parent.
  Program rewritten = {{"k.py", "import numpy as np\nA = np.zeros((8, 8))\n"}};
  ProposalEmbeddings same = {{1, 0}, {1, 0}};
  EXPECT_FALSE(filter.Admit(kParent, rewritten, true, &same));
  // A one-literal edit (near by text) whose embedding is new.
  Program retuned = {{"k.py", "def f(x):\n    return x * 2\n\nTILE = 64\n"}};
  ProposalEmbeddings apart = {{1, 0}, {0.6f, 0.8f}};
  EXPECT_TRUE(filter.Admit(kParent, retuned, true, &apart));
  // Another child pointing where an admitted one does: too like it.
  Program other = {{"k.py", "def f(x):\n    return x + x\n\nTILE = 16\n"}};
  ProposalEmbeddings like_admitted = {{1, 0}, {0.6f, 0.8f}};
  EXPECT_FALSE(filter.Admit(kParent, other, true, &like_admitted));
  ProposalEmbeddings fresh = {{1, 0}, {0, 1}};
  EXPECT_TRUE(filter.Admit(kParent, other, true, &fresh));
  // Layout-only is still caught before any embedding is compared.
  Program respaced = {{"k.py", "def f(x):\n  return x + x\nTILE = 16\n"}};
  EXPECT_FALSE(filter.Admit(kParent, respaced, true, &fresh));
}

TEST(NoveltyTest, EditableTextHasOnlyTheEditableFilesInPathOrder) {
  Program program = {{"b.py", "B\n"}, {"a.py", "A\n"}, {"eval.py", "E\n"}};
  EXPECT_EQ(EditableText(program, {"*.py"}),
            "=== a.py ===\nA\n=== b.py ===\nB\n=== eval.py ===\nE\n");
  EXPECT_EQ(EditableText(program, {"b.py"}), "=== b.py ===\nB\n");
}

}  // namespace
}  // namespace cambrian::orchestrator
