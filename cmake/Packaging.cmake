# `cmake --install` and the .deb (cpack -G DEB): the binary in bin/, and the
# data it finds relative to itself (orchestrator/task_locator.cc) under
# share/cambrian/: the built-in tasks, the LLM prompts and the trusted
# kernels library that tasks build their judges from; the docs under
# share/doc/cambrian/.
include(GNUInstallDirs)

install(TARGETS cambrian RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(dir tasks prompts kernels)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/cambrian
          USE_SOURCE_PERMISSIONS
          PATTERN "__pycache__" EXCLUDE
          PATTERN "*.pyc" EXCLUDE
          PATTERN "CMakeLists.txt" EXCLUDE)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/ARCHITECTURE.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME cambrian)
set(CPACK_PACKAGE_VENDOR "Cambrian")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Evolutionary search over programs and kernels with sandboxed, judged evaluation")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Cambrian maintainers <cambrian@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_STRIP_FILES ON)
# Shared libraries from dpkg-shlibdeps; the programs jobs run by name.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "bubblewrap, g++, python3, util-linux")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-torch, libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nvidia-cuda-toolkit")
include(CPack)
