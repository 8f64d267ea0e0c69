// The two Archive implementations the contract tests run against: the real
// SqliteArchive (in a fresh temporary file) and the InMemoryArchive fake.
#ifndef CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_FACTORIES_H_
#define CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_FACTORIES_H_

#include <memory>

#include "archive/sqlite_archive.h"
#include "gtest/gtest.h"
#include "tests/archive/archive_test_util.h"
#include "tests/testing/in_memory_archive.h"

namespace cambrian::archive::test {

struct SqliteFactory {
  TempDir dir;
  std::unique_ptr<Archive> Make(const Clock* clock) {
    auto archive = SqliteArchive::Open(dir.path() / "cambrian.db", OpenMode::kReadWrite, clock);
    EXPECT_TRUE(archive.ok()) << archive.status();
    return archive.ok() ? std::move(archive).value() : nullptr;
  }
};

struct InMemoryFactory {
  std::unique_ptr<Archive> Make(const Clock* clock) {
    return std::make_unique<testing::InMemoryArchive>(clock);
  }
};

using Implementations = ::testing::Types<SqliteFactory, InMemoryFactory>;

}  // namespace cambrian::archive::test

#endif  // CAMBRIAN_TESTS_ARCHIVE_ARCHIVE_FACTORIES_H_
