# Embeds a file's bytes into a generated C++ source at build time.
#
# As a module (include(EmbedFile)):
#   openpca_embed_file(<out_var> <input> <namespace> <symbol>)
#   adds a build step generating ${CMAKE_CURRENT_BINARY_DIR}/embedded_<symbol>.cc, which defines
#     extern const unsigned char <symbol>[];   // the bytes plus a terminating 0
#     extern const size_t <symbol>Size;        // byte count without the terminator
#   in <namespace>, and stores that path in <out_var> (add it to a target's sources).
#   The step reruns when <input> changes.
#
# As a script (what the build step runs):
#   cmake -DINPUT=.. -DOUTPUT=.. -DNAMESPACE=.. -DSYMBOL=.. -P EmbedFile.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${INPUT}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  set(sixteen "")
  foreach(i RANGE 1 16)
    string(APPEND sixteen "0x[0-9a-f][0-9a-f],")
  endforeach()
  string(REGEX REPLACE "(${sixteen})" "\\1\n    " bytes "${bytes}")
  get_filename_component(input_name "${INPUT}" NAME)
  file(WRITE "${OUTPUT}.tmp"
    "// GENERATED from ${input_name} by cmake/EmbedFile.cmake. Do not edit.\n"
    "#include <cstddef>\n\n"
    "namespace ${NAMESPACE} {\n\n"
    "extern const unsigned char ${SYMBOL}[];\n"
    "extern const size_t ${SYMBOL}Size;\n"
    "const unsigned char ${SYMBOL}[] = {\n    ${bytes}0x00};\n"
    "const size_t ${SYMBOL}Size = ${size};\n\n"
    "}  // namespace ${NAMESPACE}\n")
  file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
  return()
endif()

set(OPENPCA_EMBED_FILE_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

function(openpca_embed_file out_var input namespace symbol)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" "-DINPUT=${input}" "-DOUTPUT=${output}"
            "-DNAMESPACE=${namespace}" "-DSYMBOL=${symbol}" -P "${OPENPCA_EMBED_FILE_SCRIPT}"
    DEPENDS "${input}" "${OPENPCA_EMBED_FILE_SCRIPT}"
    COMMENT "Embedding ${input}"
    VERBATIM)
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()
