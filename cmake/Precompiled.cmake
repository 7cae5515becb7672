# Precompiled headers, to keep a clean build short on a 2-core machine (docs/decisions.md).
#
# Two headers are compiled once each: cmake/pch_std.h (the standard library and nlohmann/json)
# for libraries, the server and benchmarks, and cmake/pch_test.h (the same plus GoogleTest) for
# unit tests. openpca_apply_precompiled_headers() makes every C++ target of the tree reuse one of
# them, and compiles the unit tests' own files at -O0: the code under test is in the libraries,
# which keep the build type's optimisation, and a test file at -O2 took 2-3 times as long to
# compile as at -O0. A target whose compile definitions would make the header invalid would only lose the
# speed-up (GCC then reads the header text; -Winvalid-pch reports it), never its correctness.

add_library(openpca_pch_std STATIC ${CMAKE_SOURCE_DIR}/cmake/pch.cc)
target_link_libraries(openpca_pch_std PUBLIC nlohmann_json::nlohmann_json)
target_precompile_headers(openpca_pch_std PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch_std.h)

if(TARGET GTest::gtest)
  add_library(openpca_pch_test STATIC ${CMAKE_SOURCE_DIR}/cmake/pch.cc)
  target_link_libraries(openpca_pch_test PUBLIC nlohmann_json::nlohmann_json GTest::gtest
                        GTest::gmock)
  target_precompile_headers(openpca_pch_test PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch_test.h)
  target_compile_options(openpca_pch_test PRIVATE -O0)
endif()

# Files whose file-local names (anonymous namespace) repeat a sibling's: compiled on their own.
set(OPENPCA_UNITY_EXCLUDED
  src/api/http_server.cc
  src/api/protocols/rest_json_protocol.cc
  src/api/protocols/wire.cc
  src/api/record_form.cc
  src/certmanager/expiry_monitor.cc
  src/certmanager/renewal.cc
  src/policy/policy.cc
  src/services/iam/iam_managed.cc
  src/store/postgres/pg_store.cc
  src/store/sqlite/sqlite_store.cc
  src/x509/csr_reader.cc)

function(openpca_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    openpca_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(openpca_apply_precompiled_headers)
  openpca_collect_targets(${CMAKE_SOURCE_DIR} targets)
  foreach(t ${targets})
    if(t MATCHES "^openpca_pch_")
      continue()
    endif()
    get_target_property(type ${t} TYPE)
    if(NOT type STREQUAL "STATIC_LIBRARY" AND NOT type STREQUAL "EXECUTABLE")
      continue()
    endif()
    get_target_property(sources ${t} SOURCES)
    list(FILTER sources INCLUDE REGEX "\\.cc$")
    list(LENGTH sources n)
    if(n EQUAL 0)
      continue()
    endif()
    get_target_property(source_dir ${t} SOURCE_DIR)
    # Libraries are also compiled in batches of a few files each (a "unity" build): the
    # templates they share (nlohmann/json, std containers) are instantiated and optimised once
    # per batch instead of once per file.
    if(type STREQUAL "STATIC_LIBRARY" AND source_dir MATCHES "^${CMAKE_SOURCE_DIR}/src" AND
       n GREATER 2)
      set_target_properties(${t} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 6)
      foreach(src ${sources})
        get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${source_dir})
        file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${abs})
        if(rel IN_LIST OPENPCA_UNITY_EXCLUDED)
          set_source_files_properties(${abs} TARGET_DIRECTORY ${t}
                                      PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
        endif()
      endforeach()
    endif()
    get_target_property(libs ${t} LINK_LIBRARIES)
    if(TARGET openpca_pch_test AND "${libs}" MATCHES "GTest::")
      target_precompile_headers(${t} REUSE_FROM openpca_pch_test)
      target_compile_options(${t} PRIVATE -O0)
    else()
      target_precompile_headers(${t} REUSE_FROM openpca_pch_std)
    endif()
  endforeach()
endfunction()
